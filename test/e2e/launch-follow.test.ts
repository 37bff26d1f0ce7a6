// `agenthooks launch --wait --follow` as a user runs it (the built binary): the session's events
// are printed as they happen, straight from the platform when no serve runs (here with every
// stream cut after two events: no gap, no duplicate) and through serve's stream when one does;
// the exit codes are launch --wait's.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, type Env, type Serving, setup, startServe } from './helpers.js';

const BIN = path.resolve('dist/cli/bin.js');

function run(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'node',
      [BIN, ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const sessionOf = (stderr: string): string => /launched (sesn_\w+)/.exec(stderr)?.[1] ?? '';

async function listed(env: Env, id: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of env.platform.listSessionEvents(id)) out.push(e.type);
  return out;
}

describe('launch --wait --follow without serve (the platform stream, dropped mid-run)', () => {
  let env: Env;
  let vars: Record<string, string>;
  beforeAll(async () => {
    env = await setup({ durationMs: 20_000, api: { streamDropAfter: 2 } });
    vars = { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: env.sim.url, DATABASE_URL: env.dbFile };
  });
  afterAll(async () => {
    await env?.close();
  });

  it('prints every event once, in order, and exits 0', async () => {
    const r = await run(
      ['launch', 'follow this', '--follow', '--metadata', 'sim_scenario=multiagent'],
      vars,
      env.dir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('following the platform stream');
    // One line per event (an agent message may continue on the lines after its own).
    const lines = r.stdout.split('\n').filter((l) => /^\d\d:\d\d:\d\d /.test(l));
    const types = await listed(env, sessionOf(r.stderr));
    expect(lines).toHaveLength(types.length);
    expect(lines.at(-1)).toMatch(/idle: end_turn/);
    expect(r.stdout).toContain('Simulated');
  });

  it('exits 3 on requires_action and 1 on a refusal, after the events that led there', async () => {
    const blocked = await run(
      ['launch', 'ask first', '--follow', '--metadata', 'sim_scenario=requires_action'],
      vars,
      env.dir,
    );
    expect(blocked.code, blocked.stderr).toBe(3);
    expect(blocked.stdout).toMatch(/idle: requires_action/);
    const refused = await run(
      ['launch', 'no', '--wait', '--follow', '--metadata', 'sim_scenario=refusal'],
      vars,
      env.dir,
    );
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stdout).toMatch(/idle: refusal/);
  });

  it('transcript RUN --follow --ndjson gives every event once, as the SDK types them', async () => {
    const launched = await run(
      ['launch', 'follow later', '--metadata', 'sim_scenario=success'],
      vars,
      env.dir,
    );
    expect(launched.code, launched.stderr).toBe(0);
    const id = launched.stdout.trim();
    const r = await run(['transcript', id, '--follow', '--ndjson'], vars, env.dir);
    expect(r.code, r.stderr).toBe(0);
    const ids = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    const all: string[] = [];
    for await (const e of env.platform.listSessionEvents(id)) all.push(e.id);
    expect(ids).toEqual(all);
  });
});

describe('launch --wait --follow with serve running', () => {
  let env: Env;
  let serve: Serving;
  let vars: Record<string, string>;
  beforeAll(async () => {
    env = await setup({ durationMs: 20_000 });
    serve = await startServe(env);
    env.sim.addWebhook(`${serve.url}/webhooks`);
    vars = { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: env.sim.url, DATABASE_URL: env.dbFile };
  });
  afterAll(async () => {
    await serve?.close();
    await env?.close();
  });

  it("reads through serve's stream and prints the JSON run alone on stdout with --json", async () => {
    const r = await run(['launch', 'through serve', '--wait', '--follow', '--json'], vars, env.dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`following through serve at ${serve.url}`);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'succeeded' });
    const types = await listed(env, sessionOf(r.stderr));
    expect(r.stderr.split('\n').filter((l) => /^\d\d:\d\d:\d\d /.test(l))).toHaveLength(types.length);
  });

  it('transcript RUN --follow needs no API key while serve runs', async () => {
    const launched = await run(['launch', 'watch it', '--metadata', 'sim_duration_ms=100000'], vars, env.dir);
    const id = launched.stdout.trim();
    const r = await run(['transcript', id, '--follow'], { DATABASE_URL: env.dbFile }, env.dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`following through serve at ${serve.url}`);
    const types = await listed(env, id);
    expect(r.stdout.split('\n').filter((l) => /^\d\d:\d\d:\d\d /.test(l))).toHaveLength(types.length);
    expect(r.stdout).toContain('Simulated');
  });
});
