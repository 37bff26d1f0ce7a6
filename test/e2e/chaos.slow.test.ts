// Chaos: 500 sessions with duplicated, reordered and dropped webhooks; then every webhook dropped.
// Every run must match the final state read back from the simulator through the SDK, no run's
// history may go backwards, and no row may be duplicated. With every delivery dropped, the
// reconciler alone recovers every outcome without the simulator ever answering 429 on reads.
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { compareKeys, isFinal } from '../../src/runs/state.js';
import { SCENARIOS, type Scenario } from '../../src/simulator/index.js';
import type { Run, RunStatus } from '../../src/store/types.js';
import { API_KEY, type Env, orderedTimers, type Serving, setup, startServe } from './helpers.js';

const N = Number(process.env.CHAOS_N ?? 500);
const TERMINAL = new Set(['satisfied', 'max_iterations_reached', 'failed', 'interrupted']);
const OUTCOME_SCENARIOS: Scenario[] = [
  'success',
  'outcome_revise_then_satisfied',
  'outcome_max_iterations',
  'outcome_failed',
];

let env: Env | null = null;
let serve: Serving | null = null;
afterEach(async () => {
  await serve?.close();
  await env?.close();
  serve = null;
  env = null;
});

async function createSessions(e: Env, n: number): Promise<string[]> {
  const agent = await e.platform.ensureAgent('chaos', { model: 'claude-sonnet-4-6' });
  const environment = await e.platform.ensureEnvironment('chaos', {});
  const ids: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const withOutcome = i % 5 === 0;
      const scenario = withOutcome
        ? OUTCOME_SCENARIOS[(i / 5) % OUTCOME_SCENARIOS.length]!
        : SCENARIOS[i % SCENARIOS.length]!;
      const s = await e.platform.createSession({
        agent: agent.id,
        environment_id: environment.id,
        initial_events: [
          withOutcome
            ? {
                type: 'user.define_outcome',
                description: `task ${i}`,
                rubric: { type: 'text', content: 'rubric' },
                max_iterations: 3,
              }
            : { type: 'user.message', content: [{ type: 'text', text: `task ${i}` }] },
        ],
        metadata: { sim_scenario: scenario },
      });
      ids[i] = s.id;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return ids;
}

async function until(
  fn: () => Promise<boolean>,
  what: string,
  ms: number,
  diagnose?: () => Promise<string>,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end)
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}${diagnose ? `: ${await diagnose()}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** What the simulator says each session ended as, read through the official SDK (independent of src/runs). */
async function truth(
  e: Env,
  id: string,
): Promise<{ status: RunStatus; stopReason: string | null; outcome: string | null }> {
  const sdk = new Anthropic({ apiKey: API_KEY, baseURL: e.sim.url, maxRetries: 5 });
  const s = await sdk.beta.sessions.retrieve(id);
  const last = s.outcome_evaluations[s.outcome_evaluations.length - 1];
  const outcome = last && TERMINAL.has(last.result) ? last.result : null;
  if (s.status === 'terminated') return { status: 'failed', stopReason: 'terminated', outcome };
  const idle = await sdk.beta.sessions.events.list(id, {
    types: ['session.status_idle'],
    order: 'desc',
    limit: 1,
  });
  const stop = (idle.data[0] as { stop_reason?: { type?: string } } | undefined)?.stop_reason?.type ?? null;
  if (stop === 'requires_action') return { status: 'blocked', stopReason: stop, outcome: null };
  if (stop === 'end_turn') {
    if (!last) return { status: 'succeeded', stopReason: stop, outcome: null };
    return { status: outcome === 'satisfied' ? 'succeeded' : 'failed', stopReason: stop, outcome };
  }
  return { status: 'failed', stopReason: stop, outcome };
}

async function diagnose(e: Env): Promise<string> {
  const runs = await e.store.listRuns({ limit: 100_000 });
  const counts: Record<string, number> = {};
  for (const r of runs) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const stuck = runs.filter((r: Run) => !isFinal(r.status) && r.status !== 'blocked').slice(0, 3);
  const events = {
    pending: await e.store.countEvents({ state: 'pending' }),
    failed: await e.store.countEvents({ state: 'failed' }),
  };
  return JSON.stringify({
    runs: runs.length,
    counts,
    events,
    stuck: stuck.map((r) => ({
      id: r.id,
      s: r.sessionStatus,
      stop: r.stopReason,
      ev: r.evaluations.map((x) => x.result),
      key: r.snapshotKey,
    })),
    sim: e.sim.stats().routes,
  });
}

async function verify(e: Env, ids: string[]): Promise<void> {
  expect(await e.store.countRuns({})).toBe(N);
  const mismatches: string[] = [];
  let next = 0;
  const check = async () => {
    for (let i = next++; i < ids.length; i = next++) {
      const id = ids[i]!;
      const run = (await e.store.getRun(id))!;
      const want = await truth(e, id);
      const got = { status: run.status, stopReason: run.stopReason, outcome: run.outcomeResult };
      if (JSON.stringify(got) !== JSON.stringify(want))
        mismatches.push(`${id}: run ${JSON.stringify(got)} != simulator ${JSON.stringify(want)}`);
      const history = await e.store.runHistory(id);
      for (let h = 1; h < history.length; h++) {
        const a = history[h - 1]!;
        const b = history[h]!;
        if (compareKeys(a.snapshotKey, b.snapshotKey) > 0)
          mismatches.push(`${id}: history key went backwards at seq ${b.seq}`);
        if (isFinal(a.status) && !isFinal(b.status) && b.turn === a.turn)
          mismatches.push(`${id}: final -> ${b.status} without a new turn at seq ${b.seq}`);
        if (b.seq !== a.seq + 1) mismatches.push(`${id}: history seq gap`);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, check));
  expect(mismatches.slice(0, 10)).toEqual([]);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

describe('chaos', () => {
  it('500 sessions, duplicate 0.2 / reorder 0.2 / drop 0.1: every run matches the simulator', {
    timeout: 300_000,
  }, async () => {
    env = await setup({
      timers: orderedTimers(),
      timeScale: 0.02,
      seed: 42,
      faults: { duplicateRate: 0.2, reorderRate: 0.2, dropRate: 0.1 },
      api: { createRpm: 1_000_000, readRpm: 1_000_000 },
    });
    serve = await startServe(env, {
      reconcileInterval: '2s',
      runs: { reconcileMaxReads: 600, reconcileSinceMs: 3_600_000 },
    });
    env.sim.addWebhook(`${serve.url}/webhooks`);
    const e = env;
    const ids = await createSessions(e, N);
    await until(
      async () => (await e.store.countRuns({ status: ['succeeded', 'failed', 'blocked'] })) >= N,
      'all runs to settle',
      240_000,
      () => diagnose(e),
    );
    await e.sim.deliveriesIdle();
    await until(
      async () =>
        (await e.store.countEvents({ state: 'pending' })) +
          (await e.store.countEvents({ state: 'processing' })) ===
        0,
      'the event backlog to drain',
      60_000,
    );
    expect(await e.store.countEvents({ state: 'failed' })).toBe(0);

    // No duplicate rows: stored event ids are distinct, each one the simulator emitted, and every
    // delivered id is stored (more may be stored than "delivered": an attempt the receiver
    // committed but answered after the sender's timeout counts as failed on the sender's side).
    const log = e.sim.deliveries();
    const emitted = new Set(log.map((d) => d.event_id));
    const delivered = new Set(log.filter((d) => d.outcome === 'delivered').map((d) => d.event_id));
    const stored = (await e.store.listEvents({ limit: 1_000_000 })).map((x) => x.id);
    expect(stored.length).toBe(await e.store.countEvents({}));
    expect(new Set(stored).size).toBe(stored.length);
    expect(stored.filter((id) => !emitted.has(id))).toEqual([]);
    const storedSet = new Set(stored);
    expect([...delivered].filter((id) => !storedSet.has(id))).toEqual([]);
    const counters = e.sim.stats().deliveries;
    expect(counters.faults.duplicate).toBeGreaterThan(0);
    expect(counters.faults.drop).toBeGreaterThan(0);

    // Webhook received -> run final in the store.
    const latencies: number[] = [];
    let viaReconcile = 0;
    for (const id of ids) {
      const history = await e.store.runHistory(id);
      const final = history.find((h) => isFinal(h.status) || h.status === 'blocked');
      if (!final) continue;
      const events = await e.store.listEvents({ subjectId: id, limit: 100 });
      const terminal = events.filter((x) =>
        ['session.status_idled', 'session.status_terminated', 'session.outcome_evaluation_ended'].includes(
          x.type,
        ),
      );
      if (final.source === 'reconcile') viaReconcile += 1;
      if (terminal.length === 0) continue;
      const first = Math.min(...terminal.map((x) => x.receivedAt));
      latencies.push(Math.max(0, final.at - first));
    }
    latencies.sort((a, b) => a - b);
    console.log(
      `chaos: ${N} sessions; webhook received -> run final: p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms ` +
        `(n=${latencies.length}); ${viaReconcile} runs settled by the reconciler; deliveries ${JSON.stringify(counters.faults)}`,
    );
    await verify(e, ids);
  });

  it('500 sessions with every webhook dropped: the reconciler alone recovers every outcome within the read limit', {
    timeout: 400_000,
  }, async () => {
    const readRpm = 1200;
    env = await setup({
      timers: orderedTimers(),
      timeScale: 0.02,
      seed: 43,
      faults: { dropRate: 1 },
      api: { createRpm: 1_000_000, readRpm },
    });
    // 3 s sweeps x 55 reads = 1,100 reads a minute, under the simulator's 1,200.
    serve = await startServe(env, {
      reconcileInterval: '3s',
      runs: { reconcileMaxReads: 55, reconcileSinceMs: 3_600_000 },
    });
    env.sim.addWebhook(`${serve.url}/webhooks`);
    const e = env;
    const ids = await createSessions(e, N);
    await until(
      async () => (await e.store.countRuns({ status: ['succeeded', 'failed', 'blocked'] })) >= N,
      'the reconciler to settle every run',
      360_000,
      () => diagnose(e),
    );
    expect(await e.store.countEvents({})).toBe(0);
    const stats = e.sim.stats();
    const limited = Object.values(stats.routes).reduce((a, r) => a + r.faults.rate_limited, 0);
    const reads = Object.entries(stats.routes)
      .filter(([route]) => route.startsWith('GET'))
      .reduce((a, [, r]) => a + r.requests, 0);
    console.log(
      `chaos drop=1: reconciler recovered ${N} runs with ${reads} reads; 429 rate_limited answers: ${limited}`,
    );
    expect(limited).toBe(0);
    await serve.close();
    serve = null;
    await verify(e, ids);
  });
});
