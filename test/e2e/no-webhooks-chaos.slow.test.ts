// Chaos without webhooks: `serve --no-webhooks` (the real binary) follows sessions through streams
// and polls while 3% of API calls answer 429 and another 3% answer 500 (streams included), streams
// are cut mid-session, and serve is SIGKILLed at random moments and restarted. Half the sessions
// are launched here (intent and run in the store), half created elsewhere and found by the
// reconciler. Every run must end as the platform says, read back through the SDK, with a history
// that never goes backwards; the simulator never sent a webhook.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { isAppError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { compareKeys, isFinal } from '../../src/runs/state.js';
import { createRuntime } from '../../src/runtime.js';
import type { RunStatus } from '../../src/store/types.js';
import { childEnv, type ServeProcess, startServe } from '../serve/spawn.js';
import { NO_CONFIG } from '../support/app.js';
import { API_KEY, type Env, setup } from './helpers.js';

const N = Number(process.env.CHAOS_NOWEBHOOKS_N ?? 120);
const KILLS = 3;
const SCENARIOS = [
  'success',
  'refusal',
  'retries_exhausted',
  'budget_reached',
  'terminated',
  'requires_action',
  'multiagent',
];
const TERMINAL = new Set(['satisfied', 'max_iterations_reached', 'failed', 'interrupted']);

/** What the platform says the run is, read through the official SDK (independent of src/runs). */
async function truth(sdk: Anthropic, id: string): Promise<{ status: RunStatus; stopReason: string | null }> {
  const s = await sdk.beta.sessions.retrieve(id);
  if (s.status === 'terminated') return { status: 'failed', stopReason: 'terminated' };
  const idle = await sdk.beta.sessions.events.list(id, {
    types: ['session.status_idle'],
    order: 'desc',
    limit: 1,
  });
  const stop = (idle.data[0] as { stop_reason?: { type?: string } } | undefined)?.stop_reason?.type ?? null;
  const last = s.outcome_evaluations.at(-1);
  if (stop === 'requires_action') return { status: 'blocked', stopReason: stop };
  if (stop === 'end_turn' && (!last || (TERMINAL.has(last.result) && last.result === 'satisfied')))
    return { status: 'succeeded', stopReason: stop };
  return { status: 'failed', stopReason: stop };
}

describe('chaos without webhooks', () => {
  let e: Env | undefined;
  let serve: ServeProcess | undefined;
  afterAll(async () => {
    serve?.proc.kill('SIGKILL');
    await serve?.exited;
    await e?.close();
  });

  it(`${N} sessions under API faults, stream cuts and ${KILLS} SIGKILLs: every run matches the platform`, {
    timeout: 420_000,
  }, async () => {
    e = await setup({
      timeScale: 0.1,
      seed: 18,
      api: { createRpm: 100_000, readRpm: 100_000, rate429: 0.03, errorRate: 0.03, streamDropAfter: 4 },
    });
    const env = e;
    const args = [
      '--no-webhooks',
      '--max-streams',
      String(Math.floor(N / 4)),
      '--database',
      env.dbFile,
      '--reconcile-interval',
      '2s',
      '--reconcile-since',
      '1h',
      '--chain-sweep-interval',
      '500ms',
    ];
    const childVars = childEnv({ ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: env.sim.url });
    serve = await startServe(args, childVars, env.dir);

    // The starter is a CLI-like process with its own runtime; an intent it leaves behind is serve's.
    const runtime = createRuntime({
      settings: { launchRetryMs: 3_000 },
      store: env.store,
      platform: env.platform,
      clock: systemClock,
      logger: silentLogger,
      configFile: NO_CONFIG,
    });
    const sdk = new Anthropic({ apiKey: API_KEY, baseURL: env.sim.url, maxRetries: 10, webhookKey: null });
    const agent = await sdk.beta.agents.create({ name: 'elsewhere', model: 'claude-sonnet-4-6' });
    const environment = await sdk.beta.environments.create({ name: 'elsewhere', config: { type: 'cloud' } });
    const launches: string[] = [];
    const external: string[] = [];
    const starting = (async () => {
      const queue = Array.from({ length: N }, (_, i) => i);
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
            const scenario = SCENARIOS[i % SCENARIOS.length]!;
            if (i % 2 === 0) {
              try {
                const { launch } = await runtime.launch({
                  task: `chaos ${i}`,
                  agent: 'here',
                  model: 'claude-sonnet-4-6',
                  metadata: { sim_scenario: scenario },
                });
                launches.push(launch.id);
              } catch (err) {
                if (!isAppError(err, 'launch_pending')) throw err;
                launches.push(String(err.details?.launch));
              }
            } else {
              const s = await sdk.beta.sessions.create({
                agent: agent.id,
                environment_id: environment.id,
                initial_events: [{ type: 'user.message', content: [{ type: 'text', text: `chaos ${i}` }] }],
                metadata: { sim_scenario: scenario },
              });
              external.push(s.id);
            }
            await new Promise((r) => setTimeout(r, 30));
          }
        }),
      );
    })();

    let seed = 4242;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 1_000 + rand() * 3_000));
      serve.proc.kill('SIGKILL');
      await serve.exited;
      serve = await startServe(args, childVars, env.dir);
    }
    await starting;

    // Every launch has its session, and every session (launched here or elsewhere) its run.
    const ids: string[] = [...external];
    const end = Date.now() + 300_000;
    for (;;) {
      const sessions: string[] = [];
      for (const l of launches) {
        const launch = await env.store.getLaunch(l);
        if (launch?.sessionId) sessions.push(launch.sessionId);
      }
      let settled = sessions.length === launches.length;
      for (const id of [...sessions, ...external]) {
        if (!settled) break;
        const run = await env.store.getRun(id);
        if (!run || !(isFinal(run.status) || run.status === 'blocked')) settled = false;
      }
      if (settled) {
        ids.push(...sessions);
        break;
      }
      if (Date.now() > end) throw new Error('timed out waiting for every run to settle');
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(ids).toHaveLength(N);

    const mismatches: string[] = [];
    const sources = { stream: 0, poll: 0, reconcile: 0, other: 0 };
    for (const id of ids) {
      const run = (await env.store.getRun(id))!;
      const want = await truth(sdk, id);
      const got = { status: run.status, stopReason: run.stopReason };
      if (JSON.stringify(got) !== JSON.stringify(want))
        mismatches.push(`${id}: run ${JSON.stringify(got)} != platform ${JSON.stringify(want)}`);
      const history = await env.store.runHistory(id);
      for (let h = 1; h < history.length; h++) {
        const a = history[h - 1]!;
        const b = history[h]!;
        if (compareKeys(a.snapshotKey, b.snapshotKey) > 0) mismatches.push(`${id}: history went backwards`);
        if (isFinal(a.status) && !isFinal(b.status) && b.turn === a.turn)
          mismatches.push(`${id}: final -> ${b.status} without a new turn`);
      }
      const settledBy = history.find((h) => isFinal(h.status) || h.status === 'blocked')?.source ?? '';
      if (settledBy.startsWith('sevt_')) sources.stream += 1;
      else if (settledBy === 'poll') sources.poll += 1;
      else if (settledBy === 'reconcile') sources.reconcile += 1;
      else sources.other += 1;
    }
    const stats = env.sim.stats();
    const faults = Object.values(stats.routes).reduce(
      (a, r) => ({ r429: a.r429 + r.faults.api_429, r5xx: a.r5xx + r.faults.api_error }),
      { r429: 0, r5xx: 0 },
    );
    console.log(
      `chaos --no-webhooks: ${N} sessions (${launches.length} launched here), ${KILLS} kills; settled by ${JSON.stringify(sources)}; API faults ${JSON.stringify(faults)}; webhooks sent ${env.sim.deliveries().length}`,
    );
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(faults.r429 + faults.r5xx).toBeGreaterThan(0);
    expect(sources.stream).toBeGreaterThan(0);
    expect(env.sim.deliveries()).toHaveLength(0);
    expect(await env.store.countEvents({})).toBe(0);
  });
});
