// Events: the deduplicated webhook ledger and the worker's claim queue (synchronous, thread side).
import { EVENT_COLUMNS, type Row, rowCodec } from '../columns.js';
import {
  EVENT_STATES,
  type EventOutcome,
  type EventQuery,
  type RejectCount,
  type StoredEvent,
} from '../types.js';
import { sqliteCodec } from './codec.js';
import { EVENT_WIRE_FIELDS, type EventRows } from './protocol.js';
import { chunks, type Db, stmt, writeTx } from './statements.js';

const eventRows = rowCodec(EVENT_COLUMNS, sqliteCodec);

const INSERT = `INSERT INTO events (id, type, created_at, received_at, subject_id, thread_id, raw, state, processed_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`;

const COUNT = `INSERT INTO event_counts (type, state, count) VALUES (?, ?, ?)
  ON CONFLICT (type, state) DO UPDATE SET count = count + excluded.count`;

/** The events as protocol.ts packs them, each inserted unless its id is stored already; one
 * flag per event back, true for a duplicate. The batch's inserted rows are added to
 * `event_counts` once per (type, state), in the same transaction (migration 0009). */
export function insertEvents(db: Db, rows: EventRows): boolean[] {
  const n = rows.length / EVENT_WIRE_FIELDS;
  if (n === 0) return [];
  const insert = stmt(db, INSERT);
  return writeTx(db, () => {
    const duplicates: boolean[] = [];
    // state -> type -> rows inserted: a batch holds one or two of each.
    const added = new Map<string, Map<string, number>>();
    for (let at = 0; at < rows.length; at += EVENT_WIRE_FIELDS) {
      const type = rows[at + 1] as string;
      const receivedAt = rows[at + 3];
      const state = rows[at + 7] as string;
      // Events that need no work are finished on arrival.
      const processedAt = state === 'pending' ? null : receivedAt;
      const duplicate =
        insert.run(
          rows[at],
          type,
          rows[at + 2],
          receivedAt,
          rows[at + 4],
          rows[at + 5],
          rows[at + 6],
          state,
          processedAt,
        ).changes === 0;
      duplicates.push(duplicate);
      if (!duplicate) {
        let byType = added.get(state);
        if (!byType) {
          byType = new Map();
          added.set(state, byType);
        }
        byType.set(type, (byType.get(type) ?? 0) + 1);
      }
    }
    const count = stmt(db, COUNT);
    for (const [state, byType] of added) for (const [type, k] of byType) count.run(type, state, k);
    return duplicates;
  });
}

export function getEvent(db: Db, id: string): StoredEvent | null {
  const row = stmt(db, 'SELECT * FROM events WHERE id = ?').get(id) as Row | undefined;
  return row ? eventRows.read(row) : null;
}

const STATES: ReadonlySet<string> = new Set(EVENT_STATES);

function eventFilter(query: Omit<EventQuery, 'limit'>): { where: string; params: unknown[] } {
  const terms: string[] = [];
  const params: unknown[] = [];
  const add = (term: string, ...values: unknown[]) => {
    terms.push(term);
    params.push(...values);
  };
  if (query.type !== undefined) add('type = ?', query.type);
  if (query.subjectId !== undefined) add('subject_id = ?', query.subjectId);
  // A known state goes in as a literal: only then can SQLite use the partial indexes on pending,
  // processing and failed rows (it cannot match a bound parameter to an index's WHERE).
  if (query.state !== undefined) {
    if (STATES.has(query.state)) add(`state = '${query.state}'`);
    else add('state = ?', query.state);
  }
  if (query.since !== undefined) add('received_at >= ?', query.since);
  if (query.until !== undefined) add('received_at < ?', query.until);
  if (query.before) add('(received_at, id) < (?, ?)', query.before.receivedAt, query.before.id);
  if (query.after) add('(received_at, id) > (?, ?)', query.after.receivedAt, query.after.id);
  return { where: terms.length ? `WHERE ${terms.join(' AND ')}` : '', params };
}

export function listEvents(db: Db, query: EventQuery): StoredEvent[] {
  const { where, params } = eventFilter(query);
  // `after` is what --follow uses: oldest first from a position. Everything else is newest first.
  const order = query.after && !query.before ? 'ASC' : 'DESC';
  const sql = `SELECT * FROM events ${where} ORDER BY received_at ${order}, id ${order} LIMIT ?`;
  const rows = stmt(db, sql).all(...params, query.limit ?? 100) as Row[];
  return rows.map(eventRows.read);
}

export function countEvents(db: Db, query: Omit<EventQuery, 'before' | 'after' | 'limit'>): number {
  const { where, params } = eventFilter(query);
  const row = stmt(db, `SELECT count(*) AS n FROM events ${where}`).get(...params) as { n: number };
  return row.n;
}

export function claimEvents(
  db: Db,
  opts: { owner: string; limit: number; now: number; leaseMs: number },
): StoredEvent[] {
  if (opts.limit <= 0) return [];
  return writeTx(db, () => {
    // Three index-ordered picks instead of one OR query, so a backlog of a million pending rows
    // never needs a sort: abandoned claims first, then fresh events, then retries that are due.
    const ids: string[] = [];
    const pick = (sql: string, ...params: unknown[]) => {
      if (ids.length >= opts.limit) return;
      const rows = stmt(db, sql).all(...params, opts.limit - ids.length) as { id: string }[];
      for (const r of rows) ids.push(r.id);
    };
    pick(
      `SELECT id FROM events WHERE state = 'processing' AND lease_expires_at <= ? ORDER BY lease_expires_at LIMIT ?`,
      opts.now,
    );
    pick(`SELECT id FROM events WHERE state = 'pending' AND next_attempt_at IS NULL LIMIT ?`);
    pick(
      `SELECT id FROM events WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`,
      opts.now,
    );
    const claim = stmt(
      db,
      `UPDATE events SET state = 'processing', lease_owner = ?, lease_expires_at = ? WHERE id = ? RETURNING *`,
    );
    return ids.map((id) => eventRows.read(claim.get(opts.owner, opts.now + opts.leaseMs, id) as Row));
  });
}

export function finishEvent(db: Db, id: string, owner: string, outcome: EventOutcome, now: number): void {
  // The WHERE on owner and state is the lease check: a worker whose lease expired and was taken
  // over by another one changes nothing.
  const held = `WHERE id = ? AND state = 'processing' AND lease_owner = ?`;
  if (outcome.state === 'retry') {
    stmt(
      db,
      `UPDATE events SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
        lease_owner = NULL, lease_expires_at = NULL ${held}`,
    ).run(outcome.nextAttemptAt, outcome.error, id, owner);
  } else if (outcome.state === 'failed') {
    stmt(
      db,
      `UPDATE events SET state = 'failed', attempts = attempts + 1, last_error = ?, processed_at = ?,
        next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL ${held}`,
    ).run(outcome.error, now, id, owner);
  } else {
    stmt(
      db,
      `UPDATE events SET state = ?, attempts = attempts + 1, last_error = NULL, processed_at = ?,
        next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL ${held}`,
    ).run(outcome.state, now, id, owner);
  }
}

export function requeueEvents(db: Db, ids: string[], _now: number): number {
  const unique = [...new Set(ids)];
  return writeTx(db, () => {
    let n = 0;
    for (const part of chunks(unique)) {
      // Pruned events (raw gone) cannot be processed again; processing ones are being worked on.
      const sql = `UPDATE events SET state = 'pending', next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
        processed_at = NULL WHERE id IN (${part.map(() => '?').join(',')}) AND state <> 'processing' AND raw IS NOT NULL`;
      n += stmt(db, sql).run(...part).changes;
    }
    return n;
  });
}

export function addRejects(db: Db, rows: RejectCount[]): void {
  if (rows.length === 0) return;
  const upsert = stmt(
    db,
    `INSERT INTO rejects (minute, code, count) VALUES (?, ?, ?)
     ON CONFLICT (minute, code) DO UPDATE SET count = count + excluded.count`,
  );
  writeTx(db, () => {
    for (const r of rows) upsert.run(r.minute, r.code, r.count);
  });
}

export function listRejects(db: Db, since: number): RejectCount[] {
  return stmt(db, 'SELECT minute, code, count FROM rejects WHERE minute >= ? ORDER BY minute, code').all(
    since,
  ) as RejectCount[];
}
