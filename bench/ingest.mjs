// Ingest throughput and latency of `agenthooks serve` (durable acks: verify, group commit, fsync)
// against two references started beside it, alternating in the same run (3 rounds each, best of
// each: this machine is noisy):
// - floor: the durable floor (bench/floor-server.mjs): node:http, a node:crypto HMAC, JSON.parse
//   and group commit on a worker thread into a SQLite table with one primary-key index (WAL,
//   synchronous=FULL). No verifying, durable receiver on this stack can do less.
// - bare: node:http that only reads the body and answers 200 with a small JSON body.
// Load: autocannon over real sockets on 127.0.0.1, at 50 and at 400 connections, pre-signed
// distinct deliveries plus ~10% duplicates. Prints events/s, p50, p99, serve / floor and
// serve / bare at each, and serve's peak RSS (VmHWM).
// Run: npm run bench:ingest   [-- --duration 5 --rounds 3 --connections 50,400]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { post, signedDeliveries } from './deliveries.mjs';
import { BARE, startChild, startFloor, startServe } from './servers.mjs';

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50,400' },
  },
});
const DURATION = Number(opts.duration);
const ROUNDS = Number(opts.rounds);
const CONNECTIONS = opts.connections.split(',').map(Number);
const DUPLICATE_SHARE = 0.1;
// Enough distinct deliveries that a round never wraps around to re-send its own (then duplicates).
const POOL = Math.max(80_000, DURATION * 30_000);

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-bench-'));

/** One run of `duration` s at `connections`, with fresh deliveries (~10% re-sends). */
async function load(url, duration, connections) {
  const result = await post(url, {
    connections,
    duration,
    pool: signedDeliveries(secret, POOL, DUPLICATE_SHARE),
  });
  return {
    rps: result.requests.average,
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

function vmHWM(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

const serve = await startServe(path.join(dir, 'bench.db'), secret);
const floor = await startFloor(path.join(dir, 'floor.db'), secret);
const bare = await startChild(['-e', BARE], {});
const targets = { serve, floor, bare };
const goals = { 50: 0.95, 400: 0.9 };
const summary = [];
try {
  for (const connections of CONNECTIONS) {
    const results = { serve: [], floor: [], bare: [] };
    console.log(`\n${connections} connections`);
    // Warm up all three (JIT, page cache, SQLite file growth) before measuring.
    for (const t of Object.values(targets)) await load(t.url, 1, connections);
    for (let r = 0; r < ROUNDS; r++) {
      for (const name of Object.keys(targets)) {
        const res = await load(targets[name].url, DURATION, connections);
        results[name].push(res);
        console.log(
          `round ${r + 1} ${name.padEnd(5)} ${res.rps.toFixed(0).padStart(6)} events/s  p50 ${res.p50} ms  p99 ${res.p99} ms  non-2xx ${res.non2xx}  errors ${res.errors}`,
        );
      }
    }
    const best = (name) => results[name].reduce((a, b) => (b.rps > a.rps ? b : a));
    const lowestP99 = (name) => Math.min(...results[name].map((x) => x.p99));
    summary.push({
      connections,
      serve: best('serve'),
      floor: best('floor'),
      bare: best('bare'),
      p99: lowestP99('serve'),
    });
  }
  const rss = vmHWM(serve.proc.pid);
  console.log('\nconnections  bare/s   floor/s  serve/s  serve p99  serve/floor  serve/bare  floor/bare');
  for (const x of summary) {
    const vsFloor = x.serve.rps / x.floor.rps;
    const goal = goals[x.connections];
    const verdict = goal === undefined ? '' : ` (goal >= ${goal}: ${vsFloor >= goal ? 'met' : 'MISSED'})`;
    console.log(
      `${String(x.connections).padStart(11)}  ${x.bare.rps.toFixed(0).padStart(6)}  ${x.floor.rps.toFixed(0).padStart(8)}  ${x.serve.rps.toFixed(0).padStart(7)}  ${`${x.p99} ms`.padStart(9)}  ${vsFloor.toFixed(2).padStart(11)}  ${(x.serve.rps / x.bare.rps).toFixed(2).padStart(10)}  ${(x.floor.rps / x.bare.rps).toFixed(2).padStart(10)}${verdict}`,
    );
  }
  const at50 = summary.find((x) => x.connections === 50);
  if (at50)
    console.log(
      `p99    serve at 50 connections ${at50.p99} ms (goal <= 20: ${at50.p99 <= 20 ? 'met' : 'MISSED'})`,
    );
  console.log(`rss    serve peak ${rss.toFixed(0)} MB (goal <= 200: ${rss <= 200 ? 'met' : 'MISSED'})`);
} finally {
  for (const t of Object.values(targets)) t.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dir, { recursive: true, force: true });
}
