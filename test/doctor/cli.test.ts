// `agenthooks doctor` as a user runs it (the built binary): the checklist, exit 1 when a check
// fails, 0 when all pass, 2 for a usage error.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { generateSecret } from '../../src/webhooks/sign.js';
import { doctorFixture } from './helpers.js';

function doctor(args: string[], env: Record<string, string>) {
  // spawnSync blocks this thread, so the simulator answering must live in another process:
  // async spawn instead.
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    import('node:child_process').then(({ spawn }) => {
      const child = spawn('node', ['dist/cli/bin.js', 'doctor', ...args], {
        env: { PATH: process.env.PATH ?? '', ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  });
}

describe('agenthooks doctor (CLI)', () => {
  const { tmp, simUrl } = doctorFixture();

  it('exits 0 with every check passed', async () => {
    const r = await doctor(['--database', tmp.db], {
      ANTHROPIC_WEBHOOK_SIGNING_KEY: generateSecret(),
      ANTHROPIC_API_KEY: 'sk-good',
      ANTHROPIC_BASE_URL: simUrl(),
    });
    expect(r.stdout).toContain('✓ signing key');
    expect(r.stdout).toContain('✓ database');
    expect(r.stdout).toContain('✓ API key');
    expect(r.stdout).toContain('✓ clock offset');
    expect(r.stdout).toContain('- public URL');
    expect(r.stdout).toContain('all checks passed');
    expect(r.code).toBe(0);
  });

  it('exits 1 and prints the fixes when checks fail', async () => {
    const r = await doctor(['--database', tmp.db, '--signing-key', 'secret123'], {
      ANTHROPIC_API_KEY: 'sk-bad',
      ANTHROPIC_BASE_URL: simUrl(),
    });
    expect(r.stdout).toContain('✗ signing key');
    expect(r.stdout).toContain('✗ API key');
    expect(r.stdout).toMatch(/fix: .*whsec_/);
    expect(r.code).toBe(1);
  });

  it('exits 2 on a usage error', () => {
    const r = spawnSync('node', ['dist/cli/bin.js', 'doctor', '--no-such-flag'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
  });
});
