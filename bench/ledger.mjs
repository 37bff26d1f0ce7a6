// Writer cost per event of the event ledger's schema: the same INSERT the receiver runs, in
// batches of 50 (one BEGIN IMMEDIATE ... COMMIT each, WAL, synchronous=FULL), into
// - before: the schema up to migration 0003 (the table, its id index and 5 more),
// - lean: the current schema (0005: the table, its id index, 2 indexes, 1 partial for pending),
// - pk only: a table with a single primary-key index (what the durable floor writes),
// alternating rounds in this one process. Prints CPU (user + system) and wall time per event.
// Run: npx tsc -p tsconfig.build.json && node bench/ledger.mjs [-- --events 20000 --rounds 3]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { migrate, readMigrations, SQLITE_MIGRATIONS } from '../dist/store/sqlite/migrate.js';

const { values: opts } = parseArgs({
  options: { events: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' } },
});
const EVENTS = Number(opts.events);
const ROUNDS = Number(opts.rounds);
const BATCH = 50;
const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-bench-ledger-'));

function open(name, setup) {
  const db = new Database(path.join(dir, `${name}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  setup(db);
  return db;
}
const all = readMigrations(SQLITE_MIGRATIONS);
const INSERT = `INSERT INTO events (id, type, created_at, received_at, subject_id, thread_id, raw, state, processed_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`;
const schemas = {
  before: open('before', (db) =>
    migrate(
      db,
      all.filter((m) => m.version <= 3),
      1,
    ),
  ),
  lean: open('lean', (db) => migrate(db, all, 1)),
  'pk only': open('pk', (db) =>
    db.exec(
      'CREATE TABLE events (id TEXT PRIMARY KEY, type TEXT, created_at INTEGER, received_at INTEGER, subject_id TEXT, thread_id TEXT, raw TEXT, state TEXT, processed_at INTEGER)',
    ),
  ),
};

let seq = 0;
function run(db) {
  const insert = db.prepare(INSERT);
  const commit = db.transaction((rows) => {
    for (const r of rows) insert.run(...r);
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < EVENTS; i += BATCH) {
    const rows = [];
    for (let k = 0; k < BATCH; k++) {
      seq += 1;
      const id = `whe_${seq.toString(36)}_${Math.random().toString(36).slice(2, 10)}`;
      const at = Date.now();
      const subject = `sesn_${(seq % 997).toString().padStart(6, '0')}`;
      const raw = `{"type":"event","id":"${id}","created_at":"2026-01-01T00:00:00Z","data":{"type":"session.status_idled","id":"${subject}","organization_id":"8a3d2f1e-5b6c-4d7e-9f01-23456789abcd","workspace_id":"c7b0e4d9-1a2b-4c3d-8e9f-0a1b2c3d4e5f"}}`;
      rows.push([id, 'session.status_idled', at, at, subject, null, raw, 'pending', null]);
    }
    commit.immediate(rows);
  }
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: (cpu.user + cpu.system) / EVENTS, wallUs: ((performance.now() - t0) * 1000) / EVENTS };
}

const results = Object.fromEntries(Object.keys(schemas).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, db] of Object.entries(schemas)) {
    const x = run(db);
    results[name].push(x);
    console.log(
      `round ${r + 1} ${name.padEnd(7)} cpu ${x.cpuUs.toFixed(1)} µs/event  wall ${x.wallUs.toFixed(1)} µs/event`,
    );
  }
}
const best = (name) => Math.min(...results[name].map((x) => x.cpuUs));
console.log(`\nwriter CPU per event, best of ${ROUNDS} (batches of ${BATCH}, fsync'd):`);
for (const name of Object.keys(schemas)) {
  console.log(
    `${name.padEnd(8)} ${best(name).toFixed(1).padStart(6)} µs  (${(best(name) / best('pk only')).toFixed(2)} x pk only)`,
  );
}
for (const db of Object.values(schemas)) db.close();
rmSync(dir, { recursive: true, force: true });
