import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchRun } from '../../src/runs/launch.js';
import { waitForRun } from '../../src/runs/wait.js';
import { deps, type Env, setup } from './helpers.js';

let env: Env;
beforeAll(async () => {
  env = await setup();
});
afterAll(async () => env?.close());

describe('launch + wait without serve (polls the API)', () => {
  it('a plain success ends succeeded with output', async () => {
    const d = deps(env);
    const r = await launchRun(d, { task: 'Summarise TCP vs UDP', metadata: { sim_scenario: 'success' } });
    expect(r.run.launchedBy).toBe('agenthooks');
    expect(r.run.metadata.agenthooks_launch).toBe(r.launch.id);
    const w = await waitForRun(d, r.run.id, { timeoutMs: 30_000, pollIntervalMs: 50 });
    expect(w.end).toBe('final');
    expect(w.run?.status).toBe('succeeded');
    expect(w.run?.stopReason).toBe('end_turn');
    expect(w.run?.output).toBeTruthy();
    expect(w.run?.task).toBe('Summarise TCP vs UDP');
  });
});
