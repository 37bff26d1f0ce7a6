// What the API and the pages read from the store. Every list is bounded by a limit and walks an
// index newest first (keyset cursors, never OFFSET), so a page costs the same with 100 or 100,000
// runs stored.

import type { ChildStep } from '../chains/lineage.js';
import { isAppError } from '../errors.js';
import { loadRunDetail, TIMELINE_LIMIT } from '../inspect/run-detail.js';
import type { Run, RunHistoryEntry, RunStatus, Store, StoredEvent } from '../store/types.js';
import { type EventFilters, encodeCursor, RUN_STATUSES, type RunFilters } from './filters.js';

export interface RunsPage {
  runs: Run[];
  nextCursor: string | null;
}

export async function listRunsPage(store: Store, f: RunFilters): Promise<RunsPage> {
  const rows = await store.listRuns({
    status: f.status.length ? f.status : undefined,
    agent: f.agent,
    since: f.since,
    until: f.until,
    search: f.search,
    before: f.cursor ? { firstSeenAt: f.cursor.time, id: f.cursor.id } : undefined,
    limit: f.limit + 1,
  });
  const runs = rows.slice(0, f.limit);
  const last = runs[runs.length - 1];
  return { runs, nextCursor: rows.length > f.limit && last ? encodeCursor(last.firstSeenAt, last.id) : null };
}

/** An event as lists show it: the raw body left out (it can be large; /api/events/:id has it). */
export type EventSummary = Omit<StoredEvent, 'raw'>;

export function summarizeEvent(e: StoredEvent): EventSummary {
  const { raw: _raw, ...rest } = e;
  return rest;
}

export interface EventsPage {
  events: EventSummary[];
  nextCursor: string | null;
}

export async function listEventsPage(store: Store, f: EventFilters): Promise<EventsPage> {
  const rows = await store.listEvents({
    type: f.type,
    subjectId: f.session,
    state: f.state,
    since: f.since,
    until: f.until,
    before: f.cursor ? { receivedAt: f.cursor.time, id: f.cursor.id } : undefined,
    limit: f.limit + 1,
  });
  const events = rows.slice(0, f.limit).map(summarizeEvent);
  const last = events[events.length - 1];
  return {
    events,
    nextCursor: rows.length > f.limit && last ? encodeCursor(last.receivedAt, last.id) : null,
  };
}

export interface RunDetail {
  run: Run;
  parent: Run | null;
  /** Root first, up to and excluding the parent. */
  ancestors: Run[];
  children: Run[];
  /** Each child step's decision, incl. skipped steps with their reason (src/chains/lineage.ts). */
  steps: ChildStep[];
  history: RunHistoryEntry[];
  /** The run's events, oldest first (the newest TIMELINE_LIMIT of them). */
  events: EventSummary[];
  /** Events about this run left out of `events` (older than the cap). */
  eventsOmitted: number;
}

export { TIMELINE_LIMIT };

const MAX_ANCESTORS = 10;

/** The inspector's `runs show` query, plus the chain above the parent for the lineage graph. */
export async function runDetail(store: Store, id: string): Promise<RunDetail | null> {
  let d: Awaited<ReturnType<typeof loadRunDetail>>;
  try {
    d = await loadRunDetail(store, id);
  } catch (err) {
    if (isAppError(err, 'run_not_found')) return null;
    throw err;
  }
  const ancestors: Run[] = [];
  const seen = new Set([d.run.id, d.parent?.id]);
  let next = d.parent?.parentRunId ?? null;
  while (next && !seen.has(next) && ancestors.length < MAX_ANCESTORS) {
    seen.add(next);
    const r = await store.getRun(next);
    if (!r) break;
    ancestors.unshift(r);
    next = r.parentRunId;
  }
  return {
    run: d.run,
    parent: d.parent,
    ancestors,
    children: d.children.slice().reverse(),
    steps: d.steps,
    history: d.history,
    events: d.events.map(summarizeEvent),
    eventsOmitted: d.eventsOmitted,
  };
}

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
  const [perMinute, rejectRows, pending, processing, failed, runCounts, latest, sweep, heartbeat] =
    await Promise.all([
      // 60 indexed range counts; each one walks only that minute's slice of events_received.
      Promise.all(minutes.map((m) => store.countEvents({ since: m, until: m + MINUTE }))),
      store.listRejects(firstMinute),
      store.countEvents({ state: 'pending' }),
      store.countEvents({ state: 'processing' }),
      store.countEvents({ state: 'failed' }),
      Promise.all(RUN_STATUSES.map((s) => store.countRuns({ status: [s] }))),
      store.listEvents({ limit: 1 }),
      store.getMeta(opts.reconcilerMetaKey),
      store.getMeta('serve.heartbeat'),
    ]);
  // Listing failed events newest first sorts all of them unless the store has an index on
  // (state, received_at); the count is cheap, so the list is only read when it is small.
  const recentFailures =
    failed <= FAILURE_LIST_MAX ? await store.listEvents({ state: 'failed', limit: 10 }) : [];
  const byCode = new Map<string, number>();
  const rejectMinutes = new Map<number, number>();
  for (const r of rejectRows) {
    byCode.set(r.code, (byCode.get(r.code) ?? 0) + r.count);
    rejectMinutes.set(r.minute, (rejectMinutes.get(r.minute) ?? 0) + r.count);
  }
  const lastDeliveryAt = latest[0]?.receivedAt ?? null;
  const runs = {} as Record<RunStatus, number>;
  RUN_STATUSES.forEach((s, i) => {
    runs[s] = runCounts[i] ?? 0;
  });
  const sweepMeta = parseMeta(sweep);
  return {
    now,
    eventsPerMinute: minutes.map((minute, i) => ({ minute, count: perMinute[i] ?? 0 })),
    eventsLastHour: perMinute.reduce((a, b) => a + b, 0),
    rejects: [...byCode.entries()].map(([code, c]) => ({ code, count: c })).sort((a, b) => b.count - a.count),
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
