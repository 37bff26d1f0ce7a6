// The insight reads: the runs of a window counted by cell (insight-cells.ts), and skipped chain
// steps counted by pipeline and step.
import { type CellRow, readCell, runCellsSql } from '../insight-cells.js';
import type { InsightQuery, RunCell, SkippedStepCount } from '../types.js';
import { type Db, Params } from './db.js';

/** The statement and its parameters (exported for the test that checks its query plan). */
export function runCellsStatement(q: InsightQuery): { sql: string; values: unknown[] } {
  const p = new Params();
  const sql = runCellsSql(
    {
      iterations: 'CASE WHEN outcome_result IS NULL THEN 0 ELSE jsonb_array_length(evaluations) END',
      // Through numeric: a fraction stored before snapshots rounded it would fail a bigint cast.
      cost: "round((usage->>'costCents')::numeric)::bigint",
      joined: (expr) => `string_agg((${expr})::text, ',')`,
      distinctJson: (expr) => `json_agg(DISTINCT ${expr})`,
      bind: (v) => p.add(v),
      // sum() of bigint is numeric, which the driver would return as a string.
      int: (expr) => `(${expr})::bigint`,
      narrowFirst: true,
    },
    q,
  );
  return { sql, values: p.values };
}

export async function runCells(db: Db, q: InsightQuery): Promise<RunCell[]> {
  const { sql, values } = runCellsStatement(q);
  const res = await db.query<CellRow>(sql, values);
  return res.rows.map(readCell);
}

export async function skippedSteps(db: Db, q: Omit<InsightQuery, 'agent'>): Promise<SkippedStepCount[]> {
  const p = new Params();
  const byPipeline = q.pipeline === undefined ? '' : ` AND pipeline = ${p.add(q.pipeline)}`;
  const res = await db.query<SkippedStepCount>(
    `SELECT pipeline, step, count(*)::int AS count FROM launches
     WHERE state = 'skipped' AND created_at >= ${p.add(q.since)} AND created_at < ${p.add(q.until)}
       AND pipeline IS NOT NULL AND step IS NOT NULL${byPipeline}
     GROUP BY pipeline, step ORDER BY pipeline, step`,
    p.values,
  );
  return res.rows;
}
