// Deployment runs: deployment_run.* events the worker resolved (thread side).
import { DEPLOYMENT_RUN_COLUMNS, deploymentRunsWhere, type Row, rowCodec } from '../columns.js';
import type { DeploymentRunRecord } from '../types.js';
import { sqliteCodec } from './codec.js';
import { type Db, stmt } from './statements.js';

const deploymentRunRows = rowCodec(DEPLOYMENT_RUN_COLUMNS, sqliteCodec);

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
  const where = deploymentRunsWhere(q.failed);
  const rows = stmt(db, `SELECT * FROM deployment_runs ${where} ORDER BY seen_at DESC, id DESC LIMIT ?`).all(
    q.limit ?? 100,
  ) as Row[];
  return rows.map(deploymentRunRows.read);
}
