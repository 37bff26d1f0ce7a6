// Builds dist/ once before the suites, because several tests start the real `agenthooks` binary
// (serve, simulator) as child processes to kill and restart them, and the SQLite writer thread
// runs from dist/. A type error does not stop the suites here (tsc still emits); `npm run build`
// and `npm run typecheck` in .ci/run are where type errors fail the run.
import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { type EmbeddedServer, startEmbeddedPostgres } from './support/embedded-postgres.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { encoding: 'utf8' });
  if (tsc.status !== 0)
    process.stderr.write(
      `global-setup: tsc reported errors (dist still emitted):\n${tsc.stdout}${tsc.stderr}\n`,
    );
  const copy = spawnSync('node', ['scripts/copy-assets.mjs'], { encoding: 'utf8' });
  if (copy.status !== 0) throw new Error(`global-setup: copying assets failed: ${copy.stderr}`);
  const pg = await providePostgres(project);
  return async () => {
    await pg?.destroy();
  };
}

// PostgreSQL for the store suites (issue 6): DATABASE_URL when it names a postgres server, else ONE
// embedded server for the whole run (test/support/postgres.ts makes a database per suite on it).
// A failure to start does not stop the other suites; the PostgreSQL suites then fail with the reason.
async function providePostgres(project: TestProject): Promise<EmbeddedServer | null> {
  const given = process.env.DATABASE_URL;
  if (given && /^postgres(ql)?:\/\//i.test(given)) {
    project.provide('pgUrl', given);
    project.provide('pgError', '');
    return null;
  }
  try {
    const server = await startEmbeddedPostgres();
    project.provide('pgUrl', server.url);
    project.provide('pgError', '');
    return server;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    process.stderr.write(`global-setup: no PostgreSQL for the PostgreSQL suites: ${reason}\n`);
    project.provide('pgUrl', '');
    project.provide('pgError', reason);
    return null;
  }
}
