// Runs: one row per session, changed only by compare-and-set on `version`, with its history and
// outbox rows committed in the same transaction (DESIGN.md semantics 4 and 6).
import { type Row, RUN_COLUMNS, RUN_HISTORY_COLUMNS, rowCodec } from '../columns.js';
import { FAILURE_REASON_SQL } from '../insight-cells.js';
import type { Run, RunChange, RunHistoryEntry, RunQuery } from '../types.js';
import { placeholders, postgresCodec } from './codec.js';
import { type Db, Params } from './db.js';

const runRows = rowCodec(RUN_COLUMNS, postgresCodec);
const historyRows = rowCodec(RUN_HISTORY_COLUMNS, postgresCodec);
const RUN_PARAMS = placeholders(runRows.columns);

const INSERT_RUN = `INSERT INTO runs (${runRows.names.join(', ')}) VALUES (${RUN_PARAMS.join(', ')})
  ON CONFLICT (id) DO NOTHING`;
// id is the first column ($1); the expected version is bound after the last one.
const UPDATE_RUN = `UPDATE runs SET ${runRows.names
  .slice(1)
  .map((c, i) => `${c} = ${RUN_PARAMS[i + 1]}`)
  .join(', ')} WHERE id = $1 AND version = $${RUN_PARAMS.length + 1}`;

export async function getRun(db: Db, id: string): Promise<Run | null> {
  const res = await db.query<Row>('SELECT * FROM runs WHERE id = $1', [id]);
  return res.rows.length ? runRows.read(res.rows[0]) : null;
}

/** Escapes LIKE wildcards so that a search for `50%` finds the literal text. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function runFilter(query: RunQuery, p: Params): string {
  const terms: string[] = [];
  if (query.status && query.status.length > 0) terms.push(`status = ANY(${p.add(query.status)}::text[])`);
  if (query.agent !== undefined) {
    const a = p.add(query.agent);
    terms.push(`(agent_name = ${a} OR agent_id = ${a})`);
  }
  if (query.since !== undefined) terms.push(`first_seen_at >= ${p.add(query.since)}`);
  if (query.until !== undefined) terms.push(`first_seen_at < ${p.add(query.until)}`);
  if (query.search !== undefined && query.search !== '') {
    const id = p.add(query.search);
    const like = p.add(likePattern(query.search));
    // ILIKE: case-insensitive like SQLite's LIKE; backslash escapes the wildcards.
    terms.push(
      `(id = ${id} OR task ILIKE ${like} ESCAPE '\\' OR output ILIKE ${like} ESCAPE '\\' OR title ILIKE ${like} ESCAPE '\\')`,
    );
  }
  if (query.pipeline !== undefined) terms.push(`pipeline = ${p.add(query.pipeline)}`);
  if (query.reason !== undefined) terms.push(`${FAILURE_REASON_SQL} = ${p.add(query.reason)}`);
  if (query.parentRunId !== undefined) terms.push(`parent_run_id = ${p.add(query.parentRunId)}`);
  if (query.before)
    terms.push(`(first_seen_at, id) < (${p.add(query.before.firstSeenAt)}, ${p.add(query.before.id)})`);
  return terms.length ? `WHERE ${terms.join(' AND ')}` : '';
}

export async function listRuns(db: Db, query: RunQuery): Promise<Run[]> {
  const p = new Params();
  const where = runFilter(query, p);
  const sql = `SELECT * FROM runs ${where} ORDER BY first_seen_at DESC, id DESC LIMIT ${p.add(query.limit ?? 100)} OFFSET ${p.add(query.offset ?? 0)}`;
  const res = await db.query<Row>(sql, p.values);
  return res.rows.map(runRows.read);
}

export async function countRuns(
  db: Db,
  query: Omit<RunQuery, 'before' | 'offset' | 'limit'>,
): Promise<number> {
  const p = new Params();
  const res = await db.query<{ n: number }>(
    `SELECT count(*) AS n FROM runs ${runFilter(query, p)}`,
    p.values,
  );
  return res.rows[0].n;
}

export async function saveRun(db: Db, change: RunChange): Promise<boolean> {
  const { run, expectedVersion } = change;
  const values = runRows.values({ ...run, version: expectedVersion + 1 });
  return db.tx(async (q) => {
    let changed: number;
    if (expectedVersion === 0) {
      // A concurrent insert of the same id waits for the other to commit, then does nothing: the
      // loser sees a conflict, exactly like a stale version.
      const res = await q.query(INSERT_RUN, values);
      changed = res.rowCount ?? 0;
    } else {
      // The row lock taken here serialises concurrent writers of this run; the WHERE on version is
      // re-checked on the newest row once the lock is granted, so exactly one of them wins.
      const res = await q.query(UPDATE_RUN, [...values, expectedVersion]);
      changed = res.rowCount ?? 0;
    }
    if (changed === 0) return false;
    if (change.history) {
      const h = change.history;
      // The run row is locked by this transaction, so max(seq) cannot race.
      await q.query(
        `INSERT INTO run_history (run_id, seq, at, source, status, session_status, stop_reason, outcome_result, turn, snapshot_key, note)
         VALUES ($1, (SELECT coalesce(max(seq), 0) + 1 FROM run_history WHERE run_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          run.id,
          h.at,
          h.source,
          h.status,
          h.sessionStatus,
          h.stopReason,
          h.outcomeResult,
          h.turn,
          h.snapshotKey,
          h.note,
        ],
      );
    }
    const outbox = change.outbox ?? [];
    if (outbox.length > 0) {
      await q.query(
        `INSERT INTO outbox (id, target, url, payload, created_at, state, attempts, next_attempt_at)
         SELECT id, target, url, payload, created_at, 'pending', 0, created_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS m(id, target, url, payload, created_at)
         ON CONFLICT (id) DO NOTHING`,
        [
          outbox.map((m) => m.id),
          outbox.map((m) => m.target),
          outbox.map((m) => m.url),
          outbox.map((m) => m.payload),
          outbox.map((m) => m.createdAt),
        ],
      );
    }
    return true;
  });
}

export async function runHistory(db: Db, id: string): Promise<RunHistoryEntry[]> {
  const res = await db.query<Row>('SELECT * FROM run_history WHERE run_id = $1 ORDER BY seq', [id]);
  return res.rows.map(historyRows.read);
}

export async function runsToReconcile(db: Db, limit: number): Promise<Run[]> {
  // Matches the partial index runs_reconcile; PostgreSQL sorts NULLs last by default, and
  // never-checked runs must come first.
  const res = await db.query<Row>(
    `SELECT * FROM runs WHERE status IN ('pending', 'running', 'blocked')
     ORDER BY last_checked_at NULLS FIRST, id LIMIT $1`,
    [limit],
  );
  return res.rows.map(runRows.read);
}

export async function markRunChecked(db: Db, id: string, at: number): Promise<void> {
  // Not a run change: the version stays, so a concurrent saveRun does not conflict with it.
  await db.query('UPDATE runs SET last_checked_at = $2 WHERE id = $1', [id, at]);
}
