// The one statement behind InsightStore.runCells, written once for both adapters: only the JSON
// functions, the string aggregate and the placeholders differ, and they come from the adapter.
//
// Each adapter has an index `runs_insight` whose leading columns are the day expression and the
// cell key below, in this order (migrations sqlite/0006, postgres/0005). Reading the window's
// range of it yields the runs already grouped, so the database aggregates as it scans instead of
// sorting 100,000 rows into a temporary B-tree; on SQLite the index also carries every value the
// statement reads, so the wide run rows are never visited. The expressions here must stay
// written exactly as in the index, or the planner no longer matches them (test/store checks the
// plan).
import type { InsightQuery, RunCell, RunStatus } from './types.js';

export interface CellDialect {
  /** The number of outcome evaluations of a run with an outcome, else 0. */
  iterations: string;
  /** The run's cost in cents (NULL when it reports none). */
  cost: string;
  /** Comma-joined integers of an expression, NULLs left out. */
  joined: (expr: string) => string;
  /** Binds a value, returning its placeholder. */
  bind: (value: unknown) => string;
  /** How integer sums and counts are read back as numbers. */
  int: (expr: string) => string;
  /**
   * Reduce each run to the values the sums need before grouping (PostgreSQL). Where the planner
   * sorts (a narrow window, an agent), it then sorts those instead of whole rows with their JSON,
   * which spilled to disk; the ORDER BY still lets it read runs_insight in order instead.
   */
  narrowFirst?: boolean;
}

export const DAY_MS = 86_400_000;

/** The UTC day (days since the epoch) a run was first seen, as indexed. */
export const DAY_EXPR = `first_seen_at / ${DAY_MS}`;
/** Session creation (else first sight) to finish; NULL while the run is not finished. */
export const DURATION_EXPR = 'finished_at - coalesce(session_created_at, first_seen_at)';
/** Why a run failed, as the insight figures count it (query/insight.ts failureReason): its unmet
 * outcome result, else its stop reason, else `unknown`. The runs filter `reason` matches it. */
export const FAILURE_REASON_SQL =
  "CASE WHEN outcome_result IS NOT NULL AND outcome_result <> 'satisfied' THEN outcome_result ELSE coalesce(stop_reason, 'unknown') END";

/** The cell key after the day, in index order. */
const KEY = 'agent_name, agent_id, pipeline, step, status, stop_reason, outcome_result';

export function runCellsSql(d: CellDialect, q: InsightQuery): string {
  // The day bounds select the index range; the exact bounds then trim the first and last day.
  const terms = [
    `${DAY_EXPR} >= ${d.bind(Math.floor(q.since / DAY_MS))}`,
    `${DAY_EXPR} <= ${d.bind(Math.floor((q.until - 1) / DAY_MS))}`,
    `first_seen_at >= ${d.bind(q.since)}`,
    `first_seen_at < ${d.bind(q.until)}`,
  ];
  if (q.agent !== undefined) {
    terms.push(`(agent_name = ${d.bind(q.agent)} OR agent_id = ${d.bind(q.agent)})`);
  }
  if (q.pipeline !== undefined) terms.push(`pipeline = ${d.bind(q.pipeline)}`);
  if (d.narrowFirst) {
    return `SELECT day, ${KEY}, ${d.int('count(*)')} AS runs, ${d.int('coalesce(sum(iterations), 0)')} AS iterations,
        ${d.int('coalesce(sum(cost), 0)')} AS cost_cents, ${d.int('count(cost)')} AS costed_runs,
        ${d.joined('duration')} AS durations
      FROM (SELECT ${DAY_EXPR} AS day, ${KEY}, ${d.iterations} AS iterations, ${d.cost} AS cost,
          ${DURATION_EXPR} AS duration
        FROM runs WHERE ${terms.join(' AND ')} ORDER BY ${DAY_EXPR}, ${KEY} OFFSET 0) r
      GROUP BY day, ${KEY}`;
  }
  return `SELECT ${DAY_EXPR} AS day, ${KEY}, ${d.int('count(*)')} AS runs,
      ${d.int(`coalesce(sum(${d.iterations}), 0)`)} AS iterations,
      ${d.int(`coalesce(sum(${d.cost}), 0)`)} AS cost_cents, ${d.int(`count(${d.cost})`)} AS costed_runs,
      ${d.joined(DURATION_EXPR)} AS durations
    FROM runs WHERE ${terms.join(' AND ')}
    GROUP BY ${DAY_EXPR}, ${KEY}`;
}

export interface CellRow {
  agent_name: string | null;
  agent_id: string | null;
  pipeline: string | null;
  step: string | null;
  day: number;
  status: RunStatus;
  stop_reason: string | null;
  outcome_result: string | null;
  runs: number;
  iterations: number;
  cost_cents: number;
  costed_runs: number;
  durations: string | null;
}

export function readCell(r: CellRow): RunCell {
  return {
    agentName: r.agent_name,
    agentId: r.agent_id,
    pipeline: r.pipeline,
    step: r.step,
    day: Number(r.day) * DAY_MS,
    status: r.status,
    stopReason: r.stop_reason,
    outcomeResult: r.outcome_result,
    runs: r.runs,
    iterations: r.iterations,
    costCents: r.cost_cents,
    costedRuns: r.costed_runs,
    durations: r.durations === null || r.durations === '' ? [] : r.durations.split(',').map(Number),
  };
}
