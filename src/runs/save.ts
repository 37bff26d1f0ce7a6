// Compare-and-set saving of runs: read, compute, save on the version read; on a lost race, read
// again and recompute. Every writer (worker, reconciler, launch, poller) goes through here.
import type { Run, RunChange, Store } from '../store/types.js';
import type { HistoryDraft } from './state.js';

export interface Computed {
  run: Run;
  changed: boolean;
  history: HistoryDraft | null;
  outbox?: RunChange['outbox'];
}

const MAX_CAS_ATTEMPTS = 20;

/** Applies `compute` to the stored run until the save wins; returns the stored result. */
export async function updateRun(
  store: Store,
  id: string,
  compute: (held: Run | null) => Computed,
): Promise<{ run: Run; changed: boolean; previous: Run | null }> {
  for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
    const held = await store.getRun(id);
    const result = compute(held);
    if (!result.changed) return { run: held ?? result.run, changed: false, previous: held };
    const expectedVersion = held?.version ?? 0;
    const ok = await store.saveRun({
      run: result.run,
      expectedVersion,
      history: result.history,
      outbox: result.outbox,
    });
    if (ok) {
      const saved = (await store.getRun(id)) ?? { ...result.run, version: expectedVersion + 1 };
      return { run: saved, changed: true, previous: held };
    }
  }
  throw new Error(`Run ${id} kept changing under 20 compare-and-set attempts; another writer is looping.`);
}
