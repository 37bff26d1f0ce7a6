// The health numbers (GET /api/stats and the health page): events per minute over the last hour,
// rejects, the worker backlog, runs by status, the reconciler's last sweep and the serve heartbeat.
// Every figure is an indexed count or a bounded read, so the page costs the same on a big store.
import { HEARTBEAT_META_KEY } from '../runs/heartbeat.js';
import type { RunStatus, Store } from '../store/types.js';
import { type EventSummary, summarizeEvent } from './events.js';
import { rejectsSince } from './rejects.js';
import { countRunsByStatus } from './runs.js';

export interface Stats {
  now: number;
  /** Events received per minute over the last hour, oldest minute first (60 entries). */
  eventsPerMinute: { minute: number; count: number }[];
  eventsLastHour: number;
  /** Rejected webhook requests in the last hour by code, most frequent first. */
  rejects: { code: string; count: number }[];
  rejectsPerMinute: { minute: number; count: number }[];
  backlog: { pending: number; processing: number; failed: number };
  runs: Record<RunStatus, number>;
  lastDeliveryAt: number | null;
  msSinceLastDelivery: number | null;
  /** The reconciler's record of its last sweep, as it stored it (null before the first sweep). */
  reconciler: { lastSweepAt: number | null; detail: unknown };
  /** The serve heartbeat (`serve.heartbeat` meta), when one is stored. */
  heartbeat: { at: number | null; detail: unknown };
  /** The newest failed events, for the health page (empty when there are very many: see the count). */
  recentFailures: EventSummary[];
}

const MINUTE = 60_000;
const FAILURE_LIST_MAX = 2000;

function parseMeta(value: string | null): { at: number | null; detail: unknown } {
  if (value === null) return { at: null, detail: null };
  let detail: unknown = value;
  try {
    detail = JSON.parse(value);
  } catch {
    // a plain string value is shown as it is
  }
  const pick = (v: unknown): number | null => {
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string') {
      const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
      return Number.isNaN(t) ? null : t;
    }
    return null;
  };
  if (detail && typeof detail === 'object') {
    const o = detail as Record<string, unknown>;
    return { at: pick(o.at ?? o.finishedAt ?? o.finished_at ?? o.endedAt ?? o.startedAt ?? o.time), detail };
  }
  return { at: pick(detail), detail };
}

export interface StatsOptions {
  /** Meta key where the reconciler records its last sweep. */
  reconcilerMetaKey: string;
}

export async function collectStats(store: Store, now: number, opts: StatsOptions): Promise<Stats> {
  const thisMinute = Math.floor(now / MINUTE) * MINUTE;
  const firstMinute = thisMinute - 59 * MINUTE;
  const minutes = Array.from({ length: 60 }, (_, i) => firstMinute + i * MINUTE);
  const [perMinute, rejects, pending, processing, failed, runs, latest, sweep, heartbeat] = await Promise.all(
    [
      // 60 indexed range counts; each one walks only that minute's slice of events_received.
      Promise.all(minutes.map((m) => store.countEvents({ since: m, until: m + MINUTE }))),
      rejectsSince(store, firstMinute),
      store.countEvents({ state: 'pending' }),
      store.countEvents({ state: 'processing' }),
      store.countEvents({ state: 'failed' }),
      countRunsByStatus(store),
      store.listEvents({ limit: 1 }),
      store.getMeta(opts.reconcilerMetaKey),
      store.getMeta(HEARTBEAT_META_KEY),
    ],
  );
  // Listing failed events newest first sorts all of them unless the store has an index on
  // (state, received_at); the count is cheap, so the list is only read when it is small.
  const recentFailures =
    failed <= FAILURE_LIST_MAX ? await store.listEvents({ state: 'failed', limit: 10 }) : [];
  const rejectMinutes = new Map<number, number>();
  for (const r of rejects.rows) rejectMinutes.set(r.minute, (rejectMinutes.get(r.minute) ?? 0) + r.count);
  const lastDeliveryAt = latest[0]?.receivedAt ?? null;
  const sweepMeta = parseMeta(sweep);
  return {
    now,
    eventsPerMinute: minutes.map((minute, i) => ({ minute, count: perMinute[i] ?? 0 })),
    eventsLastHour: perMinute.reduce((a, b) => a + b, 0),
    rejects: rejects.byCode.map(({ code, count }) => ({ code, count })),
    rejectsPerMinute: minutes.map((minute) => ({ minute, count: rejectMinutes.get(minute) ?? 0 })),
    backlog: { pending, processing, failed },
    runs,
    lastDeliveryAt,
    msSinceLastDelivery: lastDeliveryAt === null ? null : Math.max(0, now - lastDeliveryAt),
    reconciler: { lastSweepAt: sweepMeta.at, detail: sweepMeta.detail },
    heartbeat: parseMeta(heartbeat),
    recentFailures: recentFailures.map(summarizeEvent),
  };
}
