// The binary as a well-behaved command-line tool: a closed stdout ends any command quietly with
// exit 0, --version, help wrapped at 80 columns off a terminal, serve naming its dashboard, and
// follow mode never printing an event twice.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import {
  Capture,
  cli,
  createStore,
  deliver,
  eventBody,
  makeRun,
  newEventId,
  saveNewRun,
  tempDir,
} from './helpers.js';

const bin = path.resolve('dist/cli/bin.js');
const dir = tempDir();
const db = path.join(dir, 'agenthooks.db');

beforeAll(async () => {
  const store = await createStore(db);
  // Far more than a pipe holds, so the writer meets the closed pipe.
  await saveNewRun(store, makeRun('sesn_pipe1', { status: 'succeeded', output: 'line\n'.repeat(100_000) }));
  for (let i = 0; i < 300; i++)
    await deliver(store, eventBody(newEventId(), 'session.status_idled', 'sesn_pipe1'));
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `agenthooks ARGS | head -1`: the command's exit code, its stderr and what head printed. */
function piped(args: string): { code: number; out: string; err: string } {
  const r = spawnSync(
    'bash',
    ['-c', `node ${bin} ${args} 2>"${dir}/err" | head -1; echo "exit=\${PIPESTATUS[0]}"; cat "${dir}/err"`],
    { encoding: 'utf8', cwd: dir, env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 },
  );
  const [first = '', status = '', ...rest] = r.stdout.split('\n');
  return { code: Number(status.replace('exit=', '')), out: first, err: rest.join('\n').trim() };
}

describe('a closed stdout', () => {
  it('runs show ID | head -1 exits 0 without a stack trace', () => {
    const r = piped(`runs show sesn_pipe1 --database ${db}`);
    expect(r.out).toContain('Run sesn_pipe1');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('export | head -1 exits 0 quietly', () => {
    const r = piped(`export --database ${db}`);
    expect(r.out.length).toBeGreaterThan(0);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('events --follow | head -1 ends with exit 0 when the next event is written', async () => {
    const child = spawn(
      'bash',
      [
        '-c',
        `node ${bin} events --follow --database ${db} 2>"${dir}/ferr" | head -1; echo "exit=\${PIPESTATUS[0]}"`,
      ],
      { cwd: dir, env: { PATH: process.env.PATH ?? '' } },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let done = false;
    void exited.then(() => {
      done = true;
    });
    // New events until the pipeline ends: the first write after head has gone meets the closed pipe
    // (however long the command takes to start on a busy machine).
    const store = await createStore(db);
    while (!done) {
      await deliver(store, eventBody(newEventId(), 'session.status_idled', 'sesn_pipe1'));
      await new Promise((r) => setTimeout(r, 500));
    }
    await store.close();
    const code = await exited;
    expect(code).toBe(0);
    expect(out).toContain('exit=0');
  }, 30_000);
});

describe('the binary', () => {
  it('--version prints the version', () => {
    const r = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('help wraps at 80 columns off a terminal, with no hard breaks inside sentences', () => {
    for (const args of [['--help'], ['serve', '--help'], ['respond', '--help'], ['send', '--help']]) {
      const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      const lines = r.stdout.split('\n');
      for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(80);
    }
    const top = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' }).stdout;
    // The description reflows as one paragraph: the old break after "once," is gone.
    expect(top).toMatch(/store every\nevent once, fetch real session state/);
  });

  it('serve prints the dashboard URL on a line that says dashboard', async () => {
    const child = spawn(
      process.execPath,
      [bin, 'serve', '--port', '0', '--insecure-skip-verify', '--database', db],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    await new Promise<void>((resolve) => {
      const check = () => (/dashboard: http:\/\/\S+\/\n/.test(out) ? resolve() : setTimeout(check, 50));
      check();
    });
    child.kill('SIGINT');
    await new Promise((r) => child.on('exit', r));
    expect(out).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+\//);
  }, 30_000);
});

describe('events --follow', () => {
  it('never prints an event twice, even with more events in the look-back than the first page', async () => {
    const stdout = new Capture();
    const ac = new AbortController();
    const running = cli(['events', '--follow', '--database', db, '--limit', '20'], {
      signal: ac.signal,
      stdout,
    });
    await new Promise((r) => setTimeout(r, 1500));
    const store = await createStore(db);
    const fresh = newEventId();
    await deliver(store, eventBody(fresh, 'session.status_idled', 'sesn_pipe1'));
    await store.close();
    for (let i = 0; i < 100 && !stdout.text.includes(fresh); i++)
      await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    const r = await running;
    expect(r.code).toBe(0);
    const ids = stdout.text
      .split('\n')
      .slice(1)
      .filter((l) => l.trim().length > 0)
      .map((l) => l.trim().split(/\s+/).at(-1));
    expect(new Set(ids).size).toBe(ids.length);
    // The first page (20) and the one new event; none of the older ones in the look-back.
    expect(ids, stdout.text).toHaveLength(21);
    expect(ids.at(-1)).toBe(fresh);
  }, 30_000);
});
