// Issue 10 store parts: outbox retry, deployment runs, retention (prune) and the grouped counts
// behind GET /metrics. Same contract as src/store/sqlite/outcomes.ts.
import type { DeploymentRunRecord, MetricCounts, OutboxMessage, PruneResult } from '../types.js';
import type { Db, Queryable } from './db.js';

interface OutboxRow {
  id: string;
  target: string;
  url: string;
  payload: string;
  created_at: number;
  state: OutboxMessage['state'];
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  delivered_at: number | null;
}

export async function getOutbox(db: Db, id: string): Promise<OutboxMessage | null> {
  const r = (await db.query<OutboxRow>('SELECT * FROM outbox WHERE id = $1', [id])).rows[0];
  if (!r) return null;
  return {
    id: r.id,
    target: r.target,
    url: r.url,
    payload: r.payload,
    createdAt: r.created_at,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    deliveredAt: r.delivered_at,
  };
}

export async function retryOutbox(db: Db, id: string, now: number): Promise<boolean> {
  // Attempts restart so that the retry gets a full backoff schedule again.
  const res = await db.query(
    `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $2 WHERE id = $1 AND state <> 'delivered'`,
    [id, now],
  );
  return (res.rowCount ?? 0) > 0;
}

export async function saveDeploymentRun(db: Db, d: DeploymentRunRecord): Promise<void> {
  await db.query(
    `INSERT INTO deployment_runs (id, deployment_id, agent_id, session_id, error_type, error_message, seen_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (id) DO UPDATE SET deployment_id = excluded.deployment_id, agent_id = excluded.agent_id,
       session_id = excluded.session_id, error_type = excluded.error_type, error_message = excluded.error_message`,
    [d.id, d.deploymentId, d.agentId, d.sessionId, d.errorType, d.errorMessage, d.seenAt],
  );
}

interface DrunRow {
  id: string;
  deployment_id: string;
  agent_id: string | null;
  session_id: string | null;
  error_type: string | null;
  error_message: string | null;
  seen_at: number;
}

export async function listDeploymentRuns(
  db: Db,
  q: { failed?: boolean; limit?: number },
): Promise<DeploymentRunRecord[]> {
  const where =
    q.failed === true
      ? 'WHERE error_type IS NOT NULL'
      : q.failed === false
        ? 'WHERE session_id IS NOT NULL'
        : '';
  const res = await db.query<DrunRow>(
    `SELECT * FROM deployment_runs ${where} ORDER BY seen_at DESC, id DESC LIMIT $1`,
    [q.limit ?? 100],
  );
  return res.rows.map((r) => ({
    id: r.id,
    deploymentId: r.deployment_id,
    agentId: r.agent_id,
    sessionId: r.session_id,
    errorType: r.error_type,
    errorMessage: r.error_message,
    seenAt: r.seen_at,
  }));
}

// Events still to be processed keep their payload: the worker may need it.
const SETTLED = `state IN ('done', 'ignored', 'failed')`;

async function pruneWith(q: Queryable, t: number, dryRun: boolean): Promise<PruneResult> {
  const run = async (count: string, change: string): Promise<number> => {
    if (dryRun) return (await q.query<{ n: number }>(count, [t])).rows[0]!.n;
    return (await q.query(change, [t])).rowCount ?? 0;
  };
  return {
    payloads: await run(
      `SELECT count(*)::int AS n FROM events WHERE received_at < $1 AND raw IS NOT NULL AND ${SETTLED}`,
      `UPDATE events SET raw = NULL WHERE received_at < $1 AND raw IS NOT NULL AND ${SETTLED}`,
    ),
    runHistory: await run(
      'SELECT count(*)::int AS n FROM run_history WHERE at < $1',
      'DELETE FROM run_history WHERE at < $1',
    ),
    outbox: await run(
      `SELECT count(*)::int AS n FROM outbox WHERE created_at < $1 AND state <> 'pending'`,
      `DELETE FROM outbox WHERE created_at < $1 AND state <> 'pending'`,
    ),
    rejects: await run(
      'SELECT count(*)::int AS n FROM rejects WHERE minute < $1',
      'DELETE FROM rejects WHERE minute < $1',
    ),
  };
}

export async function prune(db: Db, opts: { before: number; dryRun: boolean }): Promise<PruneResult> {
  if (opts.dryRun) return pruneWith(db, opts.before, true);
  return db.tx((q) => pruneWith(q, opts.before, false));
}

export async function metricCounts(db: Db): Promise<MetricCounts> {
  const [events, runs, outbox, drun] = await Promise.all([
    db.query(
      'SELECT type, state, count(*)::int AS count FROM events GROUP BY type, state ORDER BY type, state',
    ),
    db.query('SELECT status, count(*)::int AS count FROM runs GROUP BY status ORDER BY status'),
    db.query('SELECT state, count(*)::int AS count FROM outbox GROUP BY state ORDER BY state'),
    db.query<{ ok: number; failed: number }>(
      'SELECT count(session_id)::int AS ok, count(error_type)::int AS failed FROM deployment_runs',
    ),
  ]);
  return {
    events: events.rows as MetricCounts['events'],
    runs: runs.rows as MetricCounts['runs'],
    outbox: outbox.rows as MetricCounts['outbox'],
    deploymentRuns: { succeeded: drun.rows[0]!.ok, failed: drun.rows[0]!.failed },
  };
}
