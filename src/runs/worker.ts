// The worker: claims stored webhook events, fetches what they are about, and applies it to runs.
// Events of one session claimed together cost one fetch; an event received before the run's last
// fetch started is already reflected and costs none. Failures retry with backoff, per event, and
// never block other events.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { createLoop, type Loop, LoopService } from '../loop.js';
import { platformDetails } from '../platform/errors.js';
import type { Platform } from '../platform/types.js';
import type { Store, StoredEvent } from '../store/types.js';
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import { randomId } from './ids.js';
import { type FinalEffects, markDeleted, type RefreshDeps, refreshSession } from './refresh.js';

export interface WorkerOptions {
  owner?: string;
  /** Events claimed per round. */
  batchSize?: number;
  /** Sessions fetched at once. */
  concurrency?: number;
  leaseMs?: number;
  /** Sleep when there is nothing to do (wake() cuts it short). Only other replicas' events wait for it. */
  idleMs?: number;
  /** After this many attempts an event ends `failed` with its last error. */
  maxAttempts?: number;
  backoff?: BackoffOptions;
}

export interface WorkerDeps {
  store: Store;
  platform: Platform;
  clock: Clock;
  logger: Logger;
  /** What a run that becomes final causes (src/runtime.ts). */
  effects?: FinalEffects;
}

export class RunWorker extends LoopService {
  readonly owner: string;
  private readonly o: Required<Omit<WorkerOptions, 'owner'>>;
  protected readonly loop: Loop;
  /** Counters for /ready and tests. */
  readonly stats = { processed: 0, fetched: 0, skipped: 0, retried: 0, failed: 0 };

  constructor(
    private readonly deps: WorkerDeps,
    options: WorkerOptions = {},
  ) {
    super();
    this.owner = options.owner ?? randomId('wrk_', 12);
    this.o = {
      batchSize: options.batchSize ?? 64,
      concurrency: options.concurrency ?? 8,
      leaseMs: options.leaseMs ?? 60_000,
      idleMs: options.idleMs ?? 250,
      maxAttempts: options.maxAttempts ?? 8,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
    };
    this.loop = createLoop({
      name: 'worker',
      intervalMs: this.o.idleMs,
      logger: deps.logger,
      round: async () => (await this.processOnce()) > 0,
    });
  }

  /** New events were committed: look now instead of after the idle sleep. */
  wake(): void {
    this.loop.wake();
  }

  state(): string {
    const s = this.stats;
    return `running (${s.processed} events done, ${s.retried} retried, ${s.failed} failed)`;
  }

  private refreshDeps(): RefreshDeps {
    return this.deps;
  }

  /** One round: claim, process, finish. Returns how many events were claimed. */
  async processOnce(): Promise<number> {
    const { store, clock } = this.deps;
    const events = await store.claimEvents({
      owner: this.owner,
      limit: this.o.batchSize,
      now: clock.now(),
      leaseMs: this.o.leaseMs,
    });
    if (events.length === 0) return 0;
    // One fetch per session for all of its claimed events.
    const groups = new Map<string, StoredEvent[]>();
    for (const e of events) {
      const key = groupKey(e);
      const g = groups.get(key);
      if (g) g.push(e);
      else groups.set(key, [e]);
    }
    const queue = [...groups.values()];
    const workers = Array.from({ length: Math.min(this.o.concurrency, queue.length) }, async () => {
      for (let g = queue.shift(); g; g = queue.shift()) await this.processGroup(g);
    });
    await Promise.all(workers);
    return events.length;
  }

  private async processGroup(group: StoredEvent[]): Promise<void> {
    const first = group[0]!;
    try {
      await this.handle(first.type, first.subjectId, group);
      for (const e of group) await this.finish(e, { state: 'done' });
      this.stats.processed += group.length;
    } catch (err) {
      for (const e of group) await this.fail(e, err);
    }
  }

  private async handle(type: string, subjectId: string | null, group: StoredEvent[]): Promise<void> {
    if (!subjectId) return;
    const source = group[group.length - 1]!.id;
    if (type.startsWith('deployment_run.')) {
      const drun = await this.deps.platform.getDeploymentRun(subjectId);
      this.stats.fetched += 1;
      // Kept so that failed scheduled runs can be shown with their error, and successful ones link
      // to their session's run.
      if (drun)
        await this.deps.store.saveDeploymentRun({
          id: drun.id,
          deploymentId: drun.deploymentId,
          agentId: drun.agentId,
          sessionId: drun.sessionId,
          errorType: drun.error?.type ?? null,
          errorMessage: drun.error?.message ?? null,
          seenAt: this.deps.clock.now(),
        });
      if (drun?.sessionId) await refreshSession(this.refreshDeps(), drun.sessionId, source, 'external');
      else if (drun?.error)
        this.deps.logger.warn(
          { deploymentRun: drun.id, error: drun.error },
          'deployment run failed to create a session',
        );
      return;
    }
    if (!type.startsWith('session.')) return;
    if (group.some((e) => e.type === 'session.deleted')) {
      await markDeleted(this.refreshDeps(), subjectId, source);
      return;
    }
    const held = await this.deps.store.getRun(subjectId);
    const newest = Math.max(...group.map((e) => e.receivedAt));
    if (held?.lastCheckedAt != null && held.lastCheckedAt > newest) {
      // A fetch that started after these events arrived already saw their effect.
      this.stats.skipped += group.length;
      return;
    }
    this.stats.fetched += 1;
    await refreshSession(this.refreshDeps(), subjectId, source, 'external');
  }

  private async fail(e: StoredEvent, err: unknown): Promise<void> {
    const attempt = e.attempts + 1;
    const details = platformDetails(err);
    const message = err instanceof Error ? err.message : String(err);
    // Platform errors say whether a retry can help; store and unexpected errors get retries too.
    const retryable = details ? details.retryable : true;
    if (retryable && attempt < this.o.maxAttempts) {
      this.stats.retried += 1;
      const delay = backoffDelay(attempt, details?.retryAfterMs ?? null, this.o.backoff);
      await this.finish(e, { state: 'retry', error: message, nextAttemptAt: this.deps.clock.now() + delay });
    } else {
      this.stats.failed += 1;
      this.deps.logger.warn({ event: e.id, type: e.type, attempt, err: message }, 'event failed');
      await this.finish(e, { state: 'failed', error: `after ${attempt} attempt(s): ${message}` });
    }
  }

  private async finish(e: StoredEvent, outcome: Parameters<Store['finishEvent']>[2]): Promise<void> {
    try {
      await this.deps.store.finishEvent(e.id, this.owner, outcome, this.deps.clock.now());
    } catch (err) {
      // The lease expires and another round picks the event up again.
      this.deps.logger.error({ err, event: e.id }, 'could not finish event');
    }
  }
}

function groupKey(e: StoredEvent): string {
  const kind = e.type.startsWith('deployment_run.')
    ? 'drun'
    : e.type.startsWith('session.')
      ? 'sesn'
      : 'other';
  return `${kind}:${e.subjectId ?? e.id}`;
}
