// Ingest and processing scale apart on PostgreSQL (issue 6, items 2 and 3): a `serve --no-worker`
// receiver stores, a `serve --worker-only` process (no webhook routes, still /health and /ready)
// processes what the receiver stored; and the reconciler runs on one replica at a time.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { createPlatform } from '../../src/platform/client.js';
import { Reconciler } from '../../src/runs/reconciler.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import type { Store } from '../../src/store/types.js';
import { generateSecret } from '../../src/webhooks/sign.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { delivery, getJson, openPgStore, post, type Replicas, startReplicas, until } from './helpers.js';

const API_KEY = 'sk-replicas-split';
let sim: RunningSimulator;
let db: TestDatabase;
let store: Store;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  sim = await startSimulator({ timeScale: 0.01, durationMs: 2_000, apiKeys: [API_KEY], seed: 61 });
  db = await createTestDatabase();
  store = await openPgStore(db.url);
});

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

afterAll(async () => {
  await store?.close();
  await sim?.close();
  await db?.drop();
});

async function session(scenario: string): Promise<string> {
  const platform = createPlatform({ apiKey: API_KEY, baseURL: sim.url, logger: silentLogger });
  const agent = await platform.ensureAgent('split', { model: 'claude-sonnet-4-6' });
  const environment = await platform.ensureEnvironment('split', {});
  const s = await platform.createSession({
    agent: agent.id,
    environment_id: environment.id,
    initial_events: [{ type: 'user.message', content: [{ type: 'text', text: `split ${scenario}` }] }],
    metadata: { sim_scenario: scenario },
  });
  return s.id;
}

describe('serve --no-worker and serve --worker-only on PostgreSQL', () => {
  it('the receiver only stores; the worker-only process has no webhook route and processes what was stored', async () => {
    const secret = generateSecret();
    const env = { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: sim.url };
    const receiver: Replicas = await startReplicas(1, db.url, ['--signing-key', secret, '--no-worker'], env);
    cleanups.push(() => receiver.stopAll());
    const receiverUrl = receiver.urls[0]!;

    const sessionId = await session('success');
    const d = delivery(secret, 'session.status_idled', sessionId);
    const stored = await post(receiverUrl, d);
    expect([stored.status, stored.body]).toEqual([200, { id: d.id, duplicate: false }]);

    // With no worker anywhere, the event stays pending.
    const ready = await getJson(`${receiverUrl}/ready`);
    expect(ready).toMatchObject({
      status: 200,
      body: { status: 'ready', store: 'postgres', worker: 'disabled (--no-worker)' },
    });
    await new Promise((r) => setTimeout(r, 500));
    expect((await store.getEvent(d.id))?.state).toBe('pending');

    const worker: Replicas = await startReplicas(1, db.url, ['--worker-only'], env);
    cleanups.push(() => worker.stopAll());
    const workerUrl = worker.urls[0]!;
    await until(
      async () => worker.list[0]!.stdout().includes('worker only: not receiving webhooks'),
      'the worker-only banner',
      5_000,
    );

    // No receiver routes on the worker, but the probes answer.
    const refused = await post(workerUrl, delivery(secret, 'session.status_idled', sessionId));
    expect([refused.status, refused.body?.error?.code]).toEqual([404, 'not_found']);
    expect((await getJson(`${workerUrl}/health`)).status).toBe(200);
    const workerReady = await getJson(`${workerUrl}/ready`);
    expect(workerReady).toMatchObject({ status: 200, body: { status: 'ready', store: 'postgres' } });
    expect(String(workerReady.body?.worker)).toMatch(/^running/);

    // The worker-only process picks up the event the receiver stored and fetches the session.
    const event = await until(
      async () => {
        const e = await store.getEvent(d.id);
        return e?.state === 'done' ? e : undefined;
      },
      'the worker-only process to finish the event',
      30_000,
    );
    expect(event.attempts).toBe(1);
    const run = await until(async () => (await store.getRun(sessionId)) ?? undefined, 'the run row', 10_000);
    expect(run.id).toBe(sessionId);
    // Nothing was stored by the refused POST.
    expect(await store.countEvents({})).toBe(1);
  });

  it('the reconciler lease: of three replicas sweeping at once, exactly one sweeps, and it keeps the lease', async () => {
    const stores = await Promise.all([0, 1, 2].map(() => openPgStore(db.url)));
    cleanups.push(async () => {
      await Promise.all(stores.map((s) => s.close()));
    });
    const reconcilers = stores.map(
      (s, i) =>
        new Reconciler(
          {
            store: s,
            platform: createPlatform({ apiKey: API_KEY, baseURL: sim.url, logger: silentLogger }),
            clock: systemClock,
            logger: silentLogger,
          },
          { owner: `replica_${i}`, intervalMs: 1000, maxReads: 30 },
        ),
    );
    // The first test's worker-only process (stopped now) left its reconciler lease: clear it so
    // that the three here compete from scratch.
    const { connect } = await import('../support/postgres.js');
    const admin = await connect(db.url);
    await admin.query('DELETE FROM leases');
    await admin.end();

    for (let round = 0; round < 4; round++) {
      const reports = await Promise.all(reconcilers.map((r) => r.sweep()));
      const ran = reports.map((r, i) => (r.ran ? i : -1)).filter((i) => i >= 0);
      expect(ran).toHaveLength(1);
    }
    const owners = new Set(reconcilers.filter((r) => r.totals.sweeps > 0).map((r) => r.owner));
    expect(owners.size).toBe(1);
    const holder = reconcilers.find((r) => r.totals.sweeps > 0)!;
    expect(holder.totals.sweeps).toBe(4);
    const last = JSON.parse((await store.getMeta('reconciler.last_sweep')) ?? '{}') as { owner?: string };
    expect(last.owner).toBe(holder.owner);
  });
});
