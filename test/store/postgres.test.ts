// The PostgreSQL adapter: the shared conformance suite against a real server, plus what only
// PostgreSQL has: migrations under an advisory lock when replicas start together, several pools
// (replicas) sharing the claim queue and the dedupe, lease takeover, database creation, and an
// outage (server stopped and started) that the same store object survives.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDatabase } from '../../src/config.js';
import { isAppError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/open.js';
import { INSERT_TIMEOUT_MS } from '../../src/store/postgres/events.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { readMigrations } from '../../src/store/postgres/migrate.js';
import type { StoredEvent } from '../../src/store/types.js';
import { startEmbeddedPostgres } from '../support/embedded-postgres.js';
import {
  connect,
  createTestDatabase,
  dropDatabase,
  type TestDatabase,
  truncateAll,
  unusedDatabaseUrl,
} from '../support/postgres.js';
import { newEvent, newRun, storeConformance } from './conformance.js';

const T0 = 1_767_225_600_000;

function display(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

const open = (url: string, opts: { create?: boolean; logger?: Logger } = {}) =>
  openPostgresStore(url, {
    create: opts.create ?? true,
    logger: opts.logger ?? silentLogger,
    display: display(url),
  });

/** A logger whose JSON lines the test can read. */
function capturingLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

async function rejectsWithCode(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected a rejection with ${code}`).not.toBeNull();
  expect(isAppError(err) ? err.code : err).toBe(code);
}

let shared: TestDatabase;
let cleaner: pg.Client | undefined;

beforeAll(async () => {
  shared = await createTestDatabase();
});

afterAll(async () => {
  await cleaner?.end();
  await shared?.drop();
});

// One migrated database, emptied before each test: as fresh as a new database, far cheaper.
storeConformance('postgres', async () => {
  const store = await open(shared.url);
  cleaner ??= await connect(shared.url);
  await truncateAll(cleaner);
  return store;
});

describe('PostgreSQL specifics', () => {
  it('three stores opened at once on a fresh database apply each migration exactly once', async () => {
    const db = await createTestDatabase();
    const captured = capturingLogger();
    try {
      const stores = await Promise.all([1, 2, 3].map(() => open(db.url, { logger: captured.logger })));
      try {
        const versions = readMigrations().map((m) => m.version);
        const c = new pg.Client({ connectionString: db.url });
        await c.connect();
        const rows = (await c.query('SELECT version FROM schema_migrations ORDER BY version')).rows;
        await c.end();
        expect(rows.map((r) => r.version)).toEqual(versions);
        const migrated = captured.lines().filter((l) => l.msg === 'postgres schema migrated');
        expect(migrated).toHaveLength(1);
        expect(migrated[0].migrations).toEqual(versions);
        // Every store works on the shared schema, and they share the dedupe.
        const results = await Promise.all(stores.map((s) => s.insertEvents([newEvent('same')])));
        expect(results.flat().filter((r) => !r.duplicate)).toHaveLength(1);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    } finally {
      await db.drop();
    }
  });

  it('BIGINT times come back as numbers and JSONB fields as objects', async () => {
    const store = await open(shared.url);
    try {
      await truncateAll(shared.url);
      await store.insertEvents([newEvent('big', { receivedAt: 4_102_444_800_000 })]);
      const e = await store.getEvent('big');
      expect(e?.receivedAt).toBe(4_102_444_800_000);
      expect(typeof (await store.countEvents({}))).toBe('number');
      await store.saveRun({
        run: newRun('sesn_j', { metadata: { a: 'b' } }),
        expectedVersion: 0,
        history: null,
      });
      const c = new pg.Client({ connectionString: shared.url });
      await c.connect();
      const types = (
        await c.query(`SELECT pg_typeof(metadata)::text AS m, pg_typeof(first_seen_at)::text AS f FROM runs`)
      ).rows[0];
      await c.end();
      expect(types).toEqual({ m: 'jsonb', f: 'bigint' });
    } finally {
      await store.close();
    }
  });

  it('the pending and processing counts read events_active alone (state is in its leaves)', async () => {
    const store = await open(shared.url);
    const c = await connect(shared.url);
    try {
      await truncateAll(c);
      await store.insertEvents(
        Array.from({ length: 50 }, (_, i) => newEvent(`act_${i}`, { receivedAt: T0 + i })),
      );
      await store.claimEvents({ owner: 'w', limit: 10, now: T0, leaseMs: 60_000 });
      expect(await store.countEvents({ state: 'pending' })).toBe(40);
      expect(await store.countEvents({ state: 'processing' })).toBe(10);
      // A table this small would be read whole; what matters is that the index can answer alone.
      await c.query('VACUUM ANALYZE events');
      await c.query('SET enable_seqscan = off');
      for (const state of ['pending', 'processing']) {
        const plan = JSON.stringify(
          (await c.query('EXPLAIN (FORMAT JSON) SELECT count(*) FROM events WHERE state = $1', [state])).rows,
        );
        expect(plan).toContain('"Node Type":"Index Only Scan"');
        expect(plan).toContain('"Index Name":"events_active"');
      }
    } finally {
      await c.end();
      await store.close();
    }
  });

  it('two replicas claiming concurrently never share an event, and each event is processed once', async () => {
    await truncateAll(shared.url);
    const [a, b] = await Promise.all([open(shared.url), open(shared.url)]);
    try {
      const ids = Array.from({ length: 300 }, (_, i) => `evt_${String(i).padStart(3, '0')}`);
      // Both replicas receive every event (the platform retries at random replicas): still one row each.
      const [ra, rb] = await Promise.all([
        a.insertEvents(ids.map((id) => newEvent(id))),
        b.insertEvents(ids.map((id) => newEvent(id))),
      ]);
      expect([...ra, ...rb].filter((r) => !r.duplicate)).toHaveLength(300);
      const work = async (store: PostgresStore, owner: string): Promise<string[]> => {
        const mine: string[] = [];
        for (;;) {
          const batch = await store.claimEvents({ owner, limit: 7, now: T0, leaseMs: 60_000 });
          if (batch.length === 0) return mine;
          for (const e of batch) {
            expect(e.leaseOwner).toBe(owner);
            mine.push(e.id);
            await store.finishEvent(e.id, owner, { state: 'done' }, T0 + 1);
          }
        }
      };
      const [byA, byB] = await Promise.all([work(a, 'replica-a'), work(b, 'replica-b')]);
      expect(byA.length).toBeGreaterThan(0);
      expect(byB.length).toBeGreaterThan(0);
      expect(byA.filter((id) => byB.includes(id))).toEqual([]);
      expect([...byA, ...byB].sort()).toEqual(ids);
      expect(await a.countEvents({ state: 'done' })).toBe(300);
      const attempts = new Set((await a.listEvents({ limit: 300 })).map((e) => e.attempts));
      expect([...attempts]).toEqual([1]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("a crashed replica's claims are taken over after the lease, and its late finish changes nothing", async () => {
    await truncateAll(shared.url);
    const crashed = await open(shared.url);
    const survivor = await open(shared.url);
    try {
      await crashed.insertEvents(Array.from({ length: 10 }, (_, i) => newEvent(`lease_${i}`)));
      const taken = await crashed.claimEvents({ owner: 'crashed', limit: 10, now: T0, leaseMs: 30_000 });
      expect(taken).toHaveLength(10);
      await crashed.close(); // the replica dies holding its claims
      expect(
        await survivor.claimEvents({ owner: 'survivor', limit: 10, now: T0 + 29_999, leaseMs: 30_000 }),
      ).toEqual([]);
      const again = await survivor.claimEvents({
        owner: 'survivor',
        limit: 10,
        now: T0 + 30_000,
        leaseMs: 30_000,
      });
      expect(again.map((e) => e.id).sort()).toEqual(taken.map((e) => e.id).sort());
      for (const e of again) expect(e).toMatchObject({ state: 'processing', leaseOwner: 'survivor' });
      // The crashed replica comes back under the same owner name and tries to finish: ignored.
      const back = await open(shared.url);
      try {
        await back.finishEvent('lease_0', 'crashed', { state: 'failed', error: 'late' }, T0 + 30_001);
        expect(await back.getEvent('lease_0')).toMatchObject({ state: 'processing', leaseOwner: 'survivor' });
      } finally {
        await back.close();
      }
    } finally {
      await survivor.close();
    }
  });

  it('the reconciler lease has one holder across replicas', async () => {
    await truncateAll(shared.url);
    const stores = await Promise.all([1, 2, 3].map(() => open(shared.url)));
    try {
      const wins = await Promise.all(
        stores.map((s, i) => s.tryLease('reconciler', `replica-${i}`, T0, 60_000)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('create makes a missing database; read-only opens refuse a missing database or one without tables', async () => {
    const missing = unusedDatabaseUrl();
    try {
      await rejectsWithCode(open(missing.url, { create: false }), 'store_not_found');
      // Through the same entry point the CLI uses.
      await rejectsWithCode(
        openStore(resolveDatabase(missing.url, {}, '/'), { create: false, logger: silentLogger }),
        'store_not_found',
      );
      const created = await open(missing.url, { create: true });
      await created.insertEvents([newEvent('made')]);
      await created.close();
      const reopened = await open(missing.url, { create: false });
      expect(await reopened.getEvent('made')).not.toBeNull();
      await reopened.close();
    } finally {
      await dropDatabase(missing.name);
    }
    const empty = await createTestDatabase();
    try {
      await rejectsWithCode(open(empty.url, { create: false }), 'store_not_found');
    } finally {
      await empty.drop();
    }
  });

  it('a schema newer than this agenthooks knows fails with migration_failed and changes nothing', async () => {
    const db = await createTestDatabase();
    try {
      await (await open(db.url)).close();
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      await c.query(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)`);
      await c.end();
      await rejectsWithCode(open(db.url), 'migration_failed');
    } finally {
      await db.drop();
    }
  });

  it('a broken migration rolls back entirely and reports migration_failed', async () => {
    const db = await createTestDatabase();
    try {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      // A table in the way of 0001 makes its CREATE TABLE fail half-way through the file.
      await c.query('CREATE TABLE runs (x int)');
      await rejectsWithCode(open(db.url), 'migration_failed');
      const left = await c.query(`SELECT to_regclass('events') AS e, to_regclass('schema_migrations') AS m`);
      await c.end();
      expect(left.rows[0]).toEqual({ e: null, m: null });
    } finally {
      await db.drop();
    }
  });
});

describe('PostgreSQL outage', () => {
  it('stopped server: ping and writes reject with store_unavailable; started again: the same store works', async () => {
    const server = await startEmbeddedPostgres();
    const captured = capturingLogger();
    let store: PostgresStore | undefined;
    try {
      store = await open(`${server.url.replace(/\/postgres$/, '/agenthooks')}`, { logger: captured.logger });
      // Several idle connections in the pool: each gets an error when the server stops, which
      // must be handled (an unhandled pool 'error' would crash this worker and fail the run).
      await Promise.all(Array.from({ length: 5 }, () => store?.ping()));
      expect(store.pool.idleCount).toBeGreaterThan(1);
      await store.insertEvents([newEvent('before')]);

      await server.stop();
      const deadline = Date.now() + 10_000;
      while (!captured.lines().some((l) => l.msg?.toString().startsWith('postgres idle connection lost'))) {
        if (Date.now() > deadline) throw new Error('the pool never reported its idle connections lost');
        await new Promise((r) => setTimeout(r, 50));
      }
      await rejectsWithCode(store.ping(), 'store_unavailable');
      await rejectsWithCode(store.insertEvents([newEvent('during')]), 'store_unavailable');
      await rejectsWithCode(
        store.saveRun({ run: newRun('sesn_out'), expectedVersion: 0, history: null }),
        'store_unavailable',
      );
      await rejectsWithCode(
        store.claimEvents({ owner: 'w', limit: 1, now: T0, leaseMs: 1 }),
        'store_unavailable',
      );

      await server.start();
      await expect(store.ping()).resolves.toBeUndefined();
      expect(await store.insertEvents([newEvent('during'), newEvent('before')])).toEqual([
        { id: 'during', duplicate: false },
        { id: 'before', duplicate: true },
      ]);
      expect(await store.saveRun({ run: newRun('sesn_out'), expectedVersion: 0, history: null })).toBe(true);
      const claimed: StoredEvent[] = await store.claimEvents({
        owner: 'w',
        limit: 5,
        now: T0,
        leaseMs: 1000,
      });
      expect(claimed.map((e) => e.id).sort()).toEqual(['before', 'during']);
    } finally {
      await store?.close();
      await server.destroy();
    }
  });

  it('a server that stops answering: a batch of events fails with store_unavailable within the insert timeout, then the store goes on', async () => {
    const server = await startEmbeddedPostgres();
    let store: PostgresStore | undefined;
    // Every process of the cluster: the postmaster and the backends it started.
    const cluster = (): number[] => {
      const postmaster = Number(
        readFileSync(path.join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
      );
      const children = readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .filter((d) => {
          try {
            const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
            return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
          } catch {
            return false;
          }
        })
        .map(Number);
      return [postmaster, ...children];
    };
    let paused: number[] = [];
    try {
      store = await open(`${server.url.replace(/\/postgres$/, '/agenthooks')}`);
      await store.insertEvents([newEvent('before')]);
      // SIGSTOP: connections stay open and nothing answers, as with a paused VM or a partition.
      paused = cluster();
      for (const pid of paused) process.kill(pid, 'SIGSTOP');
      const started = Date.now();
      await rejectsWithCode(store.insertEvents([newEvent('paused')]), 'store_unavailable');
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(INSERT_TIMEOUT_MS - 100);
      expect(took).toBeLessThan(INSERT_TIMEOUT_MS + 5_000);

      for (const pid of paused) process.kill(pid, 'SIGCONT');
      paused = [];
      // The batch may have committed once the server went on: the retry is then a duplicate.
      const [again] = await store.insertEvents([newEvent('paused')]);
      expect(again.id).toBe('paused');
      expect((await store.getEvent('paused'))?.id).toBe('paused');
    } finally {
      for (const pid of paused) process.kill(pid, 'SIGCONT');
      await store?.close();
      await server.destroy();
    }
  }, 40_000);
});
