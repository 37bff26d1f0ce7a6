// Three real `serve` replicas on one PostgreSQL database behave as one receiver (issue 6):
// the simulator's signed deliveries go through a spreader that sends each one to a random replica,
// and a share of them to two or all three replicas at the same moment. Checked: every answer 2xx,
// exactly one `duplicate: false` per event id across all replicas, one row per event, each event
// processed once (claimed and finished once, counted once across the replicas' workers), every run
// matching what the simulator says, no duplicate application in any run's history, and a single
// replica running the reconciler.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createPlatform } from '../../src/platform/client.js';
import { LAST_SWEEP_KEY } from '../../src/runs/reconciler.js';
import { compareKeys } from '../../src/runs/state.js';
import {
  type RunningSimulator,
  SCENARIOS,
  type Scenario,
  startSimulator,
} from '../../src/simulator/index.js';
import type { RunStatus, Store } from '../../src/store/types.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { type Answer, getJson, openPgStore, post, type Replicas, startReplicas, until } from './helpers.js';

const API_KEY = 'sk-replicas';
const SESSIONS = 60;
// retries_exhausted is left out: in the simulator some of those sessions stay `rescheduling` for
// good (seen at 0.01 time scale, independent of agenthooks), which no receiver can settle.
const USED_SCENARIOS = SCENARIOS.filter((s) => s !== 'retries_exhausted');

let sim: RunningSimulator;
let db: TestDatabase;
let store: Store;
let replicas: Replicas | null = null;
let spreader: Server | null = null;

beforeAll(async () => {
  sim = await startSimulator({
    timeScale: 0.01,
    durationMs: 2_000,
    apiKeys: [API_KEY],
    seed: 606,
    // The simulator's own duplicates and reordering come on top of the spreader's fan-out.
    faults: { duplicateRate: 0.2, reorderRate: 0.2 },
    api: { readRpm: 1_000_000, createRpm: 1_000_000 },
  });
  db = await createTestDatabase();
  store = await openPgStore(db.url);
});

afterAll(async () => {
  await replicas?.stopAll();
  await new Promise<void>((r) => (spreader ? spreader.close(() => r()) : r()));
  await store?.close();
  await sim?.close();
  await db?.drop();
});

/** What the run of a session in `scenario` (no outcome defined) must end as. */
function expectedStatus(scenario: Scenario): RunStatus {
  if (scenario === 'requires_action') return 'blocked';
  if (['terminated', 'retries_exhausted', 'refusal', 'budget_reached'].includes(scenario)) return 'failed';
  return 'succeeded';
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

interface Copy {
  replica: number;
  answer: Answer;
}

/** Forwards each delivery, unchanged, to 1, 2 or 3 distinct replicas at once; answers with the first. */
async function startSpreader(urls: string[], answers: Map<string, Copy[]>): Promise<string> {
  spreader = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const headers: Record<string, string> = {};
      for (const h of ['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature']) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      const id = headers['webhook-id'] ?? '';
      const roll = Math.random();
      const fanOut = roll < 0.4 ? 1 : roll < 0.7 ? 2 : 3;
      const order = [0, 1, 2].sort(() => Math.random() - 0.5).slice(0, fanOut);
      const copies = await Promise.all(
        order.map(async (replica) => ({ replica, answer: await post(urls[replica]!, { body, headers }) })),
      );
      const list = answers.get(id) ?? [];
      list.push(...copies);
      answers.set(id, list);
      const first = copies[0]!.answer;
      res.writeHead(first.status || 502, { 'content-type': 'application/json' });
      res.end(JSON.stringify(first.body));
    })().catch(() => {
      res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((r) => spreader!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(spreader.address() as AddressInfo).port}`;
}

/** What the store and the replicas say, for a failure message. */
async function diagnose(s: Store, r: Replicas): Promise<string> {
  const states = ['pending', 'processing', 'done', 'failed', 'ignored'] as const;
  const events = await Promise.all(states.map(async (state) => `${state} ${await s.countEvents({ state })}`));
  const statuses = ['pending', 'running', 'blocked', 'succeeded', 'failed', 'deleted'] as const;
  const runs = await Promise.all(statuses.map(async (st) => `${st} ${await s.countRuns({ status: [st] })}`));
  const stuck = await s.listRuns({ status: ['running', 'pending'], limit: 5 });
  const detail = await Promise.all(
    stuck.map(async (run) => {
      const snap = await createPlatform({ apiKey: API_KEY, baseURL: sim.url, logger: silentLogger })
        .sessionSnapshot(run.id)
        .catch((e: Error) => e.message);
      const history = await s.runHistory(run.id);
      const evs = await s.listEvents({ subjectId: run.id, limit: 50 });
      return `${run.id} ${JSON.stringify(run.metadata)} session ${run.sessionStatus} checked ${run.lastCheckedAt} key ${run.snapshotKey}\n  history ${JSON.stringify(history.map((h) => [h.source, h.status, h.snapshotKey]))}\n  events ${JSON.stringify(evs.map((e) => [e.type, e.state, e.receivedAt]))}\n  simulator ${JSON.stringify(snap).slice(0, 600)}`;
    }),
  );
  const errs = r.list.map((p, i) => `replica ${i} stderr (tail):\n${p.stderr().slice(-1500)}`);
  return [`events: ${events.join(', ')}`, `runs: ${runs.join(', ')}`, ...detail, ...errs].join('\n');
}

describe('three serve replicas on one PostgreSQL', () => {
  it('store each event once, process each once, and agree with the simulator', {
    timeout: 240_000,
  }, async () => {
    replicas = await startReplicas(
      3,
      db.url,
      ['--signing-key', sim.signingKey, '--reconcile-interval', '1s', '--reconcile-since', '1h'],
      { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: sim.url },
    );
    const answers = new Map<string, Copy[]>();
    const spread = await startSpreader(replicas.urls, answers);
    sim.addWebhook(`${spread}/webhooks`);

    const platform = createPlatform({ apiKey: API_KEY, baseURL: sim.url, logger: silentLogger });
    const agent = await platform.ensureAgent('replicas', { model: 'claude-sonnet-4-6' });
    const environment = await platform.ensureEnvironment('replicas', {});
    const sessions: Array<{ id: string; scenario: Scenario }> = [];
    let next = 0;
    const create = async () => {
      for (let i = next++; i < SESSIONS; i = next++) {
        const scenario = USED_SCENARIOS[i % USED_SCENARIOS.length]!;
        const s = await platform.createSession({
          agent: agent.id,
          environment_id: environment.id,
          initial_events: [{ type: 'user.message', content: [{ type: 'text', text: `replicas ${i}` }] }],
          metadata: { sim_scenario: scenario },
        });
        sessions.push({ id: s.id, scenario });
      }
    };
    await Promise.all(Array.from({ length: 8 }, create));

    // Sample the reconciler's last sweep while the replicas work: one owner only.
    const sweepOwners = new Set<string>();
    const sweeps: string[] = [];
    const sampleSweep = async () => {
      const last = await store.getMeta(LAST_SWEEP_KEY);
      if (last) sweepOwners.add(String((JSON.parse(last) as { owner?: string }).owner));
      if (last && sweeps[sweeps.length - 1] !== last) sweeps.push(last);
    };
    await until(
      async () => {
        await sampleSweep();
        return (await store.countRuns({ status: ['succeeded', 'failed', 'blocked'] })) >= SESSIONS;
      },
      'every run to settle',
      120_000,
    ).catch(async (err) => {
      throw new Error(`${(err as Error).message}\n${await diagnose(store, replicas!)}`);
    });
    await sim.deliveriesIdle();
    await until(
      async () => {
        await sampleSweep();
        const open =
          (await store.countEvents({ state: 'pending' })) +
          (await store.countEvents({ state: 'processing' }));
        return open === 0;
      },
      'the event backlog to drain',
      60_000,
    );

    // Every copy of every delivery answered 2xx, and exactly one copy per id was the first store.
    const copies = [...answers.values()].flat();
    expect(copies.filter((c) => c.answer.status !== 200).map((c) => c.answer)).toEqual([]);
    const notExactlyOnce = [...answers.entries()].filter(
      ([, list]) => list.filter((c) => c.answer.body?.duplicate === false).length !== 1,
    );
    expect(notExactlyOnce.map(([id]) => id)).toEqual([]);
    const concurrent = [...answers.values()].filter(
      (list) => new Set(list.map((c) => c.replica)).size > 1,
    ).length;
    expect(concurrent).toBeGreaterThan(10);

    // One row per distinct event id.
    expect(await store.countEvents({})).toBe(answers.size);

    // Each event processed once: finished once (attempts 1), nothing failed, and the replicas'
    // worker counters add up to the number of events done (a second finish would count twice).
    const events = await store.listEvents({ limit: 100_000 });
    expect(events).toHaveLength(answers.size);
    expect(
      events.filter((e) => e.state !== 'done' && e.state !== 'ignored').map((e) => [e.id, e.state]),
    ).toEqual([]);
    const done = events.filter((e) => e.state === 'done');
    expect(done.filter((e) => e.attempts !== 1).map((e) => [e.id, e.attempts])).toEqual([]);
    const perReplica: number[] = [];
    for (const url of replicas.urls) {
      const ready = await getJson(`${url}/ready`);
      const m = /\((\d+) events done/.exec(String(ready.body?.worker));
      expect(m, `worker state of ${url}: ${String(ready.body?.worker)}`).not.toBeNull();
      perReplica.push(Number(m![1]));
    }
    expect(perReplica.reduce((a, b) => a + b, 0)).toBe(done.length);

    // Runs: one per session, each as the simulator ended it, and no change applied twice.
    expect(await store.countRuns({})).toBe(SESSIONS);
    const problems: string[] = [];
    for (const s of sessions) {
      const run = await store.getRun(s.id);
      if (run?.status !== expectedStatus(s.scenario))
        problems.push(`${s.id} (${s.scenario}): ${run?.status} != ${expectedStatus(s.scenario)}`);
      const history = await store.runHistory(s.id);
      for (let h = 1; h < history.length; h++) {
        const a = history[h - 1]!;
        const b = history[h]!;
        if (b.seq !== a.seq + 1) problems.push(`${s.id}: history seq gap at ${b.seq}`);
        if (compareKeys(a.snapshotKey, b.snapshotKey) > 0)
          problems.push(`${s.id}: history went backwards at ${b.seq}`);
        const same = (x: typeof a) =>
          JSON.stringify([x.status, x.sessionStatus, x.stopReason, x.outcomeResult, x.turn, x.snapshotKey]);
        if (same(a) === same(b)) problems.push(`${s.id}: the same snapshot applied twice at ${b.seq}`);
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);

    // The reconciler ran on exactly one replica the whole time.
    await sampleSweep();
    // A hand-over after the lease expires is allowed (a holder stalled past its TTL); two holders
    // sweeping at the same time is not: sweeps by different owners never overlap.
    const seen = sweeps
      .map((t) => JSON.parse(t) as { owner: string; startedAt: number; at: number })
      .sort((a, b) => a.startedAt - b.startedAt);
    for (let i = 1; i < seen.length; i++) {
      if (seen[i]!.owner !== seen[i - 1]!.owner)
        expect(seen[i]!.startedAt, sweeps.join('\n')).toBeGreaterThanOrEqual(seen[i - 1]!.at);
    }
    expect(sweepOwners.size).toBeGreaterThanOrEqual(1);
    console.log(
      `replicas: ${answers.size} events, ${copies.length} copies posted (${concurrent} ids sent to several replicas at once); ` +
        `events done per replica ${JSON.stringify(perReplica)}; reconciler owners ${[...sweepOwners].join(', ')}`,
    );
  });
});
