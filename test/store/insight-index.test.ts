// The runs_insight index rebuilt for cells keyed by agent (name, else id): on a store with runs
// at the schema before (SQLite 0010, PostgreSQL 0007 not applied), opening it migrates the index
// and the cells read from it come out keyed that way, each listing its agent ids once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/open.js';
import { readMigrations as postgresMigrations } from '../../src/store/postgres/migrate.js';
import { runCellsStatement } from '../../src/store/sqlite/insight.js';
import { readMigrations, SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrate.js';
import type { RunCell, Store } from '../../src/store/types.js';
import { connect, createTestDatabase } from '../support/postgres.js';
import { newRun } from './conformance.js';

const T0 = 1_767_225_600_000;
const DAY = 86_400_000;
const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-insight-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUNS = [
  newRun('r1', { agentId: 'agent_r1', status: 'succeeded', stopReason: 'end_turn', finishedAt: T0 + 10 }),
  newRun('r2', { agentId: 'agent_r2', status: 'succeeded', stopReason: 'end_turn', firstSeenAt: T0 + 1 }),
  newRun('r3', { agentId: 'agent_r1', status: 'succeeded', stopReason: 'end_turn', firstSeenAt: T0 + 2 }),
  newRun('r4', { agentName: null, agentId: 'agent_anon', status: 'failed', firstSeenAt: T0 + 3 }),
  newRun('r5', { agentName: 'writer', agentId: 'agent_w', firstSeenAt: T0 + DAY }),
];

async function seed(store: Store): Promise<void> {
  for (const run of RUNS) await store.saveRun({ run, expectedVersion: 0, history: null });
}

async function cells(store: Store): Promise<Omit<RunCell, 'durations' | 'costCents' | 'costedRuns'>[]> {
  return (await store.runCells({ since: T0, until: T0 + 2 * DAY }))
    .map(({ durations: _d, costCents: _c, costedRuns: _r, ...c }) => ({
      ...c,
      agentIds: [...c.agentIds].sort(),
    }))
    .sort((a, b) => a.day - b.day || String(a.agent).localeCompare(String(b.agent)));
}

const plain = { pipeline: null, step: null, stopReason: null, outcomeResult: null, iterations: 0 };
const WANT = [
  { ...plain, agent: 'agent_anon', agentIds: ['agent_anon'], day: T0, status: 'failed', runs: 1 },
  {
    ...plain,
    agent: 'researcher',
    agentIds: ['agent_r1', 'agent_r2'],
    day: T0,
    status: 'succeeded',
    stopReason: 'end_turn',
    runs: 3,
  },
  { ...plain, agent: 'writer', agentIds: ['agent_w'], day: T0 + DAY, status: 'pending', runs: 1 },
];

const indexSql = (db: Database.Database): string =>
  (db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'runs_insight'`).get() as { sql: string }).sql;

describe('runs_insight keyed by agent (SQLite)', () => {
  it('migrates a store with runs: the index is rebuilt and covers the cells statement', async () => {
    const file = path.join(dir, 'old.db');
    const loc = { kind: 'sqlite' as const, url: file, display: file, source: 'flag' as const };
    const fresh = await openStore(loc, { create: true, logger: silentLogger });
    await seed(fresh);
    await fresh.close();
    // Back to the schema before: the index of migration 0007, migration 0010 not recorded.
    const old = readMigrations(SQLITE_MIGRATIONS).find((m) => m.version === 7);
    const db = new Database(file);
    db.exec(`DROP INDEX runs_insight; ${old?.sql}`);
    db.prepare('DELETE FROM schema_migrations WHERE version = 10').run();
    expect(indexSql(db)).not.toContain('coalesce(agent_name, agent_id)');
    db.close();

    const store = await openStore(loc, { create: false, logger: silentLogger });
    try {
      expect(await cells(store)).toEqual(WANT);
    } finally {
      await store.close();
    }
    const after = new Database(file, { readonly: true });
    try {
      expect(indexSql(after)).toContain('coalesce(agent_name, agent_id), pipeline, step');
      expect(after.prepare('SELECT count(*) AS n FROM schema_migrations WHERE version = 10').get()).toEqual({
        n: 1,
      });
      const { sql: cellsSql, params } = runCellsStatement({ since: T0, until: T0 + 2 * DAY });
      const plan = (
        after.prepare(`EXPLAIN QUERY PLAN ${cellsSql}`).all(...params) as { detail: string }[]
      ).map((r) => r.detail);
      expect(plan[0]).toMatch(/USING COVERING INDEX runs_insight/);
      expect(plan.join('\n')).not.toMatch(/GROUP BY/);
    } finally {
      after.close();
    }
  });
});

describe('runs_insight keyed by agent (PostgreSQL)', () => {
  it('migrates a database with runs: the index is rebuilt on the agent expression', async () => {
    const test = await createTestDatabase();
    const loc = { kind: 'postgres' as const, url: test.url, display: 'test', source: 'flag' as const };
    try {
      const fresh = await openStore(loc, { create: true, logger: silentLogger });
      await seed(fresh);
      await fresh.close();
      const c = await connect(test.url);
      const indexDef = async () =>
        (await c.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'runs_insight'`)).rows[0]?.indexdef;
      try {
        // Back to the schema before: the index of migration 0006, migration 0007 not recorded.
        const old = postgresMigrations().find((m) => m.version === 6);
        await c.query(`DROP INDEX runs_insight; ${old?.sql}`);
        await c.query('DELETE FROM schema_migrations WHERE version = 7');
        expect(await indexDef()).not.toContain('COALESCE');

        const store = await openStore(loc, { create: false, logger: silentLogger });
        try {
          expect(await cells(store)).toEqual(WANT);
        } finally {
          await store.close();
        }
        expect(await indexDef()).toContain('COALESCE(agent_name, agent_id), pipeline, step');
        const applied = await c.query('SELECT count(*)::int AS n FROM schema_migrations WHERE version = 7');
        expect(applied.rows[0]).toEqual({ n: 1 });
      } finally {
        await c.end();
      }
    } finally {
      await test.drop();
    }
  });
});
