// Small shared state: key/value meta (heartbeats, high-water marks) and named leases.
import { type Db, stmt } from './statements.js';

export function getMeta(db: Db, key: string): string | null {
  const row = stmt(db, 'SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row ? row.value : null;
}

export function setMeta(db: Db, key: string, value: string): void {
  stmt(
    db,
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(key, value);
}

export function tryLease(db: Db, name: string, owner: string, now: number, ttlMs: number): boolean {
  // One statement, so it is atomic without an explicit transaction: the row is taken when absent,
  // renewed by its owner, or taken over once expired; otherwise nothing changes.
  const info = stmt(
    db,
    `INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
     WHERE leases.owner = excluded.owner OR leases.expires_at <= ?`,
  ).run(name, owner, now + ttlMs, now);
  return info.changes === 1;
}

/** Proves a write can commit: takes the write lock (waiting up to busy_timeout) and lets it go. */
export function ping(db: Db): void {
  db.exec('BEGIN IMMEDIATE');
  db.exec('ROLLBACK');
}
