// Web `Request` -> `Response`: Next.js route handlers, Cloudflare Workers, Deno, Bun, and Hono
// (which hands out the same Request). The body is read once, as bytes, and never decoded first.
import type { HandleWebhook, WebhookCore } from '../ingest/receiver.js';
import { headersToObject } from '../webhooks/headers.js';
import { reserialisedBody } from './raw-body.js';

export type FetchHandler = (request: Request) => Promise<Response>;

type Core = Pick<WebhookCore, 'handle' | 'reject' | 'precheck'>;

/**
 * A `(request: Request) => Promise<Response>` for runtimes built on the Fetch API.
 *
 * @example
 * // app/webhooks/route.ts (Next.js)
 * export const POST = hooks.toFetchHandler();
 */
export function fetchHandler(core: Core): FetchHandler {
  return async (request) => {
    if (request.method !== 'POST') {
      return new Response(
        JSON.stringify({
          error: {
            code: 'method_not_allowed',
            message: 'This route only accepts POST (signed webhook deliveries).',
          },
        }),
        { status: 405, headers: { allow: 'POST', 'content-type': 'application/json; charset=utf-8' } },
      );
    }
    if (request.bodyUsed) {
      return toResponse(
        core.reject(
          reserialisedBody(
            'code that read request.json() or request.text()',
            'Pass the untouched Request to the agenthooks handler (do not call request.json() first).',
          ),
        ),
      );
    }
    const headers = headersToObject(request.headers);
    // Bad headers are answered before any of the body is read.
    const early = core.precheck(headers);
    if (early) return toResponse(early);
    const rawBody = new Uint8Array(await request.arrayBuffer());
    return toResponse(await core.handle({ rawBody, headers }));
  };
}

export function toResponse(answer: Awaited<ReturnType<HandleWebhook>>): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}
