// serve --no-webhooks in-process against the simulator, with no webhook ever sent: sessions are
// followed through the session hub's streams (at most --max-streams at once) and polled beyond,
// and runs end as the platform says, chains continue and notifications go out as with webhooks.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { createApp } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { parseConfigText } from '../../src/config-file.js';
import { resolveServeConfig } from '../../src/http/serve-config.js';
import { silentLogger } from '../../src/logger.js';
import { isFinal } from '../../src/runs/state.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { Receiver } from '../notify/helpers.js';
import { NO_CONFIG } from '../support/app.js';
import { until as poll } from '../support/until.js';
import { API_KEY, type Env, setup } from './helpers.js';

/** The shared poll loop with this file's own time limit. */
const until = <T>(fn: () => Promise<T | null | undefined | false>, what: string, ms = 60_000): Promise<T> =>
  poll(fn, what, ms);

let env: Env | null = null;
afterEach(async () => {
  await env?.close();
  env = null;
});

async function serveNoWebhooks(
  e: Env,
  o: { maxStreams: string; yaml?: string },
): Promise<{ url: string; runtime: Runtime }> {
  const config = resolveServeConfig(
    { host: '127.0.0.1', port: '0', database: e.dbFile, webhooks: false, maxStreams: o.maxStreams },
    { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: e.sim.url },
    e.dir,
  );
  const runtime = createRuntime({
    settings: {
      reconcileIntervalMs: config.reconcileIntervalMs,
      worker: { idleMs: 20 },
      watch: { scanIntervalMs: 100, pollMinMs: 100, pollMaxMs: 400 },
      sweepIntervalMs: 500,
      staleMs: 1_000,
    },
    store: e.store,
    platform: e.platform,
    clock: systemClock,
    logger: silentLogger,
    configFile: o.yaml ? parseConfigText(o.yaml, 'agenthooks.yaml') : NO_CONFIG,
  });
  const app = createApp({ config, runtime, heartbeatMs: 1000 });
  const url = (await app.listen())!;
  onTestFinished(() => app.close());
  return { url, runtime };
}

const SCENARIOS = ['success', 'refusal', 'retries_exhausted', 'multiagent', 'budget_reached', 'success'];

describe('serve --no-webhooks', () => {
  it('needs no signing key, answers POST /webhooks 404 saying webhooks are off, and reconciles every 10 s', async () => {
    env = await setup();
    const config = resolveServeConfig(
      { webhooks: false },
      { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_WEBHOOK_SIGNING_KEY: 'not even a key' },
      env.dir,
    );
    expect(config.signingKeys).toEqual([]);
    expect(config.reconcileIntervalMs).toBe(10_000);
    expect(config.maxStreams).toBe(100);
    expect(
      resolveServeConfig({ webhooks: false, reconcileInterval: '3s' }, { ANTHROPIC_API_KEY: 'k' }, '/')
        .reconcileIntervalMs,
    ).toBe(3_000);
    const { url } = await serveNoWebhooks(env, { maxStreams: '5' });
    for (const path of ['/webhooks', '/webhook/agent-outcome']) {
      const res = await fetch(`${url}${path}`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(404);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('not_found');
      expect(body.error.message).toContain('webhooks are off');
      expect(body.error.message).toContain('--no-webhooks');
    }
    expect((await fetch(`${url}/ready`)).status).toBe(200);
  });

  it.each([
    [{ webhooks: false, workerOnly: true }, '--worker-only'],
    [{ webhooks: false, worker: false }, '--no-worker'],
    [{ webhooks: false, insecureSkipVerify: true }, '--insecure-skip-verify'],
    [{ webhooks: false, signingKey: ['whsec_x'] }, '--signing-key'],
    [{ webhooks: false, maxStreams: 'many' }, '--max-streams'],
    [{ webhooks: false, maxStreams: '-1' }, '--max-streams'],
  ])('refuses %j naming %s', (flags, name) => {
    expect(() => resolveServeConfig(flags, { ANTHROPIC_API_KEY: 'k' }, '/')).toThrow(name);
  });

  it('refuses to start without an API key: nothing would tell it about sessions', () => {
    expect(() => resolveServeConfig({ webhooks: false }, {}, '/')).toThrow(/ANTHROPIC_API_KEY/);
  });

  it('--max-streams 1 and six launched sessions: one streamed at a time, the rest polled, every run final as the platform says', {
    timeout: 120_000,
  }, async () => {
    env = await setup({ timeScale: 0.3, durationMs: 3_000 });
    const e = env;
    const { runtime } = await serveNoWebhooks(e, { maxStreams: '1' });
    const hub = runtime.hub!;
    let most = 0;
    const sampler = setInterval(() => {
      most = Math.max(most, hub.upstreams());
    }, 5);
    onTestFinished(() => clearInterval(sampler));
    const ids: string[] = [];
    // The first session runs long and holds the only stream slot (a running session is never
    // displaced by another running one), so the five short ones can only be finished by polls.
    for (const [i, scenario] of SCENARIOS.entries()) {
      const { run } = await runtime.launch({
        task: `no webhooks ${i}`,
        agent: 'nowebhooks',
        model: 'claude-sonnet-4-6',
        metadata: { sim_scenario: scenario, ...(i === 0 ? { sim_duration_ms: '20000' } : {}) },
      });
      ids.push(run.id);
      if (i === 0) await until(async () => hub.upstreams() === 1, 'the long session to hold the stream slot');
    }
    await until(async () => {
      for (const id of ids) {
        const r = await e.store.getRun(id);
        if (!r || !isFinal(r.status)) return false;
      }
      return true;
    }, 'every run to be final');
    clearInterval(sampler);
    expect(most).toBe(1);
    const sources: string[] = [];
    for (const id of ids) {
      const run = (await e.store.getRun(id))!;
      const snap = (await e.platform.sessionSnapshot(id))!;
      expect(snap.status, id).toBe('idle');
      expect(run.stopReason, id).toBe(snap.stopReason);
      expect(run.status, id).toBe(snap.stopReason === 'end_turn' ? 'succeeded' : 'failed');
      sources.push((await e.store.runHistory(id)).find((h) => isFinal(h.status))!.source);
    }
    // The long session finished by its stream's status event (its id), the others by polls; no
    // webhook event stored.
    expect(sources[0]).toMatch(/^sevt_/);
    expect(sources.slice(1).every((s) => s === 'poll')).toBe(true);
    expect(await e.store.countEvents({})).toBe(0);
    await until(async () => hub.upstreams() === 0, 'the last stream to close', 5_000);
  });

  it('a pipeline continues and a notification goes out for each final run, with no webhook', {
    timeout: 120_000,
  }, async () => {
    env = await setup({ timeScale: 0.05, durationMs: 2_000 });
    const e = env;
    const receiver = new Receiver();
    await receiver.start();
    const yaml = `agents:
  researcher: { model: claude-sonnet-4-6 }
  writer: { model: claude-sonnet-4-6 }
pipelines:
  two:
    steps:
      - { name: research, agent: researcher, prompt: "{{task}}" }
      - { name: report, agent: writer, after: research, prompt: "Report.\\n{{output}}" }
notify:
  mine: { url: "${receiver.url}" }
`;
    const { runtime } = await serveNoWebhooks(e, { maxStreams: '100', yaml });
    await runtime.startChain('two', 'the task');
    const runs = await until(async () => {
      const all = await e.store.listRuns({ limit: 10 });
      return all.length === 2 && all.every((r) => r.status === 'succeeded') ? all : null;
    }, 'both steps to succeed');
    expect(runs.map((r) => r.step).sort()).toEqual(['report', 'research']);
    await until(async () => receiver.accepted().size === 2, 'two run.finished notifications');
    const finished = receiver.deliveries.map((d) => JSON.parse(d.body) as { data?: { id?: string } });
    expect(finished.map((f) => f.data?.id).sort()).toEqual(runs.map((r) => r.id).sort());
  });

  it('demo --no-webhooks: the three demo runs end as expected with no webhook sent', {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-demo-nowebhooks-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'node',
        [
          path.resolve('dist/cli/bin.js'),
          'demo',
          '--exit',
          '--no-webhooks',
          '--port',
          '0',
          '--time-scale',
          '0.1',
        ],
        { cwd: dir, env: { PATH: process.env.PATH ?? '' }, timeout: 100_000 },
        (err, stdout, stderr) =>
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('(offline Managed Agents API; no webhooks)');
    expect(r.stdout).toContain('--no-webhooks: following the runs through their event streams');
    expect(r.stdout).toMatch(/plain success\s+succeeded/);
    expect(r.stdout).toMatch(/outcome, revised once\s+succeeded\s+satisfied/);
    expect(r.stdout).toMatch(/failure\s+failed/);
  });
});
