// Events: the deduplicated webhook ledger and the worker's claim queue, shared by every replica
// (DESIGN.md semantics 1 and 7). Rejected-request counters live here too (same ingest path).
import { EVENT_COLUMNS, type Row, rowCodec } from '../columns.js';
import type { EventOutcome, EventQuery, InsertResult, NewEvent, RejectCount, StoredEvent } from '../types.js';
import { postgresCodec } from './codec.js';
import { type Db, Params } from './db.js';

const eventRows = rowCodec(EVENT_COLUMNS, postgresCodec);

/** Oldest first, ties broken by id: the order listings and claims hand rows out in. */
function byReceived(a: StoredEvent, b: StoredEvent): number {
  return a.receivedAt - b.receivedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

// One statement over arrays: one round trip and one implicit transaction for the whole batch.
// ON CONFLICT DO NOTHING waits for a concurrent insert of the same id to commit, then skips it,
// so a duplicate arriving at another replica at the same moment is still reported as one.
const INSERT = `INSERT INTO events (id, type, created_at, received_at, subject_id, thread_id, raw, state, processed_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[])
  ON CONFLICT (id) DO NOTHING RETURNING id`;

/**
 * How long a batch of webhook events may wait for the server before the deliveries are answered
 * 503 (store_unavailable): well within the platform's patience, and the platform retries them.
 * A batch that did commit after all is then a duplicate on the retry, answered 200.
 */
export const INSERT_TIMEOUT_MS = 10_000;

export async function insertEvents(db: Db, events: NewEvent[]): Promise<InsertResult[]> {
  if (events.length === 0) return [];
  // The first occurrence of an id in the batch is the one stored; later ones are duplicates.
  const first = new Map<string, NewEvent>();
  for (const e of events) if (!first.has(e.id)) first.set(e.id, e);
  // Inserting in id order makes every batch take its row locks in the same order, so two batches
  // with overlapping ids wait for each other instead of deadlocking.
  const rows = [...first.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const res = await db.query<{ id: string }>(
    INSERT,
    [
      rows.map((e) => e.id),
      rows.map((e) => e.type),
      rows.map((e) => e.createdAt),
      rows.map((e) => e.receivedAt),
      rows.map((e) => e.subjectId),
      rows.map((e) => e.threadId),
      rows.map((e) => e.raw),
      rows.map((e) => e.state),
      // Events that need no work are finished on arrival.
      rows.map((e) => (e.state === 'pending' ? null : e.receivedAt)),
    ],
    { timeoutMs: INSERT_TIMEOUT_MS },
  );
  const inserted = new Set(res.rows.map((r) => r.id));
  return events.map((e) => {
    const fresh = inserted.delete(e.id);
    return { id: e.id, duplicate: !fresh };
  });
}

export async function getEvent(db: Db, id: string): Promise<StoredEvent | null> {
  const res = await db.query<Row>('SELECT * FROM events WHERE id = $1', [id]);
  return res.rows.length ? eventRows.read(res.rows[0]) : null;
}

function eventFilter(query: Omit<EventQuery, 'limit'>, p: Params): string {
  const terms: string[] = [];
  if (query.type !== undefined) terms.push(`type = ${p.add(query.type)}`);
  if (query.subjectId !== undefined) terms.push(`subject_id = ${p.add(query.subjectId)}`);
  if (query.state !== undefined) terms.push(`state = ${p.add(query.state)}`);
  if (query.since !== undefined) terms.push(`received_at >= ${p.add(query.since)}`);
  if (query.until !== undefined) terms.push(`received_at < ${p.add(query.until)}`);
  if (query.before)
    terms.push(`(received_at, id) < (${p.add(query.before.receivedAt)}, ${p.add(query.before.id)})`);
  if (query.after)
    terms.push(`(received_at, id) > (${p.add(query.after.receivedAt)}, ${p.add(query.after.id)})`);
  return terms.length ? `WHERE ${terms.join(' AND ')}` : '';
}

export async function listEvents(db: Db, query: EventQuery): Promise<StoredEvent[]> {
  const p = new Params();
  const where = eventFilter(query, p);
  // `after` is what --follow uses: oldest first from a position. Everything else is newest first.
  const order = query.after && !query.before ? 'ASC' : 'DESC';
  const sql = `SELECT * FROM events ${where} ORDER BY received_at ${order}, id ${order} LIMIT ${p.add(query.limit ?? 100)}`;
  const res = await db.query<Row>(sql, p.values);
  return res.rows.map(eventRows.read);
}

export async function countEvents(
  db: Db,
  query: Omit<EventQuery, 'before' | 'after' | 'limit'>,
): Promise<number> {
  const p = new Params();
  const res = await db.query<{ n: number }>(
    `SELECT count(*) AS n FROM events ${eventFilter(query, p)}`,
    p.values,
  );
  return res.rows[0].n;
}

// FOR UPDATE SKIP LOCKED: a row another replica is claiming right now is skipped rather than
// waited for, so replicas never block each other and never take the same row. A row that another
// replica claimed and committed after this statement's snapshot is re-checked on its newest
// version and dropped (it is no longer due). The CTE is materialised once (it locks rows).
const CLAIM = `WITH picked AS (
    SELECT id FROM events
    WHERE state IN ('pending', 'processing')
      AND ((state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= $1))
        OR (state = 'processing' AND lease_expires_at <= $1))
    ORDER BY received_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
  )
  UPDATE events e SET state = 'processing', lease_owner = $3, lease_expires_at = $4
  FROM picked WHERE e.id = picked.id
  RETURNING e.*`;

export async function claimEvents(
  db: Db,
  opts: { owner: string; limit: number; now: number; leaseMs: number },
): Promise<StoredEvent[]> {
  if (opts.limit <= 0) return [];
  const res = await db.query<Row>(CLAIM, [opts.now, opts.limit, opts.owner, opts.now + opts.leaseMs]);
  // RETURNING has no defined order; hand events out oldest first.
  return res.rows.map(eventRows.read).sort(byReceived);
}

export async function finishEvent(
  db: Db,
  id: string,
  owner: string,
  outcome: EventOutcome,
  now: number,
): Promise<void> {
  // The WHERE on owner and state is the lease check: a worker whose lease expired and was taken
  // over by another replica changes nothing.
  const held = `WHERE id = $1 AND state = 'processing' AND lease_owner = $2`;
  if (outcome.state === 'retry') {
    await db.query(
      `UPDATE events SET state = 'pending', attempts = attempts + 1, next_attempt_at = $3, last_error = $4,
        lease_owner = NULL, lease_expires_at = NULL ${held}`,
      [id, owner, outcome.nextAttemptAt, outcome.error],
    );
  } else if (outcome.state === 'failed') {
    await db.query(
      `UPDATE events SET state = 'failed', attempts = attempts + 1, last_error = $3, processed_at = $4,
        next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL ${held}`,
      [id, owner, outcome.error, now],
    );
  } else {
    await db.query(
      `UPDATE events SET state = $3, attempts = attempts + 1, last_error = NULL, processed_at = $4,
        next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL ${held}`,
      [id, owner, outcome.state, now],
    );
  }
}

export async function requeueEvents(db: Db, ids: string[], _now: number): Promise<number> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return 0;
  // Pruned events (raw gone) cannot be processed again; processing ones are being worked on.
  const res = await db.query(
    `UPDATE events SET state = 'pending', next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
      processed_at = NULL WHERE id = ANY($1::text[]) AND state <> 'processing' AND raw IS NOT NULL`,
    [unique],
  );
  return res.rowCount ?? 0;
}

export async function addRejects(db: Db, rows: RejectCount[]): Promise<void> {
  if (rows.length === 0) return;
  // One row per (minute, code): an upsert may not touch the same row twice in one statement.
  // Sorted, so concurrent batches lock rows in the same order.
  const sums = new Map<string, RejectCount>();
  for (const r of rows) {
    const key = `${r.minute}\u0000${r.code}`;
    const have = sums.get(key);
    if (have) have.count += r.count;
    else sums.set(key, { ...r });
  }
  const merged = [...sums.values()].sort(
    (a, b) => a.minute - b.minute || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
  await db.query(
    `INSERT INTO rejects (minute, code, count) SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[])
     ON CONFLICT (minute, code) DO UPDATE SET count = rejects.count + excluded.count`,
    [merged.map((r) => r.minute), merged.map((r) => r.code), merged.map((r) => r.count)],
  );
}

export async function listRejects(db: Db, since: number): Promise<RejectCount[]> {
  const res = await db.query<RejectCount>(
    'SELECT minute, code, count FROM rejects WHERE minute >= $1 ORDER BY minute, code',
    [since],
  );
  return res.rows;
}
