// What `agenthooks events` shows: the ledger's columns, flags to an EventQuery, and one event in full.
import { AppError } from '../errors.js';
import type { EventQuery, EventState, StoredEvent } from '../store/types.js';
import { decodeCursor, parsePositiveInt } from './cursor.js';
import { type Column, formatTime, paint, type Style } from './format.js';
import { statusColor } from './runs-view.js';
import { timeRange } from './time.js';

export const EVENT_STATES: EventState[] = ['pending', 'processing', 'done', 'failed', 'ignored'];

export interface EventListFlags {
  type?: string;
  session?: string;
  state?: string;
  since?: string;
  until?: string;
  limit?: string;
  cursor?: string;
}

export type EventFilter = Omit<EventQuery, 'before' | 'after' | 'limit'>;

export function eventFilter(flags: EventListFlags, now: number): EventFilter {
  const { since, until } = timeRange(flags, now);
  const filter: EventFilter = {};
  if (flags.type !== undefined) filter.type = flags.type;
  if (flags.session !== undefined) filter.subjectId = flags.session;
  if (flags.state !== undefined) {
    const state = flags.state.trim().toLowerCase();
    if (!EVENT_STATES.includes(state as EventState)) {
      throw new AppError(
        'usage',
        `--state ${JSON.stringify(flags.state)} is not an event state; use one of ${EVENT_STATES.join(', ')}.`,
      );
    }
    filter.state = state as EventState;
  }
  if (since !== undefined) filter.since = since;
  if (until !== undefined) filter.until = until;
  return filter;
}

export function eventListQuery(
  flags: EventListFlags,
  now: number,
): { filter: EventFilter; limit: number; before?: { receivedAt: number; id: string } } {
  const filter = eventFilter(flags, now);
  const limit = flags.limit === undefined ? 50 : parsePositiveInt(flags.limit, '--limit', 10_000);
  const c = flags.cursor === undefined ? undefined : decodeCursor(flags.cursor);
  return { filter, limit, before: c ? { receivedAt: c.at, id: c.id } : undefined };
}

/** A ledger row for JSON output: everything but the raw body (`events show` has that). */
export function eventSummary(e: StoredEvent): Omit<StoredEvent, 'raw'> & { pruned: boolean } {
  const { raw, ...rest } = e;
  return { ...rest, pruned: raw === null };
}

export const EVENT_COLUMNS: Column<StoredEvent>[] = [
  { header: 'RECEIVED', value: (e) => formatTime(e.receivedAt) },
  { header: 'TYPE', value: (e) => e.type, max: 40 },
  { header: 'SESSION', value: (e) => e.subjectId ?? '-', max: 40 },
  { header: 'STATE', value: (e) => e.state, color: (e) => statusColor(e.state) },
  { header: 'TRIES', value: (e) => String(e.attempts), align: 'right' },
  { header: 'ID', value: (e) => e.id, max: 48 },
];

/** The raw body parsed, or null when it is pruned or (never for stored events) not JSON. */
export function eventBody(e: StoredEvent): unknown {
  if (e.raw === null) return null;
  try {
    return JSON.parse(e.raw);
  } catch {
    return null;
  }
}

export function renderEvent(e: StoredEvent, style: Style): string {
  const out: string[] = [];
  const field = (name: string, value: string) => out.push(`  ${name.padEnd(12)} ${value}`);
  out.push(`${paint(style, 'bold', `Event ${e.id}`)}  ${paint(style, statusColor(e.state), e.state)}`);
  field('type', e.type);
  field('session', e.subjectId ?? '-');
  if (e.threadId) field('thread', e.threadId);
  field('created', formatTime(e.createdAt));
  field('received', formatTime(e.receivedAt));
  field('processed', formatTime(e.processedAt));
  field('attempts', String(e.attempts));
  if (e.nextAttemptAt !== null) field('next try', formatTime(e.nextAttemptAt));
  if (e.lastError) field('last error', paint(style, 'red', e.lastError));
  if (e.leaseOwner) field('claimed by', `${e.leaseOwner} until ${formatTime(e.leaseExpiresAt)}`);
  out.push('', paint(style, 'bold', 'Raw JSON'));
  if (e.raw === null) out.push('  (pruned: only the id is kept, so duplicates are still recognised)');
  else {
    const body = eventBody(e);
    out.push(body === null ? e.raw : JSON.stringify(body, null, 2));
  }
  return `${out.join('\n')}\n`;
}
