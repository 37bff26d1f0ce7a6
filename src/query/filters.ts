// The filter model for the run and event lists: command-line flags (`agenthooks runs --status
// failed`) and URL query parameters (`/api/runs?status=failed`, `/?status=failed`) are parsed by
// the same code, so they accept the same values and fail with the same messages. Only how a
// parameter is named, the error code and the page size cap differ per surface.
import { AppError } from '../errors.js';
import {
  EVENT_STATES,
  type EventQuery,
  type EventState,
  RUN_STATUSES,
  type RunQuery,
  type RunStatus,
} from '../store/types.js';
import { type Cursor, decodeCursor } from './cursor.js';
import { parseTime } from './time.js';

export interface Surface {
  /** The error code of a bad value (a bad time is always invalid_time). */
  code: 'usage' | 'bad_request';
  /** How messages name a parameter: `--status` on the command line, `status` in a URL. */
  name: (param: string) => string;
  maxLimit: number;
  /** Where a valid cursor comes from, for the message about an invalid one. */
  cursorHint: string;
}

export const FLAGS: Surface = {
  code: 'usage',
  name: (p) => `--${p}`,
  maxLimit: 10_000,
  cursorHint: 'copy it from the "next page" line',
};

export const PARAMS: Surface = {
  code: 'bad_request',
  name: (p) => p,
  maxLimit: 500,
  cursorHint: 'pass the nextCursor value of a previous answer unchanged',
};

export const DEFAULT_LIMIT = 50;
/** Run search text beyond this is cut: longer needles only make the scan slower. */
const SEARCH_MAX = 200;

/** Parsed flags or URL query parameters; a repeated URL parameter counts with its last value. */
type Input<K extends string> = { readonly [P in K]?: unknown };

/** The values given, trimmed; absent and empty ones left out. */
function rawValues<K extends string>(input: Input<K>, names: readonly K[]): Partial<Record<K, string>> {
  const raw: Partial<Record<K, string>> = {};
  for (const k of names) {
    const v = input[k];
    const s = Array.isArray(v) ? v[v.length - 1] : v;
    if (s === undefined || s === null || typeof s === 'boolean') continue;
    const t = String(s).trim();
    if (t !== '') raw[k] = t;
  }
  return raw;
}

export function parseCount(value: string, param: string, max: number, surface: Surface): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new AppError(
      surface.code,
      `${surface.name(param)} must be a whole number from 1 to ${max} (got ${JSON.stringify(value)}).`,
    );
  }
  return n;
}

function parseLimit(value: string | undefined, surface: Surface): number {
  return value === undefined ? DEFAULT_LIMIT : parseCount(value, 'limit', surface.maxLimit, surface);
}

function parseCursor(value: string | undefined, surface: Surface): Cursor | undefined {
  if (value === undefined) return undefined;
  const c = decodeCursor(value);
  if (c) return c;
  throw new AppError(
    surface.code,
    `${surface.name('cursor')} must be a cursor from an earlier page: ${surface.cursorHint} (got ${JSON.stringify(value)}).`,
  );
}

/** `value` when it is in `list`; the message lists the accepted values. */
function member<T extends string>(
  value: string,
  list: readonly T[],
  param: string,
  how: string,
  surface: Surface,
): T {
  if ((list as readonly string[]).includes(value)) return value as T;
  throw new AppError(
    surface.code,
    `${surface.name(param)} must be ${how} ${list.join(', ')} (got ${JSON.stringify(value)}).`,
  );
}

/** since/until to a range; both optional, since before until when both are given. */
export function timeRange(
  values: { since?: string; until?: string },
  now: number,
  surface: Surface,
): { since?: number; until?: number } {
  const since = values.since === undefined ? undefined : parseTime(values.since, now, surface.name('since'));
  const until = values.until === undefined ? undefined : parseTime(values.until, now, surface.name('until'));
  if (since !== undefined && until !== undefined && since >= until) {
    throw new AppError(
      'invalid_time',
      `${surface.name('since')} must be before ${surface.name('until')} (got ${new Date(since).toISOString()} and ${new Date(until).toISOString()}).`,
    );
  }
  return { since, until };
}

/** What every list takes: a time range and a page. */
interface ListFilters {
  since?: number;
  until?: number;
  limit: number;
  cursor?: Cursor;
  /** The values as given, for links and form fields. */
  raw: Record<string, string>;
}

function listFilters(raw: Record<string, string>, now: number, surface: Surface): ListFilters {
  return {
    ...timeRange(raw, now, surface),
    limit: parseLimit(raw.limit, surface),
    cursor: parseCursor(raw.cursor, surface),
    raw,
  };
}

export interface RunFilters extends ListFilters {
  /** Empty: any status. */
  status: RunStatus[];
  agent?: string;
  search?: string;
  /** Runs of one pipeline (the links from the pipelines pages). */
  pipeline?: string;
  /** Runs with this failure reason (the links from the failure reasons of an agent or pipeline). */
  reason?: string;
}

const RUN_PARAMS = [
  'status',
  'agent',
  'since',
  'until',
  'search',
  'pipeline',
  'reason',
  'limit',
  'cursor',
] as const;

export function parseRunFilters(
  input: Input<(typeof RUN_PARAMS)[number]>,
  now: number,
  surface: Surface,
): RunFilters {
  const raw = rawValues(input, RUN_PARAMS);
  const status: RunStatus[] = [];
  for (const s of (raw.status ?? '').split(',').map((x) => x.trim().toLowerCase())) {
    if (s === '') continue;
    const known = member(s, RUN_STATUSES, 'status', 'a comma list of', surface);
    if (!status.includes(known)) status.push(known);
  }
  return {
    status,
    agent: raw.agent,
    search: raw.search?.slice(0, SEARCH_MAX),
    pipeline: raw.pipeline,
    reason: raw.reason,
    ...listFilters(raw, now, surface),
  };
}

/** The filters as a store query, without paging: what a page and --follow both read. */
export function runQuery(f: RunFilters): Omit<RunQuery, 'before' | 'offset' | 'limit'> {
  const q: Omit<RunQuery, 'before' | 'offset' | 'limit'> = {};
  if (f.status.length > 0) q.status = f.status;
  if (f.agent !== undefined) q.agent = f.agent;
  if (f.since !== undefined) q.since = f.since;
  if (f.until !== undefined) q.until = f.until;
  if (f.search !== undefined) q.search = f.search;
  if (f.pipeline !== undefined) q.pipeline = f.pipeline;
  if (f.reason !== undefined) q.reason = f.reason;
  return q;
}

export interface EventFilters extends ListFilters {
  type?: string;
  /** The subject (session) the events are about. */
  session?: string;
  state?: EventState;
}

const EVENT_PARAMS = ['type', 'session', 'state', 'since', 'until', 'limit', 'cursor'] as const;

export function parseEventFilters(
  input: Input<(typeof EVENT_PARAMS)[number]>,
  now: number,
  surface: Surface,
): EventFilters {
  const raw = rawValues(input, EVENT_PARAMS);
  const state =
    raw.state === undefined
      ? undefined
      : member(raw.state.toLowerCase(), EVENT_STATES, 'state', 'one of', surface);
  return {
    type: raw.type,
    session: raw.session,
    state,
    ...listFilters(raw, now, surface),
  };
}

/** The filters as a store query, without paging: what a page and --follow both read. */
export function eventQuery(f: EventFilters): Omit<EventQuery, 'before' | 'after' | 'limit'> {
  const q: Omit<EventQuery, 'before' | 'after' | 'limit'> = {};
  if (f.type !== undefined) q.type = f.type;
  if (f.session !== undefined) q.subjectId = f.session;
  if (f.state !== undefined) q.state = f.state;
  if (f.since !== undefined) q.since = f.since;
  if (f.until !== undefined) q.until = f.until;
  return q;
}
