// Crash points (test-only AGENTHOOKS_TEST_CRASH_AT): serve SIGKILLs itself right after writing a
// chain intent, right after the platform created the session (not yet recorded), and after the
// children are launched but before the event is marked done. After a restart every pipeline must
// complete and the simulator must hold exactly one session per step that should have run.
import { afterEach, describe, expect, it } from 'vitest';
import { RecordCache } from '../../src/chains/record.js';
import { chainStatus } from '../../src/chains/tree.js';
import { silentLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import {
  type ChainEnv,
  type ChildServe,
  cli,
  setupChainEnv,
  simSessions,
  spawnServe,
  until,
} from './helpers.js';

const CHAINS = 3;
const STEPS = 3; // pipeline "three": research -> report -> review

async function allDone(store: Store, ids: string[]): Promise<boolean> {
  const records = new RecordCache(store);
  for (const id of ids) {
    const status = await chainStatus(store, (await records.get(id))!);
    if (!status.done) return false;
    expect(status.ok, `chain ${id}`).toBe(true);
  }
  return true;
}

describe.each(['after-intent', 'after-create', 'before-mark-done'])('crash point %s', (point) => {
  let e: ChainEnv | undefined;
  let serve: ChildServe | undefined;
  let store: Store | undefined;

  afterEach(async () => {
    serve?.proc.kill('SIGKILL');
    await serve?.exited;
    await store?.close();
    await e?.close();
  });

  it('restarts, completes every pipeline and creates exactly one session per step', async () => {
    e = await setupChainEnv();
    serve = await spawnServe(e, { crashAt: point });
    e.sim.addWebhook(`${serve.url}/webhooks`);
    const ids: string[] = [];
    for (let i = 0; i < CHAINS; i++) {
      const r = await cli(e, ['chain', 'three', `Crash test ${i}`, '--json']);
      expect(r.code, r.stderr).toBe(0);
      ids.push((JSON.parse(r.stdout) as { chain: string }).chain);
    }
    const killed = await Promise.race([
      serve.exited,
      new Promise<null>((r) => setTimeout(() => r(null), 30_000)),
    ]);
    expect(killed, `serve did not reach ${point}:\n${serve.output()}`).toMatchObject({ signal: 'SIGKILL' });

    store = await openStore(
      { kind: 'sqlite', url: e.dbFile, display: e.dbFile, source: 'flag' },
      { create: false, logger: silentLogger },
    );
    // The crash happened where it says: look at the state it left behind.
    const sessions = await simSessions(e.sdk);
    const intents = (await store.listLaunches({ state: 'intent' })).filter((l) => l.parentRunId !== null);
    if (point === 'after-intent') {
      expect(intents.some((l) => !sessions.some((s) => s.launch === l.id))).toBe(true);
    } else if (point === 'after-create') {
      expect(intents.some((l) => sessions.some((s) => s.launch === l.id))).toBe(true);
    } else {
      const stuck = await store.listEvents({ state: 'processing' });
      expect(stuck.length).toBeGreaterThan(0);
      const children = (await store.listLaunches({ state: 'created' })).filter((l) => l.parentRunId !== null);
      expect(children.length).toBeGreaterThan(0);
    }

    const port = serve.port;
    serve = await spawnServe(e, { port });
    await until('every pipeline to complete', () => allDone(store!, ids), 90_000);

    const final = (await simSessions(e.sdk)).filter((s) => ids.includes(s.chain));
    expect(final).toHaveLength(CHAINS * STEPS);
    for (const id of ids)
      expect(
        final
          .filter((s) => s.chain === id)
          .map((s) => s.step)
          .sort(),
        id,
      ).toEqual(['report', 'research', 'review']);
    expect(new Set(final.map((s) => s.launch)).size).toBe(final.length);
    expect((await store.listLaunches({ state: 'intent' })).length).toBe(0);
  });
});
