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

/** Called once per event: with its own result once its transaction committed, or the failure. */
export type Committed = (err: Error | null, result: InsertResult | null) => void;

interface Waiter {
  event: NewEvent;
  done: Committed;
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
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];
  private readonly stats: GroupCommitStats = { batches: 0, events: 0, largest: 0 };

  constructor(
    private readonly store: Pick<Store, 'insertEvents'>,
    private readonly logger: Logger,
    private readonly maxBatch = DEFAULT_MAX_BATCH,
  ) {}

  /** Queues the event; `done` is called with its own result only after its transaction committed. */
  enqueue(event: NewEvent, done: Committed): void {
    this.queue.push({ event, done });
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
        this.busy = false;
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
        this.busy = false;
        this.pump();
        this.fail(batch, err);
      },
    );
  }

  /** One caller's answer; a callback that throws must not keep the rest of its batch waiting. */
  private settle(w: Waiter, err: AppError | null, result: InsertResult | null): void {
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
