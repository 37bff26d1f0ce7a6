// Hono: its context carries the Web Request (c.req.raw). Hono caches bodies a middleware already
// read; a cached JSON body would be re-serialised by Hono's own conversion, so only a cached text
// or byte body is used, and a parsed one is refused with a message naming the cause.
import type { WebhookCore } from '../ingest/receiver.js';
import { headersToObject } from '../webhooks/headers.js';
import { fetchHandler, toResponse } from './fetch.js';
import { reserialisedBody } from './raw-body.js';

/** The part of Hono's Context used here (structural, so agenthooks does not depend on hono). */
export interface HonoContextLike {
  req: {
    raw: Request;
    // Hono stores promises here (typed as values); awaiting handles both.
    bodyCache?: { [key: string]: unknown };
  };
}

export type HonoHandler = (c: HonoContextLike) => Promise<Response>;

/**
 * A Hono handler: `app.post('/webhooks', hooks.hono())`.
 *
 * @example
 * import { Hono } from 'hono';
 * const app = new Hono();
 * app.post('/webhooks', hooks.hono());
 */
export function honoHandler(core: Pick<WebhookCore, 'handle' | 'reject' | 'precheck'>): HonoHandler {
  const viaFetch = fetchHandler(core);
  return async (c) => {
    const raw = c.req.raw;
    if (!raw.bodyUsed) return viaFetch(raw);
    const cache = c.req.bodyCache ?? {};
    const headers = headersToObject(raw.headers);
    if (cache.arrayBuffer)
      return toResponse(
        await core.handle({ rawBody: new Uint8Array((await cache.arrayBuffer) as ArrayBuffer), headers }),
      );
    if (cache.text) return toResponse(await core.handle({ rawBody: (await cache.text) as string, headers }));
    return toResponse(
      core.reject(
        reserialisedBody(
          'a Hono middleware (c.req.json() or a validator)',
          'Mount hooks.hono() on a route without JSON validators or body-reading middleware before it.',
        ),
      ),
    );
  };
}
