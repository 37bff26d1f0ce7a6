// Lineage of a chain run as the inspector and the API show it: each child step's decision
// (launched, skipped with the reason, failed to launch), beside the child runs themselves.
import type { LaunchState, Store } from '../store/types.js';

export interface ChildStep {
  step: string;
  state: LaunchState;
  launchId: string;
  /** The child's run (session id) once created. */
  runId: string | null;
  /** Why it was skipped, or why the launch failed. */
  reason: string | null;
  decidedAt: number;
}

export async function childStepsOf(store: Store, runId: string): Promise<ChildStep[]> {
  const launches = await store.listLaunches({ parentRunId: runId, limit: 1000 });
  return launches.map((l) => ({
    step: l.step ?? '?',
    state: l.state,
    launchId: l.id,
    runId: l.sessionId,
    reason: l.state === 'skipped' || l.state === 'failed' ? l.error : null,
    decidedAt: l.createdAt,
  }));
}
