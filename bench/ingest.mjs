// Ingest throughput and latency of `agenthooks serve` (durable acks: verify, group commit, fsync)
// against a bare node:http server that only reads the body and answers 200 with a small JSON
// body, alternating in the same run: 3 rounds each, best of each (this machine is noisy).
// Load: autocannon over real sockets on 127.0.0.1, 50 connections, pre-signed distinct deliveries
// plus ~10% duplicates. Prints events/s, p50, p99, the ratio, and serve's peak RSS (VmHWM).
// Run: npm run bench:ingest   [-- --duration 5 --rounds 3 --connections 50]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { signature } from '../dist/webhooks/sign.js';
import { BARE, startChild } from './servers.mjs';

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
  },
});
const DURATION = Number(opts.duration);
const ROUNDS = Number(opts.rounds);
const CONNECTIONS = Number(opts.connections);
const DUPLICATE_SHARE = 0.1;
const POOL = 80_000;

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-bench-'));
const BIN = new URL('../dist/cli/bin.js', import.meta.url).pathname;

let round = 0;
/** Fresh deliveries for one run: distinct ids, ~10% re-sends of earlier ones, signed just now. */
function deliveries() {
  round += 1;
  const now = new Date();
  const out = [];
  for (let i = 0; i < POOL; i++) {
    const dup = i > 10 && Math.random() < DUPLICATE_SHARE;
    if (dup) {
      out.push(out[Math.floor(Math.random() * (i - 1))]);
      continue;
    }
    const id = `whe_bench${round}_${i}_${randomBytes(4).toString('hex')}`;
    const body = JSON.stringify({
      type: 'event',
      id,
      created_at: now.toISOString(),
      data: {
        type: 'session.status_idled',
        id: 'sesn_011CZkZAtmR3yMPDzynEDxu7',
        organization_id: '8a3d2f1e-5b6c-4d7e-9f01-23456789abcd',
        workspace_id: 'c7b0e4d9-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
      },
    });
    out.push({
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature(secret, id, Math.floor(now.getTime() / 1000), body),
      },
    });
  }
  return out;
}

async function load(url, duration) {
  const pool = deliveries();
  let next = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        method: 'POST',
        path: '/webhooks',
        setupRequest: (req) => {
          const d = pool[next++ % pool.length];
          return { ...req, headers: d.headers, body: d.body };
        },
      },
    ],
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

const serve = await startChild(
  [
    BIN,
    'serve',
    '--port',
    '0',
    '--database',
    path.join(dir, 'bench.db'),
    '--signing-key',
    secret,
    '--no-worker',
  ],
  { AGENTHOOKS_LOG_LEVEL: 'warn' },
);
const bare = await startChild(['-e', BARE], {});
const targets = { serve, bare };
const results = { serve: [], bare: [] };
try {
  // Warm up both (JIT, page cache, SQLite file growth) before measuring.
  await load(serve.url, 1);
  await load(bare.url, 1);
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of ['serve', 'bare']) {
      const res = await load(targets[name].url, DURATION);
      results[name].push(res);
      console.log(
        `round ${r + 1} ${name.padEnd(5)} ${res.rps.toFixed(0).padStart(6)} events/s  p50 ${res.p50} ms  p99 ${res.p99} ms  non-2xx ${res.non2xx}  errors ${res.errors}`,
      );
    }
  }
  const rss = vmHWM(serve.proc.pid);
  const best = (name) => results[name].reduce((a, b) => (b.rps > a.rps ? b : a));
  const bestP99 = (name) => Math.min(...results[name].map((x) => x.p99));
  const s = best('serve');
  const b = best('bare');
  const ratio = s.rps / b.rps;
  const p99Limit = Math.max(20, 1.5 * bestP99('bare'));
  console.log('');
  console.log(
    `serve  best ${s.rps.toFixed(0)} events/s  p50 ${s.p50} ms  p99 ${s.p99} ms (lowest p99 ${bestP99('serve')} ms)`,
  );
  console.log(
    `bare   best ${b.rps.toFixed(0)} events/s  p50 ${b.p50} ms  p99 ${b.p99} ms (lowest p99 ${bestP99('bare')} ms)`,
  );
  console.log(
    `ratio  ${ratio.toFixed(2)} of bare events/s (goal >= 0.70: ${ratio >= 0.7 ? 'met' : 'MISSED'})`,
  );
  console.log(
    `p99    ${bestP99('serve')} ms vs limit ${p99Limit.toFixed(1)} ms = max(20, 1.5 x bare) (${bestP99('serve') <= p99Limit ? 'met' : 'MISSED'})`,
  );
  console.log(`rss    serve peak ${rss.toFixed(0)} MB (goal < 200: ${rss < 200 ? 'met' : 'MISSED'})`);
} finally {
  serve.proc.kill('SIGTERM');
  bare.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dir, { recursive: true, force: true });
}
