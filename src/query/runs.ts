// The runs list: one page of runs matching the filters, newest first, walking the
// (first_seen_at, id) index with keyset cursors, so a page costs the same however many runs are
// stored. The CLI, GET /api/runs and the dashboard's runs page all read it here.
import { RUN_STATUSES, type Run, type RunQuery, type RunStatus, type Store } from '../store/types.js';
import { encodeCursor } from './cursor.js';
import { type RunFilters, runQuery } from './filters.js';

export interface RunsPage {
  runs: Run[];
  nextCursor: string | null;
}

/** `offset` is the CLI's --page (the cursor is the way that stays stable while runs arrive). */
export async function listRunsPage(store: Store, f: RunFilters, offset?: number): Promise<RunsPage> {
  // One extra row says whether a next page exists without counting the whole table.
  const rows = await store.listRuns({
    ...runQuery(f),
    before: f.cursor ? { firstSeenAt: f.cursor.at, id: f.cursor.id } : undefined,
    offset,
    limit: f.limit + 1,
  });
  const runs = rows.slice(0, f.limit);
  const last = runs[runs.length - 1];
  return { runs, nextCursor: rows.length > f.limit && last ? encodeCursor(last.firstSeenAt, last.id) : null };
}

/** How many runs have each status, with the other filters applied (one indexed count each). */
export async function countRunsByStatus(
  store: Store,
  query: Omit<RunQuery, 'status' | 'before' | 'offset' | 'limit'> = {},
): Promise<Record<RunStatus, number>> {
  const counts = await Promise.all(RUN_STATUSES.map((s) => store.countRuns({ ...query, status: [s] })));
  const out = {} as Record<RunStatus, number>;
  RUN_STATUSES.forEach((s, i) => {
    out[s] = counts[i] ?? 0;
  });
  return out;
}

/** When the run started: the session's creation time when known, else when agenthooks first saw it. */
export function runStart(run: Run): number {
  return run.sessionCreatedAt ?? run.firstSeenAt;
}
