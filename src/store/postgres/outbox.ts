// Outbox: notifications committed with run changes, delivered by whichever replica claims them.
import { OUTBOX_COLUMNS, type Row, rowCodec } from '../columns.js';
import { OUTBOX_CLAIM_MS, type OutboxAttempt, type OutboxMessage } from '../types.js';
import { postgresCodec } from './codec.js';
import type { Db } from './db.js';

const outboxRows = rowCodec(OUTBOX_COLUMNS, postgresCodec);

// Claiming pushes next_attempt_at forward by OUTBOX_CLAIM_MS (the same contract as SQLite), so a
// concurrent claimer skips the row while it is locked and finds it not due once committed; a
// crashed notifier's claims become due again after that time.
const CLAIM = `WITH picked AS (
    SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= $1
    ORDER BY next_attempt_at, id LIMIT $2
    FOR UPDATE SKIP LOCKED
  )
  UPDATE outbox o SET attempts = o.attempts + 1, next_attempt_at = $3
  FROM picked WHERE o.id = picked.id
  RETURNING o.*`;

export async function claimOutbox(db: Db, opts: { now: number; limit: number }): Promise<OutboxMessage[]> {
  if (opts.limit <= 0) return [];
  const res = await db.query<Row>(CLAIM, [opts.now, opts.limit, opts.now + OUTBOX_CLAIM_MS]);
  // RETURNING has no defined order; deliver oldest first.
  return res.rows
    .map(outboxRows.read)
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function finishOutbox(db: Db, id: string, outcome: OutboxAttempt, now: number): Promise<void> {
  if (outcome.delivered) {
    await db.query(
      `UPDATE outbox SET state = 'delivered', delivered_at = $2, last_error = NULL WHERE id = $1 AND state = 'pending'`,
      [id, now],
    );
  } else if (outcome.nextAttemptAt === null) {
    await db.query(
      `UPDATE outbox SET state = 'failed', last_error = $2 WHERE id = $1 AND state = 'pending'`,
      [id, outcome.error],
    );
  } else {
    await db.query(
      `UPDATE outbox SET next_attempt_at = $2, last_error = $3 WHERE id = $1 AND state = 'pending'`,
      [id, outcome.nextAttemptAt, outcome.error],
    );
  }
}

export async function listOutbox(
  db: Db,
  query: { state?: OutboxMessage['state']; limit?: number },
): Promise<OutboxMessage[]> {
  const res =
    query.state !== undefined
      ? await db.query<Row>('SELECT * FROM outbox WHERE state = $1 ORDER BY created_at, id LIMIT $2', [
          query.state,
          query.limit ?? 100,
        ])
      : await db.query<Row>('SELECT * FROM outbox ORDER BY created_at, id LIMIT $1', [query.limit ?? 100]);
  return res.rows.map(outboxRows.read);
}

export async function getOutbox(db: Db, id: string): Promise<OutboxMessage | null> {
  const r = (await db.query<Row>('SELECT * FROM outbox WHERE id = $1', [id])).rows[0];
  return r ? outboxRows.read(r) : null;
}

export async function retryOutbox(db: Db, id: string, now: number): Promise<boolean> {
  // Attempts restart so that the retry gets a full backoff schedule again.
  const res = await db.query(
    `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $2 WHERE id = $1 AND state <> 'delivered'`,
    [id, now],
  );
  return (res.rowCount ?? 0) > 0;
}
