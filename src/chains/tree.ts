// Where a chain stands: its steps as a tree of launches and runs, walked from the root launches
// through `launches.parent_run_id`. `chain --wait` reads this until every branch has ended.

import { isFinal } from '../runs/state.js';
import type { Launch, Run, Store } from '../store/types.js';
import { childSteps } from './pipeline.js';
import type { ChainRecord } from './record.js';
import { describeOutcome } from './when.js';

export type StepState =
  | 'waiting' // parent not final yet, or its children not decided yet
  | 'launching' // intent stored, session not created yet
  | 'running' // pending, running or rescheduling
  | 'blocked'
  | 'succeeded'
  | 'failed'
  | 'deleted'
  | 'skipped'
  | 'launch_failed';

export interface StepNode {
  step: string;
  state: StepState;
  launch: Launch | null;
  run: Run | null;
  /** Skip reason, launch error, or the failed run's outcome. */
  reason: string | null;
  children: StepNode[];
}

export interface ChainStatus {
  roots: StepNode[];
  /** Every branch ended: a leaf finished, a step was skipped or failed, or its launch failed. */
  done: boolean;
  /** Done, and every launched step succeeded. */
  ok: boolean;
  /** Not done only because of steps blocked on requires_action. */
  blocked: boolean;
  counts: Record<StepState, number>;
}

const ENDED: ReadonlySet<StepState> = new Set(['succeeded', 'failed', 'deleted', 'skipped', 'launch_failed']);

async function nodeFor(
  store: Store,
  record: ChainRecord,
  step: string,
  launch: Launch | null,
): Promise<StepNode> {
  const node: StepNode = { step, state: 'waiting', launch, run: null, reason: null, children: [] };
  if (!launch) return node;
  if (launch.state === 'skipped') return { ...node, state: 'skipped', reason: launch.error };
  if (launch.state === 'failed') return { ...node, state: 'launch_failed', reason: launch.error };
  if (launch.state === 'intent' || !launch.sessionId) return { ...node, state: 'launching' };
  const run = await store.getRun(launch.sessionId);
  node.run = run;
  if (!run) return { ...node, state: 'running' };
  if (run.status === 'deleted') return { ...node, state: 'deleted', reason: 'the session was deleted' };
  if (run.status === 'blocked') return { ...node, state: 'blocked', reason: 'blocked on requires_action' };
  if (!isFinal(run.status)) return { ...node, state: 'running' };
  node.state = run.status === 'succeeded' ? 'succeeded' : 'failed';
  if (run.status === 'failed') node.reason = `${describeOutcome(run)}${run.error ? `: ${run.error}` : ''}`;
  const kids = childSteps(record.pipeline, step);
  if (kids.length > 0) {
    const launches = await store.listLaunches({ parentRunId: run.id, limit: 1000 });
    for (const k of kids)
      node.children.push(
        await nodeFor(store, record, k.name, launches.find((l) => l.step === k.name) ?? null),
      );
  }
  return node;
}

export async function chainStatus(store: Store, record: ChainRecord): Promise<ChainStatus> {
  const roots: StepNode[] = [];
  for (const r of record.roots)
    roots.push(await nodeFor(store, record, r.step, await store.getLaunch(r.launchId)));
  const counts = Object.fromEntries(
    [
      'waiting',
      'launching',
      'running',
      'blocked',
      'succeeded',
      'failed',
      'deleted',
      'skipped',
      'launch_failed',
    ].map((s) => [s, 0]),
  ) as Record<StepState, number>;
  let done = true;
  let ok = true;
  let onlyBlocked = true;
  const visit = (n: StepNode) => {
    counts[n.state] += 1;
    if (n.state === 'failed' || n.state === 'deleted' || n.state === 'launch_failed') ok = false;
    if (n.children.length > 0) n.children.forEach(visit);
    else if (!ENDED.has(n.state)) {
      done = false;
      if (n.state !== 'blocked') onlyBlocked = false;
    }
  };
  roots.forEach(visit);
  // A final step whose children are not decided yet is not a leaf: visit() reached its `waiting` children.
  return { roots, done, ok: done && ok, blocked: !done && onlyBlocked, counts };
}

/** Every node, depth first. */
export function flatten(nodes: StepNode[], depth = 0): Array<{ node: StepNode; depth: number }> {
  return nodes.flatMap((n) => [{ node: n, depth }, ...flatten(n.children, depth + 1)]);
}
