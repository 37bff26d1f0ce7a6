// Deployment runs: deployment_run.* events the worker resolved, shared by every replica.
import { DEPLOYMENT_RUN_COLUMNS, deploymentRunsWhere, type Row, rowCodec } from '../columns.js';
import type { DeploymentRunRecord } from '../types.js';
import { postgresCodec } from './codec.js';
import type { Db } from './db.js';

const deploymentRunRows = rowCodec(DEPLOYMENT_RUN_COLUMNS, postgresCodec);

export async function saveDeploymentRun(db: Db, d: DeploymentRunRecord): Promise<void> {
  await db.query(
    `INSERT INTO deployment_runs (id, deployment_id, agent_id, session_id, error_type, error_message, seen_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (id) DO UPDATE SET deployment_id = excluded.deployment_id, agent_id = excluded.agent_id,
       session_id = excluded.session_id, error_type = excluded.error_type, error_message = excluded.error_message`,
    [d.id, d.deploymentId, d.agentId, d.sessionId, d.errorType, d.errorMessage, d.seenAt],
  );
}

export async function listDeploymentRuns(
  db: Db,
  q: { failed?: boolean; limit?: number },
): Promise<DeploymentRunRecord[]> {
  const where = deploymentRunsWhere(q.failed);
  const res = await db.query<Row>(
    `SELECT * FROM deployment_runs ${where} ORDER BY seen_at DESC, id DESC LIMIT $1`,
    [q.limit ?? 100],
  );
  return res.rows.map(deploymentRunRows.read);
}
