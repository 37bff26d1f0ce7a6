// The event ledger: one page of stored webhook events matching the filters, newest first by
// received time (keyset cursors, never OFFSET), and how one event reads. The CLI, GET /api/events
// and the dashboard's events pages all read it here.
import type { EventQuery, Store, StoredEvent } from '../store/types.js';
import { jsonTooDeep } from '../webhooks/event.js';
import { encodeCursor } from './cursor.js';
import { type EventFilters, eventQuery } from './filters.js';

export interface EventsPage {
  /** Whole rows: each surface decides how much of them to show (lists leave the body out). */
  events: StoredEvent[];
  nextCursor: string | null;
}

export async function listEventsPage(store: Store, f: EventFilters): Promise<EventsPage> {
  const rows = await store.listEvents({
    ...eventQuery(f),
    before: f.cursor ? { receivedAt: f.cursor.at, id: f.cursor.id } : undefined,
    limit: f.limit + 1,
  });
  const events = rows.slice(0, f.limit);
  const last = events[events.length - 1];
  return {
    events,
    nextCursor: rows.length > f.limit && last ? encodeCursor(last.receivedAt, last.id) : null,
  };
}

/** An event as lists show it: the raw body left out (it can be large; the single event has it). */
export type EventSummary = Omit<StoredEvent, 'raw'>;

export function summarizeEvent(e: StoredEvent): EventSummary {
  const { raw: _raw, ...rest } = e;
  return rest;
}

/**
 * The raw body parsed, or null when it is pruned, not JSON or nested too deep to serialise again
 * (rows stored before the receiver refused such bodies, or written into the store directly).
 */
export function eventPayload(e: StoredEvent): unknown {
  if (e.raw === null || jsonTooDeep(e.raw)) return null;
  try {
    return JSON.parse(e.raw);
  } catch {
    return null;
  }
}

const WALK_PAGE = 1000;

/**
 * Every event matching `query` received after `after`, oldest first, a page at a time: what
 * export, replay's selection and --follow read. The caller may stop between pages.
 */
export async function* walkEvents(
  store: Store,
  query: Omit<EventQuery, 'before' | 'after' | 'limit'>,
  after: { receivedAt: number; id: string } = { receivedAt: -1, id: '' },
): AsyncGenerator<StoredEvent[]> {
  let from = after;
  for (;;) {
    const page = await store.listEvents({ ...query, after: from, limit: WALK_PAGE });
    if (page.length > 0) yield page;
    if (page.length < WALK_PAGE) return;
    const last = page[page.length - 1];
    from = { receivedAt: last.receivedAt, id: last.id };
  }
}
