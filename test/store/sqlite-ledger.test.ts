// The lean event ledger on SQLite: the migration from the earlier schema on a store with data, the
// indexes left on `events` and the queries that use them, and the read-only path the read
// commands open (no writer thread until something writes).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/open.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { migrate, readMigrations, SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrate.js';
import type { Store } from '../../src/store/types.js';
import { newEvent, newRun, storeConformance } from './conformance.js';

const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-ledger-'));
let n = 0;
const freshFile = () => path.join(dir, `t${++n}.db`);
const location = (file: string) => ({
  kind: 'sqlite' as const,
  url: file,
  display: file,
  source: 'flag' as const,
});
const openExisting = (file: string) => openStore(location(file), { create: false, logger: silentLogger });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file at the schema before the lean ledger (migrations 0001-0003), as stores in the field are. */
function oldStore(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  migrate(
    db,
    readMigrations(SQLITE_MIGRATIONS).filter((m) => m.version <= 3),
    1,
  );
  return db;
}

function eventIndexes(file: string): string[] {
  const db = new Database(file, { readonly: true });
  const rows = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name`)
    .all() as { name: string }[];
  db.close();
  return rows.map((r) => r.name);
}

/** The event counts by type and state, grouped from the rows themselves. */
function groupedCounts(file: string): Array<{ type: string; state: string; count: number }> {
  const db = new Database(file, { readonly: true });
  const rows = db
    .prepare('SELECT type, state, count(*) AS count FROM events GROUP BY type, state ORDER BY type, state')
    .all() as Array<{ type: string; state: string; count: number }>;
  db.close();
  return rows;
}

const LEAN = [
  'events_failed',
  'events_pending',
  'events_processing',
  'events_received',
  'events_subject',
  'sqlite_autoindex_events_1',
];

// The whole Store contract again, through the path read commands take: reads on a read-only
// connection, writes through a writer thread opened on first use.
storeConformance('sqlite, opened by a read command', async () => {
  const file = freshFile();
  await (await openStore(location(file), { create: true, logger: silentLogger })).close();
  return openExisting(file);
});

describe('the lean event ledger (SQLite)', () => {
  it('a fresh store has one index per query that needs one', async () => {
    const file = freshFile();
    await (await openStore(location(file), { create: true, logger: silentLogger })).close();
    expect(eventIndexes(file)).toEqual(LEAN);
  });

  it('migrates a store with data: rows, dedupe, claims, state lists and counts all keep working', async () => {
    const file = freshFile();
    const db = oldStore(file);
    const insert = db.prepare(`INSERT INTO events (id, type, created_at, received_at, subject_id, raw, state,
      attempts, next_attempt_at, last_error, processed_at, lease_owner, lease_expires_at)
      VALUES (?, 'session.status_idled', ?, ?, ?, '{}', ?, ?, ?, ?, ?, ?, ?)`);
    const states = ['done', 'ignored', 'failed', 'pending', 'pending', 'processing'] as const;
    db.transaction(() => {
      for (let i = 0; i < 600; i++) {
        const state = states[i % states.length];
        insert.run(
          `old_${String(i).padStart(4, '0')}`,
          1000 + i,
          1000 + i,
          `sesn_${i % 7}`,
          state,
          state === 'failed' ? 3 : 0,
          // every other pending row is a retry due at 5000, the rest are fresh
          state === 'pending' && i % 2 === 0 ? 5000 : null,
          state === 'failed' ? 'boom' : null,
          state === 'done' || state === 'failed' || state === 'ignored' ? 2000 : null,
          state === 'processing' ? 'gone-worker' : null,
          state === 'processing' ? 3000 : null,
        );
      }
    })();
    expect(eventIndexes(file)).toContain('events_claim');
    db.close();

    const store = await openStore(location(file), { create: true, logger: silentLogger });
    try {
      expect(eventIndexes(file)).toEqual(LEAN);
      // The counts /metrics and the health page read start from the migrated rows.
      expect((await store.metricCounts()).events).toEqual(groupedCounts(file));
      expect(await store.countEvents({})).toBe(600);
      expect(await store.countEvents({ state: 'failed' })).toBe(100);
      expect(await store.countEvents({ state: 'pending' })).toBe(200);
      expect(await store.countEvents({ state: 'processing' })).toBe(100);
      expect(await store.countEvents({ subjectId: 'sesn_3' })).toBe(86);
      const failed = await store.listEvents({ state: 'failed', limit: 3 });
      expect(failed.map((e) => e.id)).toEqual(['old_0596', 'old_0590', 'old_0584']);
      expect(failed[0]).toMatchObject({ state: 'failed', attempts: 3, lastError: 'boom' });
      // Dedupe holds across the migration.
      expect(await store.insertEvents([newEvent('old_0000'), newEvent('new_1')])).toEqual([
        { id: 'old_0000', duplicate: true },
        { id: 'new_1', duplicate: false },
      ]);
      // At 4000: the expired claims first, then fresh pending rows; the retries are not due yet.
      const early = await store.claimEvents({ owner: 'w', limit: 1000, now: 4000, leaseMs: 60_000 });
      expect(early).toHaveLength(100 + 100 + 1);
      expect(early.slice(0, 100).every((e) => e.attempts === 0 && e.id.startsWith('old_'))).toBe(true);
      const later = await store.claimEvents({ owner: 'w', limit: 1000, now: 6000, leaseMs: 60_000 });
      expect(later).toHaveLength(100);
      expect(await store.countEvents({ state: 'pending' })).toBe(0);
      // ...and follow every insert (duplicates not counted) and state change since.
      await store.finishEvent(later[0].id, 'w', { state: 'done' }, 7000);
      const counts = (await store.metricCounts()).events;
      expect(counts).toEqual(groupedCounts(file));
      expect(counts.find((c) => c.state === 'pending')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('each listing and claim query uses the index named for it', () => {
    const file = freshFile();
    const db = oldStore(file);
    migrate(db, readMigrations(SQLITE_MIGRATIONS), 2);
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(
      plan(`SELECT id FROM events WHERE state = 'pending' AND next_attempt_at IS NULL LIMIT 10`),
    ).toContain('events_pending');
    expect(
      plan(
        `SELECT id FROM events WHERE state = 'pending' AND next_attempt_at <= 5 ORDER BY next_attempt_at LIMIT 10`,
      ),
    ).toContain('events_pending');
    expect(
      plan(
        `SELECT id FROM events WHERE state = 'processing' AND lease_expires_at <= 5 ORDER BY lease_expires_at LIMIT 10`,
      ),
    ).toContain('events_processing');
    expect(
      plan(`SELECT * FROM events WHERE state = 'failed' ORDER BY received_at DESC, id DESC LIMIT 100`),
    ).toContain('events_failed');
    expect(plan(`SELECT count(*) FROM events WHERE state = 'failed'`)).toContain('events_failed');
    expect(plan(`SELECT * FROM events ORDER BY received_at DESC, id DESC LIMIT 100`)).toContain(
      'events_received',
    );
    expect(
      plan(`SELECT * FROM events WHERE subject_id = 'x' ORDER BY received_at DESC, id DESC LIMIT 100`),
    ).toContain('events_subject');
    expect(plan(`SELECT * FROM events WHERE id = 'x'`)).toContain('sqlite_autoindex_events_1');
    db.close();
  });
});

describe('read commands read SQLite on the main thread', () => {
  it('an up-to-date file opens read-only without a writer thread; a write opens the writer', async () => {
    const file = freshFile();
    const writer = await openStore(location(file), { create: true, logger: silentLogger });
    await writer.saveRun({ run: newRun('sesn_read'), expectedVersion: 0, history: null });
    await writer.close();

    const store: Store = await openExisting(file);
    try {
      expect(store).not.toBeInstanceOf(SqliteStore);
      expect(store.kind).toBe('sqlite');
      expect(store.location).toBe(file);
      expect((await store.getRun('sesn_read'))?.version).toBe(1);
      // A write (replay, prune, notifications retry do some) goes through the writer thread, and
      // the read-only connection sees it on its next read.
      expect(await store.insertEvents([newEvent('later')])).toEqual([{ id: 'later', duplicate: false }]);
      expect((await store.getEvent('later'))?.state).toBe('pending');
      expect(store.ingestStats()).toEqual({ transactions: 1, inserted: 1, duplicates: 0 });
      await store.ping();
    } finally {
      await store.close();
    }
  });

  it('a file at an older schema is opened by the writer, which migrates it', async () => {
    const file = freshFile();
    oldStore(file).close();
    const store = await openExisting(file);
    try {
      expect(store).toBeInstanceOf(SqliteStore);
      expect(eventIndexes(file)).toEqual(LEAN);
    } finally {
      await store.close();
    }
  });

  it('a failing read rejects with an AppError and the store keeps working', async () => {
    const file = freshFile();
    await (await openStore(location(file), { create: true, logger: silentLogger })).close();
    const store = await openExisting(file);
    try {
      const db = new Database(file);
      db.exec('DROP TABLE deployment_runs');
      db.close();
      await expect(store.listDeploymentRuns({})).rejects.toMatchObject({ code: 'store_error' });
      expect(await store.getRun('nope')).toBeNull();
    } finally {
      await store.close();
    }
  });
});
