// Small shared state: key/value meta (heartbeats, high-water marks), named leases (the reconciler
// runs on one replica at a time), and the health check behind /ready.
import { AppError } from '../../errors.js';
import type { Db } from './db.js';

export async function getMeta(db: Db, key: string): Promise<string | null> {
  const res = await db.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
  return res.rows.length ? res.rows[0].value : null;
}

export async function setMeta(db: Db, key: string, value: string): Promise<void> {
  await db.query(
    'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    [key, value],
  );
}

export async function tryLease(
  db: Db,
  name: string,
  owner: string,
  now: number,
  ttlMs: number,
): Promise<boolean> {
  // One statement: the row is taken when absent, renewed by its owner, or taken over once expired;
  // otherwise the conditional DO UPDATE changes nothing and returns no row. Concurrent takers of a
  // free lease serialise on the unique index, and only the first insert wins.
  const res = await db.query(
    `INSERT INTO leases (name, owner, expires_at) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
     WHERE leases.owner = excluded.owner OR leases.expires_at <= $4
     RETURNING 1`,
    [name, owner, now + ttlMs, now],
  );
  return res.rowCount === 1;
}

/** How long /ready waits for the server before calling the store unavailable. */
const PING_TIMEOUT_MS = 5_000;

/** Proves a write could commit: the server answers and is neither a standby nor read-only. */
export async function ping(db: Db, display: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new AppError(
            'store_unavailable',
            `PostgreSQL at ${display} did not answer within ${PING_TIMEOUT_MS / 1000} s: check that the server is running and reachable.`,
          ),
        ),
      PING_TIMEOUT_MS,
    );
    timer.unref();
  });
  try {
    const res = await Promise.race([
      db.query<{ writable: boolean }>(
        `SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off' AS writable`,
      ),
      timeout,
    ]);
    if (!res.rows[0].writable) {
      throw new AppError(
        'store_unavailable',
        `PostgreSQL at ${display} is read-only (a standby, or default_transaction_read_only is on): point --database / DATABASE_URL at the primary.`,
      );
    }
  } finally {
    clearTimeout(timer);
  }
}
