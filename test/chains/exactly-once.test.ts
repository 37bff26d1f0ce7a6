// Exactly once per (parent run, step) at the engine level, against the simulator and real SQLite:
// concurrent replicas deciding the same parent, a response lost after the platform created the
// session, a request that never arrived, and a launch lease held by someone else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainEngine } from '../../src/chains/engine.js';
import { systemClock } from '../../src/clock.js';
import { type ConfigFile, loadConfigFile } from '../../src/config-file.js';
import { AppError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { createPlatform } from '../../src/platform/client.js';
import type { Platform } from '../../src/platform/types.js';
import { LaunchSweeper } from '../../src/runs/launch-sweep.js';
import { refreshSession } from '../../src/runs/refresh.js';
import { openStore } from '../../src/store/open.js';
import type { Run, Store } from '../../src/store/types.js';
import { API_KEY, type ChainEnv, setupChainEnv, simSessions, until } from './helpers.js';

describe('chain launches happen exactly once', () => {
  let e: ChainEnv;
  let store: Store;
  let platform: Platform;
  let config: ConfigFile;
  const deps = () => ({ store, platform, clock: systemClock, logger: silentLogger });

  beforeAll(async () => {
    e = await setupChainEnv();
    store = await openStore(
      { kind: 'sqlite', url: e.dbFile, display: e.dbFile, source: 'flag' },
      { create: true, logger: silentLogger },
    );
    platform = createPlatform({ apiKey: API_KEY, baseURL: e.sim.url, logger: silentLogger });
    config = loadConfigFile(e.configFile, e.dir);
  });
  afterAll(async () => {
    await store?.close();
    await e?.close();
  });

  /** Starts a chain and polls its root session (no serve here) until the run is final. */
  async function finishedRoot(
    engine: ChainEngine,
    pipeline: string,
    task: string,
  ): Promise<{ chain: string; root: Run }> {
    const { record, roots } = await engine.startChain(config, pipeline, task);
    const id = roots[0].run!.id;
    const root = await until(`root ${id} final`, async () => {
      const { run } = await refreshSession(deps(), id, 'poll', 'agenthooks');
      return run.status === 'succeeded' || run.status === 'failed' ? run : null;
    });
    return { chain: record.id, root };
  }

  /** A platform whose createSession fails: before the request is sent, or after the session was created. */
  function faulty(when: 'before' | 'after'): Platform {
    const lost = () =>
      new AppError('platform_error', 'create session: connection reset', {
        details: { status: null, retryable: true, retryAfterMs: null, type: 'connection_error' },
      });
    // Every method of the real client (its prototype's too), with createSession replaced.
    const f = Object.create(platform) as Platform;
    f.createSession = async (req) => {
      if (when === 'after') await platform.createSession(req);
      throw lost();
    };
    return f;
  }

  it('two replicas deciding the same final run concurrently launch each child once', async () => {
    const a = new ChainEngine(deps(), { owner: 'replica-a' });
    const b = new ChainEngine(deps(), { owner: 'replica-b' });
    const { chain, root } = await finishedRoot(a, 'fanout', 'Replica race');
    await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).decideChildren(root)));
    const sessions = (await simSessions(e.sdk)).filter((s) => s.chain === chain);
    expect(sessions.map((s) => s.step).sort()).toEqual(['critique', 'research', 'summary']);
    const launches = await store.listLaunches({ parentRunId: root.id });
    expect(launches.map((l) => `${l.step}:${l.state}`).sort()).toEqual([
      'critique:created',
      'rescue:skipped',
      'summary:created',
    ]);
  });

  it('a response lost after the platform created the session: recovery finds that session', async () => {
    const crashing = new ChainEngine({ ...deps(), platform: faulty('after') }, { owner: 'lost-response' });
    const good = new ChainEngine(deps(), { owner: 'recoverer', staleMs: 0 });
    const { chain, root } = await finishedRoot(good, 'three', 'Lost response');
    await expect(crashing.decideChildren(root)).rejects.toThrow(/connection reset/);
    const [intent] = await store.listLaunches({ parentRunId: root.id });
    expect(intent.state).toBe('intent');
    const created = (await simSessions(e.sdk)).filter((s) => s.launch === intent.id);
    expect(created).toHaveLength(1);

    // Stale intents are the launch sweep's: it lists once per agent and finds the tagged session.
    const sweeper = new LaunchSweeper(deps(), {
      owner: 'recoverer',
      leaseMs: 15_000,
      intervalMs: 60_000,
      staleMs: 0,
    });
    await sweeper.sweep();
    expect(sweeper.totals.recovered).toBeGreaterThanOrEqual(1);
    const after = (await store.getLaunch(intent.id))!;
    expect(after).toMatchObject({ state: 'created', sessionId: created[0].id });
    expect((await store.getRun(created[0].id))!).toMatchObject({
      parentRunId: root.id,
      step: 'report',
      pipeline: 'three',
    });
    await good.sweep();
    expect((await simSessions(e.sdk)).filter((s) => s.chain === chain && s.step === 'report')).toHaveLength(
      1,
    );
  });

  it('a request that never arrived: recovery creates the session once', async () => {
    const crashing = new ChainEngine({ ...deps(), platform: faulty('before') }, { owner: 'no-request' });
    const good = new ChainEngine(deps(), { owner: 'recoverer-2', staleMs: 0 });
    const { chain, root } = await finishedRoot(good, 'three', 'Never arrived');
    await expect(crashing.decideChildren(root)).rejects.toThrow(/connection reset/);
    expect((await simSessions(e.sdk)).filter((s) => s.chain === chain && s.step === 'report')).toHaveLength(
      0,
    );
    await good.sweep();
    await good.sweep();
    expect((await simSessions(e.sdk)).filter((s) => s.chain === chain && s.step === 'report')).toHaveLength(
      1,
    );
    const [launch] = await store.listLaunches({ parentRunId: root.id });
    expect(launch.state).toBe('created');
  });

  it('an intent whose lease someone else holds is left alone until the lease is free', async () => {
    const crashing = new ChainEngine({ ...deps(), platform: faulty('before') }, { owner: 'no-request-2' });
    const good = new ChainEngine(deps(), { owner: 'recoverer-3', staleMs: 0 });
    const { chain, root } = await finishedRoot(good, 'three', 'Lease held');
    await expect(crashing.decideChildren(root)).rejects.toThrow();
    const [intent] = await store.listLaunches({ parentRunId: root.id });
    expect(await store.tryLease(`launch:${intent.id}`, 'other-replica', systemClock.now(), 60_000)).toBe(
      true,
    );
    await good.sweep();
    await good.decideChildren(root);
    expect((await store.getLaunch(intent.id))!.state).toBe('intent');
    expect((await simSessions(e.sdk)).filter((s) => s.chain === chain && s.step === 'report')).toHaveLength(
      0,
    );
    await store.tryLease(`launch:${intent.id}`, 'other-replica', systemClock.now(), 0);
    await good.sweep();
    expect((await store.getLaunch(intent.id))!.state).toBe('created');
    expect((await simSessions(e.sdk)).filter((s) => s.chain === chain && s.step === 'report')).toHaveLength(
      1,
    );
  });

  it('chain --wait without serve polls the sessions and launches the next steps itself', async () => {
    const { cli } = await import('./helpers.js');
    const r = await cli(e, ['chain', 'three', 'No serve running', '--wait', '--json', '--timeout', '60s']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { chain: string; steps: Array<{ step: string; state: string }> };
    expect(out.steps.map((s) => `${s.step}:${s.state}`)).toEqual([
      'research:succeeded',
      'report:succeeded',
      'review:succeeded',
    ]);
    expect((await simSessions(e.sdk)).filter((s) => s.chain === out.chain)).toHaveLength(3);
  });
});
