// The insight reads (thread side): the runs of a window counted by cell (insight-cells.ts), and
// skipped chain steps counted by pipeline and step.
import { type CellRow, readCell, runCellsSql } from '../insight-cells.js';
import type { InsightQuery, RunCell, SkippedStepCount } from '../types.js';
import { type Db, stmt } from './statements.js';

/** As written in the runs_insight index (migration 0010): the planner matches them as text. */
const ITERATIONS = 'CASE WHEN outcome_result IS NULL THEN 0 ELSE json_array_length(evaluations) END';
const COST = "json_extract(usage, '$.costCents')";

/** The statement and its parameters (exported for the test that checks its query plan). */
export function runCellsStatement(q: InsightQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const sql = runCellsSql(
    {
      iterations: ITERATIONS,
      cost: COST,
      joined: (expr) => `group_concat(${expr})`,
      distinctJson: (expr) => `json_group_array(DISTINCT ${expr})`,
      pipelineFilter: '+pipeline',
      bind: (v) => {
        params.push(v);
        return '?';
      },
      int: (expr) => expr,
    },
    q,
  );
  return { sql, params };
}

export function runCells(db: Db, q: InsightQuery): RunCell[] {
  const { sql, params } = runCellsStatement(q);
  return (stmt(db, sql).all(...params) as CellRow[]).map(readCell);
}

export function skippedSteps(db: Db, q: Omit<InsightQuery, 'agent'>): SkippedStepCount[] {
  const byPipeline = q.pipeline === undefined ? '' : ' AND pipeline = ?';
  const params: unknown[] = [q.since, q.until];
  if (q.pipeline !== undefined) params.push(q.pipeline);
  return stmt(
    db,
    `SELECT pipeline, step, count(*) AS count FROM launches
     WHERE state = 'skipped' AND created_at >= ? AND created_at < ? AND pipeline IS NOT NULL AND step IS NOT NULL${byPipeline}
     GROUP BY pipeline, step ORDER BY pipeline, step`,
  ).all(...params) as SkippedStepCount[];
}
