// The receiver core, framework-agnostic: verify -> parse -> group-commit -> answer for one
// delivery. The raw node:http front of `serve` (src/http/webhook.ts), the library (createAgenthooks)
// and every framework adapter (src/embed) call this one function, so the answer codes of DESIGN.md
// semantics 2 exist once. It never throws: every input ends in an answer.
import { isUtf8 } from 'node:buffer';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { type Logger, warnLimiter } from '../logger.js';
import type { NewEvent, Store } from '../store/types.js';
import { type CrashHook, noCrash } from '../test-hooks.js';
import { parseEvent } from '../webhooks/event.js';
import { type HeaderBag, header } from '../webhooks/headers.js';
import type { Verifier } from '../webhooks/verify.js';
import { webhookErrorAnswer } from './answer.js';
import { GroupCommitter } from './group-commit.js';
import { RejectCounter } from './rejects.js';

export interface WebhookCoreDeps {
  /** null with --insecure-skip-verify: the signature step is skipped, the body is still checked. */
  verifier: Verifier | null;
  /** Anything with the GroupCommitter's enqueue (the library's commits over a lazily opened store). */
  committer: Pick<GroupCommitter, 'enqueue'>;
  rejects: Pick<RejectCounter, 'count'>;
  clock: Clock;
  logger: Logger;
  bodyLimit: number;
  /** Called after a new event that needs work is committed: the runtime wakes the worker with it. */
  onStored?: () => void;
  /** Test-only crash points; none by default. */
  crash?: CrashHook;
}

/** One delivery as received: the body exactly as sent (never re-serialised) and its headers. */
export interface WebhookRequest {
  rawBody: Buffer | Uint8Array | string;
  /** Node's IncomingHttpHeaders, a plain object (names in any case) or Fetch `Headers`. */
  headers: HeaderBag;
  /** When the request arrived (epoch ms); defaults to the clock's now. */
  receivedAt?: number;
}

/** The answer to send: status, headers (content-type included) and the JSON body as text. */
export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type HandleWebhook = (request: WebhookRequest) => Promise<WebhookResponse>;

export interface WebhookCore {
  handle: HandleWebhook;
  /** handle() with a callback: what serve's raw front uses, with no promise per delivery. */
  deliver(request: WebhookRequest, done: (answer: WebhookResponse) => void): void;
  /** The answer for a failure found before the body reached handle() (body_too_large while streaming). */
  reject(err: unknown): WebhookResponse;
  /**
   * The header checks of DESIGN.md semantics 2 (missing_headers, the timestamp window), run before
   * any byte of the body is read: the answer to send at once, or null to go on reading the body.
   */
  precheck(headers: HeaderBag): WebhookResponse | null;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function answer(status: number, body: unknown, headers: Record<string, string> = {}): WebhookResponse {
  return {
    status,
    headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export function createWebhookCore(deps: WebhookCoreDeps): WebhookCore {
  const { verifier, committer, rejects, clock, logger, bodyLimit } = deps;
  const crash = deps.crash ?? noCrash;

  // While the store is down every delivery fails alike: one line per minute says so.
  const warn = warnLimiter(logger, { now: () => clock.now() });

  function reject(err: unknown): WebhookResponse {
    const a = webhookErrorAnswer(err);
    rejects.count(a.body.error.code);
    if (a.status >= 500) warn({ code: a.body.error.code, err: a.body.error.message }, 'webhook not stored');
    else logger.debug({ code: a.body.error.code }, 'webhook rejected');
    return answer(a.status, a.body, a.headers);
  }

  /** Every check of a delivery up to the group commit (semantics 2 order); throws AppError. */
  function accept(req: WebhookRequest): NewEvent {
    const receivedAt = req.receivedAt ?? clock.now();
    const body = typeof req.rawBody === 'string' ? Buffer.from(req.rawBody, 'utf8') : toBuffer(req.rawBody);
    if (body.length > bodyLimit) {
      throw new AppError(
        'body_too_large',
        `The body has ${body.length} bytes, over the limit of ${bodyLimit}: raise --body-limit (bodyLimit) if real events are this large.`,
      );
    }
    let webhookId: string;
    if (verifier) {
      webhookId = verifier.verify(req.headers, body).id;
    } else {
      // Local experiments only: no signature check. The id still comes from webhook-id when sent,
      // else from the body, so curl without headers works.
      webhookId = header(req.headers, 'webhook-id') ?? bodyId(body);
    }
    // After the signature (semantics 2 order), before any decoding: a lossy decode would store
    // replacement characters instead of what was signed.
    if (!isUtf8(body)) {
      throw new AppError(
        'invalid_json',
        'The webhook body is not valid UTF-8, so it is not JSON: send the event exactly as the platform signed it.',
      );
    }
    return parseEvent(body.toString('utf8'), webhookId, receivedAt);
  }

  function deliver(req: WebhookRequest, done: (answer: WebhookResponse) => void): void {
    let event: NewEvent;
    try {
      event = accept(req);
    } catch (err) {
      done(reject(err));
      return;
    }
    committer.enqueue(event, (err, result) => {
      if (err || !result) {
        done(reject(err));
        return;
      }
      if (!result.duplicate && event.state === 'pending') deps.onStored?.();
      crash('after-commit-before-ack');
      // A fresh headers object per answer: adapters hand it to their framework, which may add to it.
      done({
        status: 200,
        headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store' },
        body: JSON.stringify(result),
      });
    });
  }

  function precheck(headers: HeaderBag): WebhookResponse | null {
    if (!verifier) return null;
    try {
      verifier.checkHeaders(headers);
      return null;
    } catch (err) {
      return reject(err);
    }
  }

  return {
    handle: (req) => new Promise((resolve) => deliver(req, resolve)),
    deliver,
    reject,
    precheck,
  };
}

function toBuffer(bytes: Buffer | Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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

export interface ReceiverOptions {
  /** null skips signature checks (--insecure-skip-verify); the body is still checked. */
  verifier: Verifier | null;
  bodyLimit: number;
  rejectFlushMs?: number;
}

export interface Receiver {
  core: WebhookCore;
  committer: GroupCommitter;
  rejects: RejectCounter;
}

/**
 * The receiver: verifier, group commit, reject counting, and the wake-up of the worker after a
 * commit. Built by runtime.receiver(); the library builds it directly because it opens its store
 * on first use, after the receiver already exists.
 */
export function createReceiver(
  r: ReceiverOptions & {
    store: Pick<Store, 'insertEvents' | 'addRejects'>;
    clock: Clock;
    logger: Logger;
    onStored: () => void;
    crash?: CrashHook;
  },
): Receiver {
  const committer = new GroupCommitter(r.store, r.logger);
  const rejects = new RejectCounter(r.store, r.clock, r.logger, r.rejectFlushMs);
  const core = createWebhookCore({ ...r, committer, rejects });
  return { core, committer, rejects };
}
