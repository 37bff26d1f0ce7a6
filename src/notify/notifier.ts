// The notifier: a background service of serve that claims outbox rows and POSTs them, signed with
// Standard Webhooks, to the user's own services. Rows are written in the same transaction as the
// run's final state (src/runs), so a notification is never lost to a crash; a claim that a crash
// cut off becomes due again after the store's claim time. Any replica can deliver any row.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { createLoop, type Loop } from '../loop.js';
import type { OutboxMessage, Store } from '../store/types.js';
import { signedHeaders } from '../webhooks/sign.js';
import { DEFAULT_NOTIFY_RETRY, type NotifyRetryOptions, nextAttemptAt } from './backoff.js';

export interface NotifierOptions {
  /** Signing secret by target name (src/notify/secrets.ts). */
  secrets: ReadonlyMap<string, string>;
  retry?: Partial<NotifyRetryOptions>;
  /** Messages claimed per round; they are sent concurrently. */
  batchSize?: number;
  /** Sleep when nothing is due (wake() cuts it short). */
  idleMs?: number;
  /** Per request. */
  timeoutMs?: number;
}

export interface NotifierStats {
  delivered: number;
  /** Attempts that failed and were rescheduled. */
  retried: number;
  /** Messages given up on (window over, or no secret for their target). */
  failed: number;
}

export class Notifier {
  readonly name = 'notifier';
  readonly stats: NotifierStats = { delivered: 0, retried: 0, failed: 0 };
  private readonly retry: NotifyRetryOptions;
  private readonly batchSize: number;
  private readonly idleMs: number;
  private readonly timeoutMs: number;
  private readonly loop: Loop;
  private readonly inflight = new Set<AbortController>();

  constructor(
    private readonly deps: { store: Store; clock: Clock; logger: Logger },
    private readonly o: NotifierOptions,
  ) {
    this.retry = { ...DEFAULT_NOTIFY_RETRY, ...o.retry };
    this.batchSize = o.batchSize ?? 16;
    this.idleMs = o.idleMs ?? 1000;
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.loop = createLoop({
      name: 'notifier',
      intervalMs: this.idleMs,
      logger: deps.logger,
      // A full batch means more may be due: claim again at once.
      round: async () => (await this.deliverOnce()) >= this.batchSize,
    });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    for (const c of this.inflight) c.abort();
    await this.loop.stop();
  }

  state(): string {
    const s = this.stats;
    return `running (${s.delivered} delivered, ${s.retried} retried, ${s.failed} failed)`;
  }

  /** Something was written to the outbox: look now instead of after the idle sleep. */
  wake(): void {
    this.loop.wake();
  }

  /** One round: claim what is due and try each. Returns how many were claimed. */
  async deliverOnce(): Promise<number> {
    const { store, clock } = this.deps;
    const batch = await store.claimOutbox({ now: clock.now(), limit: this.batchSize });
    await Promise.all(batch.map((m) => this.deliver(m)));
    return batch.length;
  }

  private async deliver(m: OutboxMessage): Promise<void> {
    const { store, clock, logger } = this.deps;
    const secret = this.o.secrets.get(m.target);
    let error: string | null;
    if (!secret) {
      error = `notify target "${m.target}" is not configured in agenthooks.yaml (or has no secret); add it back and run \`agenthooks notifications retry ${m.id}\``;
    } else {
      error = await this.post(m, secret);
    }
    const now = clock.now();
    try {
      if (error === null) {
        await store.finishOutbox(m.id, { delivered: true }, now);
        this.stats.delivered += 1;
        return;
      }
      const next = secret ? nextAttemptAt(m.attempts, m.createdAt, now, this.retry) : null;
      if (next === null) this.stats.failed += 1;
      else this.stats.retried += 1;
      if (next === null)
        logger.warn({ notification: m.id, target: m.target, error }, 'notification failed for good');
      await store.finishOutbox(m.id, { delivered: false, error, nextAttemptAt: next }, now);
    } catch (err) {
      // The claim expires and a later round (or replica) tries again.
      logger.error(
        { err: (err as Error).message, notification: m.id },
        'could not record a notification attempt',
      );
    }
  }

  /** POSTs one message; null on a 2xx, else what went wrong. */
  private async post(m: OutboxMessage, secret: string): Promise<string | null> {
    const controller = new AbortController();
    this.inflight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const ts = Math.floor(this.deps.clock.now() / 1000);
      const res = await fetch(m.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'agenthooks-notifier',
          ...signedHeaders([secret], m.id, ts, m.payload),
        },
        body: m.payload,
        // A redirect is an answer, not a success: the receiver must be configured with its real URL.
        redirect: 'manual',
        signal: controller.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return null;
      return `HTTP ${res.status} from ${m.url}`;
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = !this.loop.running
        ? 'serve stopped during the attempt'
        : controller.signal.aborted
          ? `no answer within ${this.timeoutMs} ms`
          : (cause?.code ?? cause?.message ?? (err as Error).message);
      return `POST ${m.url} failed: ${why}`;
    } finally {
      clearTimeout(timer);
      this.inflight.delete(controller);
    }
  }
}
