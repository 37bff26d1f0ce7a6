// Inspector query times on a big SQLite store: 100,000 runs and 1,000,000 events, seeded directly
// with better-sqlite3 into the schema the store migrates. Prints, per query, the median of 20 in
// this process (store query + table rendering, the store already open) against the 300 ms goal,
// and the CLI's wall time for `agenthooks runs` beside `node -e 0` (process start baseline).
// Run: npm run bench:inspect   (or: npx tsc -p tsconfig.build.json && node bench/inspect.mjs [runs] [events])
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { EVENT_COLUMNS } from '../dist/cli/event-view.js';
import { renderTable } from '../dist/cli/format.js';
import { renderRunDetail, runColumns } from '../dist/cli/run-view.js';
import { silentLogger } from '../dist/logger.js';
import { listEventsPage } from '../dist/query/events.js';
import { FLAGS, parseEventFilters, parseRunFilters } from '../dist/query/filters.js';
import { runDetail } from '../dist/query/run-detail.js';
import { listRunsPage } from '../dist/query/runs.js';
import { openStore } from '../dist/store/open.js';

const RUNS = Number(process.argv[2] ?? 100_000);
const EVENTS = Number(process.argv[3] ?? 1_000_000);
const REPEAT = 20;
const GOAL_MS = 300;
const TARGET_EVENTS = 1000;

const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-bench-inspect-'));
const file = path.join(dir, 'agenthooks.db');
const loc = { kind: 'sqlite', url: file, display: file, source: 'flag' };
const now = Date.now();
const DAY = 86_400_000;

// Create and migrate through the store itself, so the schema is exactly the real one.
await (await openStore(loc, { create: true, logger: silentLogger })).close();

const words =
  'alpha beta gamma delta report summary research compare network latency database index query agent tool output claim source draft review'.split(
    ' ',
  );
// mulberry32: a deterministic generator, so every run of the bench seeds the same data.
let seed = 42;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
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
const TYPES = [
  'session.status_run_started',
  'session.status_idled',
  'session.outcome_evaluation_ended',
  'session.updated',
  'session.status_terminated',
];
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
db.transaction(() => {
  for (let i = 0; i < RUNS; i++) {
    // Run i started i * (30 days / RUNS) ago: newest first is index order.
    const at = now - Math.floor((i * 30 * DAY) / RUNS);
    const status = pick(STATUSES);
    const agent = pick(AGENTS);
    const final = status === 'succeeded' || status === 'failed';
    insRun.run(
      runId(i),
      `agent_${agent}`,
      agent,
      `${sentence(12)}${i === Math.floor(RUNS * 0.777) ? ' zebra' : ''}`,
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
  }
})();
const tRuns = performance.now();
const insEvent =
  db.prepare(`INSERT INTO events (id, type, created_at, received_at, subject_id, thread_id, raw, state, attempts, processed_at)
  VALUES (?, ?, ?, ?, ?, NULL, ?, ?, 1, ?)`);
const TARGET = runId(500);
const BATCH = 100_000;
for (let b = 0; b < EVENTS; b += BATCH) {
  db.transaction(() => {
    for (let i = b; i < Math.min(EVENTS, b + BATCH); i++) {
      const subject = i < TARGET_EVENTS ? TARGET : runId(Math.floor(rand() * RUNS));
      const at = now - Math.floor(((EVENTS - i) * 30 * DAY) / EVENTS);
      const id = `evt_bench${String(i).padStart(9, '0')}`;
      const type = pick(TYPES);
      const raw = `{"type":"event","id":"${id}","created_at":"${new Date(at).toISOString()}","data":{"type":"${type}","id":"${subject}","organization_id":"8a3d2f1e-5b6c-4d7e-9f01-23456789abcd","workspace_id":"c7b0e4d9-1a2b-4c3d-8e9f-0a1b2c3d4e5f"}}`;
      insEvent.run(id, type, at, at, subject, raw, pick(STATES), at);
    }
  })();
}
db.pragma('wal_checkpoint(TRUNCATE)');
db.exec('ANALYZE');
db.close();
const tSeed = performance.now();
console.log(
  `seeded ${RUNS} runs (${((tRuns - t0) / 1000).toFixed(1)} s) and ${EVENTS} events (${((tSeed - tRuns) / 1000).toFixed(1)} s) in ${file}`,
);

const store = await openStore(loc, { create: false, logger: silentLogger });
const style = { color: false };

async function runsQuery({ page, ...flags }) {
  const f = parseRunFilters(flags, Date.now(), FLAGS);
  const { runs } = await listRunsPage(
    store,
    f,
    page === undefined ? undefined : (Number(page) - 1) * f.limit,
  );
  renderTable(runColumns(Date.now()), runs, style);
  return runs.length;
}
async function eventsQuery(flags) {
  const { events } = await listEventsPage(store, parseEventFilters(flags, Date.now(), FLAGS));
  renderTable(EVENT_COLUMNS, events, style);
  return events.length;
}

const cases = [
  ['runs', () => runsQuery({})],
  ['runs --status failed', () => runsQuery({ status: 'failed' })],
  ['runs --status running,blocked', () => runsQuery({ status: 'running,blocked' })],
  ['runs --agent agent-7', () => runsQuery({ agent: 'agent-7' })],
  ['runs --since 2h', () => runsQuery({ since: '2h' })],
  ['runs --until 20d', () => runsQuery({ until: '20d' })],
  ['runs --since 7d --until 6d', () => runsQuery({ since: '7d', until: '6d' })],
  [
    'runs --status failed --agent agent-3 --since 7d',
    () => runsQuery({ status: 'failed', agent: 'agent-3', since: '7d' }),
  ],
  ['runs --search review (common)', () => runsQuery({ search: 'review' })],
  ['runs --search zebra (one match: trigram index)', () => runsQuery({ search: 'zebra' })],
  ['runs --search zq (2 chars, none: full LIKE scan)', () => runsQuery({ search: 'zq' })],
  ['runs --page 1000', () => runsQuery({ page: '1000' })],
  [
    'runs --page 1000 --status succeeded,failed,running',
    () => runsQuery({ page: '1000', status: 'succeeded,failed,running' }),
  ],
  [
    'runs show (1,000 events)',
    async () => {
      const d = await runDetail(store, TARGET);
      renderRunDetail(d, Date.now(), style);
      return d.events.length;
    },
  ],
  ['events', () => eventsQuery({})],
  ['events --type session.updated', () => eventsQuery({ type: 'session.updated' })],
  ['events --session ID', () => eventsQuery({ session: runId(Math.floor(RUNS / 8)) })],
  ['events --state failed --since 1d', () => eventsQuery({ state: 'failed', since: '1d' })],
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const rows = [];
for (const [name, fn] of cases) {
  // The first call warms the page cache and the statement cache, and counts the rows (a sanity
  // check: a query that returns nothing would be fast for the wrong reason).
  const count = await fn();
  const times = [];
  for (let i = 0; i < REPEAT; i++) {
    const s = performance.now();
    await fn();
    times.push(performance.now() - s);
  }
  rows.push({ name, count, median: median(times), max: Math.max(...times) });
}
await store.close();

// Wall time of the real binary against bare node start-up, alternating, median of 10.
const bin = path.resolve(import.meta.dirname, '..', 'dist', 'cli', 'bin.js');
const wall = { cli: [], node: [] };
for (let i = 0; i < 10; i++) {
  let s = performance.now();
  const r = spawnSync(process.execPath, [bin, 'runs', '--database', file], { encoding: 'utf8' });
  wall.cli.push(performance.now() - s);
  if (r.status !== 0) throw new Error(`agenthooks runs failed: ${r.stderr}`);
  s = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  wall.node.push(performance.now() - s);
}

const w = Math.max(...rows.map((r) => r.name.length));
console.log(`\n${'query (in process, median of 20)'.padEnd(w)}   rows  median ms   max ms   < ${GOAL_MS} ms`);
let failed = 0;
for (const r of rows) {
  const ok = r.median < GOAL_MS;
  if (!ok) failed += 1;
  console.log(
    `${r.name.padEnd(w)}  ${String(r.count).padStart(5)}  ${r.median.toFixed(1).padStart(9)}  ${r.max.toFixed(1).padStart(7)}   ${ok ? 'yes' : 'NO'}`,
  );
}
const cliMs = median(wall.cli);
const nodeMs = median(wall.node);
console.log(
  `\nwall time, median of 10: agenthooks runs ${cliMs.toFixed(0)} ms, node -e 0 ${nodeMs.toFixed(0)} ms (ratio ${(cliMs / nodeMs).toFixed(2)}, CLI overhead ${(cliMs - nodeMs).toFixed(0)} ms)`,
);
// BENCH_KEEP=1 keeps the seeded database for a closer look.
if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
if (failed > 0) {
  console.log(`${failed} queries over ${GOAL_MS} ms`);
  process.exitCode = 1;
}
