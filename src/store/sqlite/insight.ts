// The insight reads (thread side): a narrow projection of the runs in a window, read as arrays
// (no per-column decoding), and skipped chain steps counted by pipeline and step.
import type { InsightQuery, RunFact, RunStatus, SkippedStepCount } from '../types.js';
import { type Db, stmt } from './statements.js';

type FactRow = [
  string | null,
  string | null,
  string | null,
  string | null,
  RunStatus,
  string | null,
  string | null,
  number,
  number | null,
  number,
  number,
  number | null,
];

export function runFacts(db: Db, q: InsightQuery): RunFact[] {
  const terms = ['first_seen_at >= ?', 'first_seen_at < ?'];
  const params: unknown[] = [q.since, q.until];
  if (q.agent !== undefined) {
    terms.push('(agent_name = ? OR agent_id = ?)');
    params.push(q.agent, q.agent);
  }
  if (q.pipeline !== undefined) {
    terms.push('pipeline = ?');
    params.push(q.pipeline);
  }
  const sql = `SELECT agent_name, agent_id, pipeline, step, status, stop_reason, outcome_result,
    json_array_length(evaluations), json_extract(usage, '$.costCents'), first_seen_at,
    coalesce(session_created_at, first_seen_at), finished_at
    FROM runs WHERE ${terms.join(' AND ')}`;
  const rows = stmt(db, sql)
    .raw(true)
    .all(...params) as FactRow[];
  return rows.map((r) => ({
    agentName: r[0],
    agentId: r[1],
    pipeline: r[2],
    step: r[3],
    status: r[4],
    stopReason: r[5],
    outcomeResult: r[6],
    iterations: r[7],
    costCents: r[8],
    firstSeenAt: r[9],
    startedAt: r[10],
    finishedAt: r[11],
  }));
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
