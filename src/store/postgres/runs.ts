// Runs: one row per session, changed only by compare-and-set on `version`, with its history and
// outbox rows committed in the same transaction (DESIGN.md semantics 4 and 6).
import type { Run, RunChange, RunHistoryEntry, RunQuery } from '../types.js';
import { type Db, Params } from './db.js';

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
  evaluations: Run['evaluations'];
  output: string | null;
  usage: Run['usage'];
  error: string | null;
  archived: boolean;
  turn: number;
  snapshot_key: string | null;
  metadata: Run['metadata'];
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
  // JSONB columns arrive parsed.
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
    evaluations: r.evaluations,
    output: r.output,
    usage: r.usage,
    error: r.error,
    archived: r.archived,
    turn: r.turn,
    snapshotKey: r.snapshot_key,
    metadata: r.metadata,
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

/** [column, value, SQL cast] in table order; id first. JSON goes in as text cast to JSONB. */
function runColumns(run: Run, version: number): [string, unknown, string][] {
  return [
    ['id', run.id, ''],
    ['agent_id', run.agentId, ''],
    ['agent_name', run.agentName, ''],
    ['agent_version', run.agentVersion, '::int'],
    ['environment_id', run.environmentId, ''],
    ['title', run.title, ''],
    ['task', run.task, ''],
    ['status', run.status, ''],
    ['session_status', run.sessionStatus, ''],
    ['stop_reason', run.stopReason, ''],
    ['outcome_result', run.outcomeResult, ''],
    ['evaluations', JSON.stringify(run.evaluations ?? []), '::jsonb'],
    ['output', run.output, ''],
    ['usage', run.usage === null || run.usage === undefined ? null : JSON.stringify(run.usage), '::jsonb'],
    ['error', run.error, ''],
    ['archived', run.archived === true, '::boolean'],
    ['turn', run.turn, '::int'],
    ['snapshot_key', run.snapshotKey, ''],
    ['metadata', JSON.stringify(run.metadata ?? {}), '::jsonb'],
    ['launched_by', run.launchedBy, ''],
    ['launch_id', run.launchId, ''],
    ['parent_run_id', run.parentRunId, ''],
    ['pipeline', run.pipeline, ''],
    ['step', run.step, ''],
    ['session_created_at', run.sessionCreatedAt, '::bigint'],
    ['session_updated_at', run.sessionUpdatedAt, '::bigint'],
    ['first_seen_at', run.firstSeenAt, '::bigint'],
    ['finished_at', run.finishedAt, '::bigint'],
    ['last_checked_at', run.lastCheckedAt, '::bigint'],
    ['version', version, '::int'],
  ];
}

export async function getRun(db: Db, id: string): Promise<Run | null> {
  const res = await db.query<RunRow>('SELECT * FROM runs WHERE id = $1', [id]);
  return res.rows.length ? toRun(res.rows[0]) : null;
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
  if (query.parentRunId !== undefined) terms.push(`parent_run_id = ${p.add(query.parentRunId)}`);
  if (query.before)
    terms.push(`(first_seen_at, id) < (${p.add(query.before.firstSeenAt)}, ${p.add(query.before.id)})`);
  return terms.length ? `WHERE ${terms.join(' AND ')}` : '';
}

export async function listRuns(db: Db, query: RunQuery): Promise<Run[]> {
  const p = new Params();
  const where = runFilter(query, p);
  const sql = `SELECT * FROM runs ${where} ORDER BY first_seen_at DESC, id DESC LIMIT ${p.add(query.limit ?? 100)} OFFSET ${p.add(query.offset ?? 0)}`;
  const res = await db.query<RunRow>(sql, p.values);
  return res.rows.map(toRun);
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
  const cols = runColumns(run, expectedVersion + 1);
  return db.tx(async (q) => {
    let changed: number;
    if (expectedVersion === 0) {
      // A concurrent insert of the same id waits for the other to commit, then does nothing: the
      // loser sees a conflict, exactly like a stale version.
      const res = await q.query(
        `INSERT INTO runs (${cols.map((c) => c[0]).join(', ')}) VALUES (${cols.map((c, i) => `$${i + 1}${c[2]}`).join(', ')})
         ON CONFLICT (id) DO NOTHING`,
        cols.map((c) => c[1]),
      );
      changed = res.rowCount ?? 0;
    } else {
      // The row lock taken here serialises concurrent writers of this run; the WHERE on version is
      // re-checked on the newest row once the lock is granted, so exactly one of them wins.
      const sets = cols.slice(1).map((c, i) => `${c[0]} = $${i + 2}${c[2]}`);
      const res = await q.query(
        `UPDATE runs SET ${sets.join(', ')} WHERE id = $1 AND version = $${cols.length + 1}`,
        [...cols.map((c) => c[1]), expectedVersion],
      );
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

export async function runHistory(db: Db, id: string): Promise<RunHistoryEntry[]> {
  const res = await db.query<HistoryRow>('SELECT * FROM run_history WHERE run_id = $1 ORDER BY seq', [id]);
  return res.rows.map((r) => ({
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

export async function runsToReconcile(db: Db, limit: number): Promise<Run[]> {
  // Matches the partial index runs_reconcile; PostgreSQL sorts NULLs last by default, and
  // never-checked runs must come first.
  const res = await db.query<RunRow>(
    `SELECT * FROM runs WHERE status IN ('pending', 'running', 'blocked')
     ORDER BY last_checked_at NULLS FIRST, id LIMIT $1`,
    [limit],
  );
  return res.rows.map(toRun);
}

export async function markRunChecked(db: Db, id: string, at: number): Promise<void> {
  // Not a run change: the version stays, so a concurrent saveRun does not conflict with it.
  await db.query('UPDATE runs SET last_checked_at = $2 WHERE id = $1', [id, at]);
}
