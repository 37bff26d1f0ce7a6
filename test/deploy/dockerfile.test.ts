// The Dockerfile, checked without a Docker engine (none runs on these machines; the image itself is
// not built here): its stages, the non-root user, the healthcheck on /ready. Its build and start
// steps run outside Docker in docker-steps.slow.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { execForm, parseDockerfile, type Stage } from './dockerfile.js';

const stages = parseDockerfile(readFileSync('Dockerfile', 'utf8'));
const runtime = stages.at(-1) as Stage;
const args = (s: Stage, op: string) => s.instructions.filter((i) => i.op === op).map((i) => i.args);

describe('Dockerfile', () => {
  it('is multi-stage: build with dev dependencies, runtime with production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages.find((s) => s.name === 'build');
    expect(build).toBeDefined();
    expect(args(build as Stage, 'RUN').join('\n')).toMatch(/npm ci(?!.*--omit=dev)/);
    expect(args(build as Stage, 'RUN')).toContain('npm run build');
    const copies = args(runtime, 'COPY');
    expect(copies).toContain('--from=build /app/dist ./dist');
    const depsStage = stages.find((s) =>
      copies.some((c) => c.startsWith(`--from=${s.name} /app/node_modules`)),
    );
    expect(args(depsStage as Stage, 'RUN').join('\n')).toContain('npm ci --omit=dev');
    // The runtime stage never installs the dev dependencies itself.
    expect(args(runtime, 'RUN').join('\n')).not.toContain('npm ci');
    for (const s of stages) expect(s.from).toMatch(/^node:20/);
  });

  it('runs as a non-root user, exposes 8787 and checks /ready', () => {
    const users = args(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(args(runtime, 'EXPOSE')).toContain('8787');
    const health = args(runtime, 'HEALTHCHECK').join(' ');
    expect(health).toContain('/ready');
    expect(execForm(args(runtime, 'CMD')[0])).toEqual(['serve', '--host', '0.0.0.0']);
  });
});
