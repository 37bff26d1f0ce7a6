// Fetch a session and apply it to its run: the one path shared by the worker, the reconciler and
// `launch --wait` when no serve is running, so all three obey the same run-state rules.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Platform } from '../platform/types.js';
import type { LaunchedBy, NewOutboxMessage, Run, Store } from '../store/types.js';
import type { Computed } from './save.js';
import { updateRun } from './save.js';
import { applyDeleted, applySnapshot, isFinal } from './state.js';

/** Called once a run reaches a final outcome (chains and the notifier hook in here). */
export type RunFinalHook = (run: Run, previous: Run | null) => void | Promise<void>;

/** Outbox rows (notifications) for a run that becomes final with this change; they are committed
 * in the same saveRun transaction as the final state (DESIGN.md data flow, src/notify). */
export type OutboxHook = (run: Run, previous: Run | null, now: number) => NewOutboxMessage[];

/**
 * What a run that becomes final causes, defined once (src/runtime.ts builds it) and handed to every
 * path that saves runs: the worker, the reconciler and the CLI's own pollers. So the same final run
 * causes the same things whichever entry point saw it end.
 */
export interface FinalEffects {
  /** Notification rows committed in the same transaction as the final state; null = none. */
  readonly outboxFor: OutboxHook | null;
  /** Run after the final state is stored, in order: chain decisions, the notifier's wake-up, onOutcome. */
  readonly onRunFinal: readonly RunFinalHook[];
}

export const NO_EFFECTS: FinalEffects = { outboxFor: null, onRunFinal: [] };

export interface RefreshDeps {
  store: Store;
  platform: Platform;
  clock: Clock;
  logger: Logger;
  effects?: FinalEffects;
}

/** A run's status moves to final here (first time, or in a new turn). */
function becomesFinal(prev: Run | null, run: Run): boolean {
  return isFinal(run.status) && (!prev || !isFinal(prev.status) || prev.turn !== run.turn);
}

/** Adds the notification rows to a computed change that makes the run final. */
function withOutbox(deps: RefreshDeps, held: Run | null, c: Computed): Computed {
  const outboxFor = deps.effects?.outboxFor;
  if (!outboxFor || !c.changed || !becomesFinal(held, c.run)) return c;
  const rows = outboxFor(c.run, held, deps.clock.now());
  return rows.length > 0 ? { ...c, outbox: [...(c.outbox ?? []), ...rows] } : c;
}

export interface RefreshResult {
  run: Run;
  changed: boolean;
  /** The run became final with this refresh. */
  becameFinal: boolean;
}

/** GETs the session (404 = deleted) and applies it; `source` goes into the history. */
export async function refreshSession(
  deps: RefreshDeps,
  sessionId: string,
  source: string,
  launchedBy: LaunchedBy = 'external',
): Promise<RefreshResult> {
  // The fetch start time is what lastCheckedAt records: every event received before it is
  // already reflected in what this fetch returns.
  const startedAt = deps.clock.now();
  const snapshot = await deps.platform.sessionSnapshot(sessionId);
  const ctx = { now: deps.clock.now(), checkedAt: startedAt, source, launchedBy };
  const saved = await updateRun(deps.store, sessionId, (held) =>
    withOutbox(
      deps,
      held,
      snapshot === null ? applyDeleted(held, sessionId, ctx) : applySnapshot(held, snapshot, ctx),
    ),
  );
  if (!saved.changed && saved.previous) await deps.store.markRunChecked(sessionId, startedAt);
  return afterSave(deps, saved);
}

export async function markDeleted(
  deps: RefreshDeps,
  sessionId: string,
  source: string,
): Promise<RefreshResult> {
  const ctx = { now: deps.clock.now(), source, launchedBy: 'external' as const };
  const saved = await updateRun(deps.store, sessionId, (held) =>
    withOutbox(deps, held, applyDeleted(held, sessionId, ctx)),
  );
  return afterSave(deps, saved);
}

async function afterSave(
  deps: RefreshDeps,
  saved: { run: Run; changed: boolean; previous: Run | null },
): Promise<RefreshResult> {
  const prev = saved.previous;
  const becameFinal = saved.changed && becomesFinal(prev, saved.run);
  if (becameFinal) {
    for (const hook of deps.effects?.onRunFinal ?? []) {
      try {
        await hook(saved.run, prev);
      } catch (err) {
        // A hook failing (a chain launch, a notification) must not fail the event that finished the run.
        deps.logger.error({ err, run: saved.run.id }, 'a run-final hook failed');
      }
    }
  }
  return { run: saved.run, changed: saved.changed, becameFinal };
}
