// The lean event ledger on PostgreSQL: migration 0004 on a database with data keeps every row,
// the dedupe, the claims and the state lists, and leaves one index per query on `events`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { readMigrations } from '../../src/store/postgres/migrate.js';
import { connect, createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { newEvent } from './conformance.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

describe('the lean event ledger (PostgreSQL)', () => {
  it('migrates a database with data: rows, dedupe, claims, state lists and counts all keep working', async () => {
    const c = await connect(db.url);
    try {
      // The schema before the lean ledger (0001-0002), as databases in the field are.
      await c.query(`CREATE TABLE schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
      for (const m of readMigrations().filter((x) => x.version <= 2)) {
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations VALUES ($1, $2, 1)', [m.version, m.name]);
      }
      await c.query(`INSERT INTO events (id, type, created_at, received_at, subject_id, raw, state, attempts,
          next_attempt_at, last_error, processed_at, lease_owner, lease_expires_at)
        SELECT 'old_' || lpad(i::text, 4, '0'), 'session.status_idled', 1000 + i, 1000 + i, 'sesn_' || (i % 7), '{}',
          (ARRAY['done', 'ignored', 'failed', 'pending', 'pending', 'processing'])[i % 6 + 1],
          CASE WHEN i % 6 = 2 THEN 3 ELSE 0 END,
          CASE WHEN i % 6 IN (3, 4) AND i % 2 = 0 THEN 5000 END,
          CASE WHEN i % 6 = 2 THEN 'boom' END,
          CASE WHEN i % 6 IN (0, 1, 2) THEN 2000 END,
          CASE WHEN i % 6 = 5 THEN 'gone-worker' END,
          CASE WHEN i % 6 = 5 THEN 3000 END
        FROM generate_series(0, 599) AS i`);
    } finally {
      await c.end();
    }

    const store = await openPostgresStore(db.url, { create: false, logger: silentLogger, display: 'test' });
    try {
      const check = await connect(db.url);
      const indexes = (
        await check.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'events' ORDER BY indexname`)
      ).rows.map((r) => r.indexname);
      await check.end();
      expect(indexes).toEqual([
        'events_active',
        'events_failed',
        'events_pkey',
        'events_received',
        'events_subject',
      ]);

      expect(await store.countEvents({})).toBe(600);
      expect(await store.countEvents({ state: 'failed' })).toBe(100);
      expect(await store.countEvents({ state: 'pending' })).toBe(200);
      expect(await store.countEvents({ state: 'processing' })).toBe(100);
      expect(await store.countEvents({ subjectId: 'sesn_3' })).toBe(86);
      const failed = await store.listEvents({ state: 'failed', limit: 3 });
      expect(failed.map((e) => e.id)).toEqual(['old_0596', 'old_0590', 'old_0584']);
      expect(failed[0]).toMatchObject({ state: 'failed', attempts: 3, lastError: 'boom' });
      expect(await store.insertEvents([newEvent('old_0000'), newEvent('new_1')])).toEqual([
        { id: 'old_0000', duplicate: true },
        { id: 'new_1', duplicate: false },
      ]);
      // At 4000: expired claims and fresh pending rows (and the new one); the retries are not due yet.
      const early = await store.claimEvents({ owner: 'w', limit: 1000, now: 4000, leaseMs: 60_000 });
      expect(early).toHaveLength(100 + 100 + 1);
      const later = await store.claimEvents({ owner: 'w', limit: 1000, now: 6000, leaseMs: 60_000 });
      expect(later).toHaveLength(100);
      expect(await store.countEvents({ state: 'pending' })).toBe(0);
    } finally {
      await store.close();
    }
  });
});
