// The run row of a created launch: upserted with launched_by, the launch id and the lineage
// (parent, pipeline, step) the launch holds, so a run made by a sweep looks the same as one made
// at once. Run state itself still comes only from fetched sessions (src/runs/state.ts).
import type { Clock } from '../clock.js';
import type { SessionSummary } from '../platform/types.js';
import type { Launch, Run, Store } from '../store/types.js';
import { decodeRequest } from './launch-spec.js';
import { updateRun } from './save.js';
import { emptyRun } from './state.js';

export async function linkRun(
  deps: { store: Store; clock: Clock },
  launch: Launch,
  session: SessionSummary | null,
): Promise<{ run: Run; launch: Launch }> {
  const id = launch.sessionId;
  if (id === null) throw new Error(`launch ${launch.id} has no session to link`);
  const stored = decodeRequest(launch.request);
  const request =
    stored.kind === 'spec' ? { title: stored.spec.title, metadata: stored.spec.metadata } : stored.request;
  const now = deps.clock.now();
  const saved = await updateRun(deps.store, id, (held) => {
    const base = held ?? emptyRun(id, now, 'agenthooks');
    const run: Run = {
      ...base,
      launchedBy: 'agenthooks',
      launchId: launch.id,
      parentRunId: launch.parentRunId ?? base.parentRunId,
      pipeline: launch.pipeline ?? base.pipeline,
      step: launch.step ?? base.step,
      agentName: launch.agentName ?? base.agentName,
      agentId: base.agentId ?? launch.agentId,
      environmentId: base.environmentId ?? launch.environmentId,
      task: base.task ?? launch.task,
      title: base.title ?? request.title ?? null,
      metadata: held ? base.metadata : { ...(request.metadata ?? {}) },
      sessionStatus: base.sessionStatus ?? session?.status ?? null,
      status: held ? base.status : session?.status === 'running' ? 'running' : 'pending',
      sessionCreatedAt: base.sessionCreatedAt ?? (session ? Date.parse(session.createdAt) || null : null),
    };
    const same =
      held !== null &&
      held.launchedBy === 'agenthooks' &&
      held.launchId === launch.id &&
      held.parentRunId === run.parentRunId &&
      held.pipeline === run.pipeline &&
      held.step === run.step &&
      held.agentName === run.agentName &&
      held.task === run.task;
    return {
      run,
      changed: !same,
      history: held
        ? null
        : {
            at: now,
            source: 'launch',
            status: run.status,
            sessionStatus: run.sessionStatus,
            stopReason: null,
            outcomeResult: null,
            turn: run.turn,
            snapshotKey: null,
            note: `launched (${launch.id})`,
          },
    };
  });
  const current = (await deps.store.getLaunch(launch.id)) ?? launch;
  return { run: saved.run, launch: current };
}
