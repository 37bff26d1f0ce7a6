// Dashboard and API server time to first byte on a big SQLite store: 100,000 runs and 500,000
// events seeded directly with better-sqlite3 into the schema the store migrates. Starts the real
// `agenthooks serve` as a child process (so client timing never shares its event loop), then per
// page: the median and p95 of 20 sequential requests' time to first byte, against the 200 ms goal.
// Run: npm run bench:dashboard   (or: npm run build && node bench/dashboard.mjs [runs] [events])
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { silentLogger } from '../dist/logger.js';
import { openStore } from '../dist/store/open.js';

const RUNS = Number(process.argv[2] ?? 100_000);
const EVENTS = Number(process.argv[3] ?? 500_000);
const REPEAT = 20;
const GOAL_MS = 200;

const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-bench-dashboard-'));
const file = path.join(dir, 'agenthooks.db');
const now = Date.now();
const DAY = 86_400_000;
await (
  await openStore(
    { kind: 'sqlite', url: file, display: file, source: 'flag' },
    { create: true, logger: silentLogger },
  )
).close();

const words =
  'alpha beta gamma delta report summary research compare network latency database index query agent tool output claim source draft review'.split(
    ' ',
  );
let seed = 7;
const rand = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = (a) => a[Math.floor(rand() * a.length)];
const sentence = (n) => Array.from({ length: n }, () => pick(words)).join(' ');
const runId = (i) => `sesn_bench${String(i).padStart(8, '0')}`;
const STATUSES = [
  'succeeded',
  'succeeded',
  'succeeded',
  'failed',
  'running',
  'blocked',
  'pending',
  'deleted',
];
const AGENTS = Array.from({ length: 20 }, (_, i) => `agent-${i}`);
const TYPES = ['session.status_run_started', 'session.status_idled', 'session.outcome_evaluation_ended'];
const STATES = ['done', 'done', 'done', 'done', 'ignored', 'failed', 'pending'];

const t0 = performance.now();
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = OFF');
const insRun =
  db.prepare(`INSERT INTO runs (id, agent_id, agent_name, agent_version, environment_id, title, task, status, session_status,
  stop_reason, outcome_result, evaluations, output, usage, error, archived, turn, snapshot_key, metadata, launched_by, launch_id,
  parent_run_id, pipeline, step, session_created_at, session_updated_at, first_seen_at, finished_at, last_checked_at, version)
  VALUES (?, ?, ?, 1, 'env_1', NULL, ?, ?, 'idle', ?, NULL, '[]', ?, ?, NULL, 0, 1, NULL, '{}', 'agenthooks', NULL, ?, NULL, NULL, ?, ?, ?, ?, NULL, 1)`);
const usage = JSON.stringify({
  inputTokens: 1200,
  outputTokens: 800,
  cacheReadInputTokens: 0,
  cacheCreationInputTokens: 0,
  costCents: 4,
  activeSeconds: 30,
});
const insEvent =
  db.prepare(`INSERT INTO events (id, type, created_at, received_at, subject_id, thread_id, raw, state, attempts)
  VALUES (?, ?, ?, ?, ?, NULL, ?, ?, 1)`);
const insHistory =
  db.prepare(`INSERT INTO run_history (run_id, seq, at, source, status, session_status, stop_reason, outcome_result, turn, snapshot_key, note)
  VALUES (?, ?, ?, 'bench', ?, 'idle', NULL, NULL, 1, NULL, NULL)`);
db.transaction(() => {
  for (let i = 0; i < RUNS; i++) {
    const at = now - Math.floor((i * 30 * DAY) / RUNS);
    const status = pick(STATUSES);
    const final = status === 'succeeded' || status === 'failed';
    insRun.run(
      runId(i),
      `agent_${pick(AGENTS)}`,
      pick(AGENTS),
      sentence(12),
      status,
      final ? 'end_turn' : null,
      sentence(80),
      usage,
      i % 50 === 1 ? runId(i - 1) : null,
      at,
      at,
      at,
      final ? at + 60_000 : null,
    );
    insHistory.run(runId(i), 1, at, 'running');
    insHistory.run(runId(i), 2, at + 60_000, status);
  }
  for (let i = 0; i < EVENTS; i++) {
    // Newest events spread over the last hour too, so the health page's per-minute counts have work.
    const at = now - Math.floor((i * 30 * DAY) / EVENTS);
    const subject = runId(Math.floor((i * RUNS) / EVENTS));
    const id = `whe_bench${String(i).padStart(9, '0')}`;
    const type = pick(TYPES);
    insEvent.run(
      id,
      type,
      at,
      at,
      subject,
      JSON.stringify({
        type: 'event',
        id,
        created_at: new Date(at).toISOString(),
        data: { type, id: subject },
      }),
      pick(STATES),
    );
  }
})();
db.close();
const seeded = performance.now();

const child = spawn(
  process.execPath,
  ['dist/cli/bin.js', 'serve', '--database', file, '--port', '0', '--insecure-skip-verify'],
  {
    env: { PATH: process.env.PATH, AGENTHOOKS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
const url = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
});

function ttfb(p) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = request(`${url}${p}`, { agent: false }, (res) => {
      const first = performance.now() - start;
      res.resume();
      res.on('end', () => resolve({ ms: first, status: res.statusCode }));
    });
    req.on('error', reject);
    req.end();
  });
}

const pages = [
  ['/ (runs, chips with counts)', '/'],
  ['/?status=failed', '/?status=failed'],
  ['/?agent=agent-3&since=7d', '/?agent=agent-3&since=7d'],
  ['/?search=zebra (no match: full scan)', '/?search=zebra'],
  ['/?search=report (many matches)', '/?search=report'],
  ['/runs/:id (run page)', `/runs/${runId(1)}`],
  ['/runs/:id (old run)', `/runs/${runId(RUNS - 3)}`],
  ['/events', '/events'],
  ['/events?state=failed', '/events?state=failed'],
  ['/health-view', '/health-view'],
  ['/api/runs', '/api/runs'],
  ['/api/runs/:id', `/api/runs/${runId(1)}`],
  ['/api/events', '/api/events'],
  ['/api/stats', '/api/stats'],
];
const rows = [];
try {
  for (const [label, p] of pages) {
    await ttfb(p); // warm the statement cache
    const times = [];
    for (let i = 0; i < REPEAT; i++) {
      const r = await ttfb(p);
      if (r.status !== 200) throw new Error(`${p} answered ${r.status}`);
      times.push(r.ms);
    }
    times.sort((a, b) => a - b);
    rows.push({ label, median: times[Math.floor(REPEAT / 2)], p95: times[Math.floor(REPEAT * 0.95)] });
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `store: ${RUNS.toLocaleString()} runs, ${EVENTS.toLocaleString()} events (seeded in ${((seeded - t0) / 1000).toFixed(1)} s)`,
);
console.log(`time to first byte over ${REPEAT} requests each, goal < ${GOAL_MS} ms\n`);
console.log(`${'page'.padEnd(40)} ${'median'.padStart(9)} ${'p95'.padStart(9)}  goal`);
for (const r of rows) {
  console.log(
    `${r.label.padEnd(40)} ${`${r.median.toFixed(1)} ms`.padStart(9)} ${`${r.p95.toFixed(1)} ms`.padStart(9)}  ${r.median < GOAL_MS ? 'ok' : 'MISSED'}`,
  );
}
