// serve --no-webhooks: with no public URL nothing tells agenthooks that a session changed, so the
// watcher asks. It follows every running session it knows of (the store's non-final runs: launched
// here, or found by the reconciler) through the session hub's event stream, up to `maxStreams` at
// once, and polls the others with backoff inside a read budget. A status event on a stream, or a
// poll, refreshes the run through refreshSession: the path the worker takes for a webhook, so the
// state rules, the notifications and the chain decisions are the ones a webhook would cause. When a
// run is final its stream closes and a polled session takes the slot.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { createLoop, type Loop, LoopService } from '../loop.js';
import { platformDetails } from '../platform/errors.js';
import type { Platform, SessionEvent } from '../platform/types.js';
import type { Run, RunStatus, Store } from '../store/types.js';
import { backoffDelay } from './backoff.js';
import { type FinalEffects, refreshSession } from './refresh.js';
import type { SessionHub, SessionHubEnd } from './session-hub.js';

/** Stream events after which the session object may read differently: each one means a refresh. */
export function changesRun(type: string): boolean {
  return (
    type.startsWith('session.status_') ||
    type === 'session.error' ||
    type === 'session.deleted' ||
    type === 'span.outcome_evaluation_end'
  );
}

const WATCHED: RunStatus[] = ['running', 'pending', 'blocked'];

export interface StreamWatchOptions {
  /** --max-streams: sessions followed through a stream at once; 0 polls every session. */
  maxStreams: number;
  /** How often the store's non-final runs are read for sessions to watch (default 500 ms). */
  scanIntervalMs?: number;
  /** Non-final runs looked at per scan (default 5000); beyond, the reconciler's sweep covers them. */
  scanLimit?: number;
  /** A polled session's first delay, and its delay after a poll that changed its run (default 1 s). */
  pollMinMs?: number;
  /** Its delay doubles after each poll that changed nothing, up to this (default 10 s). */
  pollMaxMs?: number;
  /** API reads polling may spend a minute (default 300, a quarter of the platform's read limit). */
  pollReadsPerMinute?: number;
  /** Events arriving this close together cost one refresh (a stream catching up, default 5 ms). */
  coalesceMs?: number;
}

export interface StreamWatchDeps {
  store: Store;
  platform: Platform;
  hub: Pick<SessionHub, 'subscribe'>;
  clock: Clock;
  logger: Logger;
  effects?: FinalEffects;
}

interface Watched {
  id: string;
  status: RunStatus;
  /** Set while a stream follows the session. */
  unsubscribe: (() => void) | null;
  /** No stream before this time: its stream ended (for good, or failed and waits a while). */
  noStreamUntil: number;
  /** When the run should be refreshed next: a poll, a stream event, a retry; null = no need. */
  dueAt: number | null;
  pollDelayMs: number;
  failures: number;
  refreshing: boolean;
  /** An event arrived during a refresh: refresh once more after it. */
  again: boolean;
  timer: NodeJS.Timeout | null;
}

/** A stream that failed is not tried again for this long; the session is polled meanwhile. */
const ERROR_PAUSE_MS = 30_000;

export class StreamWatcher extends LoopService {
  protected readonly loop: Loop;
  private readonly o: Required<StreamWatchOptions>;
  private readonly watched = new Map<string, Watched>();
  /** Refreshes started by stream events, awaited by stop() so none outlives the store. */
  private readonly inflight = new Set<Promise<void>>();
  private nextScanAt = 0;
  private tokens: number;
  private tokensAt: number;
  private stopped = false;
  readonly stats = { refreshes: 0, polls: 0, streamed: 0, failures: 0 };

  constructor(
    private readonly deps: StreamWatchDeps,
    options: StreamWatchOptions,
  ) {
    super();
    this.o = {
      maxStreams: options.maxStreams,
      scanIntervalMs: options.scanIntervalMs ?? 500,
      scanLimit: options.scanLimit ?? 5000,
      pollMinMs: options.pollMinMs ?? 1000,
      pollMaxMs: options.pollMaxMs ?? 10_000,
      pollReadsPerMinute: options.pollReadsPerMinute ?? 300,
      coalesceMs: options.coalesceMs ?? 5,
    };
    this.tokens = this.burst();
    this.tokensAt = deps.clock.now();
    this.loop = createLoop({
      name: 'streams',
      intervalMs: Math.min(250, this.o.pollMinMs, this.o.scanIntervalMs),
      logger: deps.logger,
      round: () => this.round(),
    });
  }

  override start(): void {
    this.stopped = false;
    super.start();
  }

  override async stop(): Promise<void> {
    this.stopped = true;
    await super.stop();
    for (const w of this.watched.values()) this.release(w);
    await Promise.all([...this.inflight]);
    this.watched.clear();
  }

  /** Sessions followed through a stream now. */
  streams(): number {
    let n = 0;
    for (const w of this.watched.values()) if (w.unsubscribe) n += 1;
    return n;
  }

  /** Sessions watched without a stream (polled). */
  polled(): number {
    return this.watched.size - this.streams();
  }

  state(): string {
    return `running (${this.streams()} streams, ${this.polled()} polled, ${this.stats.refreshes} refreshes)`;
  }

  /** One round: read the store's running sessions now and then, fill free stream slots, poll what is due. */
  async round(): Promise<boolean> {
    const now = this.deps.clock.now();
    if (now >= this.nextScanAt) {
      this.nextScanAt = now + this.o.scanIntervalMs;
      await this.scan();
    }
    this.fillSlots();
    await this.pollDue();
    return false;
  }

  private async scan(): Promise<void> {
    // The reconciler's work list: exactly the non-final runs, read through their partial index.
    const runs = await this.deps.store.runsToReconcile(this.o.scanLimit);
    const seen = new Set<string>();
    for (const run of runs) {
      seen.add(run.id);
      const w = this.watched.get(run.id);
      if (w) w.status = run.status;
      else this.watched.set(run.id, this.entry(run));
    }
    // Final (or deleted, or past the scan limit): no longer this watcher's.
    for (const w of this.watched.values()) if (!seen.has(w.id) && !w.refreshing) this.forget(w);
  }

  private entry(run: Run): Watched {
    return {
      id: run.id,
      status: run.status,
      unsubscribe: null,
      noStreamUntil: 0,
      dueAt: this.deps.clock.now(),
      pollDelayMs: this.o.pollMinMs,
      failures: 0,
      refreshing: false,
      again: false,
      timer: null,
    };
  }

  /**
   * Free stream slots go to polled sessions: running ones before those waiting on a person, and a
   * running session takes the slot of a blocked one (polled from then on) when none is free.
   */
  private fillSlots(): void {
    if (this.stopped) return;
    const now = this.deps.clock.now();
    const all = [...this.watched.values()];
    const waiting = all.filter((w) => !w.unsubscribe && w.noStreamUntil <= now);
    waiting.sort((a, b) => Number(a.status === 'blocked') - Number(b.status === 'blocked'));
    const blockedStreams = all.filter((w) => w.unsubscribe && w.status === 'blocked');
    let free = this.o.maxStreams - this.streams();
    for (const w of waiting) {
      if (free <= 0) {
        const yielding = w.status === 'blocked' ? undefined : blockedStreams.pop();
        if (!yielding) break;
        // A status event of its own may be waiting to refresh it: then it is polled at once.
        const eventWaiting = yielding.timer !== null;
        this.release(yielding);
        yielding.dueAt = eventWaiting ? now : now + this.o.pollMinMs;
        free += 1;
      }
      this.follow(w);
      free -= 1;
    }
  }

  private follow(w: Watched): void {
    this.stats.streamed += 1;
    let ended = false;
    const onEnd = (reason: SessionHubEnd) => {
      ended = true;
      if (this.stopped || this.watched.get(w.id) !== w) return;
      // The session ended (its last status event is already on its way to a refresh) or the stream
      // gave up: either way the session is polled from now on and its slot is free.
      w.unsubscribe = null;
      const now = this.deps.clock.now();
      w.noStreamUntil = reason === 'terminated' ? Number.POSITIVE_INFINITY : now + ERROR_PAUSE_MS;
      w.dueAt = Math.min(w.dueAt ?? Number.POSITIVE_INFINITY, now + this.o.pollMinMs);
      this.loop.wake();
    };
    let unsubscribe: () => void;
    try {
      unsubscribe = this.deps.hub.subscribe(
        w.id,
        // From the session's first event: a status change from before the stream opened still
        // reaches the run (the catch-up costs one refresh, as its events arrive together).
        (e: SessionEvent) => {
          if (changesRun(e.type)) this.soon(w, e.id);
        },
        { afterId: null, onEnd },
      );
    } catch (err) {
      this.deps.logger.warn({ err, session: w.id }, 'could not follow a session; polling it');
      w.noStreamUntil = this.deps.clock.now() + ERROR_PAUSE_MS;
      return;
    }
    // A stream that ended while subscribing (the session was already over) holds no slot.
    w.unsubscribe = ended ? null : unsubscribe;
    if (ended) unsubscribe();
    // Without a stream event nothing would refresh a streamed run, so no poll is due.
    if (w.unsubscribe && w.failures === 0) w.dueAt = null;
  }

  /** A stream event: refresh after the few ms in which a catching-up stream delivers its backlog. */
  private soon(w: Watched, source: string): void {
    if (this.watched.get(w.id) !== w || this.stopped) return;
    if (w.timer) return;
    w.timer = setTimeout(() => {
      w.timer = null;
      const p = this.refresh(w, source);
      this.inflight.add(p);
      void p.finally(() => this.inflight.delete(p));
    }, this.o.coalesceMs);
    w.timer.unref();
  }

  private async pollDue(): Promise<void> {
    const now = this.deps.clock.now();
    const due = [...this.watched.values()]
      .filter((w) => w.dueAt !== null && w.dueAt <= now && !w.refreshing)
      .sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0));
    for (const w of due) {
      if (this.stopped || !this.take()) return;
      const before = this.deps.platform.requestCounts().reads;
      this.stats.polls += 1;
      await this.refresh(w, 'poll');
      this.tokens -= Math.max(1, this.deps.platform.requestCounts().reads - before) - 1;
    }
  }

  /** The poll budget: a token per read, refilled evenly, at most ten seconds' worth saved up. */
  private take(): boolean {
    const now = this.deps.clock.now();
    const rate = this.o.pollReadsPerMinute / 60_000;
    this.tokens = Math.min(this.burst(), this.tokens + (now - this.tokensAt) * rate);
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private burst(): number {
    return Math.max(1, this.o.pollReadsPerMinute / 6);
  }

  /** One refresh at a time per session; an event arriving meanwhile costs one more after it. */
  private async refresh(w: Watched, source: string): Promise<void> {
    if (w.refreshing) {
      w.again = true;
      return;
    }
    w.refreshing = true;
    try {
      do {
        w.again = false;
        await this.refreshOnce(w, source);
      } while (w.again && !this.stopped && this.watched.get(w.id) === w);
    } finally {
      w.refreshing = false;
    }
  }

  private async refreshOnce(w: Watched, source: string): Promise<void> {
    const { clock, logger } = this.deps;
    try {
      this.stats.refreshes += 1;
      const { run, changed } = await refreshSession(this.deps, w.id, source, 'external');
      w.failures = 0;
      w.status = run.status;
      if (!WATCHED.includes(run.status)) {
        this.forget(w);
        if (!this.stopped) this.loop.wake();
        return;
      }
      if (w.unsubscribe) {
        w.dueAt = null;
        return;
      }
      w.pollDelayMs = changed ? this.o.pollMinMs : Math.min(this.o.pollMaxMs, w.pollDelayMs * 2);
      w.dueAt = clock.now() + w.pollDelayMs;
    } catch (err) {
      // Retried by the loop (a streamed session too: its event is not repeated), the platform's
      // Retry-After respected; the reconciler's sweep is the net under all of it.
      w.failures += 1;
      this.stats.failures += 1;
      const delay = backoffDelay(w.failures, platformDetails(err)?.retryAfterMs ?? null, {
        baseMs: this.o.pollMinMs,
        maxMs: Math.max(this.o.pollMaxMs, 30_000),
      });
      w.dueAt = clock.now() + delay;
      logger.warn(
        { err: err instanceof Error ? err.message : String(err), session: w.id, attempt: w.failures },
        'could not refresh a watched session',
      );
    }
  }

  private forget(w: Watched): void {
    this.release(w);
    if (this.watched.get(w.id) === w) this.watched.delete(w.id);
  }

  private release(w: Watched): void {
    if (w.timer) clearTimeout(w.timer);
    w.timer = null;
    const unsubscribe = w.unsubscribe;
    w.unsubscribe = null;
    unsubscribe?.();
  }
}
