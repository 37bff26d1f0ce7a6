// `npm start` runs `agenthooks demo`: simulator + serve + three launches, summary, exit on --exit.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';

function demo(dir: string, args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      'node',
      [path.resolve('dist/cli/bin.js'), 'demo', '--exit', '--time-scale', '0.1', ...args],
      { cwd: dir, env: { PATH: process.env.PATH ?? '' }, timeout: 90_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

it('with port 8787 taken, the demo serves on a free port and says so', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-demo-'));
  const blocker: Server = createServer();
  // Taken by this test, or already by something else: either way the default is not free.
  await new Promise<void>((resolve) => {
    blocker.once('error', () => resolve());
    blocker.listen(8787, '127.0.0.1', () => resolve());
  });
  try {
    const r = await demo(dir, []);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('port 8787 is taken');
    expect(r.stdout).not.toContain('serve:     http://127.0.0.1:8787 ');
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
});

it('the demo runs the whole loop offline and every run ends as expected', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-demo-'));
  try {
    const r = await demo(dir, ['--port', '0']);
    expect(r.code, r.stderr).toBe(0);
    // A fresh store of its own each run, named on the `store:` line and in the hints.
    const store = /store:\s+(\S+)/.exec(r.stdout)?.[1] ?? '';
    expect(store.startsWith(path.join(dir, '.agenthooks', 'demo-'))).toBe(true);
    expect(r.stdout).toContain(`--database ${store}`);
    // Both graded iterations, in order.
    expect(r.stdout).toMatch(
      /outcome, revised once: outcome evaluations 1\. needs_revision -> 2\. satisfied/,
    );
    expect(r.stdout).toMatch(/plain success\s+succeeded/);
    expect(r.stdout).toMatch(/outcome, revised once\s+succeeded\s+satisfied/);
    expect(r.stdout).toMatch(/failure\s+failed/);
    expect(r.stdout).toContain('dashboard: http://127.0.0.1:');
    expect(r.stderr).toContain('outcome iteration 1: needs_revision');
    expect(r.stderr).toContain('outcome iteration 2: satisfied');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
