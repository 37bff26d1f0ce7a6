// Where serve's gap to the durable floor is: the floor's main thread, or serve's event ledger?
// Paired rounds at one connection count, each target in turn within a round:
// - floor: bench/floor-server.mjs as bench:ingest runs it (a table with one primary-key index);
// - floor+ledger: the same main thread writing agenthooks' own ledger (its migrations, the writer's
//   insertEvents, serve's row);
// - floor+ledger-N: the same without the indexes named by --drop (default: events_received,
//   events_pending), to price them;
// - serve: agenthooks serve --no-worker.
// Rounds in which other processes used more than --max-foreign cores are not kept: this machine's
// throughput moves by tens of percent when something else runs. Prints, per target, the median
// ratio to the floor of the same round and CPU per event of the main thread and of the busiest
// other thread (the writer), from /proc.
// Run: npm run build && node bench/ingest-split.mjs [--connections 50 --rounds 8 --duration 2]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { post, signedDeliveries } from './deliveries.mjs';
import { startFloor, startServe } from './servers.mjs';

const { values: opts } = parseArgs({
  options: {
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '8' },
    duration: { type: 'string', default: '2' },
    drop: { type: 'string', default: 'events_received,events_pending' },
    'max-foreign': { type: 'string', default: '0.1' },
  },
});
const CONNECTIONS = Number(opts.connections);
const ROUNDS = Number(opts.rounds);
const DURATION = Number(opts.duration);
const MAX_FOREIGN = Number(opts['max-foreign']);
const POOL = DURATION * 30_000;

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-bench-split-'));
const db = (name) => path.join(dir, `${name}.db`);

/** Clock ticks (1/100 s) of user + system time in a /proc stat line. */
function ticks(stat) {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

/** CPU ms so far of each thread of `pid`, keyed by thread id. */
function threads(pid) {
  const out = new Map();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(t, ticks(readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8')) * 10);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

/** Busy CPU ms of the whole machine so far. */
function machineBusy() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) * 10;
}

function processCpu(pid) {
  try {
    return ticks(readFileSync(`/proc/${pid}/stat`, 'utf8')) * 10;
  } catch {
    return 0;
  }
}

async function measure(target) {
  const pid = target.proc.pid;
  const before = threads(pid);
  const r = await post(target.url, {
    connections: CONNECTIONS,
    duration: DURATION,
    pool: signedDeliveries(secret, POOL),
  });
  const after = threads(pid);
  const n = r.requests.total;
  let writer = 0;
  for (const [t, ms] of after) if (t !== String(pid)) writer = Math.max(writer, ms - (before.get(t) ?? 0));
  return {
    rps: r.requests.average,
    bad: r.non2xx + r.errors + r.timeouts,
    main: ((after.get(String(pid)) - before.get(String(pid))) * 1000) / n,
    writer: (writer * 1000) / n,
  };
}

const drop = opts.drop.split(',').filter(Boolean);
const targets = {
  floor: await startFloor(db('floor'), secret),
  'floor+ledger': await startFloor(db('ledger'), secret, '--ledger'),
  [`floor+ledger-${drop.length}`]: await startFloor(db('lean'), secret, '--ledger', '--drop', drop.join(',')),
  serve: await startServe(db('serve'), secret),
};
const ours = () =>
  [process.pid, ...Object.values(targets).map((t) => t.proc.pid)].reduce((a, p) => a + processCpu(p), 0);

try {
  console.log(
    `${CONNECTIONS} connections, ${ROUNDS} kept rounds of ${DURATION} s per target; dropped for floor+ledger-${drop.length}: ${drop.join(', ')}`,
  );
  for (const t of Object.values(targets))
    await post(t.url, { connections: CONNECTIONS, duration: 1, pool: signedDeliveries(secret, POOL) });
  const kept = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
  let rounds = 0;
  let tries = 0;
  while (rounds < ROUNDS && tries < ROUNDS * 4) {
    tries += 1;
    const busy0 = machineBusy();
    const ours0 = ours();
    const row = {};
    for (const [name, t] of Object.entries(targets)) row[name] = await measure(t);
    const foreign =
      (machineBusy() - busy0 - (ours() - ours0)) / (DURATION * Object.keys(targets).length * 1000);
    if (foreign > MAX_FOREIGN) {
      console.log(`round not kept: other processes used ${foreign.toFixed(2)} cores`);
      continue;
    }
    rounds += 1;
    for (const name of Object.keys(targets))
      kept[name].push({ ...row[name], ratio: row[name].rps / row.floor.rps });
    console.log(
      `round ${rounds}  ${Object.entries(row)
        .map(([name, x]) => `${name} ${x.rps.toFixed(0)}/s`)
        .join('  ')}`,
    );
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`\nkept ${rounds} of ${tries} rounds`);
  console.log(
    'target               ratio to floor (median)   events/s (median)   main µs/event   writer µs/event   non-2xx',
  );
  for (const [name, xs] of Object.entries(kept)) {
    if (xs.length === 0) continue;
    console.log(
      `${name.padEnd(20)} ${median(xs.map((x) => x.ratio))
        .toFixed(2)
        .padStart(23)} ${median(xs.map((x) => x.rps))
        .toFixed(0)
        .padStart(19)} ${median(xs.map((x) => x.main))
        .toFixed(1)
        .padStart(15)} ${median(xs.map((x) => x.writer))
        .toFixed(1)
        .padStart(17)} ${String(xs.reduce((a, x) => a + x.bad, 0)).padStart(9)}`,
    );
  }
} finally {
  for (const t of Object.values(targets)) t.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dir, { recursive: true, force: true });
}
