// POST /webhooks (and the tutorial's alias): a raw node:http handler in front of Fastify, so the
// hot path is: read the body under the size limit, verify, parse, group-commit, answer. Checks run
// in the order of DESIGN.md semantics 2 and the first failing one answers. Nothing thrown here
// escapes: every path ends in an answer, never a 500, never a crash.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { GroupCommitter } from '../ingest/group-commit.js';
import type { RejectCounter } from '../ingest/rejects.js';
import type { Logger } from '../logger.js';
import { crashPoint } from '../test-hooks.js';
import { parseEvent } from '../webhooks/event.js';
import type { Verifier } from '../webhooks/verify.js';
import { errorAnswer } from './answer.js';

export const WEBHOOK_PATHS = ['/webhooks', '/webhook/agent-outcome'] as const;

export interface WebhookDeps {
  /** null with --insecure-skip-verify: the signature step is skipped, the body is still checked. */
  verifier: Verifier | null;
  committer: GroupCommitter;
  rejects: RejectCounter;
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

const JSON_TYPE = 'application/json; charset=utf-8';

export function createWebhookHandler(deps: WebhookDeps): WebhookHandler {
  const { verifier, committer, rejects, clock, logger, bodyLimit } = deps;
  let inFlight = 0;

  function send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': JSON_TYPE,
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
      ...headers,
    });
    res.end(text);
  }

  function reject(res: ServerResponse, err: unknown, extra: Record<string, string> = {}): void {
    const answer = errorAnswer(err, 'webhook');
    rejects.count(answer.body.error.code);
    if (answer.status >= 500)
      logger.warn({ code: answer.body.error.code, err: answer.body.error.message }, 'webhook not stored');
    else logger.debug({ code: answer.body.error.code }, 'webhook rejected');
    send(res, answer.status, answer.body, { ...answer.headers, ...extra });
  }

  async function ingest(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    receivedAt: number,
  ): Promise<void> {
    const headers = req.headers;
    let webhookId: string;
    if (verifier) {
      webhookId = verifier.verify(headers, body).id;
    } else {
      // Local experiments only: no signature check. The id still comes from webhook-id when sent,
      // else from the body, so curl without headers works.
      const h = headers['webhook-id'];
      webhookId = typeof h === 'string' && h.length > 0 ? h : bodyId(body);
    }
    const raw = body.toString('utf8');
    const event = parseEvent(raw, webhookId, receivedAt);
    const result = await committer.submit(event);
    crashPoint('after-commit-before-ack');
    send(res, 200, result);
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
      ingest(req, res, body, receivedAt).catch((err) => reject(res, err));
    });
  }

  function tooLarge(res: ServerResponse, size: number): void {
    reject(
      res,
      new AppError(
        'body_too_large',
        `The body has ${size} bytes or more, over the limit of ${bodyLimit}: raise --body-limit if real events are this large.`,
      ),
      // The rest of an oversized body is not worth reading on this connection.
      { connection: 'close' },
    );
  }

  return { handle, inFlight: () => inFlight };
}

/** The body's top-level "id" when it has one (only used without verification); else "", and
 * parseEvent then answers invalid_json or not_an_event. */
function bodyId(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { id?: unknown } | null;
    if (typeof parsed?.id === 'string') return parsed.id;
  } catch {
    // parseEvent answers invalid_json right after.
  }
  return '';
}
