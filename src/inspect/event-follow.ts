// --follow for the event ledger. Events are found by received time, but several receivers (or a
// slow group commit) can store a row a little after a later-stamped one, so each poll looks back a
// few seconds and skips the ids it already printed.
import type { Store, StoredEvent } from '../store/types.js';
import type { EventFilter } from './events-view.js';
import { followLoop } from './follow.js';

export const LOOKBACK_MS = 5_000;
const BATCH = 1000;

export async function followEvents(
  store: Store,
  filter: EventFilter,
  /** What was already printed: the poll starts from the newest of them and never repeats them. */
  shown: StoredEvent[],
  signal: AbortSignal,
  emit: (events: StoredEvent[]) => void,
  intervalMs?: number,
): Promise<void> {
  // With nothing shown there is nothing matching yet, so the first poll starts from the beginning.
  let high = shown.reduce((m, e) => Math.max(m, e.receivedAt), 0);
  const seen = new Map<string, number>(shown.map((e) => [e.id, e.receivedAt]));
  await followLoop(
    signal,
    async () => {
      let after = { receivedAt: Math.max(0, high - LOOKBACK_MS), id: '' };
      for (;;) {
        const batch = await store.listEvents({ ...filter, after, limit: BATCH });
        const fresh = batch.filter((e) => !seen.has(e.id));
        for (const e of fresh) {
          seen.set(e.id, e.receivedAt);
          if (e.receivedAt > high) high = e.receivedAt;
        }
        if (fresh.length > 0) emit(fresh);
        if (batch.length < BATCH) break;
        const last = batch[batch.length - 1];
        after = { receivedAt: last.receivedAt, id: last.id };
      }
      // Ids older than the look-back window can no longer come back: forget them.
      for (const [id, at] of seen) if (at < high - LOOKBACK_MS) seen.delete(id);
    },
    intervalMs,
  );
}
