// Change detection for live updates (GET /api/stream). One poller per server, shared by every
// connected browser, reads a cheap "latest" marker from the store every pollMs while someone is
// listening, and tells the subscribers when it moved. Polling the store (instead of hooking the
// receiver or the worker) also sees changes made by other processes sharing the database.
import { createHash } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { Store } from '../store/types.js';

/** Non-final runs fingerprinted per poll; beyond this, changes still show through the counts. */
const ACTIVE_RUNS_SAMPLE = 200;

export async function readMarker(store: Store): Promise<string> {
  const [latestEvent, latestRun, active, pending, processing, failed] = await Promise.all([
    store.listEvents({ limit: 1 }),
    store.listRuns({ limit: 1 }),
    // The reconciler's work list: non-final runs through a partial index, no sort however many.
    store.runsToReconcile(ACTIVE_RUNS_SAMPLE),
    store.countEvents({ state: 'pending' }),
    store.countEvents({ state: 'processing' }),
    store.countEvents({ state: 'failed' }),
  ]);
  const h = createHash('sha1');
  const e = latestEvent[0];
  const r = latestRun[0];
  h.update(`e:${e?.id ?? ''}:${e?.receivedAt ?? ''}|r:${r?.id ?? ''}:${r?.version ?? ''}`);
  h.update(`|q:${pending}:${processing}:${failed}|a:${active.length}`);
  // A run that turns final leaves this set; one that moves between non-final states bumps its version.
  for (const run of active) h.update(`|${run.id}:${run.version}`);
  return h.digest('base64url').slice(0, 16);
}

export type ChangeListener = (marker: string) => void;

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private timer: NodeJS.Timeout | null = null;
  private marker: string | null = null;
  private polling = false;
  private warned = false;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly pollMs: number,
  ) {}

  /** Adds a listener; returns the function that removes it. The poller runs only while someone listens. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.timer = setInterval(() => void this.poll(), this.pollMs);
      // The first read sets the baseline that later reads compare against.
      void this.poll();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  get current(): string | null {
    return this.marker;
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.marker = null;
  }

  async poll(): Promise<void> {
    // Skip a beat instead of piling up reads when the store is slow.
    if (this.polling) return;
    this.polling = true;
    try {
      const next = await readMarker(this.store);
      const changed = this.marker !== null && next !== this.marker;
      this.marker = next;
      this.warned = false;
      if (changed) for (const l of [...this.listeners]) l(next);
    } catch (err) {
      if (!this.warned)
        this.logger.warn({ err }, 'dashboard live updates: reading the store failed; retrying');
      this.warned = true;
    } finally {
      this.polling = false;
    }
  }
}
