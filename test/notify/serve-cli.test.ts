// The real binary: `agenthooks serve` reads notify: targets from agenthooks.yaml, generates and
// prints a secret for a target without one (and reuses it after a restart), and delivers a
// run.finished that verifies with the printed secret.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { createPlatform } from '../../src/platform/client.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createVerifier } from '../../src/webhooks/verify.js';
import { until } from '../e2e/serving.js';
import { childEnv, type ServeProcess, startServe } from '../serve/spawn.js';
import { Receiver } from './helpers.js';

const KEY = 'sk-sim-cli';
let sim: RunningSimulator | null = null;
let serve: ServeProcess | null = null;
let receiver: Receiver | null = null;
let dir: string | null = null;

afterEach(async () => {
  if (serve && serve.proc.exitCode === null) {
    serve.proc.kill('SIGTERM');
    await serve.exited;
  }
  await receiver?.stop();
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  serve = null;
  receiver = null;
  sim = null;
  dir = null;
});

it('serve prints a generated notify secret, keeps it across restarts, and signs with it', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-notify-cli-'));
  receiver = new Receiver();
  await receiver.start();
  sim = await startSimulator({ timeScale: 0.01, durationMs: 2_000, apiKeys: [KEY] });
  writeFileSync(path.join(dir, 'agenthooks.yaml'), `notify:\n  svc:\n    url: ${receiver.url}\n`);
  const env = childEnv({
    ANTHROPIC_API_KEY: KEY,
    ANTHROPIC_BASE_URL: sim.url,
    ANTHROPIC_WEBHOOK_SIGNING_KEY: sim.signingKey,
  });
  serve = await startServe([], env, dir);
  const secret = /notify svc: generated signing secret (whsec_\S+)/.exec(serve.stdout())?.[1];
  expect(secret).toBeTruthy();
  serve.proc.kill('SIGTERM');
  expect((await serve.exited).code).toBe(0);

  serve = await startServe([], env, dir);
  expect(serve.stdout()).not.toContain('generated signing secret');
  expect(serve.stdout()).toContain(`notify svc: ${receiver.url}`);
  sim.addWebhook(`${serve.url}/webhooks`);

  const platform = createPlatform({ apiKey: KEY, baseURL: sim.url, logger: silentLogger });
  const agent = await platform.ensureAgent('cli-notified', { model: 'claude-sonnet-4-6' });
  const environment = await platform.ensureEnvironment('cli-env', {});
  const s = await platform.createSession({
    agent: agent.id,
    environment_id: environment.id,
    initial_events: [{ type: 'user.message', content: [{ type: 'text', text: 'go' }] }],
    metadata: { sim_scenario: 'success' },
  });
  const r = receiver;
  const d = await until(
    async () => r.deliveries.find((x) => JSON.parse(x.body).data.id === s.id),
    'the notification',
  );
  const verified = createVerifier({ keys: [secret!], clock: systemClock }).verify(d.headers as never, d.body);
  expect(verified.id).toBe(d.id);
  expect(JSON.parse(d.body).data).toMatchObject({ type: 'run.finished', status: 'succeeded' });
}, 90_000);
