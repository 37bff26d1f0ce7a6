// Builds dist/ once before the suites, because several tests start the real `agenthooks` binary
// (serve, simulator) as child processes to kill and restart them, and the SQLite writer thread
// runs from dist/. A type error does not stop the suites here (tsc still emits); `npm run build`
// and `npm run typecheck` in .ci/run are where type errors fail the run.
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { encoding: 'utf8' });
  if (tsc.status !== 0) process.stderr.write(`global-setup: tsc reported errors (dist still emitted):\n${tsc.stdout}${tsc.stderr}\n`);
  const copy = spawnSync('node', ['scripts/copy-assets.mjs'], { encoding: 'utf8' });
  if (copy.status !== 0) throw new Error(`global-setup: copying assets failed: ${copy.stderr}`);
}
