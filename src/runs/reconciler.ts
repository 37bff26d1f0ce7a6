// The reconciler: webhooks are not a durable log (reference 6.2), so each sweep asks the API
// directly. It lists sessions created since a high-water mark (minus a margin for late-visible
// sessions) and re-reads the non-final runs least recently checked first, spending at most
// `maxReads` API reads per sweep so it stays inside the platform's read limit. One replica at a
// time holds the `reconciler` lease.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { createLoop, type Loop, LoopService } from '../loop.js';
import type { Platform } from '../platform/types.js';
import type { Store } from '../store/types.js';
import { randomId } from './ids.js';
import { type FinalEffects, type RefreshDeps, refreshSession } from './refresh.js';
import { DELETED_KEY } from './state.js';

export const HIGH_WATER_KEY = 'reconciler.high_water';
/** Where an unfinished listing pass continues (created_at, epoch ms); empty between passes. */
export const RESUME_KEY = 'reconciler.resume_from';
/** JSON {at, listed, refreshed, reads, errors} of the last sweep, for the health view. */
export const LAST_SWEEP_KEY = 'reconciler.last_sweep';
const MARGIN_MS = 10 * 60_000;
/** Reads one session refresh may cost: GET session, one events page, the first-task read. */
const READS_PER_REFRESH = 3;

export interface ReconcilerOptions {
  owner?: string;
  intervalMs?: number;
  /** First sweep only: how far back to list sessions. */
  sinceMs?: number;
  maxReads?: number;
  /** Sessions per list page. */
  pageSize?: number;
}

export interface SweepReport {
  ran: boolean;
  listed: number;
  refreshed: number;
  reads: number;
  errors: number;
}

export class Reconciler extends LoopService {
  readonly owner: string;
  private readonly o: Required<Omit<ReconcilerOptions, 'owner'>>;
  protected readonly loop: Loop;
  readonly totals = { sweeps: 0, reads: 0, refreshed: 0 };

  constructor(
    private readonly deps: {
      store: Store;
      platform: Platform;
      clock: Clock;
      logger: Logger;
      effects?: FinalEffects;
    },
    options: ReconcilerOptions = {},
  ) {
    super();
    this.owner = options.owner ?? randomId('rec_', 12);
    this.o = {
      intervalMs: options.intervalMs ?? 60_000,
      sinceMs: options.sinceMs ?? 24 * 3_600_000,
      maxReads: options.maxReads ?? 600,
      pageSize: options.pageSize ?? 100,
    };
    this.loop = createLoop({
      name: 'reconciler',
      intervalMs: this.o.intervalMs,
      logger: deps.logger,
      round: async () => {
        await this.sweep();
        return false;
      },
    });
  }

  state(): string {
    return `running (${this.totals.sweeps} sweeps, ${this.totals.refreshed} sessions refreshed)`;
  }

  async sweep(): Promise<SweepReport> {
    const { store, platform, clock, logger } = this.deps;
    const report: SweepReport = { ran: false, listed: 0, refreshed: 0, reads: 0, errors: 0 };
    const leaseTtl = Math.max(this.o.intervalMs * 3, 30_000);
    if (!(await store.tryLease('reconciler', this.owner, clock.now(), leaseTtl))) return report;
    report.ran = true;
    const refreshDeps: RefreshDeps = this.deps;
    let budget = this.o.maxReads;
    const refreshed = new Set<string>();
    // Reads are counted as the platform counts them (requests made), not estimated.
    const spend = async <T>(fn: () => Promise<T>): Promise<T> => {
      const before = platform.requestCounts().reads;
      try {
        return await fn();
      } finally {
        const used = platform.requestCounts().reads - before;
        budget -= used;
        report.reads += used;
      }
    };
    const refresh = async (id: string) => {
      if (budget < READS_PER_REFRESH || refreshed.has(id)) return;
      refreshed.add(id);
      try {
        await spend(() => refreshSession(refreshDeps, id, 'reconcile'));
        report.refreshed += 1;
      } catch (err) {
        report.errors += 1;
        logger.warn({ err: (err as Error).message, session: id }, 'reconcile could not refresh a session');
      }
    };

    // 1. Sessions created since the high-water mark: finds those no webhook ever announced. A pass
    // starts at the mark minus a margin (sessions become listable late, clocks differ) and, when
    // the budget ends it early, the next sweep resumes where it stopped instead of starting over,
    // so a burst of more sessions than one sweep can read still gets through.
    const sweepStart = clock.now();
    const mark = numberOr(await store.getMeta(HIGH_WATER_KEY), sweepStart - this.o.sinceMs);
    const resume = numberOr(await store.getMeta(RESUME_KEY), null);
    const listPages = Math.max(1, Math.floor(budget / 4 / (1 + READS_PER_REFRESH)));
    try {
      const listed = await spend(() =>
        platform.listSessions({
          createdGte: resume ?? mark - MARGIN_MS,
          limit: this.o.pageSize,
          maxPages: listPages,
        }),
      );
      report.listed = listed.sessions.length;
      let lastLooked: number | null = null;
      let allSeen = listed.complete;
      for (const s of listed.sessions) {
        const held = await store.getRun(s.id);
        const updated = Date.parse(s.updatedAt);
        // Settled or not, a run whose stored snapshot is as new as the listing needs no read.
        const behind =
          !held ||
          held.sessionUpdatedAt === null ||
          !Number.isFinite(updated) ||
          updated > held.sessionUpdatedAt;
        if (behind && !(held && held.snapshotKey === DELETED_KEY)) {
          if (budget < READS_PER_REFRESH) {
            allSeen = false;
            break;
          }
          await refresh(s.id);
        }
        const created = Date.parse(s.createdAt);
        if (Number.isFinite(created)) lastLooked = created;
      }
      if (allSeen) {
        await store.setMeta(HIGH_WATER_KEY, String(sweepStart));
        await store.setMeta(RESUME_KEY, '');
      } else if (lastLooked !== null) {
        // Listing is ascending by created_at; the next sweep re-lists from the last one looked at.
        await store.setMeta(RESUME_KEY, String(lastLooked));
      }
    } catch (err) {
      report.errors += 1;
      logger.warn({ err: (err as Error).message }, 'reconcile could not list sessions');
    }

    // 2. Non-final runs, least recently checked first.
    const pending = await store.runsToReconcile(Math.max(0, Math.floor(budget / READS_PER_REFRESH)));
    for (const run of pending) {
      if (budget < READS_PER_REFRESH) break;
      await refresh(run.id);
    }
    await store
      .setMeta(
        LAST_SWEEP_KEY,
        JSON.stringify({ at: clock.now(), startedAt: sweepStart, owner: this.owner, ...report }),
      )
      .catch(() => undefined);
    this.totals.sweeps += 1;
    this.totals.reads += report.reads;
    this.totals.refreshed += report.refreshed;
    return report;
  }
}

function numberOr<T extends number | null>(text: string | null, fallback: T): number | T {
  if (text === null || text.trim() === '') return fallback;
  const n = Number(text);
  return Number.isFinite(n) ? n : fallback;
}
