// Group commit (DESIGN.md semantics 1): many concurrent webhook requests share one
// store.insertEvents transaction. While a commit is in flight new submissions queue; when it ends,
// everything queued goes into the next single call. One fsync then acknowledges a whole batch,
// which is how durable acks stay fast. The webhook path hands each event over with a callback
// (enqueue): one promise per batch, none per event, since at thousands of events a second the
// per-event promise chain was a measurable share of the receiver's CPU.
import { AppError, isAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { InsertResult, NewEvent, Store } from '../store/types.js';

export const DEFAULT_MAX_BATCH = 1000;

/**
 * How long a batch may take to commit before its callers are answered 503 (store_unavailable):
 * a store that hangs (a disk that stops completing fsyncs, a database that stops answering) must
 * not hold every delivery open until the sender gives up. The platform retries a 503; a batch that
 * commits after all is then a duplicate on the retry, answered 200.
 */
export const DEFAULT_COMMIT_TIMEOUT_MS = 10_000;

/** Called once per event: with its own result once its transaction committed, or the failure. */
export type Committed = (err: Error | null, result: InsertResult | null) => void;

interface Waiter {
  event: NewEvent;
  done: Committed;
  /** Answered already: by its commit, or by the deadline while the commit hung. */
  settled: boolean;
}

export interface GroupCommitStats {
  /** insertEvents calls made (each one transaction). */
  batches: number;
  /** Events submitted through them. */
  events: number;
  /** Largest batch so far. */
  largest: number;
}

export class GroupCommitter {
  private queue: Waiter[] = [];
  private busy = false;
  /** The batch being committed, and when (performance.now()) it went to the store. */
  private inFlight: Waiter[] = [];
  private sentAt = 0;
  /** The batch in flight is past the deadline: new events are answered 503 at once. */
  private hung = false;
  private watchdog: NodeJS.Timeout | null = null;
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];
  private readonly stats: GroupCommitStats = { batches: 0, events: 0, largest: 0 };

  constructor(
    private readonly store: Pick<Store, 'insertEvents'>,
    private readonly logger: Logger,
    private readonly maxBatch = DEFAULT_MAX_BATCH,
    private readonly timeoutMs = DEFAULT_COMMIT_TIMEOUT_MS,
  ) {}

  /**
   * Queues the event; `done` is called once: with its own result after its transaction committed,
   * or with store_unavailable when the commit failed or did not end within the deadline.
   */
  enqueue(event: NewEvent, done: Committed): void {
    const waiter: Waiter = { event, done, settled: false };
    if (this.hung) {
      this.settle(waiter, this.overdue(), null);
      return;
    }
    this.queue.push(waiter);
    if (!this.busy && !this.scheduled) {
      // Let the rest of this I/O phase run first, so that requests whose bodies completed in the
      // same poll join the first batch instead of each paying for its own fsync.
      this.scheduled = true;
      setImmediate(this.scheduledPump);
    }
  }

  private readonly scheduledPump = (): void => {
    this.scheduled = false;
    this.pump();
  };

  snapshot(): GroupCommitStats {
    return { ...this.stats };
  }

  /** Resolves once everything submitted so far has been committed or rejected. */
  idle(): Promise<void> {
    if (!this.busy && !this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (this.busy) return;
    if (this.queue.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
      return;
    }
    const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
    this.queue = this.queue.length <= this.maxBatch ? [] : this.queue.slice(this.maxBatch);
    this.busy = true;
    this.inFlight = batch;
    this.sentAt = performance.now();
    this.watch();
    this.stats.batches += 1;
    this.stats.events += batch.length;
    if (batch.length > this.stats.largest) this.stats.largest = batch.length;
    let call: Promise<InsertResult[]>;
    try {
      call = this.store.insertEvents(batch.map((w) => w.event));
    } catch (err) {
      call = Promise.reject(err);
    }
    call.then(
      (results) => {
        this.landed();
        // Hand the next batch to the writer before answering this one, so the writer's next
        // fsync overlaps with writing these responses.
        this.pump();
        if (results.length !== batch.length) {
          this.fail(
            batch,
            new Error(`insertEvents returned ${results.length} results for ${batch.length} events`),
          );
          return;
        }
        for (let i = 0; i < batch.length; i++) this.settle(batch[i], null, results[i]);
      },
      (err: unknown) => {
        this.landed();
        this.pump();
        this.fail(batch, err);
      },
    );
  }

  /** The store answered the batch in flight (in time or not). */
  private landed(): void {
    this.busy = false;
    this.inFlight = [];
    this.hung = false;
  }

  /** While a batch is in flight, checks a few times per deadline whether it is overdue. */
  private watch(): void {
    if (this.watchdog) return;
    this.watchdog = setInterval(
      () => {
        if (!this.busy) {
          if (this.watchdog) clearInterval(this.watchdog);
          this.watchdog = null;
          return;
        }
        if (performance.now() - this.sentAt < this.timeoutMs) return;
        const err = this.overdue();
        if (!this.hung) {
          this.hung = true;
          this.logger.error({ err: err.message, batch: this.inFlight.length }, 'group commit hung');
        }
        // Its callers and everything queued behind it: nothing can commit before it ends.
        for (const w of this.inFlight) this.settle(w, err, null);
        const queued = this.queue;
        this.queue = [];
        for (const w of queued) this.settle(w, err, null);
      },
      Math.max(10, Math.min(1000, Math.floor(this.timeoutMs / 5))),
    );
    this.watchdog.unref();
  }

  private overdue(): AppError {
    return new AppError(
      'store_unavailable',
      `The store did not commit within ${this.timeoutMs / 1000} s; retry later. Check the database (a disk that stopped answering, PostgreSQL unreachable).`,
    );
  }

  /** One caller's answer, once; a callback that throws must not keep the rest of its batch waiting. */
  private settle(w: Waiter, err: AppError | null, result: InsertResult | null): void {
    if (w.settled) return;
    w.settled = true;
    try {
      w.done(err, result);
    } catch (thrown) {
      this.logger.error(
        { err: thrown instanceof Error ? thrown.message : String(thrown) },
        'group commit callback failed',
      );
    }
  }

  private fail(batch: Waiter[], err: unknown): void {
    // Whatever went wrong, nothing in this batch is known to be durable: every caller gets 503 and
    // the platform retries the delivery.
    const failure = toUnavailable(err);
    this.logger.error({ err: failure.message, batch: batch.length }, 'group commit failed');
    for (const w of batch) this.settle(w, failure, null);
  }
}

function toUnavailable(err: unknown): AppError {
  if (isAppError(err, 'store_unavailable')) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new AppError(
    'store_unavailable',
    `The event could not be stored (${detail}); retry later. Check the database (disk space, permissions, PostgreSQL reachable).`,
    { cause: err },
  );
}
