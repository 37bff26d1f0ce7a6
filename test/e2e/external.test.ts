// Sessions agenthooks did not launch, deletion, deployment runs, and an outcome whose idle
// webhook arrives before its grading: all through signed webhooks, serve and the worker.
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { launchRun } from '../../src/runs/launch.js';
import { waitForRun } from '../../src/runs/wait.js';
import { until as poll } from '../support/until.js';
import { API_KEY, deps, type Env, type Serving, setup, startServe } from './helpers.js';

/** The shared poll loop with this file's own time limit. */
const until = <T>(fn: () => Promise<T | null | undefined | false>, what: string, ms = 20_000): Promise<T> =>
  poll(fn, what, ms);

let env: Env | null = null;
let serve: Serving | null = null;
afterEach(async () => {
  await serve?.close();
  await env?.close();
  serve = null;
  env = null;
});

async function externalSession(e: Env, scenario = 'success'): Promise<string> {
  const agent = await e.platform.ensureAgent('outsider', { model: 'claude-sonnet-4-6' });
  const environment = await e.platform.ensureEnvironment('outsider-env', {});
  const s = await e.platform.createSession({
    agent: agent.id,
    environment_id: environment.id,
    initial_events: [{ type: 'user.message', content: [{ type: 'text', text: 'made elsewhere' }] }],
    metadata: { sim_scenario: scenario },
  });
  return s.id;
}

describe('sessions launched elsewhere', () => {
  it('become runs (launched_by external) with task and output', async () => {
    env = await setup();
    serve = await startServe(env);
    env.sim.addWebhook(`${serve.url}/webhooks`);
    const id = await externalSession(env);
    const e = env;
    const run = await until(async () => {
      const r = await e.store.getRun(id);
      return r && r.status === 'succeeded' ? r : null;
    }, 'the external run to succeed');
    expect(run.launchedBy).toBe('external');
    expect(run.task).toBe('made elsewhere');
    expect(run.output).toBeTruthy();
    expect(run.agentName).toBe('outsider');
  });

  it('a deployment run links its session as a run (only deployment_run.* webhooks subscribed)', async () => {
    env = await setup();
    serve = await startServe(env);
    env.sim.addWebhook(`${serve.url}/webhooks`, [
      'deployment_run.started',
      'deployment_run.succeeded',
      'deployment_run.failed',
    ]);
    const id = await externalSession(env);
    // Let the session finish first, so the run is created already final by the deployment path.
    await new Promise((r) => setTimeout(r, 300));
    const res = await fetch(`${env.sim.url}/_simulator/deployment_runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify({ session_id: id }),
    });
    expect(res.status).toBe(200);
    const e = env;
    const run = await until(() => e.store.getRun(id), 'the deployment run session to become a run');
    expect(run.launchedBy).toBe('external');
    // The run can exist from deployment_run.started before the succeeded delivery arrives.
    const events = await until(async () => {
      const listed = await e.store.listEvents({ type: 'deployment_run.succeeded' });
      return listed.length > 0 ? listed : null;
    }, 'the deployment_run.succeeded delivery');
    expect(events.length).toBe(1);
    await until(
      async () => ((await e.store.getEvent(events[0]!.id))?.state === 'done' ? true : null),
      'the event to be done',
    );
  });

  it('a deleted session marks the run deleted and the event done', async () => {
    env = await setup();
    serve = await startServe(env);
    env.sim.addWebhook(`${serve.url}/webhooks`);
    const d = deps(env);
    const r = await launchRun(d, { task: 'will be deleted', metadata: { sim_scenario: 'requires_action' } });
    const w = await waitForRun(d, r.run.id, { timeoutMs: 20_000, storeIntervalMs: 50 });
    expect(w.run?.status).toBe('blocked');
    const sdk = new Anthropic({ apiKey: API_KEY, baseURL: env.sim.url, maxRetries: 0 });
    await sdk.beta.sessions.delete(r.run.id);
    const e = env;
    const run = await until(async () => {
      const x = await e.store.getRun(r.run.id);
      return x?.status === 'deleted' ? x : null;
    }, 'the run to be deleted');
    expect(run.finishedAt).not.toBeNull();
    const failed = await e.store.listEvents({ state: 'failed' });
    expect(failed).toEqual([]);
  });
});

describe('an outcome whose idle webhook arrives before its grading', () => {
  it('ends satisfied, never final before the terminal evaluation', async () => {
    // Every idled delivery is held back less than the evaluation ones: reorder everything.
    env = await setup({ faults: { reorderRate: 1, reorderWindowMs: 2_000 }, seed: 7 });
    serve = await startServe(env);
    env.sim.addWebhook(`${serve.url}/webhooks`);
    const d = {
      store: env.store,
      platform: env.platform,
      clock: systemClock,
      logger: silentLogger,
      config: deps(env).config,
    };
    const r = await launchRun(d, {
      task: 'graded late',
      outcome: '# Rubric\n- two passes',
      metadata: { sim_scenario: 'outcome_revise_then_satisfied' },
    });
    const w = await waitForRun(d, r.run.id, { timeoutMs: 30_000, storeIntervalMs: 50 });
    expect(w.run).toMatchObject({ status: 'succeeded', outcomeResult: 'satisfied' });
    // Every graded iteration is kept with the run, in order.
    expect(w.run?.evaluations.map((x) => x.result)).toEqual(['needs_revision', 'satisfied']);
    const history = await env.store.runHistory(r.run.id);
    const firstFinal = history.findIndex((h) => h.status === 'succeeded' || h.status === 'failed');
    expect(history[firstFinal]?.outcomeResult).toBe('satisfied');
  });
});
