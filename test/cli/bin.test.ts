// The read commands through the real binary (node dist/cli/bin.js): exit codes, output on a pipe
// (no colors), and follow mode ending cleanly on SIGINT.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, deliver, eventBody, makeRun, newEventId, saveNewRun, tempDir } from './helpers.js';

const bin = path.resolve('dist/cli/bin.js');
const dir = tempDir();
const db = path.join(dir, 'agenthooks.db');

beforeAll(async () => {
  const store = await createStore(db);
  await saveNewRun(store, makeRun('sesn_bin1', { status: 'failed', stopReason: 'retries_exhausted' }));
  await deliver(store, eventBody(newEventId(), 'session.status_idled', 'sesn_bin1'));
  await store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...env },
  });

describe('agenthooks binary', () => {
  it('runs as a program of its own, as `npx agenthooks` in a checkout runs it', () => {
    // No `node` in front: the build must leave the entry executable, with its #! line.
    const r = spawnSync(bin, ['runs', '--database', db], {
      encoding: 'utf8',
      cwd: dir,
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('sesn_bin1');
  });

  it('lists runs on a pipe without colors, and exits 0', () => {
    const r = run(['runs', '--database', db]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/sesn_bin1\s+researcher\s+failed\s+-\s+retries_exhausted/);
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('reads DATABASE_URL, and refuses a missing database with exit 2', () => {
    const viaEnv = run(['events', '--json'], { DATABASE_URL: db });
    expect(viaEnv.status).toBe(0);
    expect(JSON.parse(viaEnv.stdout)[0]).toMatchObject({
      type: 'session.status_idled',
      subjectId: 'sesn_bin1',
    });
    const missing = run(['runs']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('error [store_not_found]');
    expect(missing.stderr).toContain('agenthooks serve');
    expect(run(['runs', 'show', 'sesn_nope', '--database', db]).status).toBe(1);
  });

  it('--follow runs until SIGINT and then exits 0', async () => {
    const child = spawn(process.execPath, [bin, 'events', '--follow', '--database', db], { cwd: dir });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    await new Promise<void>((resolve) => {
      const check = () => (out.includes('session.status_idled') ? resolve() : setTimeout(check, 50));
      check();
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(out).toMatch(/^RECEIVED\s+TYPE/);
  });
});
