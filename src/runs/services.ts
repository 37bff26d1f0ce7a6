// The worker and the reconciler as serve's background services (start/stop/state), sharing the
// run-final hooks that chains and the notifier register.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Platform } from '../platform/types.js';
import type { Store } from '../store/types.js';
import { Reconciler } from './reconciler.js';
import type { OutboxHook, RunFinalHook } from './refresh.js';
import { RunWorker, type WorkerOptions } from './worker.js';

export interface RunServicesOptions {
  reconcileIntervalMs?: number;
  /** First sweep: how far back to list sessions (default 24 h). */
  reconcileSinceMs?: number;
  /** API reads per sweep (default 600). */
  reconcileMaxReads?: number;
  worker?: WorkerOptions;
  /** Called when a run reaches a final outcome, from the worker and the reconciler alike. */
  onRunFinal?: RunFinalHook[];
  /** Notification rows written with a run's final state, by the worker and the reconciler alike. */
  outboxFor?: OutboxHook;
}

export interface RunService {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
  state(): string;
}

export interface RunServices {
  worker: RunWorker;
  reconciler: Reconciler;
  services: RunService[];
}

export function createRunServices(
  deps: { store: Store; platform: Platform; clock: Clock; logger: Logger },
  o: RunServicesOptions = {},
): RunServices {
  const worker = new RunWorker(deps, o.worker);
  const reconciler = new Reconciler(deps, {
    intervalMs: o.reconcileIntervalMs,
    sinceMs: o.reconcileSinceMs,
    maxReads: o.reconcileMaxReads,
  });
  worker.outboxFor = o.outboxFor ?? null;
  reconciler.outboxFor = o.outboxFor ?? null;
  for (const hook of o.onRunFinal ?? []) {
    worker.onRunFinal.push(hook);
    reconciler.onRunFinal.push(hook);
  }
  return {
    worker,
    reconciler,
    services: [
      {
        name: 'worker',
        start: () => worker.start(),
        stop: () => worker.stop(),
        state: () => {
          const s = worker.stats;
          return `running (${s.processed} events done, ${s.retried} retried, ${s.failed} failed)`;
        },
      },
      {
        name: 'reconciler',
        start: () => reconciler.start(),
        stop: () => reconciler.stop(),
        state: () =>
          `running (${reconciler.totals.sweeps} sweeps, ${reconciler.totals.refreshed} sessions refreshed)`,
      },
    ],
  };
}
