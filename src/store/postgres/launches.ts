// Launches: intent rows written before the platform call, unique per id and per
// (parent run, step) across every replica (DESIGN.md semantics 6).
import { LAUNCH_COLUMNS, LAUNCH_PATCH_FIELDS, type Row, rowCodec } from '../columns.js';
import type { Launch, LaunchPatch, LaunchState } from '../types.js';
import { placeholders, postgresCodec } from './codec.js';
import { type Db, Params } from './db.js';

const launchRows = rowCodec(LAUNCH_COLUMNS, postgresCodec);

// No conflict target: DO NOTHING covers both the primary key and the partial (parent, step)
// index. A concurrent insert of a conflicting row is waited for, so once this statement returns
// the winner is committed and the SELECT in createLaunch (a fresh snapshot) sees it.
const INSERT = `INSERT INTO launches (${launchRows.names.join(', ')})
  VALUES (${placeholders(launchRows.columns).join(', ')}) ON CONFLICT DO NOTHING`;

export async function createLaunch(db: Db, l: Launch): Promise<{ launch: Launch; created: boolean }> {
  const ins = await db.query(INSERT, launchRows.values(l));
  if (ins.rowCount === 1) return { launch: { ...l }, created: true };
  // Rows are never deleted, so the conflicting one is still there. Same id wins over same (parent, step).
  const res = await db.query<Row>(
    `SELECT * FROM launches WHERE id = $1
       OR (parent_run_id = $2 AND step IS NOT DISTINCT FROM $3)
     ORDER BY (id = $1) DESC LIMIT 1`,
    [l.id, l.parentRunId, l.step],
  );
  if (res.rows.length === 0) throw new Error(`launch ${l.id} conflicted but no conflicting row was found`);
  return { launch: launchRows.read(res.rows[0]), created: false };
}

export async function updateLaunch(db: Db, id: string, patch: LaunchPatch, now: number): Promise<void> {
  const p = new Params();
  const sets: string[] = [`updated_at = ${p.add(now)}`];
  for (const field of LAUNCH_PATCH_FIELDS) {
    if (patch[field] === undefined) continue;
    const column = LAUNCH_COLUMNS[field];
    sets.push(`${column.name} = ${p.add(postgresCodec.encode(column, patch[field]))}`);
  }
  await db.query(`UPDATE launches SET ${sets.join(', ')} WHERE id = ${p.add(id)}`, p.values);
}

export async function getLaunch(db: Db, id: string): Promise<Launch | null> {
  const res = await db.query<Row>('SELECT * FROM launches WHERE id = $1', [id]);
  return res.rows.length ? launchRows.read(res.rows[0]) : null;
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
  const res = await db.query<Row>(
    `SELECT * FROM launches ${where} ORDER BY created_at, id LIMIT ${p.add(query.limit ?? 100)}`,
    p.values,
  );
  return res.rows.map(launchRows.read);
}
