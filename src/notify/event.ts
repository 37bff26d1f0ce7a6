// The run.finished notification: a Standard Webhooks event envelope shaped like the platform's
// own ({type:'event', id, created_at, data:{type, id, ...}}), so one verifier serves both. Unlike
// the platform's thin events it carries the outcome, so the receiving service needs no API call.
import { randomId } from '../runs/ids.js';
import type { NewOutboxMessage, Run } from '../store/types.js';
import { type NotifyTarget, targetMatches } from './targets.js';

export const NOTIFICATION_ID_PREFIX = 'ntf_';

export interface RunFinishedEvent {
  type: 'event';
  id: string;
  created_at: string;
  data: {
    type: 'run.finished';
    id: string;
    status: Run['status'];
    stop_reason: string | null;
    outcome_result: string | null;
    output: string | null;
    usage: Run['usage'];
    agent: string | null;
    pipeline: string | null;
    step: string | null;
    parent_run_id: string | null;
    turn: number;
    error: string | null;
  };
}

export function runFinishedEvent(run: Run, id: string, now: number): RunFinishedEvent {
  return {
    type: 'event',
    id,
    created_at: new Date(now).toISOString(),
    data: {
      type: 'run.finished',
      id: run.id,
      status: run.status,
      stop_reason: run.stopReason,
      outcome_result: run.outcomeResult,
      output: run.output,
      usage: run.usage,
      agent: run.agentName ?? run.agentId,
      pipeline: run.pipeline,
      step: run.step,
      parent_run_id: run.parentRunId,
      turn: run.turn,
      error: run.error,
    },
  };
}

/** One outbox row per matching target, each with its own stable event id (the receiver's dedupe key). */
export function outboxFor(targets: readonly NotifyTarget[], run: Run, now: number): NewOutboxMessage[] {
  return targets
    .filter((t) => targetMatches(t, run))
    .map((t) => {
      const id = randomId(NOTIFICATION_ID_PREFIX, 24);
      return {
        id,
        target: t.name,
        url: t.url,
        payload: JSON.stringify(runFinishedEvent(run, id, now)),
        createdAt: now,
      };
    });
}

/** The outbox hook for the run-saving paths (worker, reconciler, CLI pollers), or undefined
 * without targets. Rows written outside serve wait in the store until a serve delivers them. */
export function notifyOutboxHook(
  targets: readonly NotifyTarget[] | undefined,
): ((run: Run, previous: Run | null, now: number) => NewOutboxMessage[]) | undefined {
  if (!targets || targets.length === 0) return undefined;
  return (run, _previous, now) => outboxFor(targets, run, now);
}
