// `agenthooks serve` as a process: refusal without a key, the insecure warning, config errors that
// name the setting, graceful SIGTERM that still answers a request in flight, and the test-only
// crash point between commit and answer.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { deliver, eventBody, eventId, KEY_A, signed } from '../http/helpers.js';
import { childEnv, startServe } from './spawn.js';

const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-serve-'));
let n = 0;
const dbFile = () => path.join(dir, `s${++n}`, 'agenthooks.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI in-process (no child process: config errors happen before anything listens). */
async function cli(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (add: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        add(chunk.toString());
        cb();
      },
    });
  const ctx = {
    env,
    cwd: dir,
    stdout: sink((s) => {
      out += s;
    }),
    stderr: sink((s) => {
      err += s;
    }),
    signal: AbortSignal.abort(),
    clock: systemClock,
    exitCode: 0,
  };
  const code = await runCli(argv, ctx);
  return { code, out, err };
}

describe('serve refuses bad configuration', () => {
  it('refuses to start without a signing key: exit 2 and a message saying what to pass', async () => {
    const r = await cli(['serve', '--port', '0', '--database', dbFile()]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('signing_key_required');
    expect(r.err).toContain('--signing-key');
    expect(r.err).toContain('ANTHROPIC_WEBHOOK_SIGNING_KEY');
    expect(r.err).toContain('--insecure-skip-verify');
  });

  it.each([
    [['--port', '99999'], '--port'],
    [['--port', 'eighty'], '--port'],
    [['--body-limit', 'lots'], '--body-limit'],
    [['--body-limit', '0'], '--body-limit'],
    [['--reconcile-interval', '10 parsecs'], '--reconcile-interval'],
    [['--worker-only', '--no-worker'], '--worker-only'],
    [['--signing-key', 'not-a-key'], 'Signing key'],
  ])('exits 2 naming the setting for %j', async (args, name) => {
    const r = await cli(['serve', '--database', dbFile(), '--signing-key', KEY_A, ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(name);
  });

  it('PORT is read from the environment when --port is absent, and validated', async () => {
    const r = await cli(['serve', '--database', dbFile(), '--signing-key', KEY_A], { PORT: 'x' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('--port (or PORT)');
  });
});

describe('serve runs and stops cleanly', () => {
  it('--insecure-skip-verify prints a loud warning at start, then serves; SIGTERM exits 0', async () => {
    const db = dbFile();
    const s = await startServe(['--database', db, '--insecure-skip-verify'], childEnv(), dir);
    expect(s.stderr()).toContain('WARNING: --insecure-skip-verify');
    expect(s.stdout()).toContain(`database: ${db}`);
    const id = eventId();
    const body = eventBody(id);
    const r = await new Promise<number>((resolve, reject) => {
      const req = request(`${s.url}/webhooks`, { method: 'POST', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(r).toBe(200);
    s.proc.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
  });

  it('on SIGTERM answers the request in flight, stores it, closes the database and exits 0', async () => {
    const db = dbFile();
    const s = await startServe(['--database', db, '--signing-key', KEY_A], childEnv(), dir);
    const id = eventId();
    const body = eventBody(id);
    const half = Math.floor(body.length / 2);
    let status = 0;
    let text = '';
    const answered = new Promise<void>((resolve, reject) => {
      const req = request(
        `${s.url}/webhooks`,
        {
          method: 'POST',
          agent: false,
          headers: { ...signed(id, body), 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          status = res.statusCode ?? 0;
          res.on('data', (c: Buffer) => {
            text += c.toString();
          });
          res.on('end', () => resolve());
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, half));
      req.flushHeaders();
      // The request is in flight (headers and half the body sent) when SIGTERM arrives.
      setTimeout(() => {
        s.proc.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(half)), 400);
      }, 400);
    });
    await answered;
    expect(status).toBe(200);
    expect(JSON.parse(text)).toEqual({ id, duplicate: false });
    const exit = await s.exited;
    expect(exit.code).toBe(0);
    expect(s.stdout()).toContain('stopped');
    const store = await openSqliteStore(db, { create: false, logger: silentLogger });
    try {
      expect((await store.getEvent(id))?.id).toBe(id);
    } finally {
      await store.close();
    }
  });

  it('test-only crash point after-commit-before-ack: no answer, but the event is stored (redelivery is a duplicate)', async () => {
    const db = dbFile();
    const s = await startServe(
      ['--database', db, '--signing-key', KEY_A],
      childEnv({ AGENTHOOKS_TEST_CRASH_AT: 'after-commit-before-ack' }),
      dir,
    );
    const id = eventId();
    await expect(deliver(s.url, id)).rejects.toThrow();
    expect((await s.exited).signal).toBe('SIGKILL');
    const again = await startServe(['--database', db, '--signing-key', KEY_A], childEnv(), dir);
    try {
      const r = await deliver(again.url, id);
      expect(r.status).toBe(200);
      expect(r.json()).toEqual({ id, duplicate: true });
    } finally {
      again.proc.kill('SIGTERM');
      await again.exited;
    }
  });
});
