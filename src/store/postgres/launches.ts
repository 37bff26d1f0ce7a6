// Launches: intent rows written before the platform call, unique per id and per
// (parent run, step) across every replica (DESIGN.md semantics 6).
import type { Launch, LaunchState } from '../types.js';
import { type Db, Params } from './db.js';

interface LaunchRow {
  id: string;
  kind: Launch['kind'];
  pipeline: string | null;
  step: string | null;
  parent_run_id: string | null;
  agent_name: string | null;
  agent_id: string | null;
  environment_id: string | null;
  task: string;
  request: string;
  state: LaunchState;
  session_id: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
}

function toLaunch(r: LaunchRow): Launch {
  return {
    id: r.id,
    kind: r.kind,
    pipeline: r.pipeline,
    step: r.step,
    parentRunId: r.parent_run_id,
    agentName: r.agent_name,
    agentId: r.agent_id,
    environmentId: r.environment_id,
    task: r.task,
    request: r.request,
    state: r.state,
    sessionId: r.session_id,
    error: r.error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function createLaunch(db: Db, l: Launch): Promise<{ launch: Launch; created: boolean }> {
  // No conflict target: DO NOTHING covers both the primary key and the partial (parent, step)
  // index. A concurrent insert of a conflicting row is waited for, so once this statement returns
  // the winner is committed and the SELECT below (a fresh snapshot) sees it.
  const ins = await db.query(
    `INSERT INTO launches (id, kind, pipeline, step, parent_run_id, agent_name, agent_id, environment_id, task, request,
      state, session_id, error, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT DO NOTHING`,
    [
      l.id,
      l.kind,
      l.pipeline,
      l.step,
      l.parentRunId,
      l.agentName,
      l.agentId,
      l.environmentId,
      l.task,
      l.request,
      l.state,
      l.sessionId,
      l.error,
      l.createdAt,
      l.updatedAt,
    ],
  );
  if (ins.rowCount === 1) return { launch: { ...l }, created: true };
  // Rows are never deleted, so the conflicting one is still there. Same id wins over same (parent, step).
  const res = await db.query<LaunchRow>(
    `SELECT * FROM launches WHERE id = $1
       OR (parent_run_id = $2 AND step IS NOT DISTINCT FROM $3)
     ORDER BY (id = $1) DESC LIMIT 1`,
    [l.id, l.parentRunId, l.step],
  );
  if (res.rows.length === 0) throw new Error(`launch ${l.id} conflicted but no conflicting row was found`);
  return { launch: toLaunch(res.rows[0]), created: false };
}

const PATCHABLE = {
  state: 'state',
  sessionId: 'session_id',
  error: 'error',
  agentId: 'agent_id',
  environmentId: 'environment_id',
} as const;

export async function updateLaunch(
  db: Db,
  id: string,
  patch: Partial<Pick<Launch, 'state' | 'sessionId' | 'error' | 'agentId' | 'environmentId'>>,
  now: number,
): Promise<void> {
  const p = new Params();
  const sets: string[] = [`updated_at = ${p.add(now)}`];
  for (const [key, column] of Object.entries(PATCHABLE) as [keyof typeof PATCHABLE, string][]) {
    if (patch[key] === undefined) continue;
    sets.push(`${column} = ${p.add(patch[key])}`);
  }
  await db.query(`UPDATE launches SET ${sets.join(', ')} WHERE id = ${p.add(id)}`, p.values);
}

export async function getLaunch(db: Db, id: string): Promise<Launch | null> {
  const res = await db.query<LaunchRow>('SELECT * FROM launches WHERE id = $1', [id]);
  return res.rows.length ? toLaunch(res.rows[0]) : null;
}

export async function listLaunches(
  db: Db,
  query: { state?: LaunchState; parentRunId?: string; limit?: number },
): Promise<Launch[]> {
  const p = new Params();
  const terms: string[] = [];
  if (query.state !== undefined) terms.push(`state = ${p.add(query.state)}`);
  if (query.parentRunId !== undefined) terms.push(`parent_run_id = ${p.add(query.parentRunId)}`);
  const where = terms.length ? `WHERE ${terms.join(' AND ')}` : '';
  // Oldest first: recovery works through intents in the order they were written.
  const res = await db.query<LaunchRow>(
    `SELECT * FROM launches ${where} ORDER BY created_at, id LIMIT ${p.add(query.limit ?? 100)}`,
    p.values,
  );
  return res.rows.map(toLaunch);
}
