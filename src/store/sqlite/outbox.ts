// Outbox: notifications committed with run changes, delivered by the notifier (thread side).
import { OUTBOX_CLAIM_MS, type OutboxMessage } from '../types.js';
import { type Db, stmt, writeTx } from './statements.js';

interface OutboxRow {
  id: string;
  target: string;
  url: string;
  payload: string;
  created_at: number;
  state: OutboxMessage['state'];
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  delivered_at: number | null;
}

function toMessage(r: OutboxRow): OutboxMessage {
  return {
    id: r.id,
    target: r.target,
    url: r.url,
    payload: r.payload,
    createdAt: r.created_at,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    deliveredAt: r.delivered_at,
  };
}

export function claimOutbox(db: Db, opts: { now: number; limit: number }): OutboxMessage[] {
  if (opts.limit <= 0) return [];
  return writeTx(db, () => {
    const rows = stmt(
      db,
      `SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
    ).all(opts.now, opts.limit) as { id: string }[];
    // Claiming pushes next_attempt_at forward, so a concurrent claimer does not take the same row.
    const claim = stmt(
      db,
      'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ? RETURNING *',
    );
    return rows.map((r) => toMessage(claim.get(opts.now + OUTBOX_CLAIM_MS, r.id) as OutboxRow));
  });
}

export function finishOutbox(
  db: Db,
  id: string,
  outcome: { delivered: true } | { delivered: false; error: string; nextAttemptAt: number | null },
  now: number,
): void {
  if (outcome.delivered) {
    stmt(
      db,
      `UPDATE outbox SET state = 'delivered', delivered_at = ?, last_error = NULL WHERE id = ? AND state = 'pending'`,
    ).run(now, id);
  } else if (outcome.nextAttemptAt === null) {
    stmt(db, `UPDATE outbox SET state = 'failed', last_error = ? WHERE id = ? AND state = 'pending'`).run(
      outcome.error,
      id,
    );
  } else {
    stmt(db, `UPDATE outbox SET next_attempt_at = ?, last_error = ? WHERE id = ? AND state = 'pending'`).run(
      outcome.nextAttemptAt,
      outcome.error,
      id,
    );
  }
}

export function listOutbox(
  db: Db,
  query: { state?: OutboxMessage['state']; limit?: number },
): OutboxMessage[] {
  const where = query.state !== undefined ? 'WHERE state = ?' : '';
  const params = query.state !== undefined ? [query.state] : [];
  const rows = stmt(db, `SELECT * FROM outbox ${where} ORDER BY created_at, id LIMIT ?`).all(
    ...params,
    query.limit ?? 100,
  ) as OutboxRow[];
  return rows.map(toMessage);
}

export function getOutbox(db: Db, id: string): OutboxMessage | null {
  const r = stmt(db, 'SELECT * FROM outbox WHERE id = ?').get(id) as OutboxRow | undefined;
  return r ? toMessage(r) : null;
}

export function retryOutbox(db: Db, id: string, now: number): boolean {
  // Attempts restart so that the retry gets a full backoff schedule again.
  const res = stmt(
    db,
    `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND state <> 'delivered'`,
  ).run(now, id);
  return res.changes > 0;
}
