// The insight reads: a narrow projection of the runs in a window (camelCase aliases, so rows are
// RunFacts as they arrive), and skipped chain steps counted by pipeline and step.
import type { InsightQuery, RunFact, SkippedStepCount } from '../types.js';
import { type Db, Params } from './db.js';

export async function runFacts(db: Db, q: InsightQuery): Promise<RunFact[]> {
  const p = new Params();
  const terms = [`first_seen_at >= ${p.add(q.since)}`, `first_seen_at < ${p.add(q.until)}`];
  if (q.agent !== undefined) {
    const a = p.add(q.agent);
    terms.push(`(agent_name = ${a} OR agent_id = ${a})`);
  }
  if (q.pipeline !== undefined) terms.push(`pipeline = ${p.add(q.pipeline)}`);
  const res = await db.query<RunFact>(
    `SELECT agent_name AS "agentName", agent_id AS "agentId", pipeline, step, status,
       stop_reason AS "stopReason", outcome_result AS "outcomeResult",
       jsonb_array_length(evaluations) AS iterations, (usage->>'costCents')::bigint AS "costCents",
       first_seen_at AS "firstSeenAt", coalesce(session_created_at, first_seen_at) AS "startedAt",
       finished_at AS "finishedAt"
     FROM runs WHERE ${terms.join(' AND ')}`,
    p.values,
  );
  return res.rows;
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
