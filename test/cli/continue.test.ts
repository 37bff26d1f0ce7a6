// The ways forward from a run, in-process against the simulator (no serve: the commands poll the
// API): respond to a blocked run, send a new turn to an idle one, cancel a running one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, type Env, setup } from '../e2e/helpers.js';
import { cli } from './helpers.js';

let env: Env;
let vars: Record<string, string>;
beforeAll(async () => {
  env = await setup();
  vars = { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: env.sim.url };
});
afterAll(async () => {
  await env?.close();
});

const run = (args: string[]) => cli([...args, '--database', env.dbFile], { env: vars, cwd: env.dir });

async function launchBlocked(): Promise<string> {
  const r = await run([
    'launch',
    'needs a tool',
    '--metadata',
    'sim_scenario=requires_action',
    '--wait',
    '--json',
  ]);
  expect(r.code, r.stderr).toBe(3);
  const id = JSON.parse(r.stdout).id as string;
  // Says what it waits for and the exact command that answers it; never that it ended.
  expect(r.stderr).toContain(`${id} is waiting for confirmation of a tool call`);
  expect(r.stderr).toContain(`npx agenthooks respond ${id} --allow`);
  expect(r.stderr).not.toContain('ended');
  return id;
}

/** A run whose turns take far longer than any test, once it is running. */
async function launchLong(): Promise<string> {
  const r0 = await run([
    'launch',
    'a long task',
    '--metadata',
    'sim_scenario=success',
    '--metadata',
    'sim_duration_ms=10000000',
    '--json',
  ]);
  const id = JSON.parse(r0.stdout).id as string;
  // Until the session is running there is nothing to interrupt.
  for (let i = 0; i < 100; i++) {
    const s = await env.platform.sessionSnapshot(id);
    if (s?.status === 'running') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return id;
}

describe('respond', () => {
  it('--allow answers every pending tool call; --wait follows the run to its end', async () => {
    const id = await launchBlocked();
    const shown = await run(['runs', 'show', id]);
    expect(shown.stdout).toMatch(/waiting\s+for a tool confirmation/);
    expect(shown.stdout).toContain(`npx agenthooks respond ${id} --allow`);
    const r = await run(['respond', id, '--allow', '--wait', '--timeout', '30s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^allowed /m);
    expect(r.stdout).toContain(`${id}: succeeded`);
  });

  it('--deny --message answers with a denial', async () => {
    const id = await launchBlocked();
    const r = await run(['respond', id, '--deny', '--message', 'not this one', '--wait']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^denied /m);
    const events = await env.platform.sessionSnapshot(id);
    expect(events?.status).toBe('idle');
  });

  it('refuses bad flags (exit 2) and a run that waits for nothing (exit 1)', async () => {
    expect((await run(['respond', 'sesn_x', '--allow', '--deny'])).code).toBe(2);
    expect((await run(['respond', 'sesn_x'])).code).toBe(2);
    expect((await run(['respond', 'sesn_x', '--allow', '--message', 'm'])).code).toBe(2);
    expect((await run(['respond', 'sesn_x', '--allow', '--timeout', '1s'])).code).toBe(2);
    const done = await run(['launch', 'quick', '--metadata', 'sim_scenario=success', '--wait', '--json']);
    const id = JSON.parse(done.stdout).id as string;
    const r = await run(['respond', id, '--allow']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not waiting for a tool confirmation');
  });
});

describe('send', () => {
  it('continues an idle run with a new turn; --wait follows that turn', async () => {
    const first = await run([
      'launch',
      'first turn',
      '--metadata',
      'sim_scenario=success',
      '--wait',
      '--json',
    ]);
    expect(first.code, first.stderr).toBe(0);
    const id = JSON.parse(first.stdout).id as string;
    const r = await run(['send', id, 'and now a second thing', '--wait', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('starts turn 2');
    const after = JSON.parse(r.stdout);
    expect(after).toMatchObject({ id, status: 'succeeded', turn: 2 });
  });

  it('--timeout ends with exit 4 when the turn outlasts it (here after a cancelled turn)', async () => {
    const id = await launchLong();
    expect((await run(['cancel', id, '--timeout', '30s'])).code).toBe(0);
    // Every turn of this session takes far longer than the timeout.
    const r = await run(['send', id, 'more', '--wait', '--timeout', '1s']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain(`npx agenthooks runs show ${id}`);
  });

  it('a blocked run is answered with respond first (exit 3)', async () => {
    const id = await launchBlocked();
    const r = await run(['send', id, 'hello']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`npx agenthooks respond ${id}`);
  });
});

describe('cancel', () => {
  it('interrupts a running run: it ends cancelled, cancel prints it and exits 0', async () => {
    const id = await launchLong();
    const r = await run(['cancel', id, '--timeout', '30s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${id}: cancelled`);
    const shown = await run(['runs', 'show', id, '--json']);
    expect(JSON.parse(shown.stdout).run.status).toBe('cancelled');
    const listed = await run(['runs', '--status', 'cancelled', '--json']);
    expect(JSON.parse(listed.stdout).map((x: { id: string }) => x.id)).toContain(id);
  });
});
