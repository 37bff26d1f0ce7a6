// The writer thread: owns the one better-sqlite3 connection and runs every store call
// synchronously, so fsyncs and lock waits never block the main event loop (DESIGN.md semantics 1).
// It is started by index.ts with workerData: ThreadInit and answers CallMessages in order.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import * as deploymentRuns from './deployment-runs.js';
import * as events from './events.js';
import * as insight from './insight.js';
import * as launches from './launches.js';
import * as meta from './meta.js';
import * as metrics from './metrics.js';
import { migrate, readMigrations } from './migrate.js';
import * as outbox from './outbox.js';
import type { CallMessage, MethodTable, ReplyMessage, ThreadFailure, ThreadInit } from './protocol.js';
import * as retention from './retention.js';
import * as runs from './runs.js';
import type { Db } from './statements.js';

// One entry per call the thread answers (protocol.ts): `satisfies` makes a missing, misspelled or
// mistyped entry a build error.
const methods = {
  ping: meta.ping,
  insertEvents: events.insertEvents,
  addRejects: events.addRejects,
  listRejects: events.listRejects,
  getEvent: events.getEvent,
  listEvents: events.listEvents,
  countEvents: events.countEvents,
  claimEvents: events.claimEvents,
  finishEvent: events.finishEvent,
  requeueEvents: events.requeueEvents,
  getRun: runs.getRun,
  listRuns: runs.listRuns,
  countRuns: runs.countRuns,
  saveRun: runs.saveRun,
  runHistory: runs.runHistory,
  runsToReconcile: runs.runsToReconcile,
  markRunChecked: runs.markRunChecked,
  createLaunch: launches.createLaunch,
  updateLaunch: launches.updateLaunch,
  getLaunch: launches.getLaunch,
  listLaunches: launches.listLaunches,
  claimOutbox: outbox.claimOutbox,
  finishOutbox: outbox.finishOutbox,
  listOutbox: outbox.listOutbox,
  getOutbox: outbox.getOutbox,
  retryOutbox: outbox.retryOutbox,
  saveDeploymentRun: deploymentRuns.saveDeploymentRun,
  listDeploymentRuns: deploymentRuns.listDeploymentRuns,
  prune: retention.prune,
  metricCounts: metrics.metricCounts,
  runCells: insight.runCells,
  skippedSteps: insight.skippedSteps,
  getMeta: meta.getMeta,
  setMeta: meta.setMeta,
  tryLease: meta.tryLease,
  // the writer probes, asked for by test-support.ts only
  writerPragma: (db, name) => db.pragma(name, { simple: true }),
  stallWriter: (_db, ms) => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  },
} satisfies MethodTable;

function failure(err: unknown, phase: ThreadFailure['phase']): ThreadFailure {
  const code = (err as { code?: unknown })?.code;
  return {
    sqliteCode: typeof code === 'string' && code.startsWith('SQLITE_') ? code : null,
    message: err instanceof Error ? err.message : String(err),
    phase,
  };
}

function open(init: ThreadInit): Db {
  if (init.create) mkdirSync(path.dirname(init.file), { recursive: true });
  const db = new Database(init.file, { fileMustExist: !init.create });
  // busy_timeout first: switching to WAL itself needs a lock another process may hold.
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
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
    const applied = migrate(
      db,
      readMigrations(new URL('../migrations/sqlite/', import.meta.url)),
      Date.now(),
    );
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
