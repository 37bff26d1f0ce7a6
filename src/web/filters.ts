// Query-string filters shared by the JSON API and the pages: one parser, so `/api/runs?status=...`
// and `/?status=...` mean the same thing and fail with the same bad_request message.
import { AppError } from '../errors.js';
import { parseTimeExpr } from '../inspect/time.js';
import type { EventState, RunStatus } from '../store/types.js';

export const RUN_STATUSES: readonly RunStatus[] = [
  'pending',
  'running',
  'blocked',
  'succeeded',
  'failed',
  'deleted',
];
export const EVENT_STATES: readonly EventState[] = ['pending', 'processing', 'done', 'failed', 'ignored'];

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export type Query = Record<string, unknown>;

function str(q: Query, name: string): string | undefined {
  const v = q[name];
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  if (s === undefined || s === null) return undefined;
  const t = String(s).trim();
  return t === '' ? undefined : t;
}

/** Epoch milliseconds, or what the CLI's --since/--until take (an age like 30m, 2h, 7d, or ISO). */
export function parseTime(value: string, now: number, name: string): number {
  if (/^\d{11,}$/.test(value)) return Number(value);
  return parseTimeExpr(value, now, name);
}

function parseLimit(q: Query): number {
  const s = str(q, 'limit');
  if (s === undefined) return DEFAULT_LIMIT;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw new AppError(
      'bad_request',
      `limit must be a whole number from 1 to ${MAX_LIMIT} (got ${JSON.stringify(s)}).`,
    );
  }
  return n;
}

/** Keyset cursors are opaque to clients: base64url of [time, id]. */
export function encodeCursor(time: number, id: string): string {
  return Buffer.from(JSON.stringify([time, id])).toString('base64url');
}

function decodeCursor(value: string): { time: number; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && typeof parsed[0] === 'number' && typeof parsed[1] === 'string') {
      return { time: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError(
    'bad_request',
    'cursor is not valid: pass the nextCursor value of a previous answer unchanged.',
  );
}

export interface RunFilters {
  status: RunStatus[];
  agent?: string;
  since?: number;
  until?: number;
  search?: string;
  limit: number;
  cursor?: { time: number; id: string };
  /** The raw values as given, for links and form fields. */
  raw: Record<string, string>;
}

export function parseRunFilters(q: Query, now: number): RunFilters {
  const raw: Record<string, string> = {};
  for (const k of ['status', 'agent', 'since', 'until', 'search', 'limit', 'cursor']) {
    const v = str(q, k);
    if (v !== undefined) raw[k] = v;
  }
  const status: RunStatus[] = [];
  for (const s of (raw.status ?? '').split(',').map((x) => x.trim().toLowerCase())) {
    if (s === '') continue;
    if (!(RUN_STATUSES as string[]).includes(s)) {
      throw new AppError(
        'bad_request',
        `status must be a comma-separated list of ${RUN_STATUSES.join(', ')} (got ${JSON.stringify(s)}).`,
      );
    }
    if (!status.includes(s as RunStatus)) status.push(s as RunStatus);
  }
  return {
    status,
    agent: raw.agent,
    since: raw.since === undefined ? undefined : parseTime(raw.since, now, 'since'),
    until: raw.until === undefined ? undefined : parseTime(raw.until, now, 'until'),
    search: raw.search?.slice(0, 200),
    limit: parseLimit(q),
    cursor: raw.cursor === undefined ? undefined : decodeCursor(raw.cursor),
    raw,
  };
}

export interface EventFilters {
  type?: string;
  session?: string;
  state?: EventState;
  since?: number;
  until?: number;
  limit: number;
  cursor?: { time: number; id: string };
  raw: Record<string, string>;
}

export function parseEventFilters(q: Query, now: number): EventFilters {
  const raw: Record<string, string> = {};
  for (const k of ['type', 'session', 'state', 'since', 'until', 'limit', 'cursor']) {
    const v = str(q, k);
    if (v !== undefined) raw[k] = v;
  }
  if (raw.state !== undefined && !(EVENT_STATES as string[]).includes(raw.state)) {
    throw new AppError(
      'bad_request',
      `state must be one of ${EVENT_STATES.join(', ')} (got ${JSON.stringify(raw.state)}).`,
    );
  }
  return {
    type: raw.type,
    session: raw.session,
    state: raw.state as EventState | undefined,
    since: raw.since === undefined ? undefined : parseTime(raw.since, now, 'since'),
    until: raw.until === undefined ? undefined : parseTime(raw.until, now, 'until'),
    limit: parseLimit(q),
    cursor: raw.cursor === undefined ? undefined : decodeCursor(raw.cursor),
    raw,
  };
}
