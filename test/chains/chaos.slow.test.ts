// Chaos: 200 pipelines run while serve is SIGKILLed at random moments and restarted, with the
// simulator duplicating 20% of its webhook deliveries. Every pipeline must end as its definition
// says, and the simulator must hold exactly one session per step that should have run.
import { afterAll, describe, expect, it } from 'vitest';
import { ChainEngine } from '../../src/chains/engine.js';
import { RecordCache } from '../../src/chains/record.js';
import { chainStatus, flatten } from '../../src/chains/tree.js';
import { systemClock } from '../../src/clock.js';
import { loadConfigFile } from '../../src/config-file.js';
import { silentLogger } from '../../src/logger.js';
import { createPlatform } from '../../src/platform/client.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import {
  API_KEY,
  type ChainEnv,
  type ChildServe,
  setupChainEnv,
  simSessions,
  spawnServe,
  until,
} from './helpers.js';

const PIPELINES = 200;
const KILLS = 5;
/** What each pipeline must end with (steps that ran, and whether all of them succeeded). */
const EXPECTED: Record<string, { ran: string[]; skipped: string[]; ok: boolean }> = {
  three: { ran: ['report', 'research', 'review'], skipped: [], ok: true },
  fanout: { ran: ['critique', 'research', 'summary'], skipped: ['rescue'], ok: true },
  broken: { ran: ['apologise', 'report', 'research'], skipped: ['review'], ok: false },
};
const NAMES = Object.keys(EXPECTED);

describe('chains under random SIGKILLs of serve and duplicated deliveries', () => {
  let e: ChainEnv | undefined;
  let serve: ChildServe | undefined;
  let store: Store | undefined;

  afterAll(async () => {
    serve?.proc.kill('SIGKILL');
    await serve?.exited;
    await store?.close();
    await e?.close();
  });

  it(`${PIPELINES} pipelines: each completes, one session per step that should run`, {
    timeout: 240_000,
  }, async () => {
    e = await setupChainEnv({
      faults: { duplicateRate: 0.2 },
      api: { createRpm: 100_000, readRpm: 100_000 },
      seed: 7,
    });
    store = await openStore(
      { kind: 'sqlite', url: e.dbFile, display: e.dbFile, source: 'flag' },
      { create: true, logger: silentLogger },
    );
    serve = await spawnServe(e);
    e.sim.addWebhook(`${serve.url}/webhooks`);
    const port = serve.port;

    const config = loadConfigFile(e.configFile, e.dir);
    const platform = createPlatform({ apiKey: API_KEY, baseURL: e.sim.url, logger: silentLogger });
    const starter = new ChainEngine({ store, platform, clock: systemClock, logger: silentLogger });
    const chains: Array<{ id: string; pipeline: string }> = [];
    const launching = (async () => {
      const queue = Array.from({ length: PIPELINES }, (_, i) => i);
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
            const pipeline = NAMES[i % NAMES.length];
            const { record } = await starter.startChain(config, pipeline, `Chaos task ${i}`);
            chains.push({ id: record.id, pipeline });
          }
        }),
      );
    })();

    // Seeded schedule of kills over the busiest part of the run.
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let kills = 0;
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 1_500 + rand() * 3_000));
      serve.proc.kill('SIGKILL');
      await serve.exited;
      kills += 1;
      serve = await spawnServe(e, { port });
    }
    await launching;
    expect(kills).toBe(KILLS);
    expect(chains).toHaveLength(PIPELINES);

    const records = new RecordCache(store);
    await until(
      'every pipeline to end',
      async () => {
        for (const c of chains)
          if (!(await chainStatus(store!, (await records.get(c.id))!)).done) return false;
        return true;
      },
      180_000,
    );

    const sessions = (await simSessions(e.sdk)).filter((s) => s.chain !== '');
    const expectedTotal = chains.reduce((n, c) => n + EXPECTED[c.pipeline].ran.length, 0);
    console.log(
      `chaos: ${PIPELINES} pipelines, ${kills} kills, ${sessions.length} sessions (expected ${expectedTotal}), deliveries`,
      e.sim.stats().deliveries,
    );
    expect(sessions).toHaveLength(expectedTotal);
    expect(new Set(sessions.map((s) => `${s.chain}/${s.step}`)).size).toBe(sessions.length);
    for (const c of chains) {
      const status = await chainStatus(store, (await records.get(c.id))!);
      const nodes = flatten(status.roots).map((n) => n.node);
      const want = EXPECTED[c.pipeline];
      expect(
        nodes
          .filter((n) => n.run)
          .map((n) => n.step)
          .sort(),
        c.id,
      ).toEqual(want.ran);
      expect(
        nodes
          .filter((n) => n.state === 'skipped')
          .map((n) => n.step)
          .sort(),
        c.id,
      ).toEqual(want.skipped);
      expect(status.ok, c.id).toBe(want.ok);
      expect(
        sessions
          .filter((s) => s.chain === c.id)
          .map((s) => s.step)
          .sort(),
        c.id,
      ).toEqual(want.ran);
    }
    expect((await store.listLaunches({ state: 'intent' })).length).toBe(0);
  });
});
