// `agenthooks launch` as a user runs it: the built binary, real sockets, exit codes per DESIGN.md.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('launch --wait with serve running (follows the store)', () => {
  let env: Env;
  let serve: Serving;
  let vars: Record<string, string>;
  beforeAll(async () => {
    env = await setup();
    serve = await startServe(env);
    env.sim.addWebhook(`${serve.url}/webhooks`);
    vars = { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: env.sim.url, DATABASE_URL: env.dbFile };
  });
  afterAll(async () => {
    await serve?.close();
    await env?.close();
  });

  const cases: Array<[string, string[], number]> = [
    ['success exits 0', ['--metadata', 'sim_scenario=success'], 0],
    ['refusal exits 1', ['--metadata', 'sim_scenario=refusal'], 1],
    ['terminated exits 1', ['--metadata', 'sim_scenario=terminated'], 1],
    [
      'outcome max_iterations_reached exits 1',
      [
        '--metadata',
        'sim_scenario=outcome_max_iterations',
        '--outcome',
        'be perfect',
        '--max-iterations',
        '2',
      ],
      1,
    ],
    [
      'outcome satisfied exits 0',
      ['--metadata', 'sim_scenario=outcome_revise_then_satisfied', '--outcome', 'two passes'],
      0,
    ],
    ['requires_action exits 3', ['--metadata', 'sim_scenario=requires_action'], 3],
    [
      '--timeout exits 4',
      ['--metadata', 'sim_scenario=success', '--metadata', 'sim_duration_ms=10000000', '--timeout', '1s'],
      4,
    ],
  ];
  it.each(cases)('%s', async (_name, extra, code) => {
    const r = await run(['launch', 'a task', '--wait', ...extra], vars, env.dir);
    expect(r.code, r.stderr).toBe(code);
    if (code === 0) expect(r.stdout).toContain('Simulated');
    expect(r.stderr).not.toContain('polling the API');
  });

  it('--json prints the run; without --wait it returns at once', async () => {
    const r = await run(['launch', 'json task', '--json', '--metadata', 'ticket=T-1'], vars, env.dir);
    expect(r.code, r.stderr).toBe(0);
    const run0 = JSON.parse(r.stdout);
    expect(run0.id).toMatch(/^sesn_/);
    expect(run0.metadata).toMatchObject({ ticket: 'T-1' });
    expect(run0.launchedBy).toBe('agenthooks');
  });
});

describe('launch --wait with no serve (polls the API itself)', () => {
  let env: Env;
  beforeAll(async () => {
    env = await setup();
  });
  afterAll(async () => env?.close());

  it('ends with the outcome and exit 0 although no webhook is received', async () => {
    const vars = { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: env.sim.url, DATABASE_URL: env.dbFile };
    const r = await run(['launch', 'poll me', '--wait', '--metadata', 'sim_scenario=success'], vars, env.dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('polling the API');
    expect(r.stdout).toContain('Simulated');
  });
});

describe('launch refuses bad input before any call (exit 2)', () => {
  const vars = { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' };
  let env: Env;
  beforeAll(async () => {
    env = await setup();
  });
  afterAll(async () => env?.close());

  it('--max-iterations 21', async () => {
    const r = await run(
      ['launch', 't', '--outcome', 'r', '--max-iterations', '21', '--database', env.dbFile],
      vars,
      env.dir,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('1 to 20');
  });
  it('a rubric over 262,144 characters', async () => {
    const file = path.join(env.dir, 'rubric.md');
    writeFileSync(file, 'x'.repeat(262_145));
    const r = await run(['launch', 't', '--outcome-file', file, '--database', env.dbFile], vars, env.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('262144');
  });
  it('--metadata without =', async () => {
    const r = await run(['launch', 't', '--metadata', 'oops', '--database', env.dbFile], vars, env.dir);
    expect(r.code).toBe(2);
  });
  it('no API key', async () => {
    const r = await run(['launch', 't', '--database', env.dbFile], {}, env.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ANTHROPIC_API_KEY');
  });
  it('an agenthooks.yaml error names file and line', async () => {
    const file = path.join(env.dir, 'agenthooks.yaml');
    writeFileSync(file, 'agents:\n  writer:\n    model: claude-sonnet-4-6\n    sytem: typo\n');
    const r = await run(['launch', 't', '--agent', 'writer', '--database', env.dbFile], vars, env.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('agenthooks.yaml:4');
    expect(r.stderr).toContain('sytem');
  });
});
