// Launches: intent rows written before the platform call, unique per id and per
// (parent run, step) (DESIGN.md semantics 6). Synchronous, thread side.
import type { Launch, LaunchState } from '../types.js';
import { type Db, orNull, stmt, writeTx } from './statements.js';

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

export function createLaunch(db: Db, l: Launch): { launch: Launch; created: boolean } {
  return writeTx(db, () => {
    // No conflict target: DO NOTHING covers both the primary key and the (parent, step) index.
    const info = stmt(
      db,
      `INSERT INTO launches (id, kind, pipeline, step, parent_run_id, agent_name, agent_id, environment_id, task, request,
        state, session_id, error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    ).run(
      ...[
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
      ].map(orNull),
    );
    if (info.changes === 1) return { launch: { ...l }, created: true };
    const existing =
      (stmt(db, 'SELECT * FROM launches WHERE id = ?').get(l.id) as LaunchRow | undefined) ??
      (stmt(db, 'SELECT * FROM launches WHERE parent_run_id = ? AND step IS ?').get(l.parentRunId, l.step) as
        | LaunchRow
        | undefined);
    if (!existing) throw new Error(`launch ${l.id} conflicted but no conflicting row was found`);
    return { launch: toLaunch(existing), created: false };
  });
}

const PATCHABLE = {
  state: 'state',
  sessionId: 'session_id',
  error: 'error',
  agentId: 'agent_id',
  environmentId: 'environment_id',
} as const;

export function updateLaunch(
  db: Db,
  id: string,
  patch: Partial<Pick<Launch, 'state' | 'sessionId' | 'error' | 'agentId' | 'environmentId'>>,
  now: number,
): void {
  const sets: string[] = ['updated_at = ?'];
  const params: unknown[] = [now];
  for (const [key, column] of Object.entries(PATCHABLE) as [keyof typeof PATCHABLE, string][]) {
    if (patch[key] === undefined) continue;
    sets.push(`${column} = ?`);
    params.push(orNull(patch[key]));
  }
  stmt(db, `UPDATE launches SET ${sets.join(', ')} WHERE id = ?`).run(...params, id);
}

export function getLaunch(db: Db, id: string): Launch | null {
  const row = stmt(db, 'SELECT * FROM launches WHERE id = ?').get(id) as LaunchRow | undefined;
  return row ? toLaunch(row) : null;
}

export function listLaunches(
  db: Db,
  query: { state?: LaunchState; parentRunId?: string; limit?: number },
): Launch[] {
  const terms: string[] = [];
  const params: unknown[] = [];
  if (query.state !== undefined) {
    terms.push('state = ?');
    params.push(query.state);
  }
  if (query.parentRunId !== undefined) {
    terms.push('parent_run_id = ?');
    params.push(query.parentRunId);
  }
  const where = terms.length ? `WHERE ${terms.join(' AND ')}` : '';
  // Oldest first: recovery works through intents in the order they were written.
  const rows = stmt(db, `SELECT * FROM launches ${where} ORDER BY created_at, id LIMIT ?`).all(
    ...params,
    query.limit ?? 100,
  ) as LaunchRow[];
  return rows.map(toLaunch);
}
