// How long `npm start` takes to reach its summary on an already built tree (the build is skipped
// unless a source is newer than dist/). Runs it `--repeat` times from the repository root (the
// demo's SQLite file is ./.agenthooks/agenthooks.db), prints when serve is up and when the summary
// is out, and the median, stopping each run with SIGINT. Goal: summary <= 4 s. The three demo runs
// themselves take about 1.2 s of the simulator's time (`--time-scale 0.2`).
// Run: node bench/npm-start.mjs [--repeat 3]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({ options: { repeat: { type: 'string', default: '3' } } });
const root = new URL('../', import.meta.url).pathname;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function once() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(npm, ['start', '--silent'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    let err = '';
    let serving = null;
    child.stderr.on('data', (c) => {
      err += c;
    });
    child.stdout.on('data', (c) => {
      out += c;
      if (serving === null && /serve: /.test(out)) serving = performance.now() - started;
      if (/runs ended as expected|did not end as expected/.test(out)) {
        const ms = performance.now() - started;
        process.kill(-child.pid, 'SIGINT');
        resolve({ ms, serving, ok: /All three runs ended as expected/.test(out) });
      }
    });
    child.on('exit', (code) =>
      reject(new Error(`npm start exited ${code} before its summary:\n${out}${err}`)),
    );
  });
}

const times = [];
for (let i = 0; i < Number(opts.repeat); i++) {
  const r = await once();
  times.push(r.ms);
  console.log(
    `npm start ${i + 1}: serving after ${(r.serving / 1000).toFixed(2)} s, summary after ${(r.ms / 1000).toFixed(2)} s${r.ok ? '' : ' (runs NOT as expected)'}`,
  );
  await new Promise((res) => setTimeout(res, 500));
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(`median ${(median / 1000).toFixed(2)} s (goal <= 4: ${median <= 4000 ? 'met' : 'MISSED'})`);
