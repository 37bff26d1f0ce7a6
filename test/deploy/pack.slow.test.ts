// `npm pack` -> install the tarball into a clean temporary folder -> `npx agenthooks --help` and
// the library import from there, plus one signed delivery stored through the installed library
// (which proves the SQLite migrations ship inside dist/). Within 3 minutes: the install skips
// install scripts and reuses this checkout's compiled better-sqlite3 binary (same version, same
// Node), because compiling it from source alone takes about 3 minutes on these machines.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../embed/helpers.js';

const run = (cmd: string, args: string[], cwd: string, timeout = 150_000) =>
  spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });

describe('npm pack', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('installs from the tarball into a clean folder; the CLI and the library work there', {
    timeout: 180_000,
  }, () => {
    // dist/ is fresh (test/global-setup.ts builds it); --ignore-scripts skips prepack's second build.
    const pack = run(
      'npm',
      ['pack', '--ignore-scripts', '--pack-destination', tmp.dir, '--json'],
      process.cwd(),
    );
    expect(pack.status, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = info.files.map((f) => f.path);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('dist/cli/bin.js');
    expect(files.some((f) => f.startsWith('dist/store/migrations/sqlite/'))).toBe(true);
    expect(files.some((f) => f.startsWith('dist/store/migrations/postgres/'))).toBe(true);
    expect(files.some((f) => f.startsWith('dist/web/assets/'))).toBe(true);
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);

    const app = path.join(tmp.dir, 'app');
    mkdirSync(app);
    writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'pack-check', private: true, type: 'module' }),
    );
    const install = run(
      'npm',
      [
        'install',
        path.join(tmp.dir, info.filename),
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
      ],
      app,
    );
    expect(install.status, install.stderr).toBe(0);
    const release = path.join('node_modules', 'better-sqlite3', 'build', 'Release');
    const target = path.join(app, release);
    if (!existsSync(path.join(target, 'better_sqlite3.node'))) {
      mkdirSync(target, { recursive: true });
      for (const f of readdirSync(release).filter((f) => f.endsWith('.node')))
        cpSync(path.join(release, f), path.join(target, f));
    }

    const help = run('npx', ['--no-install', 'agenthooks', '--help'], app, 30_000);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('serve');
    expect(help.stdout).toContain('doctor');

    const script = `
      import { createAgenthooks, generateSecret, signedHeaders } from 'agenthooks';
      const key = generateSecret();
      const hooks = createAgenthooks({ database: './data/agenthooks.db', signingKeys: key });
      const body = JSON.stringify({ type: 'event', id: 'evt_pack', created_at: new Date().toISOString(), data: { type: 'session.status_idled', id: 'sesn_pack' } });
      const a = await hooks.handler(body, signedHeaders([key], 'evt_pack', Math.floor(Date.now() / 1000), body));
      const stored = await hooks.events.get('evt_pack');
      await hooks.close();
      console.log(JSON.stringify({ status: a.status, stored: stored?.id ?? null }));
    `;
    mkdirSync(path.join(app, 'data'));
    const lib = run('node', ['--input-type=module', '-e', script], app, 30_000);
    expect(lib.status, lib.stderr).toBe(0);
    expect(JSON.parse(lib.stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({
      status: 200,
      stored: 'evt_pack',
    });

    const imported = run(
      'node',
      ['-e', "import('agenthooks').then((m) => console.log(typeof m.createAgenthooks))"],
      app,
      30_000,
    );
    expect(imported.stdout.trim()).toBe('function');
  });
});
