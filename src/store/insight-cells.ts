// The one statement behind InsightStore.runCells, written once for both adapters: only the JSON
// functions, the string aggregate and the placeholders differ, and they come from the adapter.
import type { InsightQuery, RunCell, RunStatus } from './types.js';

export interface CellDialect {
  /** The number of outcome evaluations of a run. */
  iterations: string;
  /** The run's cost in cents (NULL when it reports none). */
  cost: string;
  /** Comma-joined integers of an expression, NULLs left out. */
  joined: (expr: string) => string;
  /** Binds a value, returning its placeholder. */
  bind: (value: unknown) => string;
  /** How integer sums and counts are read back as numbers. */
  int: (expr: string) => string;
}

export const DAY_MS = 86_400_000;

export function runCellsSql(d: CellDialect, q: InsightQuery): string {
  const terms = [`first_seen_at >= ${d.bind(q.since)}`, `first_seen_at < ${d.bind(q.until)}`];
  if (q.agent !== undefined) {
    terms.push(`(agent_name = ${d.bind(q.agent)} OR agent_id = ${d.bind(q.agent)})`);
  }
  if (q.pipeline !== undefined) terms.push(`pipeline = ${d.bind(q.pipeline)}`);
  // Materialized: each run's JSON is parsed once (a flattened subquery would parse the cost twice),
  // and evaluations only for runs whose outcome counts.
  const g = 'day, status, stop_reason, outcome_result, agent_name, agent_id, pipeline, step';
  return `WITH r AS MATERIALIZED (
      SELECT first_seen_at / ${DAY_MS} AS day, status, stop_reason, outcome_result, agent_name, agent_id,
        pipeline, step, CASE WHEN outcome_result IS NULL THEN 0 ELSE ${d.iterations} END AS iterations,
        ${d.cost} AS cost, finished_at - coalesce(session_created_at, first_seen_at) AS duration
      FROM runs WHERE ${terms.join(' AND ')})
    SELECT ${g}, ${d.int('count(*)')} AS runs, ${d.int('coalesce(sum(iterations), 0)')} AS iterations,
      ${d.int('coalesce(sum(cost), 0)')} AS cost_cents, ${d.int('count(cost)')} AS costed_runs,
      ${d.joined('duration')} AS durations
    FROM r GROUP BY ${g}`;
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
