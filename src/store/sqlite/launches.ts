// Launches: intent rows written before the platform call, unique per id and per
// (parent run, step) (DESIGN.md semantics 6). Synchronous, thread side.
import { LAUNCH_COLUMNS, LAUNCH_PATCH_FIELDS, type Row, rowCodec } from '../columns.js';
import type { Launch, LaunchPatch, LaunchState } from '../types.js';
import { sqliteCodec } from './codec.js';
import { type Db, stmt, writeTx } from './statements.js';

const launchRows = rowCodec(LAUNCH_COLUMNS, sqliteCodec);

// No conflict target: DO NOTHING covers both the primary key and the (parent, step) index.
const INSERT = `INSERT INTO launches (${launchRows.names.join(', ')})
  VALUES (${launchRows.names.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`;

export function createLaunch(db: Db, l: Launch): { launch: Launch; created: boolean } {
  return writeTx(db, () => {
    const info = stmt(db, INSERT).run(...launchRows.values(l));
    if (info.changes === 1) return { launch: { ...l }, created: true };
    const existing =
      (stmt(db, 'SELECT * FROM launches WHERE id = ?').get(l.id) as Row | undefined) ??
      (stmt(db, 'SELECT * FROM launches WHERE parent_run_id = ? AND step IS ?').get(l.parentRunId, l.step) as
        | Row
        | undefined);
    if (!existing) throw new Error(`launch ${l.id} conflicted but no conflicting row was found`);
    return { launch: launchRows.read(existing), created: false };
  });
}

export function updateLaunch(db: Db, id: string, patch: LaunchPatch, now: number): void {
  const sets: string[] = ['updated_at = ?'];
  const params: unknown[] = [now];
  for (const field of LAUNCH_PATCH_FIELDS) {
    if (patch[field] === undefined) continue;
    const column = LAUNCH_COLUMNS[field];
    sets.push(`${column.name} = ?`);
    params.push(sqliteCodec.encode(column, patch[field]));
  }
  stmt(db, `UPDATE launches SET ${sets.join(', ')} WHERE id = ?`).run(...params, id);
}

export function getLaunch(db: Db, id: string): Launch | null {
  const row = stmt(db, 'SELECT * FROM launches WHERE id = ?').get(id) as Row | undefined;
  return row ? launchRows.read(row) : null;
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
  ) as Row[];
  return rows.map(launchRows.read);
}
