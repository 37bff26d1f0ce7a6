// Wiring for serve: the outbox hook the worker and reconciler call when a run becomes final, and
// the notifier service that delivers what they wrote.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { OutboxHook, RunFinalHook } from '../runs/refresh.js';
import type { Store } from '../store/types.js';
import type { NotifyRetryOptions } from './backoff.js';
import { outboxFor } from './event.js';
import { Notifier } from './notifier.js';
import type { NotifyTarget } from './targets.js';

export interface NotifySettings {
  targets: NotifyTarget[];
  /** Signing secret by target name (resolveSecrets). */
  secrets: ReadonlyMap<string, string>;
  retry?: Partial<NotifyRetryOptions>;
  idleMs?: number;
  timeoutMs?: number;
}

export interface NotifyParts {
  notifier: Notifier;
  /** For RunServicesOptions.outboxFor: rows go into the same transaction as the final state. */
  outboxFor: OutboxHook;
  /** For RunServicesOptions.onRunFinal: wakes the notifier so delivery does not wait for a poll. */
  onRunFinal: RunFinalHook;
}

export function createNotify(
  deps: { store: Store; clock: Clock; logger: Logger },
  s: NotifySettings,
): NotifyParts {
  const notifier = new Notifier(deps, {
    secrets: s.secrets,
    retry: s.retry,
    idleMs: s.idleMs,
    timeoutMs: s.timeoutMs,
  });
  return {
    notifier,
    outboxFor: (run, _previous, now) => outboxFor(s.targets, run, now),
    onRunFinal: () => notifier.wake(),
  };
}
