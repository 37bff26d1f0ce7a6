// Every simulator scenario, launched through launchRun, delivered as signed webhooks to serve
// (in-process, real sockets), processed by the worker: each ends in the state the simulator's
// own expectation says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchRun } from '../../src/runs/launch.js';
import { waitForRun } from '../../src/runs/wait.js';
import { expectedFinal, SCENARIOS, type Scenario } from '../../src/simulator/index.js';
import type { RunStatus } from '../../src/store/types.js';
import { deps, type Env, type Serving, setup, startServe } from './helpers.js';

let env: Env;
let serve: Serving;
beforeAll(async () => {
  env = await setup();
  serve = await startServe(env);
  env.sim.addWebhook(`${serve.url}/webhooks`);
});
afterAll(async () => {
  await serve?.close();
  await env?.close();
});

function expectedStatus(
  scenario: Scenario,
  outcome: boolean,
  maxIterations = 3,
): { status: RunStatus; outcome: string | null } {
  const e = expectedFinal(scenario, outcome ? { maxIterations } : undefined);
  if (e.status === 'terminated') return { status: 'failed', outcome: null };
  if (e.stopReason === 'requires_action') return { status: 'blocked', outcome: null };
  if (e.stopReason !== 'end_turn') return { status: 'failed', outcome: null };
  if (e.outcomeResult === null || e.outcomeResult === 'satisfied')
    return { status: 'succeeded', outcome: e.outcomeResult };
  return { status: 'failed', outcome: e.outcomeResult };
}

describe('each scenario through serve + worker', () => {
  const cases: Array<{ scenario: Scenario; outcome: boolean }> = [
    ...SCENARIOS.map((scenario) => ({ scenario, outcome: false })),
    ...(
      ['success', 'outcome_revise_then_satisfied', 'outcome_max_iterations', 'outcome_failed'] as const
    ).map((scenario) => ({ scenario, outcome: true })),
  ];
  it.each(cases)('$scenario (outcome: $outcome)', async ({ scenario, outcome }) => {
    const d = deps(env);
    const r = await launchRun(d, {
      task: `scenario ${scenario}`,
      metadata: { sim_scenario: scenario },
      ...(outcome ? { outcome: '# Rubric\n- complete', maxIterations: 3 } : {}),
    });
    const w = await waitForRun(d, r.run.id, { timeoutMs: 30_000, storeIntervalMs: 50 });
    const want = expectedStatus(scenario, outcome);
    expect(w.run?.status).toBe(want.status);
    expect(w.run?.outcomeResult ?? null).toBe(want.outcome);
    expect(w.run?.launchedBy).toBe('agenthooks');
    if (want.status === 'succeeded') expect(w.run?.output).toBeTruthy();
    if (want.status === 'failed') expect(w.run?.error).toBeTruthy();
    // Came through webhooks + worker, not polling: history entries name event ids.
    const history = await env.store.runHistory(r.run.id);
    expect(
      history.some(
        (h) => h.source.startsWith('whe_') || h.source.startsWith('event_') || h.source.startsWith('evt'),
      ),
    ).toBe(true);
  });
});
