// `agenthooks serve --no-webhooks` as the CLI runs it: --help explains the mode and --max-streams,
// and serve prints the mode when it starts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { systemClock } from '../../src/clock.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-nowebhooks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI in-process with an already aborted signal: serve starts, prints, and stops at once. */
async function cli(argv: string[], env: Record<string, string>) {
  let out = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  const ctx = {
    env,
    cwd: dir,
    stdout: sink,
    stderr: sink,
    signal: AbortSignal.abort(),
    clock: systemClock,
    exitCode: 0,
  };
  const code = await runCli(argv, ctx);
  return { code, out };
}

let sim: RunningSimulator;
let ENV: Record<string, string> = {};
beforeAll(async () => {
  sim = await startSimulator({ port: 0, apiKeys: ['sk-test'] });
  ENV = { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: sim.url };
});
afterAll(() => sim.close());

describe('serve --no-webhooks (CLI)', () => {
  it('--help explains --no-webhooks and --max-streams', () => {
    const bin = path.resolve(import.meta.dirname, '../../dist/cli/bin.js');
    const help = spawnSync(process.execPath, [bin, 'serve', '--help'], { encoding: 'utf8' }).stdout;
    const flat = help.replace(/\s+/g, ' ');
    expect(flat).toContain('--no-webhooks for a machine with no public URL (a laptop)');
    expect(flat).toContain('--max-streams <n>');
    expect(flat).toContain('default 60s; 10s with --no-webhooks');
  });

  it('starts with no signing key and prints the mode', async () => {
    const db = path.join(dir, 'a.db');
    const r = await cli(['serve', '--no-webhooks', '--port', '0', '--database', db], ENV);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      'mode: no webhooks (--no-webhooks): following running sessions through their event streams (up to 100), polling the rest, reconciling every 10s',
    );
    expect(r.out).not.toContain('webhooks: POST');
    const zero = await cli(
      ['serve', '--no-webhooks', '--max-streams', '0', '--port', '0', '--database', db],
      ENV,
    );
    expect(zero.out).toContain('polling every running session (--max-streams 0)');
  });

  it('refuses --no-webhooks with --worker-only (exit 2)', async () => {
    const r = await cli(
      ['serve', '--no-webhooks', '--worker-only', '--database', path.join(dir, 'b.db')],
      ENV,
    );
    expect(r.code).toBe(2);
    expect(r.out).toContain('--worker-only');
  });
});
