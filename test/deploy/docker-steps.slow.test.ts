// The Dockerfile's build and start steps, outside Docker (no engine here; the image itself is not
// built): `npm run build` as the build stage runs it, then the runtime's ENTRYPOINT + CMD started
// with the image's environment, and the HEALTHCHECK command itself run against it. Slow: the build.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../../src/webhooks/sign.js';
import { tempDir } from '../embed/helpers.js';
import { execForm, parseDockerfile, type Stage } from './dockerfile.js';

const stages = parseDockerfile(readFileSync('Dockerfile', 'utf8'));
const runtime = stages.at(-1) as Stage;
const args = (s: Stage, op: string) => s.instructions.filter((i) => i.op === op).map((i) => i.args);

describe('Dockerfile build and start steps, outside Docker', () => {
  const tmp = tempDir();
  let child: ChildProcess | null = null;
  afterAll(() => {
    child?.kill('SIGTERM');
    tmp.remove();
  });

  it('npm run build, then ENTRYPOINT + CMD answers /ready and the HEALTHCHECK passes', async () => {
    const build = spawnSync('npm', ['run', 'build', '--silent'], { encoding: 'utf8' });
    expect(build.status, `${build.stdout}${build.stderr}`).toBe(0);

    const command = [...execForm(args(runtime, 'ENTRYPOINT')[0]), ...execForm(args(runtime, 'CMD')[0])];
    expect(command.slice(0, 2)).toEqual(['node', 'dist/cli/bin.js']);
    // The image's ENV, with the volume path and port moved to a temp dir and a free port.
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      DATABASE_URL: tmp.db,
      PORT: '0',
      ANTHROPIC_WEBHOOK_SIGNING_KEY: generateSecret(),
    };
    child = spawn(command[0], command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 30_000);
      child?.stdout?.on('data', (c) => {
        out += c;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child?.stderr?.on('data', (c) => (out += c));
    });
    expect(url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    const port = new URL(url).port;
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    expect(ready.status).toBe(200);

    // The HEALTHCHECK's own command, as Docker would run it inside the container.
    const health = execForm(args(runtime, 'HEALTHCHECK')[0].replace(/^.*?CMD\s+/, ''));
    const probe = spawnSync(health[0], health.slice(1), { env: { ...env, PORT: port }, encoding: 'utf8' });
    expect(probe.status).toBe(0);
    child.kill('SIGTERM');
    await new Promise((r) => child?.once('exit', r));
    child = null;
    const down = spawnSync(health[0], health.slice(1), { env: { ...env, PORT: port }, encoding: 'utf8' });
    expect(down.status).toBe(1);
  });
});
