// `npm start` runs `agenthooks demo`: simulator + serve + three launches, summary, exit on --exit.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';

it('the demo runs the whole loop offline and every run ends as expected', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-demo-'));
  try {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'node',
        [path.resolve('dist/cli/bin.js'), 'demo', '--exit', '--port', '0', '--time-scale', '0.1'],
        { cwd: dir, env: { PATH: process.env.PATH ?? '' }, timeout: 90_000 },
        (err, stdout, stderr) =>
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(path.join(dir, '.agenthooks', 'agenthooks.db'));
    expect(r.stdout).toMatch(/plain success\s+succeeded/);
    expect(r.stdout).toMatch(/outcome, revised once\s+succeeded\s+satisfied/);
    expect(r.stdout).toMatch(/failure\s+failed/);
    expect(r.stdout).toContain('dashboard: http://127.0.0.1:');
    expect(r.stderr).toContain('outcome iteration');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
