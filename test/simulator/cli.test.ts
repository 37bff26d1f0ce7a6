// The CLI: `simulator` as a real process (SDK against it, stops on SIGINT), `simulator send` and
// `simulator log` in-process.
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { systemClock } from '../../src/clock.js';
import { startSimulator } from '../../src/simulator/index.js';
import { generateSecret } from '../../src/webhooks/sign.js';
import { client, receiver, settle, setup, task, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function cli(args: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  const ctx: CliContext = {
    env,
    cwd: process.cwd(),
    stdout,
    stderr,
    signal: new AbortController().signal,
    clock: systemClock,
    exitCode: 0,
  };
  const code = await runCli(args, ctx);
  return { code, out, err };
}

describe('agenthooks simulator CLI', () => {
  it('runs as a process, serves the SDK, delivers signed webhooks, stops on SIGINT', async () => {
    const rx = await receiver();
    cleanups.push(() => rx.close());
    const key = generateSecret();
    const child = spawn(
      'node',
      [
        'dist/cli/bin.js',
        'simulator',
        '--port',
        '0',
        '--time-scale',
        '0.001',
        '--seed',
        '5',
        '--webhook-url',
        rx.url,
        '--signing-key',
        key,
        '--api-key',
        'sk-cli',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    // Generous: a cold node start on a loaded 2-core machine can take a while.
    const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(out)?.[1], 'simulator start', 60_000);
    expect(out).not.toContain(key);
    const c = client(url, 'sk-cli');
    const { agent, environment } = await setup(c);
    const s = await c.beta.sessions.create({
      agent: agent.id,
      environment_id: environment.id,
      initial_events: [task('via cli')],
    });
    expect((await settle(c, s.id)).status).toBe('idle');
    await waitFor(
      () => (rx.received.some((r) => r.body.includes('session.status_idled')) ? true : undefined),
      'idled webhook',
    );
    const wh = new Anthropic({ apiKey: 'x', webhookKey: key });
    const r = rx.received.find((x) => x.body.includes('session.status_idled'));
    const headers = Object.fromEntries(Object.entries(r?.headers ?? {}).map(([k, v]) => [k, String(v)]));
    expect(wh.beta.webhooks.unwrap(r?.body ?? '', { headers }).data.id).toBe(s.id);

    const log = await cli(['simulator', 'log', '--url', url, '--json']);
    expect(log.code).toBe(0);
    expect(JSON.parse(log.out).some((x: { type: string }) => x.type === 'session.status_idled')).toBe(true);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('simulator stopped');
  });

  it('prints a generated signing key once when none is given', async () => {
    const child = spawn('node', ['dist/cli/bin.js', 'simulator', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(
      () => (/signing key \(shown once\): whsec_\S+/.test(out) ? true : undefined),
      'key line',
      60_000,
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out.match(/whsec_/g)).toHaveLength(1);
  });

  it('simulator send delivers one signed event and exits 1 on a non-2xx answer', async () => {
    let answer = 200;
    const rx = await receiver(() => answer);
    cleanups.push(() => rx.close());
    const key = generateSecret();
    const ok = await cli([
      'simulator',
      'send',
      '--type',
      'session.status_idled',
      '--session',
      'sesn_x',
      '--webhook-url',
      rx.url,
      '--signing-key',
      key,
    ]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^whe_\S+ session.status_idled -> 200/);
    const headers = Object.fromEntries(
      Object.entries(rx.received[0].headers).map(([k, v]) => [k, String(v)]),
    );
    const event = new Anthropic({ apiKey: 'x', webhookKey: key }).beta.webhooks.unwrap(rx.received[0].body, {
      headers,
    });
    expect(event.data).toMatchObject({ type: 'session.status_idled', id: 'sesn_x' });
    answer = 500;
    const bad = await cli(['simulator', 'send', '--session', 'sesn_x', '--webhook-url', rx.url], {
      ANTHROPIC_WEBHOOK_SIGNING_KEY: key,
    });
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('-> 500');
    const noKey = await cli(['simulator', 'send', '--session', 'sesn_x', '--webhook-url', rx.url]);
    expect(noKey.code).toBe(2);
  });

  it('simulator log prints the delivery log, filtered by --event', async () => {
    const rx = await receiver();
    const sim = await startSimulator({ seed: 1, timeScale: 0.001, webhooks: [rx.url] });
    cleanups.push(
      () => rx.close(),
      () => sim.close(),
    );
    const c = client(sim.url);
    await setup(c);
    await sim.deliveriesIdle();
    const first = sim.deliveries()[0];
    const text = await cli(['simulator', 'log', '--url', sim.url]);
    expect(text.code).toBe(0);
    expect(text.out).toContain(first.event_id);
    const one = await cli(['simulator', 'log', '--url', sim.url, '--event', first.event_id, '--json']);
    expect(JSON.parse(one.out)).toHaveLength(1);
    const down = await cli(['simulator', 'log', '--url', 'http://127.0.0.1:9']);
    expect(down.code).toBe(1);
    expect(down.err).toContain('platform_error');
  });

  it('rejects bad flag values with exit 2', async () => {
    expect((await cli(['simulator', '--drop-rate', '2'])).code).toBe(2);
    expect((await cli(['simulator', '--scenario', 'nope'])).code).toBe(2);
  });
});
