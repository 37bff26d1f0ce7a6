// Builds dist/ only when it is missing or older than a source: `npm start` (and the benchmarks)
// on an already built tree then start at once, and still rebuild after any edit under src/.
// A stamp written after a successful build marks dist/ as complete; a failed build leaves none.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const stamp = new URL('dist/.build-stamp', root);
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'scripts/copy-assets.mjs'];

function newest(url) {
  const st = statSync(url, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const entry of readdirSync(url)) {
    max = Math.max(max, newest(new URL(`${url.href.replace(/\/?$/, '/')}${entry}`)));
  }
  return max;
}

const built = statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const sources = Math.max(...INPUTS.map((p) => newest(new URL(p, root))));
if (sources >= built) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}
