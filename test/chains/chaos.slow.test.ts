// Chaos: pipelines and plain launches run while serve is SIGKILLed at random moments and
// restarted, the simulator duplicates 20% of its webhook deliveries, and 3% of API calls answer
// 429 and another 3% answer 500. On SQLite with one serve, and on PostgreSQL with two replicas that
// both receive every webhook. Every pipeline must end as its definition says, every launch must
// end with a session, and the simulator must hold exactly one session per step that should have
// run and per launch: nothing launched twice, nothing lost.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordCache } from '../../src/chains/record.js';
import { chainStatus, flatten } from '../../src/chains/tree.js';
import { systemClock } from '../../src/clock.js';
import { loadConfigFile } from '../../src/config-file.js';
import { isAppError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { createPlatform } from '../../src/platform/client.js';
import { createRuntime } from '../../src/runtime.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import {
  API_KEY,
  type ChainEnv,
  type ChildServe,
  setupChainEnv,
  simSessions,
  spawnServe,
  until,
} from './helpers.js';

const KILLS = 3;
/** What each pipeline must end with (steps that ran, and whether all of them succeeded). */
const EXPECTED: Record<string, { ran: string[]; skipped: string[]; ok: boolean }> = {
  three: { ran: ['report', 'research', 'review'], skipped: [], ok: true },
  fanout: { ran: ['critique', 'research', 'summary'], skipped: ['rescue'], ok: true },
  broken: { ran: ['apologise', 'report', 'research'], skipped: ['review'], ok: false },
};
const NAMES = Object.keys(EXPECTED);

const CASES = [
  { name: 'SQLite, one serve', postgres: false, replicas: 1, pipelines: 150, launches: 40 },
  { name: 'PostgreSQL, two replicas', postgres: true, replicas: 2, pipelines: 60, launches: 20 },
];

describe.each(CASES)('chains and launches under SIGKILLs, duplicates and API faults: $name', (c) => {
  let e: ChainEnv | undefined;
  const serves: ChildServe[] = [];
  let store: Store | undefined;
  let db: TestDatabase | undefined;

  afterAll(async () => {
    for (const s of serves) s.proc.kill('SIGKILL');
    await Promise.all(serves.map((s) => s.exited));
    await store?.close();
    await e?.close();
    await db?.drop();
  });

  it(`${c.pipelines} pipelines and ${c.launches} launches: one session per expected step and launch`, {
    timeout: 420_000,
  }, async () => {
    e = await setupChainEnv({
      faults: { duplicateRate: 0.2 },
      api: { createRpm: 100_000, readRpm: 100_000, rate429: 0.03, errorRate: 0.03 },
      seed: 7,
    });
    db = c.postgres ? await createTestDatabase() : undefined;
    const database = db?.url ?? e.dbFile;
    store = await openStore(
      db
        ? { kind: 'postgres', url: db.url, display: 'test', source: 'flag' }
        : { kind: 'sqlite', url: e.dbFile, display: e.dbFile, source: 'flag' },
      { create: true, logger: silentLogger },
    );
    for (let r = 0; r < c.replicas; r++) {
      const s = await spawnServe(e, { database });
      serves.push(s);
      e.sim.addWebhook(`${s.url}/webhooks`);
    }
    const ports = serves.map((s) => s.port);

    // The starter is a CLI-like process: the same runtime, retrying API faults for a while itself.
    const runtime = createRuntime({
      settings: { launchRetryMs: 3_000 },
      store,
      platform: createPlatform({ apiKey: API_KEY, baseURL: e.sim.url, logger: silentLogger }),
      clock: systemClock,
      logger: silentLogger,
      configFile: loadConfigFile(e.configFile, e.dir),
    });
    const chains: Array<{ id: string; pipeline: string }> = [];
    const launches: string[] = [];
    let pending = 0;
    const launching = (async () => {
      const queue = Array.from({ length: c.pipelines + c.launches }, (_, i) => i);
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
            try {
              if (i < c.pipelines) {
                const pipeline = NAMES[i % NAMES.length]!;
                try {
                  const { record } = await runtime.startChain(pipeline, `Chaos task ${i}`);
                  chains.push({ id: record.id, pipeline });
                } catch (err) {
                  // The intents are stored; serve finishes them.
                  if (!isAppError(err, 'launch_pending')) throw err;
                  pending += 1;
                  chains.push({ id: String(err.details?.chain), pipeline });
                }
              } else {
                try {
                  const { launch } = await runtime.launch({ task: `Chaos launch ${i}`, agent: 'researcher' });
                  launches.push(launch.id);
                } catch (err) {
                  if (!isAppError(err, 'launch_pending')) throw err;
                  pending += 1;
                  launches.push(String(err.details?.launch));
                }
              }
            } catch (err) {
              throw new Error(`starting item ${i} failed: ${(err as Error).message}`);
            }
          }
        }),
      );
    })();

    // Seeded schedule of kills over the busiest part of the run, taking turns over the replicas.
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 1_500 + rand() * 3_000));
      const victim = k % serves.length;
      serves[victim]!.proc.kill('SIGKILL');
      await serves[victim]!.exited;
      serves[victim] = await spawnServe(e, { port: ports[victim], database });
    }
    await launching;
    expect(chains).toHaveLength(c.pipelines);
    expect(launches).toHaveLength(c.launches);

    const records = new RecordCache(store);
    await until(
      'every pipeline to end and every launch to have its session',
      async () => {
        for (const l of launches) if ((await store!.getLaunch(l))?.state !== 'created') return false;
        for (const ch of chains) {
          const record = await records.get(ch.id);
          if (!record || !(await chainStatus(store!, record)).done) return false;
        }
        return true;
      },
      300_000,
    );

    // Read what exists on the platform with a client that rides out the injected faults.
    const sdk = new Anthropic({ apiKey: API_KEY, baseURL: e.sim.url, maxRetries: 10, webhookKey: null });
    const all = await simSessions(sdk);
    const sessions = all.filter((s) => s.chain !== '');
    const expectedTotal = chains.reduce((n, ch) => n + EXPECTED[ch.pipeline]!.ran.length, 0);
    console.log(
      `chaos (${c.name}): ${c.pipelines} pipelines, ${c.launches} launches (${pending} left to serve by the starter), ${KILLS} kills, ${sessions.length} chain sessions (expected ${expectedTotal}), deliveries`,
      e.sim.stats().deliveries,
    );
    for (const l of launches)
      expect(
        all.filter((s) => s.launch === l),
        l,
      ).toHaveLength(1);
    expect(sessions).toHaveLength(expectedTotal);
    expect(new Set(sessions.map((s) => `${s.chain}/${s.step}`)).size).toBe(sessions.length);
    for (const ch of chains) {
      const status = await chainStatus(store, (await records.get(ch.id))!);
      const nodes = flatten(status.roots).map((n) => n.node);
      const want = EXPECTED[ch.pipeline]!;
      expect(
        nodes
          .filter((n) => n.run)
          .map((n) => n.step)
          .sort(),
        ch.id,
      ).toEqual(want.ran);
      expect(
        nodes
          .filter((n) => n.state === 'skipped')
          .map((n) => n.step)
          .sort(),
        ch.id,
      ).toEqual(want.skipped);
      expect(status.ok, ch.id).toBe(want.ok);
      expect(
        sessions
          .filter((s) => s.chain === ch.id)
          .map((s) => s.step)
          .sort(),
        ch.id,
      ).toEqual(want.ran);
    }
    expect((await store.listLaunches({ state: 'intent' })).length).toBe(0);
  });
});
