// POST /webhooks (and the tutorial's alias): a raw node:http handler in front of Fastify, so the
// hot path is: check the headers, read the body under the size, time and concurrency limits,
// verify, parse, group-commit, answer. Checks run in the order of DESIGN.md semantics 2 and the
// first failing one answers. Nothing thrown here escapes: every path ends in an answer, never a
// 500, never a crash.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { WebhookCore, WebhookResponse } from '../ingest/receiver.js';

export const WEBHOOK_PATHS = ['/webhooks', '/webhook/agent-outcome'] as const;

export const DEFAULT_BODY_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_INFLIGHT = 1000;

export interface WebhookDeps {
  /** The framework-agnostic receiver core (src/runtime.ts builds it) this front streams bodies into. */
  core: WebhookCore;
  clock: Clock;
  bodyLimit: number;
  /** How long a body may take to arrive once the headers are in (--body-timeout). */
  bodyTimeoutMs?: number;
  /** How many bodies may be read at once (--max-inflight); above it 503 overloaded. */
  maxInflight?: number;
}

/** Whether a request URL (query string ignored) is a webhook path, whatever the method. */
export function webhookPath(url: string | undefined): boolean {
  if (!url) return false;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return path === WEBHOOK_PATHS[0] || path === WEBHOOK_PATHS[1];
}

export interface WebhookHandler {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Requests received and not yet answered (SIGTERM waits for them). */
  inFlight(): number;
  /** The body timeout in force: the HTTP server sizes its own request timeouts from it. */
  bodyTimeoutMs: number;
}

/** A body being read: when it must be in by (performance.now() ms), and what to do then. */
interface BodyRead {
  deadline: number;
  expire(): void;
}

export function createWebhookHandler(deps: WebhookDeps): WebhookHandler {
  const { core, clock, bodyLimit } = deps;
  const bodyTimeoutMs = deps.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  const maxInflight = deps.maxInflight ?? DEFAULT_MAX_INFLIGHT;
  // The per-delivery logic lives in src/ingest/receiver.ts (shared with the library and its adapters);
  // this front only guards and streams the body and writes the answer, with as little bookkeeping
  // per request as it can: one listener per stream it needs, and one sweep timer for the body
  // deadlines of every request being read instead of a timer each.
  let inFlight = 0;
  const reads = new Set<BodyRead>();
  let sweep: NodeJS.Timeout | null = null;
  // A body times out between --body-timeout and a tenth of it later.
  const sweepEveryMs = Math.min(1000, Math.max(5, Math.floor(bodyTimeoutMs / 10)));

  function sweepReads(): void {
    const now = performance.now();
    for (const r of reads) if (r.deadline <= now) r.expire();
    if (reads.size === 0 && sweep) {
      clearInterval(sweep);
      sweep = null;
    }
  }

  function send(res: ServerResponse, answer: WebhookResponse, close = false): void {
    if (res.headersSent || res.destroyed) return;
    const headers: string[] = [];
    for (const name in answer.headers) headers.push(name, answer.headers[name]);
    headers.push('content-length', String(Buffer.byteLength(answer.body)));
    // Refusals before or instead of reading the body close the connection: the unread rest of
    // the body is not worth reading, and a client holding it open would hold memory.
    if (close) headers.push('connection', 'close');
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const receivedAt = clock.now();
    inFlight += 1;
    // No 'error' listener on req: node:http emits 'error' on a request only when one is attached,
    // and a client that goes away mid-body ends in the response's 'close' below, which frees its
    // slot (test/security/webhook-limits.test.ts). A listener per delivery only fed a debug line.
    const refusal = refusalBeforeBody(req);
    if (refusal) {
      // 'close' follows 'finish' on every response, and comes alone when the connection dies first.
      res.on('close', () => {
        inFlight -= 1;
      });
      send(res, refusal, true);
    } else readBody(req, res, receivedAt);
  }

  /**
   * The checks that need no body, in the order of semantics 2: method, headers, concurrency,
   * declared size. A refusal answers without reading the body; with `connection: close` node:http
   * discards whatever of it still arrives and ends the socket once the answer is flushed.
   */
  function refusalBeforeBody(req: IncomingMessage): WebhookResponse | null {
    if (req.method !== 'POST') {
      const path = (req.url ?? '').split('?')[0];
      return core.reject(
        new AppError('method_not_allowed', `${path} only accepts POST (signed webhook deliveries).`, {
          details: { allow: 'POST' },
        }),
      );
    }
    const early = core.precheck(req.headers);
    if (early) return early;
    if (reads.size >= maxInflight) {
      return core.reject(
        new AppError(
          'overloaded',
          `${maxInflight} webhook bodies are being read already: retry shortly (raise --max-inflight if real traffic is this concurrent).`,
        ),
      );
    }
    const declared = Number(req.headers['content-length']);
    return Number.isFinite(declared) && declared > bodyLimit ? tooLarge(declared) : null;
  }

  function readBody(req: IncomingMessage, res: ServerResponse, receivedAt: number): void {
    let chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const read: BodyRead = {
      deadline: performance.now() + bodyTimeoutMs,
      expire() {
        if (!settle()) return;
        chunks = [];
        send(
          res,
          core.reject(
            new AppError(
              'body_timeout',
              `The body did not arrive within ${bodyTimeoutMs} ms of the headers: the connection is closed (raise --body-timeout if real senders are this slow).`,
            ),
          ),
          true,
        );
        // A client that stopped reading too cannot hold the socket: it goes shortly after.
        setTimeout(() => req.socket.destroy(), 1000).unref();
      },
    };
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      reads.delete(read);
      return true;
    };
    reads.add(read);
    if (!sweep) {
      sweep = setInterval(sweepReads, sweepEveryMs);
      sweep.unref();
    }
    // One listener for both counts: the response closes after its answer, or alone when the
    // connection dies first (mid-body included).
    res.on('close', () => {
      inFlight -= 1;
      settle();
    });
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > bodyLimit) {
        settle();
        chunks = [];
        send(res, tooLarge(size), true);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!settle()) return;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      core.deliver({ rawBody: body, headers: req.headers, receivedAt }, (answer) => send(res, answer));
    });
  }

  function tooLarge(size: number): WebhookResponse {
    return core.reject(
      new AppError(
        'body_too_large',
        `The body has ${size} bytes or more, over the limit of ${bodyLimit}: raise --body-limit if real events are this large.`,
      ),
    );
  }

  return { handle, inFlight: () => inFlight, bodyTimeoutMs };
}
