// Outbox: notifications committed with run changes, delivered by the notifier (thread side).
import { OUTBOX_COLUMNS, type Row, rowCodec } from '../columns.js';
import { OUTBOX_CLAIM_MS, type OutboxAttempt, type OutboxMessage } from '../types.js';
import { sqliteCodec } from './codec.js';
import { type Db, stmt, writeTx } from './statements.js';

const outboxRows = rowCodec(OUTBOX_COLUMNS, sqliteCodec);

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
    return rows.map((r) => outboxRows.read(claim.get(opts.now + OUTBOX_CLAIM_MS, r.id) as Row));
  });
}

export function finishOutbox(db: Db, id: string, outcome: OutboxAttempt, now: number): void {
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
  ) as Row[];
  return rows.map(outboxRows.read);
}

export function getOutbox(db: Db, id: string): OutboxMessage | null {
  const r = stmt(db, 'SELECT * FROM outbox WHERE id = ?').get(id) as Row | undefined;
  return r ? outboxRows.read(r) : null;
}

export function retryOutbox(db: Db, id: string, now: number): boolean {
  // Attempts restart so that the retry gets a full backoff schedule again.
  const res = stmt(
    db,
    `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND state <> 'delivered'`,
  ).run(now, id);
  return res.changes > 0;
}
