// The insight figures checked against a brute-force computation over `runs --json` on a generated
// store: every status, outcomes with several iterations, chains with skipped steps, runs with no
// cost or no usage at all, runs outside the window. `stats --json` (the same code as GET
// /api/stats and the pages) must agree with it exactly, and PostgreSQL must agree with SQLite.
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { collectInsight, type Insight } from '../../src/query/insight.js';
import { openStore } from '../../src/store/open.js';
import { runCellsStatement as postgresCells } from '../../src/store/postgres/insight.js';
import { runCellsStatement as sqliteCells } from '../../src/store/sqlite/insight.js';
import { RUN_STATUSES, type Run, type RunStatus, type Store } from '../../src/store/types.js';
import { cli, createStore, makeRun, tempDir } from '../cli/helpers.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const DAY = 86_400_000;
const NOW = Date.now();
let seed = 7;
const rand = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

const AGENTS: [string | null, string][] = [
  ['researcher', 'agent_r1'],
  ['researcher', 'agent_r2'],
  ['writer', 'agent_w'],
  ['evaluator', 'agent_e'],
  [null, 'agent_anon'],
];
const OUTCOMES = ['satisfied', 'max_iterations_reached', 'failed', 'interrupted'];
const STOPS = ['end_turn', 'retries_exhausted', 'refusal', 'budget_reached', 'terminated', 'requires_action'];

function generate(): Run[] {
  const runs: Run[] = [];
  for (let i = 0; i < 360; i++) {
    const [agentName, agentId] = pick(AGENTS);
    const status = RUN_STATUSES[(i + Math.floor(i / 3)) % RUN_STATUSES.length] as RunStatus;
    // Most in the last 30 days, some older (outside the default window).
    const firstSeenAt = NOW - Math.floor(rand() * (i % 9 === 0 ? 40 : 29.5) * DAY);
    const withOutcome = rand() < 0.4;
    const iterations = withOutcome ? 1 + Math.floor(rand() * 4) : 0;
    const outcomeResult = withOutcome && rand() < 0.85 ? pick(OUTCOMES) : null;
    const cost = rand();
    runs.push(
      makeRun(`sesn_gen${String(i).padStart(4, '0')}`, {
        agentName,
        agentId,
        status,
        stopReason: rand() < 0.85 ? pick(STOPS) : null,
        outcomeResult,
        evaluations: Array.from({ length: iterations }, (_, k) => ({
          outcomeId: 'out_1',
          description: null,
          result: k === iterations - 1 && outcomeResult ? outcomeResult : 'needs_revision',
          explanation: null,
          iteration: k,
          completedAt: null,
        })),
        usage:
          cost < 0.15
            ? null
            : {
                inputTokens: 10,
                outputTokens: 5,
                cacheReadInputTokens: 0,
                cacheCreationInputTokens: 0,
                costCents: cost < 0.3 ? null : Math.floor(rand() * 500),
                activeSeconds: null,
              },
        pipeline: i % 3 === 0 ? 'research' : i % 3 === 1 ? 'digest' : null,
        step: i % 3 === 2 ? null : pick(['collect', 'draft', 'review']),
        parentRunId: i % 3 !== 2 && i > 3 ? `sesn_gen${String(i - 3).padStart(4, '0')}` : null,
        sessionCreatedAt: rand() < 0.1 ? null : firstSeenAt - Math.floor(rand() * 5000),
        firstSeenAt,
        finishedAt: rand() < 0.8 ? firstSeenAt + Math.floor(rand() * 3_600_000) : null,
      }),
    );
  }
  return runs;
}

// ---- the brute force: one pass per question, straight from the definitions --------------------

const FINAL = ['succeeded', 'failed', 'cancelled'];
const nearest = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.ceil((p / 100) * s.length) - 1] : null;
};

function figuresOf(runs: Run[]) {
  const final = runs.filter((r) => FINAL.includes(r.status));
  const outcomes = runs.filter((r) => r.outcomeResult !== null);
  const stopped = runs.filter((r) => r.stopReason !== null);
  const stopNames = [...new Set(stopped.map((r) => r.stopReason as string))];
  const finished = runs.filter((r) => r.finishedAt !== null);
  const durations = finished.map((r) =>
    Math.max(0, (r.finishedAt as number) - (r.sessionCreatedAt ?? r.firstSeenAt)),
  );
  const costed = runs.filter((r) => r.usage?.costCents !== null && r.usage?.costCents !== undefined);
  const cost = costed.reduce((n, r) => n + (r.usage?.costCents ?? 0), 0);
  return {
    runs: runs.length,
    byStatus: Object.fromEntries(RUN_STATUSES.map((s) => [s, runs.filter((r) => r.status === s).length])),
    final: final.length,
    successRate: final.length ? final.filter((r) => r.status === 'succeeded').length / final.length : null,
    outcomes: outcomes.length,
    outcomePassRate: outcomes.length
      ? outcomes.filter((r) => r.outcomeResult === 'satisfied').length / outcomes.length
      : null,
    meanIterations: outcomes.length
      ? outcomes.reduce((n, r) => n + r.evaluations.length, 0) / outcomes.length
      : null,
    stopReasons: stopNames
      .map((reason) => {
        const count = stopped.filter((r) => r.stopReason === reason).length;
        return { reason, count, share: count / stopped.length };
      })
      .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1)),
    durations: durations.length,
    durationP50Ms: nearest(durations, 50),
    durationP95Ms: nearest(durations, 95),
    costCents: cost,
    costedRuns: costed.length,
    costPerRunCents: costed.length ? cost / costed.length : null,
  };
}

function reasonsOf(runs: Run[]) {
  const reason = (r: Run) =>
    r.outcomeResult !== null && r.outcomeResult !== 'satisfied'
      ? r.outcomeResult
      : (r.stopReason ?? 'unknown');
  const failed = runs.filter((r) => r.status === 'failed');
  return [...new Set(failed.map(reason))]
    .map((x) => ({ reason: x, count: failed.filter((r) => reason(r) === x).length }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1))
    .slice(0, 10);
}

function dailyOf(runs: Run[], since: number, until: number) {
  const out = [];
  for (let day = Math.floor(since / DAY); day <= Math.floor((until - 1) / DAY); day++) {
    const of = runs.filter((r) => Math.floor(r.firstSeenAt / DAY) === day);
    const f = figuresOf(of);
    out.push({
      at: day * DAY,
      day: new Date(day * DAY).toISOString().slice(0, 10),
      runs: f.runs,
      byStatus: f.byStatus,
      costCents: f.costCents,
      durationP50Ms: f.durationP50Ms,
      durationP95Ms: f.durationP95Ms,
    });
  }
  return out;
}

// ---- the store, through the CLI ----------------------------------------------------------------

const dir = tempDir();
const file = path.join(dir, 'agenthooks.db');
const generated = generate();
let store: Store;
let all: Run[];

async function statsJson(...args: string[]): Promise<Insight> {
  const r = await cli(['stats', '--database', file, '--json', ...args]);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Insight;
}

beforeAll(async () => {
  store = await createStore(file);
  for (const run of generated) await store.saveRun({ run, expectedVersion: 0, history: null });
  const skip = (id: string, pipeline: string, step: string, createdAt: number) =>
    store.createLaunch({
      id,
      kind: 'chain',
      pipeline,
      step,
      parentRunId: `parent_${id}`,
      agentName: 'writer',
      agentId: null,
      environmentId: null,
      task: 't',
      request: '{}',
      state: 'skipped',
      sessionId: null,
      error: 'when: success did not hold',
      createdAt,
      updatedAt: createdAt,
    });
  await skip('lch_1', 'research', 'review', NOW - DAY);
  await skip('lch_2', 'research', 'review', NOW - 2 * DAY);
  await skip('lch_3', 'research', 'publish', NOW - 3 * DAY);
  await skip('lch_4', 'digest', 'draft', NOW - 40 * DAY);
  const r = await cli(['runs', '--database', file, '--json', '--limit', '10000']);
  all = JSON.parse(r.stdout) as Run[];
});
afterAll(async () => {
  await store.close();
});

describe('insight figures against a brute-force computation over runs --json', () => {
  it('the generated store covers what the figures must handle', () => {
    expect(all).toHaveLength(generated.length);
    for (const s of RUN_STATUSES) expect(all.some((r) => r.status === s)).toBe(true);
    expect(all.some((r) => r.evaluations.length >= 3 && r.outcomeResult !== null)).toBe(true);
    expect(all.some((r) => r.usage === null)).toBe(true);
    expect(all.some((r) => r.usage !== null && r.usage.costCents === null)).toBe(true);
    expect(all.some((r) => r.parentRunId !== null && r.pipeline !== null)).toBe(true);
  });

  it('totals, every agent and every pipeline match (stats --json, default 30 days)', async () => {
    const got = await statsJson();
    expect(got.until - got.since).toBe(30 * DAY);
    const inWindow = all.filter((r) => r.firstSeenAt >= got.since && r.firstSeenAt < got.until);
    expect(inWindow.length).toBeLessThan(all.length);
    expect(got.totals).toEqual(figuresOf(inWindow));
    expect(got.daily).toEqual(dailyOf(inWindow, got.since, got.until));
    const agentKeys = [...new Set(inWindow.map((r) => r.agentName ?? r.agentId))];
    expect(got.agents.map((a) => a.name).sort()).toEqual(agentKeys.sort());
    for (const a of got.agents) {
      const runs = inWindow.filter((r) => (r.agentName ?? r.agentId) === a.name);
      expect(a.figures, `agent ${a.name}`).toEqual(figuresOf(runs));
      expect(a.agentIds).toEqual([...new Set(runs.map((r) => r.agentId))].sort());
      expect(a.daily).toEqual(dailyOf(runs, got.since, got.until));
      expect(a.failureReasons).toEqual(reasonsOf(runs));
    }
    expect(got.agents.find((a) => a.name === 'researcher')?.agentIds).toEqual(['agent_r1', 'agent_r2']);
    for (const p of got.pipelines) {
      const runs = inWindow.filter((r) => r.pipeline === p.name);
      expect(p.figures, `pipeline ${p.name}`).toEqual(figuresOf(runs));
      expect(p.failureReasons).toEqual(reasonsOf(runs));
      const skipped: Record<string, number> = p.name === 'research' ? { review: 2, publish: 1 } : {};
      for (const s of p.steps ?? []) {
        const of = runs.filter((r) => r.step === s.step);
        expect(s, `${p.name}/${s.step}`).toMatchObject({
          launched: of.length,
          succeeded: of.filter((r) => r.status === 'succeeded').length,
          failed: of.filter((r) => r.status === 'failed').length,
          skipped: skipped[s.step] ?? 0,
        });
      }
      expect(p.steps?.map((s) => s.step).sort()).toEqual(
        [...new Set([...runs.map((r) => r.step as string), ...Object.keys(skipped)])].sort(),
      );
    }
    expect(got.pipelines.map((p) => p.name).sort()).toEqual(['digest', 'research']);
  });

  it('--agent (name or id), --pipeline and --since narrow the same figures', async () => {
    const byName = await statsJson('--agent', 'researcher', '--since', '7d');
    const win = (r: Run) => r.firstSeenAt >= byName.since && r.firstSeenAt < byName.until;
    expect(byName.until - byName.since).toBe(7 * DAY);
    expect(byName.totals).toEqual(figuresOf(all.filter((r) => win(r) && r.agentName === 'researcher')));
    const byId = await statsJson('--agent', 'agent_anon');
    const winId = (r: Run) => r.firstSeenAt >= byId.since && r.firstSeenAt < byId.until;
    expect(byId.totals).toEqual(figuresOf(all.filter((r) => winId(r) && r.agentId === 'agent_anon')));
    const research = await statsJson('--pipeline', 'research');
    const winP = (r: Run) => r.firstSeenAt >= research.since && r.firstSeenAt < research.until;
    expect(research.totals).toEqual(figuresOf(all.filter((r) => winP(r) && r.pipeline === 'research')));
    expect(research.pipelines.map((p) => p.name)).toEqual(['research']);
  });

  it('SQLite reads the window from the covering runs_insight index, grouping as it scans', () => {
    const db = new Database(file, { readonly: true });
    try {
      // Every agent and pipeline, and one pipeline (whose runs_pipeline index the planner would
      // take, at several times the cost); an agent's runs may rather come from the agent indexes.
      for (const q of [{ days: 30 }, { days: 7 }, { days: 30, pipeline: 'research' }]) {
        const { sql, params } = sqliteCells({ since: NOW - q.days * DAY, until: NOW, pipeline: q.pipeline });
        const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
        // No table lookups and no "USE TEMP B-TREE FOR GROUP BY": the index order is the grouping.
        // The one temporary B-tree is the per-cell set that lists each agent id once.
        expect(plan.map((r) => r.detail)).toEqual([
          expect.stringMatching(/USING COVERING INDEX runs_insight/),
          'USE TEMP B-TREE FOR json_group_array(DISTINCT)',
        ]);
      }
    } finally {
      db.close();
    }
  });

  it('runs --reason lists exactly the failed runs each failure reason counts', async () => {
    const got = await statsJson('--agent', 'researcher');
    const reason = (r: Run) =>
      r.outcomeResult !== null && r.outcomeResult !== 'satisfied'
        ? r.outcomeResult
        : (r.stopReason ?? 'unknown');
    const reasons = got.agents[0]?.failureReasons ?? [];
    expect(reasons.length).toBeGreaterThan(2);
    for (const { reason: x, count } of reasons) {
      const r = await cli([
        'runs',
        '--database',
        file,
        '--json',
        '--limit',
        '10000',
        '--status',
        'failed',
        '--agent',
        'researcher',
        '--since',
        String(got.since),
        '--reason',
        x,
      ]);
      const ids = (JSON.parse(r.stdout) as Run[]).map((run) => run.id).sort();
      const want = all
        .filter(
          (run) => run.agentName === 'researcher' && run.status === 'failed' && run.firstSeenAt >= got.since,
        )
        .filter((run) => reason(run) === x)
        .map((run) => run.id)
        .sort();
      expect(ids, x).toEqual(want);
      expect(ids).toHaveLength(count);
    }
  });

  it('a bad --since is an invalid_time usage error', async () => {
    const r = await cli(['stats', '--database', file, '--since', 'yesterday']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--since');
  });

  it('prints tables for people', async () => {
    const r = await cli(['stats', '--database', file, '--pipeline', 'research']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PIPELINES');
    expect(r.stdout).toMatch(/STEP\s+LAUNCHED\s+SUCCEEDED\s+FAILED\s+SKIPPED/);
    expect(r.stdout).toContain('failure reasons:');
  });
});

describe('PostgreSQL gives the same figures as SQLite', () => {
  let db: TestDatabase;
  let pgStore: Store;
  beforeAll(async () => {
    db = await createTestDatabase();
    pgStore = await openStore(
      { kind: 'postgres', url: db.url, display: 'test', source: 'flag' },
      { create: true, logger: silentLogger },
    );
    for (const run of generated) await pgStore.saveRun({ run, expectedVersion: 0, history: null });
    for (const l of await store.listLaunches({ state: 'skipped' })) await pgStore.createLaunch(l);
  });
  afterAll(async () => {
    await pgStore.close();
    await db.drop();
  });

  it('every figure, for the whole store and narrowed', async () => {
    for (const f of [
      { since: NOW - 30 * DAY, until: NOW },
      { since: NOW - 45 * DAY, until: NOW, agent: 'writer' },
      { since: NOW - 10 * DAY, until: NOW, pipeline: 'research' },
    ]) {
      expect(await collectInsight(pgStore, f)).toEqual(await collectInsight(store, f));
    }
  });

  it('groups the window in runs_insight order, without sorting', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query('ANALYZE runs');
      // On a few hundred rows a sequential scan is cheapest; priced out, the plan shows whether the
      // index matches the statement's expressions (if not, a Sort or a HashAggregate appears).
      await c.query('BEGIN');
      for (const off of ['enable_seqscan', 'enable_sort', 'enable_incremental_sort', 'enable_hashagg'])
        await c.query(`SET LOCAL ${off} = off`);
      const { sql, values } = postgresCells({ since: NOW - 30 * DAY, until: NOW });
      const plan = (await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, values)).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      expect(plan).toMatch(/GroupAggregate[\s\S]*Index Scan using runs_insight/);
      expect(plan).not.toMatch(/Sort|HashAggregate/);
    } finally {
      await c.query('ROLLBACK');
      await c.end();
    }
  });
});
