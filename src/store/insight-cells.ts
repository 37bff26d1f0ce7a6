// The one statement behind InsightStore.runCells, written once for both adapters: only the JSON
// functions, the string aggregate and the placeholders differ, and they come from the adapter.
//
// Each adapter has an index `runs_insight` whose leading columns are the day expression and the
// cell key below, in this order (migrations sqlite/0010, postgres/0007). Reading the window's
// range of it yields the runs already grouped, so the database aggregates as it scans instead of
// sorting 100,000 rows into a temporary B-tree; on SQLite the index also carries every value the
// statement reads, so the wide run rows are never visited. The expressions here must stay
// written exactly as in the index, or the planner no longer matches them (test/query checks the
// plan).
//
// The key holds the agent as the figures group it (its name, else its id), not the name and the
// id apart: a name seen under many ids (one per agent version or environment) would otherwise
// multiply the cells, to one per run or so at 20 names by 20 ids over 30 days, which cost more to
// build and read than the sums they carry. The ids come with each cell instead, distinct.
import type { InsightQuery, RunCell, RunStatus } from './types.js';

export interface CellDialect {
  /** The number of outcome evaluations of a run with an outcome, else 0. */
  iterations: string;
  /** The run's cost in cents (NULL when it reports none). */
  cost: string;
  /** Comma-joined integers of an expression, NULLs left out. */
  joined: (expr: string) => string;
  /** The distinct values of a text expression as a JSON array (NULL may be among them). */
  distinctJson: (expr: string) => string;
  /**
   * The pipeline column as the pipeline filter reads it. SQLite writes `+pipeline`, so the planner
   * cannot serve the filter from runs_pipeline: it takes that for the cheaper path (an equality
   * looks selective), then reads every run of the pipeline from the table and sorts them to group,
   * 3 to 4 times the cost of the window's covering range of runs_insight with a fifth of the runs
   * in the pipeline (bench/stats.mjs).
   */
  pipelineFilter?: string;
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

/** How the insight figures name an agent: its name, else its id. */
const AGENT_EXPR = 'coalesce(agent_name, agent_id)';
/** The cell key after the day, in index order, as read from runs and as named in a cell row. */
const KEY_REST = 'pipeline, step, status, stop_reason, outcome_result';
const KEY = `${AGENT_EXPR}, ${KEY_REST}`;
const KEY_NAMES = `agent, ${KEY_REST}`;

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
  if (q.pipeline !== undefined) terms.push(`${d.pipelineFilter ?? 'pipeline'} = ${d.bind(q.pipeline)}`);
  if (d.narrowFirst) {
    return `SELECT day, ${KEY_NAMES}, ${d.distinctJson('agent_id')} AS agent_ids, ${d.int('count(*)')} AS runs,
        ${d.int('coalesce(sum(iterations), 0)')} AS iterations,
        ${d.int('coalesce(sum(cost), 0)')} AS cost_cents, ${d.int('count(cost)')} AS costed_runs,
        ${d.joined('duration')} AS durations
      FROM (SELECT ${DAY_EXPR} AS day, ${AGENT_EXPR} AS agent, ${KEY_REST}, agent_id, ${d.iterations} AS iterations,
          ${d.cost} AS cost, ${DURATION_EXPR} AS duration
        FROM runs WHERE ${terms.join(' AND ')} ORDER BY ${DAY_EXPR}, ${KEY}, agent_id OFFSET 0) r
      GROUP BY day, ${KEY_NAMES}`;
  }
  return `SELECT ${DAY_EXPR} AS day, ${AGENT_EXPR} AS agent, ${KEY_REST},
      ${d.distinctJson('agent_id')} AS agent_ids, ${d.int('count(*)')} AS runs,
      ${d.int(`coalesce(sum(${d.iterations}), 0)`)} AS iterations,
      ${d.int(`coalesce(sum(${d.cost}), 0)`)} AS cost_cents, ${d.int(`count(${d.cost})`)} AS costed_runs,
      ${d.joined(DURATION_EXPR)} AS durations
    FROM runs WHERE ${terms.join(' AND ')}
    GROUP BY ${DAY_EXPR}, ${KEY}`;
}

export interface CellRow {
  agent: string | null;
  /** JSON text on SQLite; PostgreSQL's driver parses json itself. */
  agent_ids: string | (string | null)[] | null;
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

function agentIds(v: CellRow['agent_ids']): string[] {
  const ids = (typeof v === 'string' ? JSON.parse(v) : (v ?? [])) as (string | null)[];
  return ids.filter((id): id is string => id !== null);
}

export function readCell(r: CellRow): RunCell {
  return {
    agent: r.agent,
    agentIds: agentIds(r.agent_ids),
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
