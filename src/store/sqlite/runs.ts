// Runs: one row per session, changed only by compare-and-set on `version`, with its history and
// outbox rows committed in the same transaction (synchronous, thread side).
import { type Row, RUN_COLUMNS, RUN_HISTORY_COLUMNS, rowCodec } from '../columns.js';
import { FAILURE_REASON_SQL } from '../insight-cells.js';
import type { Run, RunChange, RunHistoryEntry, RunQuery } from '../types.js';
import { sqliteCodec } from './codec.js';
import { type Db, likePattern, orNull, stmt, writeTx } from './statements.js';

const runRows = rowCodec(RUN_COLUMNS, sqliteCodec);
const historyRows = rowCodec(RUN_HISTORY_COLUMNS, sqliteCodec);

const INSERT_RUN = `INSERT INTO runs (${runRows.names.join(', ')}) VALUES (${runRows.names.map(() => '?').join(', ')})
  ON CONFLICT (id) DO NOTHING`;
// id is the first column and bound again in the WHERE, after the expected version.
const UPDATE_RUN = `UPDATE runs SET ${runRows.names
  .slice(1)
  .map((c) => `${c} = ?`)
  .join(', ')} WHERE id = ? AND version = ?`;

export function getRun(db: Db, id: string): Run | null {
  const row = stmt(db, 'SELECT * FROM runs WHERE id = ?').get(id) as Row | undefined;
  return row ? runRows.read(row) : null;
}

/** Searches matching more rows than this go through an ordered LIKE scan instead of the index. */
const COMMON_SEARCH = 2000;

type SearchPlan = { kind: 'index'; match: string } | { kind: 'scan' } | { kind: 'none' };

/**
 * How to answer a search. The trigram index finds rare substrings (3+ characters) at once, but
 * for a term in most rows, reading all its hits costs more than scanning newest-first with LIKE
 * until the page is full; one bounded probe of the index tells the two cases apart.
 */
function searchPlan(db: Db, search: string | undefined): SearchPlan {
  if (search === undefined || search === '') return { kind: 'none' };
  if ([...search].length < 3) return { kind: 'scan' };
  // A quoted FTS5 string is one phrase: with the trigram tokenizer it matches as a literal,
  // case-insensitive substring, like LIKE does.
  const match = `"${search.replace(/"/g, '""')}"`;
  const probe = stmt(
    db,
    'SELECT count(*) AS n FROM (SELECT rowid FROM runs_search WHERE runs_search MATCH ? LIMIT ?)',
  ).get(match, COMMON_SEARCH + 1) as { n: number };
  return probe.n <= COMMON_SEARCH ? { kind: 'index', match } : { kind: 'scan' };
}

function runFilter(query: RunQuery, plan: SearchPlan): { where: string; params: unknown[] } {
  const terms: string[] = [];
  const params: unknown[] = [];
  const add = (term: string, ...values: unknown[]) => {
    terms.push(term);
    params.push(...values);
  };
  if (query.status && query.status.length > 0)
    add(`status IN (${query.status.map(() => '?').join(', ')})`, ...query.status);
  if (query.agent !== undefined) add('(agent_name = ? OR agent_id = ?)', query.agent, query.agent);
  if (query.since !== undefined) add('first_seen_at >= ?', query.since);
  if (query.until !== undefined) add('first_seen_at < ?', query.until);
  if (plan.kind === 'index') {
    add(
      '(id = ? OR pk IN (SELECT rowid FROM runs_search WHERE runs_search MATCH ?))',
      query.search,
      plan.match,
    );
  } else if (plan.kind === 'scan') {
    const p = likePattern(query.search ?? '');
    add(
      "(id = ? OR task LIKE ? ESCAPE '\\' OR output LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\')",
      query.search,
      p,
      p,
      p,
    );
  }
  if (query.pipeline !== undefined) add('pipeline = ?', query.pipeline);
  if (query.reason !== undefined) add(`${FAILURE_REASON_SQL} = ?`, query.reason);
  if (query.parentRunId !== undefined) add('parent_run_id = ?', query.parentRunId);
  if (query.before) add('(first_seen_at, id) < (?, ?)', query.before.firstSeenAt, query.before.id);
  return { where: terms.length ? `WHERE ${terms.join(' AND ')}` : '', params };
}

export function listRuns(db: Db, query: RunQuery): Run[] {
  const { where, params } = runFilter(query, searchPlan(db, query.search));
  // Page over keys first, then read the page's rows: sorting many matches (an agent with
  // thousands of runs) then touches only index entries, not every row's output text.
  const sql = `SELECT * FROM runs WHERE pk IN (SELECT pk FROM runs ${where}
    ORDER BY first_seen_at DESC, id DESC LIMIT ? OFFSET ?) ORDER BY first_seen_at DESC, id DESC`;
  const rows = stmt(db, sql).all(...params, query.limit ?? 100, query.offset ?? 0) as Row[];
  return rows.map(runRows.read);
}

export function countRuns(db: Db, query: Omit<RunQuery, 'before' | 'offset' | 'limit'>): number {
  const plan = searchPlan(db, query.search);
  const { search, ...rest } = query;
  const onlySearch = Object.values(rest).every(
    (v) => v === undefined || (Array.isArray(v) && v.length === 0),
  );
  if (plan.kind === 'scan' && onlySearch && search !== undefined && [...search].length >= 3) {
    // A common term and nothing else: counting index hits beats reading every row's text.
    const match = `"${search.replace(/"/g, '""')}"`;
    const hits = stmt(db, 'SELECT count(*) AS n FROM runs_search WHERE runs_search MATCH ?').get(match) as {
      n: number;
    };
    const byId = stmt(
      db,
      'SELECT count(*) AS n FROM runs WHERE id = ? AND pk NOT IN (SELECT rowid FROM runs_search WHERE runs_search MATCH ?)',
    ).get(search, match) as { n: number };
    return hits.n + byId.n;
  }
  const { where, params } = runFilter(query, plan);
  return (stmt(db, `SELECT count(*) AS n FROM runs ${where}`).get(...params) as { n: number }).n;
}

export function saveRun(db: Db, change: RunChange): boolean {
  const { run, expectedVersion } = change;
  return writeTx(db, () => {
    const values = runRows.values({ ...run, version: expectedVersion + 1 });
    const info =
      expectedVersion === 0
        ? stmt(db, INSERT_RUN).run(...values)
        : stmt(db, UPDATE_RUN).run(...values.slice(1), run.id, expectedVersion);
    if (info.changes === 0) return false;
    if (change.history) {
      const h = change.history;
      stmt(
        db,
        `INSERT INTO run_history (run_id, seq, at, source, status, session_status, stop_reason, outcome_result, turn, snapshot_key, note)
         VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM run_history WHERE run_id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        ...[
          run.id,
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
        ].map(orNull),
      );
    }
    const outbox = stmt(
      db,
      `INSERT INTO outbox (id, target, url, payload, created_at, state, attempts, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, 'pending', 0, ?) ON CONFLICT (id) DO NOTHING`,
    );
    for (const m of change.outbox ?? [])
      outbox.run(m.id, m.target, m.url, m.payload, m.createdAt, m.createdAt);
    return true;
  });
}

export function runHistory(db: Db, id: string): RunHistoryEntry[] {
  const rows = stmt(db, 'SELECT * FROM run_history WHERE run_id = ? ORDER BY seq').all(id) as Row[];
  return rows.map(historyRows.read);
}

export function runsToReconcile(db: Db, limit: number): Run[] {
  // The WHERE matches the partial index runs_reconcile exactly, so the planner can use it;
  // NULLs sort first in SQLite, so never-checked runs come first.
  const rows = stmt(
    db,
    `SELECT * FROM runs WHERE status IN ('pending', 'running', 'blocked') ORDER BY last_checked_at, id LIMIT ?`,
  ).all(limit) as Row[];
  return rows.map(runRows.read);
}

export function markRunChecked(db: Db, id: string, at: number): void {
  // Not a run change: the version stays, so a concurrent saveRun does not conflict with it.
  stmt(db, 'UPDATE runs SET last_checked_at = ? WHERE id = ?').run(at, id);
}
