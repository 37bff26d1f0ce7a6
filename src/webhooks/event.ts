// Turns a verified webhook body into the row the store keeps. The payload is thin (reference 4.3):
// the envelope says what changed, never the new state, so only the envelope is checked here.
import { AppError } from '../errors.js';
import type { NewEvent } from '../store/types.js';

/**
 * The `data.type` values the worker acts on (it GETs the session or deployment run): every
 * `session.*` and `deployment_run.*` type in the SDK 1.14.0 `BetaWebhookEventData` union.
 * Everything else (vaults, agents, environments, organization types, future types) is stored as
 * `ignored` and still answered 200, so the platform never retries or disables the endpoint.
 */
export const HANDLED_EVENT_TYPES = [
  'session.archived',
  'session.budget_reached',
  'session.created',
  'session.deleted',
  'session.idled',
  'session.outcome_evaluation_ended',
  'session.pending',
  'session.requires_action',
  'session.running',
  'session.status_idled',
  'session.status_rescheduled',
  'session.status_run_started',
  'session.status_terminated',
  'session.thread_created',
  'session.thread_idled',
  'session.thread_terminated',
  'session.updated',
  'deployment_run.failed',
  'deployment_run.started',
  'deployment_run.succeeded',
] as const;

export type HandledEventType = (typeof HANDLED_EVENT_TYPES)[number];

// A Set, not an object lookup: "constructor" or "__proto__" must not count as handled.
const HANDLED = new Set<string>(HANDLED_EVENT_TYPES);

export function isHandledEventType(type: string): type is HandledEventType {
  return HANDLED.has(type);
}

// RFC 3339 as the platform sends it; Date.parse alone would accept "1" or "March 7".
export const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * `created_at` in epoch ms, NaN when it is not an RFC 3339 date-time: exactly what
 * `RFC3339.test(text) ? Date.parse(text) : NaN` gives (test/webhooks/event.test.ts compares them).
 * The platform's own form, `YYYY-MM-DDTHH:MM:SS[.fraction]Z` with every field in range, is read
 * digit by digit: the regular expression and V8's date parser took 260-320 ns of every delivery,
 * this reading 70-160 ns (100,000 timestamps, side by side). Everything else (offsets, lower-case
 * or space separators, hour 24) takes the general path.
 */
export function parseCreatedAt(text: string): number {
  const n = text.length;
  if (
    n >= 20 &&
    text.charCodeAt(4) === 0x2d && // -
    text.charCodeAt(7) === 0x2d &&
    text.charCodeAt(10) === 0x54 && // T
    text.charCodeAt(13) === 0x3a && // :
    text.charCodeAt(16) === 0x3a &&
    text.charCodeAt(n - 1) === 0x5a // Z
  ) {
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 2);
    const day = digits(text, 8, 2);
    const hour = digits(text, 11, 2);
    const minute = digits(text, 14, 2);
    const second = digits(text, 17, 2);
    // Milliseconds: the first three fraction digits (Date.parse drops the rest), padded.
    let ms = 0;
    let fractionOk = n === 20;
    if (n > 21 && text.charCodeAt(19) === 0x2e) {
      fractionOk = true;
      for (let i = 20; i < n - 1; i++) {
        const d = text.charCodeAt(i) - 0x30;
        if (d < 0 || d > 9) {
          fractionOk = false;
          break;
        }
        if (i < 23) ms += d * (i === 20 ? 100 : i === 21 ? 10 : 1);
      }
    }
    // Date.UTC rolls a day past the month's end over as Date.parse does (February 30 is March 2).
    // Years before 100 (Date.UTC reads them as 19xx) and hour 24 take the general path. A field
    // that is not all digits is -1.
    if (
      fractionOk &&
      year >= 100 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= 31 &&
      hour >= 0 &&
      hour <= 23 &&
      minute >= 0 &&
      minute <= 59 &&
      second >= 0 &&
      second <= 59
    ) {
      return Date.UTC(year, month - 1, day, hour, minute, second, ms);
    }
  }
  return RFC3339.test(text) ? Date.parse(text) : Number.NaN;
}

/** The decimal number in `len` characters of `text` from `at`, or -1 if any is not a digit. */
function digits(text: string, at: number, len: number): number {
  let v = 0;
  for (let i = at; i < at + len; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

const ENVELOPE_HINT =
  'expected {"type":"event","id":"...","created_at":"<RFC 3339>","data":{"type":"...","id":"..."}} (a Managed Agents webhook event)';

/** How deep a webhook body may nest: real events use a handful of levels. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether JSON text nests arrays/objects deeper than `limit`, found by a scan that needs no parse
 * (a 100,000-deep body parses fine but overflows the stack of every JSON.stringify after it).
 */
export function jsonTooDeep(text: string, limit = MAX_JSON_DEPTH): boolean {
  // A text with no more than `limit` opening brackets cannot nest deeper: counting them with
  // indexOf is several times cheaper than the scan below, and real events have a handful.
  if (!moreThan(text, '{', '[', limit)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Whether `a` and `b` occur more than `limit` times in all in `text`. */
function moreThan(text: string, a: string, b: string, limit: number): boolean {
  let n = 0;
  for (let i = text.indexOf(a); i !== -1; i = text.indexOf(a, i + 1)) if (++n > limit) return true;
  for (let i = text.indexOf(b); i !== -1; i = text.indexOf(b, i + 1)) if (++n > limit) return true;
  return false;
}

/** Checks, in order: invalid_json, not_an_event, id_mismatch. Throws only AppError. */
export function parseEvent(raw: string, webhookId: string, receivedAt: number): NewEvent {
  if (jsonTooDeep(raw)) {
    throw new AppError(
      'invalid_json',
      `The webhook body nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels; no webhook event does, so it is refused.`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new AppError(
      'invalid_json',
      'The webhook body is not valid JSON: send the event exactly as the platform signed it.',
    );
  }
  if (!isRecord(body)) throw notAnEvent('the body is not a JSON object');
  if (body.type !== 'event') throw notAnEvent('"type" is not "event"');
  const id = body.id;
  if (typeof id !== 'string' || id.length === 0) throw notAnEvent('"id" is not a non-empty string');
  const createdAtText = body.created_at;
  const createdAt = typeof createdAtText === 'string' ? parseCreatedAt(createdAtText) : Number.NaN;
  if (!Number.isFinite(createdAt)) throw notAnEvent('"created_at" is not an RFC 3339 date-time');
  const data = body.data;
  if (!isRecord(data)) throw notAnEvent('"data" is not an object');
  const type = data.type;
  if (typeof type !== 'string' || type.length === 0)
    throw notAnEvent('"data.type" is not a non-empty string');
  const subjectId = data.id;
  if (typeof subjectId !== 'string' || subjectId.length === 0)
    throw notAnEvent('"data.id" is not a non-empty string');
  if (id !== webhookId) {
    throw new AppError(
      'id_mismatch',
      'The body "id" differs from the webhook-id header: the event id must equal webhook-id (it is the dedupe key); do not rewrite either.',
    );
  }
  const thread = data.session_thread_id;
  return {
    id,
    type,
    createdAt,
    receivedAt,
    subjectId,
    threadId: typeof thread === 'string' ? thread : null,
    raw,
    state: isHandledEventType(type) ? 'pending' : 'ignored',
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function notAnEvent(what: string): AppError {
  return new AppError('not_an_event', `The webhook body is not an event: ${what}; ${ENVELOPE_HINT}.`);
}
