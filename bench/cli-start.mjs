// Start-up cost of the read commands: wall time of `agenthooks runs` (and `events`) on a store
// with 10,000 runs against bare `node -e 0`, alternating in one run, median of 10 each.
// Goal: runs <= 2.5 x node -e 0 (a read command opens SQLite read-only on the main thread and
// starts no writer thread).
// Run: npm run bench:cli-start   [-- --runs 10000 --repeat 10 --bin path/to/bin.js]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { silentLogger } from '../dist/logger.js';
import { openStore } from '../dist/store/open.js';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    repeat: { type: 'string', default: '10' },
    bin: { type: 'string', default: new URL('../dist/cli/bin.js', import.meta.url).pathname },
  },
});
const RUNS = Number(opts.runs);
const REPEAT = Number(opts.repeat);
const GOAL = 2.5;

const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-bench-cli-'));
const file = path.join(dir, 'agenthooks.db');
// Create and migrate through the store itself, so the schema is exactly the real one.
await (
  await openStore(
    { kind: 'sqlite', url: file, display: file, source: 'flag' },
    { create: true, logger: silentLogger },
  )
).close();

const db = new Database(file);
const insRun =
  db.prepare(`INSERT INTO runs (id, agent_id, agent_name, agent_version, task, status, session_status,
  stop_reason, evaluations, output, metadata, launched_by, turn, first_seen_at, finished_at, version)
  VALUES (?, 'agent_1', 'researcher', 1, ?, ?, 'idle', 'end_turn', '[]', ?, '{}', 'agenthooks', 1, ?, ?, 1)`);
const insEvent =
  db.prepare(`INSERT INTO events (id, type, created_at, received_at, subject_id, raw, state, processed_at)
  VALUES (?, 'session.status_idled', ?, ?, ?, ?, 'done', ?)`);
const now = Date.now();
db.transaction(() => {
  for (let i = 0; i < RUNS; i++) {
    const id = `sesn_bench${String(i).padStart(8, '0')}`;
    const at = now - i * 60_000;
    insRun.run(
      id,
      `task ${i}: compare the research notes`,
      i % 5 ? 'succeeded' : 'failed',
      `output ${i}`,
      at,
      at,
    );
    for (let k = 0; k < 3; k++) {
      const eid = `whe_bench${i}_${k}`;
      insEvent.run(
        eid,
        at,
        at + k,
        id,
        `{"type":"event","id":"${eid}","data":{"type":"session.status_idled","id":"${id}"}}`,
        at,
      );
    }
  }
})();
db.close();

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function wall(args) {
  const s = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const ms = performance.now() - s;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

const commands = {
  'node -e 0': ['-e', '0'],
  'agenthooks runs': [opts.bin, 'runs', '--database', file],
  'agenthooks events': [opts.bin, 'events', '--database', file],
};
const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
// One warm-up each (page cache, compile cache), then alternating rounds.
for (const args of Object.values(commands)) wall(args);
for (let i = 0; i < REPEAT; i++) {
  for (const [name, args] of Object.entries(commands)) times[name].push(wall(args));
}
const base = median(times['node -e 0']);
console.log(
  `store: ${RUNS.toLocaleString()} runs, ${(RUNS * 3).toLocaleString()} events; median of ${REPEAT}, alternating`,
);
let missed = false;
for (const name of Object.keys(commands)) {
  const m = median(times[name]);
  const ratio = m / base;
  const goal = name === 'agenthooks runs' ? ` (goal <= ${GOAL}: ${ratio <= GOAL ? 'met' : 'MISSED'})` : '';
  if (name === 'agenthooks runs' && ratio > GOAL) missed = true;
  console.log(`${name.padEnd(18)} ${m.toFixed(0).padStart(5)} ms  ${ratio.toFixed(2)} x node -e 0${goal}`);
}
rmSync(dir, { recursive: true, force: true });
if (missed) process.exitCode = 1;
