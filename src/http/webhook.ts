// POST /webhooks (and the tutorial's alias): a raw node:http handler in front of Fastify, so the
// hot path is: read the body under the size limit, verify, parse, group-commit, answer. Checks run
// in the order of DESIGN.md semantics 2 and the first failing one answers. Nothing thrown here
// escapes: every path ends in an answer, never a 500, never a crash.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { WebhookCore, WebhookResponse } from '../ingest/receiver.js';
import type { Logger } from '../logger.js';

export const WEBHOOK_PATHS = ['/webhooks', '/webhook/agent-outcome'] as const;

export interface WebhookDeps {
  /** The framework-agnostic receiver core (src/runtime.ts builds it) this front streams bodies into. */
  core: WebhookCore;
  clock: Clock;
  logger: Logger;
  bodyLimit: number;
}

/** The webhook path of a request URL (query string ignored), or null for every other route. */
export function webhookPath(method: string | undefined, url: string | undefined): boolean {
  if (method !== 'POST' || !url) return false;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return path === WEBHOOK_PATHS[0] || path === WEBHOOK_PATHS[1];
}

export interface WebhookHandler {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Requests received and not yet answered (SIGTERM waits for them). */
  inFlight(): number;
}

export function createWebhookHandler(deps: WebhookDeps): WebhookHandler {
  const { core, clock, logger, bodyLimit } = deps;
  // The per-delivery logic lives in src/ingest/receiver.ts (shared with the library and its adapters);
  // this front only streams the body under the size limit and writes the answer.
  let inFlight = 0;

  function send(res: ServerResponse, answer: WebhookResponse, extra: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(answer.status, {
      ...answer.headers,
      'content-length': Buffer.byteLength(answer.body),
      ...extra,
    });
    res.end(answer.body);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const receivedAt = clock.now();
    inFlight += 1;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      inFlight -= 1;
    };
    res.once('finish', finish);
    res.once('close', finish);
    // A client that goes away mid-body is not an error worth more than a debug line.
    req.once('error', (err) => logger.debug({ err: err.message }, 'webhook request aborted'));

    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > bodyLimit) {
      tooLarge(res, declared);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > bodyLimit) {
        over = true;
        chunks.length = 0;
        tooLarge(res, size);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (over) return;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      void core
        .handle({ rawBody: body, headers: req.headers, receivedAt })
        .then((answer) => send(res, answer));
    });
  }

  function tooLarge(res: ServerResponse, size: number): void {
    send(
      res,
      core.reject(
        new AppError(
          'body_too_large',
          `The body has ${size} bytes or more, over the limit of ${bodyLimit}: raise --body-limit if real events are this large.`,
        ),
      ),
      // The rest of an oversized body is not worth reading on this connection.
      { connection: 'close' },
    );
  }

  return { handle, inFlight: () => inFlight };
}
