// The worker's failure handling and the reconciler's budget, lease and high-water mark, against
// the simulator over real sockets and a real SQLite store.
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { createPlatform } from '../../src/platform/client.js';
import { HIGH_WATER_KEY, Reconciler } from '../../src/runs/reconciler.js';
import { RunWorker } from '../../src/runs/worker.js';
import type { NewEvent } from '../../src/store/types.js';
import { API_KEY, type Env, orderedTimers, setup } from '../e2e/helpers.js';

let env: Env | null = null;
afterEach(async () => {
  await env?.close();
  env = null;
});

const event = (id: string, type: string, subjectId: string): NewEvent => ({
  id,
  type,
  createdAt: Date.now(),
  receivedAt: Date.now(),
  subjectId,
  threadId: null,
  raw: JSON.stringify({
    type: 'event',
    id,
    created_at: new Date().toISOString(),
    data: { type, id: subjectId },
  }),
  state: 'pending',
});

async function externalSessions(e: Env, n: number): Promise<string[]> {
  const agent = await e.platform.ensureAgent('rec', { model: 'm' });
  const environment = await e.platform.ensureEnvironment('rec', {});
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = await e.platform.createSession({
      agent: agent.id,
      environment_id: environment.id,
      initial_events: [{ type: 'user.message', content: [{ type: 'text', text: `t${i}` }] }],
      metadata: { sim_scenario: 'success' },
    });
    ids.push(s.id);
  }
  return ids;
}

describe('worker', () => {
  it('a 404 session marks the run deleted and the event done', async () => {
    env = await setup();
    await env.store.insertEvents([event('whe_1', 'session.status_idled', 'sesn_missing')]);
    const worker = new RunWorker({
      store: env.store,
      platform: env.platform,
      clock: systemClock,
      logger: silentLogger,
    });
    expect(await worker.processOnce()).toBe(1);
    expect((await env.store.getEvent('whe_1'))?.state).toBe('done');
    expect((await env.store.getRun('sesn_missing'))?.status).toBe('deleted');
  });

  it('unreachable API: retries with backoff, then fails with the error visible, without blocking others', async () => {
    env = await setup();
    const dead = createPlatform({
      apiKey: API_KEY,
      baseURL: 'http://127.0.0.1:9',
      logger: silentLogger,
      timeoutMs: 2000,
    });
    await env.store.insertEvents([
      event('whe_a', 'session.status_idled', 'sesn_a'),
      event('whe_b', 'agent.created', 'agent_x'),
    ]);
    let now = Date.now();
    const clock = { now: () => now };
    const worker = new RunWorker(
      { store: env.store, platform: dead, clock, logger: silentLogger },
      { maxAttempts: 2, backoff: { baseMs: 1000, maxMs: 1000 } },
    );
    await worker.processOnce();
    const retry = await env.store.getEvent('whe_a');
    expect(retry).toMatchObject({ state: 'pending', attempts: 1 });
    expect(retry?.lastError).toContain('could not reach the platform');
    expect(retry?.nextAttemptAt).toBeGreaterThanOrEqual(now + 500);
    expect((await env.store.getEvent('whe_b'))?.state).toBe('done');
    expect(await worker.processOnce()).toBe(0); // not due yet
    now += 1500;
    await worker.processOnce();
    const failed = await env.store.getEvent('whe_a');
    expect(failed).toMatchObject({ state: 'failed', attempts: 2 });
    expect(failed?.lastError).toMatch(/after 2 attempt\(s\).*could not reach/);
  });

  it('events of one session claimed together cost one fetch', async () => {
    env = await setup({ timers: orderedTimers(), timeScale: 0.01 });
    const [id] = await externalSessions(env, 1);
    await new Promise((r) => setTimeout(r, 300));
    await env.store.insertEvents([1, 2, 3, 4].map((i) => event(`whe_${i}`, 'session.status_idled', id!)));
    const worker = new RunWorker({
      store: env.store,
      platform: env.platform,
      clock: systemClock,
      logger: silentLogger,
    });
    const before = env.platform.requestCounts().reads;
    await worker.processOnce();
    expect(env.platform.requestCounts().reads - before).toBe(2); // GET session + one events page
    expect((await env.store.getRun(id!))?.status).toBe('succeeded');
  });
});

describe('reconciler', () => {
  it('finds sessions no webhook announced, within its read budget, on one replica at a time', async () => {
    env = await setup({ timers: orderedTimers(), timeScale: 0.01 });
    const ids = await externalSessions(env, 12);
    await new Promise((r) => setTimeout(r, 300));
    const deps = { store: env.store, platform: env.platform, clock: systemClock, logger: silentLogger };
    const a = new Reconciler(deps, { maxReads: 12, intervalMs: 1000 });
    const b = new Reconciler(deps, { maxReads: 12, intervalMs: 1000 });
    const first = await a.sweep();
    expect(first.ran).toBe(true);
    expect(first.reads).toBeLessThanOrEqual(12);
    expect((await b.sweep()).ran).toBe(false); // a holds the lease
    for (let i = 0; i < 10 && (await env.store.countRuns({ status: ['succeeded'] })) < ids.length; i++) {
      const r = await a.sweep();
      expect(r.reads).toBeLessThanOrEqual(12);
    }
    expect(await env.store.countRuns({ status: ['succeeded'] })).toBe(ids.length);
    expect(Number(await env.store.getMeta(HIGH_WATER_KEY))).toBeGreaterThan(0);
    const run = await env.store.getRun(ids[0]!);
    expect(run?.launchedBy).toBe('external');
    // Nothing changed since: a sweep only lists (one page), it re-reads no settled session.
    const idle = await a.sweep();
    expect(idle.refreshed).toBe(0);
    expect(idle.reads).toBe(1);
  });
});
