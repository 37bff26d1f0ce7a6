// The writer thread: owns the one better-sqlite3 connection and runs every store call
// synchronously, so fsyncs and lock waits never block the main event loop (DESIGN.md semantics 1).
// It is started by index.ts with workerData: ThreadInit and answers CallMessages in order.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { failure } from './failure.js';
import { methods } from './methods.js';
import { migrate, readMigrations, SQLITE_MIGRATIONS } from './migrate.js';
import type { CallMessage, ReplyMessage, ThreadInit } from './protocol.js';
import type { Db } from './statements.js';

function open(init: ThreadInit): Db {
  if (init.create) {
    mkdirSync(path.dirname(init.file), { recursive: true, mode: 0o700 });
    // The file holds event bodies and session ids: only its owner reads it. SQLite gives the -wal
    // and -shm files the mode of the database file, so creating it 0600 first covers all three.
    closeSync(openSync(init.file, 'a', 0o600));
  }
  const db = new Database(init.file, { fileMustExist: !init.create });
  // busy_timeout first: switching to WAL itself needs a lock another process may hold.
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // Checkpoint every ~16 MB of WAL instead of SQLite's 4 MB: the pages appended to (the ledger's
  // and its indexes' last pages) are copied into the database once per checkpoint however often
  // they changed since, so fewer checkpoints cost the writer 10-15% less CPU per event.
  // Durability is the WAL's and is unchanged.
  db.pragma('wal_autocheckpoint = 4000');
  db.pragma('foreign_keys = ON');
  return db;
}

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('thread.ts runs only as a worker thread started by SqliteStore');
  const init = workerData as ThreadInit;
  const reply = (m: ReplyMessage) => port.postMessage(m);

  let db: Db;
  try {
    db = open(init);
  } catch (err) {
    reply({ id: 0, ready: false, error: failure(err, 'open') });
    return;
  }
  try {
    const applied = migrate(db, readMigrations(SQLITE_MIGRATIONS), Date.now());
    reply({ id: 0, ready: true, applied });
  } catch (err) {
    db.close();
    reply({ id: 0, ready: false, error: failure(err, 'migrate') });
    return;
  }

  port.on('message', (msg: CallMessage) => {
    if (msg.method === 'close') {
      db.close();
      reply({ id: msg.id, ok: true, value: undefined });
      port.close();
      return;
    }
    // A thread built from other sources than the proxy (a stale dist/) may lack a method.
    const fn = Object.hasOwn(methods, msg.method)
      ? (methods[msg.method] as (db: Db, ...args: unknown[]) => unknown)
      : undefined;
    if (!fn) {
      reply({
        id: msg.id,
        ok: false,
        error: { sqliteCode: null, message: `unknown store method ${msg.method}`, phase: 'call' },
      });
      return;
    }
    try {
      reply({ id: msg.id, ok: true, value: fn(db, ...msg.args) });
    } catch (err) {
      // A failed call inside a transaction is rolled back by better-sqlite3; make sure a
      // half-open one from a raw BEGIN (ping) does not linger either.
      if (db.inTransaction) db.exec('ROLLBACK');
      reply({ id: msg.id, ok: false, error: failure(err, 'call') });
    }
  });
}

main();
