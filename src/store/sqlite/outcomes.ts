// Issue 10 store parts (thread side): outbox retry, deployment runs, retention (prune) and the
// grouped counts behind GET /metrics.
import type { DeploymentRunRecord, MetricCounts, OutboxMessage, PruneResult } from '../types.js';
import { type Db, stmt, writeTx } from './statements.js';

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

export function getOutbox(db: Db, id: string): OutboxMessage | null {
  const r = stmt(db, 'SELECT * FROM outbox WHERE id = ?').get(id) as OutboxRow | undefined;
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

export function retryOutbox(db: Db, id: string, now: number): boolean {
  // Attempts restart so that the retry gets a full backoff schedule again.
  const res = stmt(
    db,
    `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND state <> 'delivered'`,
  ).run(now, id);
  return res.changes > 0;
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

export function saveDeploymentRun(db: Db, d: DeploymentRunRecord): void {
  stmt(
    db,
    `INSERT INTO deployment_runs (id, deployment_id, agent_id, session_id, error_type, error_message, seen_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET deployment_id = excluded.deployment_id, agent_id = excluded.agent_id,
       session_id = excluded.session_id, error_type = excluded.error_type, error_message = excluded.error_message`,
  ).run(d.id, d.deploymentId, d.agentId, d.sessionId, d.errorType, d.errorMessage, d.seenAt);
}

export function listDeploymentRuns(db: Db, q: { failed?: boolean; limit?: number }): DeploymentRunRecord[] {
  const where =
    q.failed === true
      ? 'WHERE error_type IS NOT NULL'
      : q.failed === false
        ? 'WHERE session_id IS NOT NULL'
        : '';
  const rows = stmt(db, `SELECT * FROM deployment_runs ${where} ORDER BY seen_at DESC, id DESC LIMIT ?`).all(
    q.limit ?? 100,
  ) as DrunRow[];
  return rows.map((r) => ({
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

export function prune(db: Db, opts: { before: number; dryRun: boolean }): PruneResult {
  const t = opts.before;
  const count = (sql: string): number => (stmt(db, sql).get(t) as { n: number }).n;
  if (opts.dryRun) {
    return {
      payloads: count(
        `SELECT count(*) AS n FROM events WHERE received_at < ? AND raw IS NOT NULL AND ${SETTLED}`,
      ),
      runHistory: count('SELECT count(*) AS n FROM run_history WHERE at < ?'),
      outbox: count(`SELECT count(*) AS n FROM outbox WHERE created_at < ? AND state <> 'pending'`),
      rejects: count('SELECT count(*) AS n FROM rejects WHERE minute < ?'),
    };
  }
  return writeTx(db, () => ({
    payloads: stmt(
      db,
      `UPDATE events SET raw = NULL WHERE received_at < ? AND raw IS NOT NULL AND ${SETTLED}`,
    ).run(t).changes,
    runHistory: stmt(db, 'DELETE FROM run_history WHERE at < ?').run(t).changes,
    outbox: stmt(db, `DELETE FROM outbox WHERE created_at < ? AND state <> 'pending'`).run(t).changes,
    rejects: stmt(db, 'DELETE FROM rejects WHERE minute < ?').run(t).changes,
  }));
}

export function metricCounts(db: Db): MetricCounts {
  const drun = stmt(
    db,
    'SELECT count(session_id) AS ok, count(error_type) AS failed FROM deployment_runs',
  ).get() as { ok: number; failed: number };
  return {
    events: stmt(
      db,
      'SELECT type, state, count(*) AS count FROM events GROUP BY type, state ORDER BY type, state',
    ).all() as MetricCounts['events'],
    runs: stmt(
      db,
      'SELECT status, count(*) AS count FROM runs GROUP BY status ORDER BY status',
    ).all() as MetricCounts['runs'],
    outbox: stmt(
      db,
      'SELECT state, count(*) AS count FROM outbox GROUP BY state ORDER BY state',
    ).all() as MetricCounts['outbox'],
    deploymentRuns: { succeeded: drun.ok, failed: drun.failed },
  };
}
