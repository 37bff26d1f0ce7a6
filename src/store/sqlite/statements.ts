// Prepared statements cached per connection and keyed by SQL text: the thread runs the same few
// dozen statements (and a bounded set of filter combinations) over and over.
import type Database from 'better-sqlite3';

export type Db = Database.Database;
export type Params = Record<string, unknown> | unknown[];

const caches = new WeakMap<Db, Map<string, Database.Statement>>();

export function stmt(db: Db, sql: string): Database.Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}

/**
 * Runs `fn` in a write transaction that takes the write lock up front (BEGIN IMMEDIATE), so two
 * processes never both read-then-write on a stale snapshot and never deadlock on lock upgrade.
 * Inside another one it is a savepoint: a throw undoes only its own writes, then propagates.
 * This is what better-sqlite3's `db.transaction(fn).immediate()` does, on statements prepared once
 * (stmt's cache): `db.transaction` builds its four wrappers anew on every call, about 4 µs each.
 */
export function writeTx<T>(db: Db, fn: () => T): T {
  const nested = db.inTransaction;
  stmt(db, nested ? 'SAVEPOINT agenthooks_nested' : 'BEGIN IMMEDIATE').run();
  try {
    const result = fn();
    stmt(db, nested ? 'RELEASE agenthooks_nested' : 'COMMIT').run();
    return result;
  } catch (err) {
    // A failed COMMIT may have ended the transaction already (SQLite rolls back on some errors).
    if (db.inTransaction) {
      if (nested) {
        stmt(db, 'ROLLBACK TO agenthooks_nested').run();
        stmt(db, 'RELEASE agenthooks_nested').run();
      } else stmt(db, 'ROLLBACK').run();
    }
    throw err;
  }
}

/** Splits a long id list so that no statement exceeds SQLite's bound-parameter limit. */
export function chunks<T>(items: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Escapes LIKE wildcards so that a search for `50%` finds the literal text. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** better-sqlite3 refuses to bind undefined; a field a caller left out is stored as NULL. */
export function orNull(v: unknown): unknown {
  return v === undefined ? null : v;
}
