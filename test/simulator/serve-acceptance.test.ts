// The simulator's deliveries are accepted by the real `agenthooks serve` (spawned from dist/):
// signed deliveries get 2xx and are stored once, duplicates too, bad signatures get 401.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { generateSecret } from '../../src/webhooks/sign.js';
import { client, settle, setup, task, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function serve(sim: RunningSimulator, key: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-sim-serve-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const child = spawn(
    'node',
    [
      'dist/cli/bin.js',
      'serve',
      '--port',
      '0',
      '--database',
      path.join(dir, 'a.db'),
      '--signing-key',
      key,
      '--no-worker',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        ANTHROPIC_API_KEY: 'sk-serve',
        ANTHROPIC_BASE_URL: sim.url,
        AGENTHOOKS_LOG_LEVEL: 'warn',
      },
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  cleanups.push(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  });
  return waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${err}`);
      return /listening on (http:\/\/\S+)/.exec(out)?.[1];
    },
    'serve to listen',
    60_000,
  );
}

describe('agenthooks serve accepts simulator deliveries', () => {
  it('answers 2xx to every signed delivery (duplicates included) and 401 to bad signatures', async () => {
    const key = generateSecret();
    const sim = await startSimulator({
      seed: 21,
      timeScale: 0.001,
      signingKey: key,
      faults: { duplicateRate: 0.5, badSignatureRate: 0.2 },
    });
    cleanups.push(() => sim.close());
    const url = await serve(sim, key);
    sim.addWebhook(`${url}/webhooks`);
    const c = client(sim.url);
    const { agent, environment } = await setup(c);
    for (const scenario of ['success', 'multiagent', 'outcome_revise_then_satisfied']) {
      const s = await c.beta.sessions.create({
        agent: agent.id,
        environment_id: environment.id,
        metadata: { sim_scenario: scenario },
        initial_events: [task(`accept ${scenario}`)],
      });
      await settle(c, s.id);
    }
    await sim.deliveriesIdle();
    const log = sim.deliveries();
    expect(log.length).toBeGreaterThan(10);
    for (const r of log) {
      if (r.fault === 'bad_signature') expect(r.status).toBe(401);
      else expect([r.status, r.outcome]).toEqual([200, 'delivered']);
    }
    expect(log.some((r) => r.copy === 2 && r.outcome === 'delivered')).toBe(true);
    expect(log.some((r) => r.fault === 'bad_signature')).toBe(true);
  });
});
