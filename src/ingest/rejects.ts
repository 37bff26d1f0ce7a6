// Rejected webhook requests, counted per (minute, code) in memory and flushed to the store every few
// seconds and on close. Only counts are kept: never bodies, headers or signatures.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { RejectCount, Store } from '../store/types.js';

export const DEFAULT_REJECT_FLUSH_MS = 5000;

export class RejectCounter {
  private counts = new Map<string, RejectCount>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<Store, 'addRejects'>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly flushMs = DEFAULT_REJECT_FLUSH_MS,
  ) {}

  count(code: string): void {
    const minute = Math.floor(this.clock.now() / 60_000) * 60_000;
    const key = `${minute}|${code}`;
    const row = this.counts.get(key);
    if (row) row.count += 1;
    else this.counts.set(key, { minute, code, count: 1 });
  }

  /** Counts not yet written to the store. */
  pending(): RejectCount[] {
    return [...this.counts.values()].map((r) => ({ ...r }));
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.flushMs);
    // Flushing is housekeeping; it must not keep a stopping process alive.
    this.timer.unref();
  }

  /** Writes the counts so far; on failure they are kept and retried at the next flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.counts.size === 0) return;
      const rows = [...this.counts.values()];
      this.counts = new Map();
      try {
        await this.store.addRejects(rows);
      } catch (err) {
        for (const r of rows) {
          const key = `${r.minute}|${r.code}`;
          const row = this.counts.get(key);
          if (row) row.count += r.count;
          else this.counts.set(key, r);
        }
        this.logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'could not store reject counts',
        );
      }
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
