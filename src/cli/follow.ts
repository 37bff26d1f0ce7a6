// --follow: one tick, then a pause, until the signal aborts (Ctrl-C). Polling the store keeps
// follow mode working on SQLite and PostgreSQL alike and across processes.

import { walkEvents } from '../query/events.js';
import { type EventFilters, eventQuery } from '../query/filters.js';
import type { Store, StoredEvent } from '../store/types.js';
import { type Column, columnWidths } from './format.js';

const FOLLOW_INTERVAL_MS = 500;

export async function followLoop(
  signal: AbortSignal,
  tick: () => Promise<void>,
  intervalMs = FOLLOW_INTERVAL_MS,
): Promise<void> {
  // Loaded only when following: runs/wait.js brings the platform client, which plain listing
  // commands do not need at start-up.
  const { abortableSleep } = await import('../runs/wait.js');
  while (!signal.aborted) {
    await tick();
    await abortableSleep(intervalMs, signal);
  }
}

// Events are found by received time, but several receivers (or a slow group commit) can store a
// row a little after a later-stamped one, so each poll looks back a few seconds and skips the ids
// it already printed.
const LOOKBACK_MS = 5_000;

export async function followEvents(
  store: Store,
  filters: EventFilters,
  /** What was already printed: the poll starts from the newest of them and never repeats them. */
  shown: StoredEvent[],
  signal: AbortSignal,
  emit: (events: StoredEvent[]) => void,
  intervalMs?: number,
): Promise<void> {
  // With nothing shown there is nothing matching yet, so the first poll starts from the beginning.
  let high = shown.reduce((m, e) => Math.max(m, e.receivedAt), 0);
  // The listing showed one page, newest first: rows ordered before its oldest were left out on
  // purpose (older than the page), so the look-back must not bring them in as new.
  const oldest = shown.reduce<StoredEvent | null>((o, e) => (o === null || before(e, o) ? e : o), null);
  const seen = new Map<string, number>(shown.map((e) => [e.id, e.receivedAt]));
  const query = eventQuery(filters);
  await followLoop(
    signal,
    async () => {
      const from = { receivedAt: Math.max(0, high - LOOKBACK_MS), id: '' };
      for await (const batch of walkEvents(store, query, from)) {
        const fresh = batch.filter((e) => !seen.has(e.id) && (oldest === null || !before(e, oldest)));
        for (const e of fresh) {
          seen.set(e.id, e.receivedAt);
          if (e.receivedAt > high) high = e.receivedAt;
        }
        if (fresh.length > 0) emit(fresh);
      }
      // Ids older than the look-back window can no longer come back: forget them.
      for (const [id, at] of seen) if (at < high - LOOKBACK_MS) seen.delete(id);
    },
    intervalMs,
  );
}

/** Listing order (received time, then id): whether `a` sorts before `b`. */
function before(a: StoredEvent, b: StoredEvent): boolean {
  return a.receivedAt < b.receivedAt || (a.receivedAt === b.receivedAt && a.id < b.id);
}

/**
 * Follow mode prints rows long after the header, so its columns are as wide as each column's cap
 * (or what the first page needs, if wider): a later, longer value then still lines up.
 */
export function followWidths<T>(columns: Column<T>[], rows: T[]): number[] {
  const fit = columnWidths(columns, rows);
  return columns.map((c, i) => Math.max(fit[i]!, c.max ?? 0));
}
