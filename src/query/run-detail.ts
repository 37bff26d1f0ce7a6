// One run with everything around it: the chain above and below it (with each child step's
// decision), its history, and the timeline of the events about it. `runs show`, GET /api/runs/:id
// and the dashboard's run page all read it here.
import { type ChildStep, childStepsOf } from '../chains/lineage.js';
import type { Run, RunHistoryEntry, Store, StoredEvent } from '../store/types.js';

/** Timeline cap: a run with more events says how many earlier ones were left out. */
export const TIMELINE_LIMIT = 1000;
/** Children listed; a fan-out wider than this is not a chain anyone reads run by run. */
const CHILDREN_LIMIT = 100;
/** How far up the chain the lineage goes above the parent. */
const MAX_ANCESTORS = 10;

export interface RunDetail {
  run: Run;
  parent: Run | null;
  /** Root first, up to and excluding the parent. */
  ancestors: Run[];
  /** Oldest first. */
  children: Run[];
  /** Each child step's decision (launched, skipped with its reason, launch failed): src/chains. */
  steps: ChildStep[];
  history: RunHistoryEntry[];
  /** The run's events, oldest first (the newest TIMELINE_LIMIT of them). */
  events: StoredEvent[];
  /** Events about this run that are not in `events` (older than the cap). */
  eventsOmitted: number;
}

/** The run's detail, or null when no such run is stored (each surface says so its own way). */
export async function runDetail(store: Store, id: string): Promise<RunDetail | null> {
  const run = await store.getRun(id);
  if (!run) return null;
  const [parent, children, steps, history, newest] = await Promise.all([
    run.parentRunId ? store.getRun(run.parentRunId) : Promise.resolve(null),
    store.listRuns({ parentRunId: run.id, limit: CHILDREN_LIMIT }),
    childStepsOf(store, run.id),
    store.runHistory(run.id),
    store.listEvents({ subjectId: run.id, limit: TIMELINE_LIMIT }),
  ]);
  const eventsOmitted =
    newest.length < TIMELINE_LIMIT ? 0 : (await store.countEvents({ subjectId: run.id })) - newest.length;
  return {
    run,
    parent,
    ancestors: await ancestorsOf(store, run, parent),
    children: children.reverse(),
    steps,
    history,
    events: newest.reverse(),
    eventsOmitted,
  };
}

/** The chain above the parent, root first; stops at a missing run, a loop or MAX_ANCESTORS. */
async function ancestorsOf(store: Store, run: Run, parent: Run | null): Promise<Run[]> {
  const ancestors: Run[] = [];
  const seen = new Set([run.id, parent?.id]);
  let next = parent?.parentRunId ?? null;
  while (next && !seen.has(next) && ancestors.length < MAX_ANCESTORS) {
    seen.add(next);
    const r = await store.getRun(next);
    if (!r) break;
    ancestors.unshift(r);
    next = r.parentRunId;
  }
  return ancestors;
}
