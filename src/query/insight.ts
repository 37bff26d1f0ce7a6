// How each agent and pipeline performs over a window: runs, success and outcome pass rates, stop
// reasons, duration percentiles, cost, daily series and the most frequent failure reasons. The
// /agents and /pipelines pages, `agenthooks stats` and GET /api/stats all read these figures here.
// The store counts the runs of the window by cell (InsightStore.runCells); everything else is
// computed below, so SQLite and PostgreSQL give the same numbers by construction.
import { AppError } from '../errors.js';
import { DAY_MS } from '../store/insight-cells.js';
import { RUN_STATUSES, type RunCell, type RunStatus, type Store } from '../store/types.js';
import type { Surface } from './filters.js';
import { p50p95 } from './insight-percentiles.js';
import { parseTime } from './time.js';

export { DAY_MS };
/** The window when none is given: the last 30 days. */
export const DEFAULT_SINCE = '30d';
/** Failure reasons listed per agent or pipeline, most frequent first. */
const TOP_REASONS = 10;

/** Final outcomes (DESIGN.md semantics 5); `cancelled` counts whenever the store knows it. */
const FINAL: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);
export const FINAL_STATUSES: readonly RunStatus[] = RUN_STATUSES.filter((s) => FINAL.has(s));

export interface Figures {
  runs: number;
  byStatus: Record<RunStatus, number>;
  /** Runs with a final status (succeeded, failed, cancelled). */
  final: number;
  /** succeeded ÷ final; null without final runs. */
  successRate: number | null;
  /** Runs with a terminal outcome evaluation. */
  outcomes: number;
  /** satisfied ÷ outcomes; null without outcomes. */
  outcomePassRate: number | null;
  /** Mean evaluations (iterations) per run with an outcome. */
  meanIterations: number | null;
  /** Among runs with a stop reason, most frequent first; share is count ÷ their number. */
  stopReasons: { reason: string; count: number; share: number }[];
  /** Finished runs, session creation to finish (nearest-rank percentiles). */
  durations: number;
  durationP50Ms: number | null;
  durationP95Ms: number | null;
  costCents: number;
  /** Runs that report a cost; cost per run divides by them. */
  costedRuns: number;
  costPerRunCents: number | null;
}

export interface DayFigures {
  /** UTC midnight (epoch ms) and the same day as YYYY-MM-DD. */
  at: number;
  day: string;
  runs: number;
  byStatus: Record<RunStatus, number>;
  costCents: number;
  durationP50Ms: number | null;
  durationP95Ms: number | null;
}

export interface StepFunnel {
  step: string;
  /** Runs of this step (sessions created). */
  launched: number;
  succeeded: number;
  failed: number;
  /** Recorded skipped: the step's `when` did not hold for its parent. */
  skipped: number;
  byStatus: Record<RunStatus, number>;
}

export interface GroupInsight {
  /** Agent name (else its id) or pipeline name; null for runs without one. */
  name: string | null;
  /** For agents: the agent ids seen under this name. */
  agentIds?: string[];
  figures: Figures;
  daily: DayFigures[];
  /** Failed runs by reason (the unmet outcome result, else the stop reason), most frequent first. */
  failureReasons: { reason: string; count: number }[];
  /** For pipelines: each step, most launched first (a funnel narrows), then by name. */
  steps?: StepFunnel[];
}

export interface Insight {
  since: number;
  until: number;
  agent: string | null;
  pipeline: string | null;
  totals: Figures;
  daily: DayFigures[];
  agents: GroupInsight[];
  pipelines: GroupInsight[];
}

export interface InsightFilters {
  since: number;
  until: number;
  agent?: string;
  pipeline?: string;
}

/** `since` (default 30 days), `agent`, `pipeline` from flags or URL parameters; until is now. */
export function parseInsightFilters(
  input: { since?: unknown; agent?: unknown; pipeline?: unknown },
  now: number,
  surface: Surface,
): InsightFilters {
  const text = (v: unknown): string | undefined => {
    const s = Array.isArray(v) ? v[v.length - 1] : v;
    if (typeof s !== 'string' && typeof s !== 'number') return undefined;
    const t = String(s).trim();
    return t === '' ? undefined : t;
  };
  const since = parseTime(text(input.since) ?? DEFAULT_SINCE, now, surface.name('since'));
  if (since >= now)
    throw new AppError(
      'invalid_time',
      `${surface.name('since')} must be in the past (got ${new Date(since).toISOString()}).`,
    );
  return { since, until: now, agent: text(input.agent), pipeline: text(input.pipeline) };
}

const zeroStatus = (): Record<RunStatus, number> =>
  Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;

/** Why a failed run failed: its unmet outcome result, else its stop reason. */
export function failureReason(f: Pick<RunCell, 'outcomeResult' | 'stopReason'>): string {
  if (f.outcomeResult !== null && f.outcomeResult !== 'satisfied') return f.outcomeResult;
  return f.stopReason ?? 'unknown';
}

const byCount = <T extends { count: number; reason: string }>(a: T, b: T) =>
  b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0);

/** Running sums for one group of runs (an agent, a pipeline, a step, a day). */
class Tally {
  /** A step's tally feeds only its funnel counts, so it keeps no durations. */
  constructor(private readonly timed = true) {}
  runs = 0;
  readonly byStatus = zeroStatus();
  outcomes = 0;
  satisfied = 0;
  iterations = 0;
  readonly stops = new Map<string, number>();
  readonly durations: number[] = [];
  costCents = 0;
  costedRuns = 0;
  readonly reasons = new Map<string, number>();

  add(c: RunCell): void {
    this.runs += c.runs;
    this.byStatus[c.status] = (this.byStatus[c.status] ?? 0) + c.runs;
    if (c.outcomeResult !== null) {
      this.outcomes += c.runs;
      if (c.outcomeResult === 'satisfied') this.satisfied += c.runs;
      this.iterations += c.iterations;
    }
    if (c.stopReason !== null) this.stops.set(c.stopReason, (this.stops.get(c.stopReason) ?? 0) + c.runs);
    if (this.timed) for (const d of c.durations) this.durations.push(Math.max(0, d));
    this.costCents += c.costCents;
    this.costedRuns += c.costedRuns;
    if (c.status === 'failed') {
      const r = failureReason(c);
      this.reasons.set(r, (this.reasons.get(r) ?? 0) + c.runs);
    }
  }

  /** Nearest-rank p50 and p95 of the durations. */
  durationPercentiles(): [number | null, number | null] {
    return p50p95(Float64Array.from(this.durations));
  }

  figures(): Figures {
    const final = FINAL_STATUSES.reduce((n, s) => n + (this.byStatus[s] ?? 0), 0);
    const stopped = [...this.stops.values()].reduce((a, b) => a + b, 0);
    const [p50, p95] = this.durationPercentiles();
    return {
      runs: this.runs,
      byStatus: { ...this.byStatus },
      final,
      successRate: final === 0 ? null : (this.byStatus.succeeded ?? 0) / final,
      outcomes: this.outcomes,
      outcomePassRate: this.outcomes === 0 ? null : this.satisfied / this.outcomes,
      meanIterations: this.outcomes === 0 ? null : this.iterations / this.outcomes,
      stopReasons: [...this.stops]
        .map(([reason, count]) => ({ reason, count, share: count / stopped }))
        .sort(byCount),
      durations: this.durations.length,
      durationP50Ms: p50,
      durationP95Ms: p95,
      costCents: this.costCents,
      costedRuns: this.costedRuns,
      costPerRunCents: this.costedRuns === 0 ? null : this.costCents / this.costedRuns,
    };
  }

  failureReasons(): { reason: string; count: number }[] {
    return [...this.reasons]
      .map(([reason, count]) => ({ reason, count }))
      .sort(byCount)
      .slice(0, TOP_REASONS);
  }
}

/** A group's tally plus one tally per UTC day. */
class Series {
  readonly all = new Tally();
  readonly days = new Map<number, Tally>();
  readonly ids = new Set<string>();
  readonly steps = new Map<string, Tally>();

  add(c: RunCell): void {
    this.all.add(c);
    const day = c.day / DAY_MS;
    let t = this.days.get(day);
    if (!t) {
      t = new Tally();
      this.days.set(day, t);
    }
    t.add(c);
  }

  daily(first: number, last: number): DayFigures[] {
    const out: DayFigures[] = [];
    for (let day = first; day <= last; day++) {
      const t = this.days.get(day) ?? new Tally();
      const [p50, p95] = t.durationPercentiles();
      const at = day * DAY_MS;
      out.push({
        at,
        day: new Date(at).toISOString().slice(0, 10),
        runs: t.runs,
        byStatus: { ...t.byStatus },
        costCents: t.costCents,
        durationP50Ms: p50,
        durationP95Ms: p95,
      });
    }
    return out;
  }
}

function grouped(cells: RunCell[], keyOf: (c: RunCell) => string | null): Map<string | null, Series> {
  const groups = new Map<string | null, Series>();
  for (const f of cells) {
    const k = keyOf(f);
    let g = groups.get(k);
    if (!g) {
      g = new Series();
      groups.set(k, g);
    }
    g.add(f);
    for (const id of f.agentIds) g.ids.add(id);
    if (f.step !== null) {
      let s = g.steps.get(f.step);
      if (!s) {
        s = new Tally(false);
        g.steps.set(f.step, s);
      }
      s.add(f);
    }
  }
  return groups;
}

/** Most runs first, then by name; the unnamed group last. */
function ordered(groups: Map<string | null, Series>): [string | null, Series][] {
  return [...groups].sort(
    ([a, x], [b, y]) =>
      (a === null ? 1 : 0) - (b === null ? 1 : 0) ||
      y.all.runs - x.all.runs ||
      (a ?? '').localeCompare(b ?? ''),
  );
}

/** The figures for the window, overall and per agent and per pipeline. */
export async function collectInsight(store: Store, f: InsightFilters): Promise<Insight> {
  const [cells, skipped] = await Promise.all([
    store.runCells(f),
    store.skippedSteps({ since: f.since, until: f.until, pipeline: f.pipeline }),
  ]);
  const first = Math.floor(f.since / DAY_MS);
  const last = Math.floor((f.until - 1) / DAY_MS);
  const total = new Series();
  for (const x of cells) total.add(x);
  const agents = ordered(grouped(cells, (x) => x.agent)).map(([name, g]) => ({
    name,
    agentIds: [...g.ids].sort(),
    figures: g.all.figures(),
    daily: g.daily(first, last),
    failureReasons: g.all.failureReasons(),
  }));
  const pipelineGroups = grouped(
    cells.filter((x) => x.pipeline !== null),
    (x) => x.pipeline,
  );
  // A pipeline whose only steps in the window were skipped still gets a row.
  for (const s of skipped) if (!pipelineGroups.has(s.pipeline)) pipelineGroups.set(s.pipeline, new Series());
  const pipelines = ordered(pipelineGroups).map(([name, g]) => {
    const skips = new Map(skipped.filter((s) => s.pipeline === name).map((s) => [s.step, s.count]));
    const launched = (s: string) => g.steps.get(s)?.runs ?? 0;
    const stepNames = [...new Set([...g.steps.keys(), ...skips.keys()])].sort(
      (a, b) => launched(b) - launched(a) || a.localeCompare(b),
    );
    return {
      name,
      figures: g.all.figures(),
      daily: g.daily(first, last),
      failureReasons: g.all.failureReasons(),
      steps: stepNames.map((step) => {
        const t = g.steps.get(step) ?? new Tally();
        return {
          step,
          launched: t.runs,
          succeeded: t.byStatus.succeeded ?? 0,
          failed: t.byStatus.failed ?? 0,
          skipped: skips.get(step) ?? 0,
          byStatus: { ...t.byStatus },
        };
      }),
    };
  });
  return {
    since: f.since,
    until: f.until,
    agent: f.agent ?? null,
    pipeline: f.pipeline ?? null,
    totals: total.all.figures(),
    daily: total.daily(first, last),
    agents,
    pipelines,
  };
}
