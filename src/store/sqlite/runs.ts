// Runs: one row per session, changed only by compare-and-set on `version`, with its history and
// outbox rows committed in the same transaction (synchronous, thread side).
import type { Run, RunChange, RunHistoryEntry, RunQuery } from '../types.js';
import { type Db, likePattern, orNull, stmt, writeTx } from './statements.js';

interface RunRow {
  id: string;
  agent_id: string | null;
  agent_name: string | null;
  agent_version: number | null;
  environment_id: string | null;
  title: string | null;
  task: string | null;
  status: Run['status'];
  session_status: string | null;
  stop_reason: string | null;
  outcome_result: string | null;
  evaluations: string;
  output: string | null;
  usage: string | null;
  error: string | null;
  archived: number;
  turn: number;
  snapshot_key: string | null;
  metadata: string;
  launched_by: Run['launchedBy'];
  launch_id: string | null;
  parent_run_id: string | null;
  pipeline: string | null;
  step: string | null;
  session_created_at: number | null;
  session_updated_at: number | null;
  first_seen_at: number;
  finished_at: number | null;
  last_checked_at: number | null;
  version: number;
}

function toRun(r: RunRow): Run {
  return {
    id: r.id,
    agentId: r.agent_id,
    agentName: r.agent_name,
    agentVersion: r.agent_version,
    environmentId: r.environment_id,
    title: r.title,
    task: r.task,
    status: r.status,
    sessionStatus: r.session_status,
    stopReason: r.stop_reason,
    outcomeResult: r.outcome_result,
    evaluations: JSON.parse(r.evaluations),
    output: r.output,
    usage: r.usage === null ? null : JSON.parse(r.usage),
    error: r.error,
    archived: r.archived === 1,
    turn: r.turn,
    snapshotKey: r.snapshot_key,
    metadata: JSON.parse(r.metadata),
    launchedBy: r.launched_by,
    launchId: r.launch_id,
    parentRunId: r.parent_run_id,
    pipeline: r.pipeline,
    step: r.step,
    sessionCreatedAt: r.session_created_at,
    sessionUpdatedAt: r.session_updated_at,
    firstSeenAt: r.first_seen_at,
    finishedAt: r.finished_at,
    lastCheckedAt: r.last_checked_at,
    version: r.version,
  };
}

/** Column values in COLUMNS order, for the stored version `version`. */
function runValues(run: Run, version: number): unknown[] {
  // undefined (a field a caller left out) binds as NULL; better-sqlite3 would reject it.
  return [
    run.id,
    run.agentId,
    run.agentName,
    run.agentVersion,
    run.environmentId,
    run.title,
    run.task,
    run.status,
    run.sessionStatus,
    run.stopReason,
    run.outcomeResult,
    JSON.stringify(run.evaluations ?? []),
    run.output,
    run.usage === null || run.usage === undefined ? null : JSON.stringify(run.usage),
    run.error,
    run.archived ? 1 : 0,
    run.turn,
    run.snapshotKey,
    JSON.stringify(run.metadata ?? {}),
    run.launchedBy,
    run.launchId,
    run.parentRunId,
    run.pipeline,
    run.step,
    run.sessionCreatedAt,
    run.sessionUpdatedAt,
    run.firstSeenAt,
    run.finishedAt,
    run.lastCheckedAt,
    version,
  ].map(orNull);
}

const COLUMNS = [
  'id',
  'agent_id',
  'agent_name',
  'agent_version',
  'environment_id',
  'title',
  'task',
  'status',
  'session_status',
  'stop_reason',
  'outcome_result',
  'evaluations',
  'output',
  'usage',
  'error',
  'archived',
  'turn',
  'snapshot_key',
  'metadata',
  'launched_by',
  'launch_id',
  'parent_run_id',
  'pipeline',
  'step',
  'session_created_at',
  'session_updated_at',
  'first_seen_at',
  'finished_at',
  'last_checked_at',
  'version',
];

const INSERT_RUN = `INSERT INTO runs (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT (id) DO NOTHING`;
// id is the first column and bound again in the WHERE, after the expected version.
const UPDATE_RUN = `UPDATE runs SET ${COLUMNS.slice(1)
  .map((c) => `${c} = ?`)
  .join(', ')} WHERE id = ? AND version = ?`;

export function getRun(db: Db, id: string): Run | null {
  const row = stmt(db, 'SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
  return row ? toRun(row) : null;
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
  const rows = stmt(db, sql).all(...params, query.limit ?? 100, query.offset ?? 0) as RunRow[];
  return rows.map(toRun);
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
    const values = runValues(run, expectedVersion + 1);
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

interface HistoryRow {
  run_id: string;
  seq: number;
  at: number;
  source: string;
  status: Run['status'];
  session_status: string | null;
  stop_reason: string | null;
  outcome_result: string | null;
  turn: number;
  snapshot_key: string | null;
  note: string | null;
}

export function runHistory(db: Db, id: string): RunHistoryEntry[] {
  const rows = stmt(db, 'SELECT * FROM run_history WHERE run_id = ? ORDER BY seq').all(id) as HistoryRow[];
  return rows.map((r) => ({
    runId: r.run_id,
    seq: r.seq,
    at: r.at,
    source: r.source,
    status: r.status,
    sessionStatus: r.session_status,
    stopReason: r.stop_reason,
    outcomeResult: r.outcome_result,
    turn: r.turn,
    snapshotKey: r.snapshot_key,
    note: r.note,
  }));
}

export function runsToReconcile(db: Db, limit: number): Run[] {
  // The WHERE matches the partial index runs_reconcile exactly, so the planner can use it;
  // NULLs sort first in SQLite, so never-checked runs come first.
  const rows = stmt(
    db,
    `SELECT * FROM runs WHERE status IN ('pending', 'running', 'blocked') ORDER BY last_checked_at, id LIMIT ?`,
  ).all(limit) as RunRow[];
  return rows.map(toRun);
}

export function markRunChecked(db: Db, id: string, at: number): void {
  // Not a run change: the version stays, so a concurrent saveRun does not conflict with it.
  stmt(db, 'UPDATE runs SET last_checked_at = ? WHERE id = ?').run(at, id);
}
