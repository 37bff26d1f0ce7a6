// CPU instructions per delivery of `agenthooks serve` and of the durable floor, counted by
// valgrind's callgrind: a figure that does not move with the machine's load, where throughput on
// this machine moves by tens of percent from one minute to the next (bench:ingest). Each target
// runs twice under callgrind, taking WARM and then WARM + COUNT signed deliveries (10 connections);
// the difference, divided by COUNT, is what one more delivery costs once the code is warm, per
// thread. Prints the main thread (HTTP, verify, parse, group commit), the busiest other thread
// (the writer) and the whole process, and serve / floor for each.
// Needs valgrind (apt-get install -y valgrind); about 10 minutes. Two runs agree within a few
// per cent: what moves between them is when V8 compiles and collects, spread over COUNT.
// Run: npm run bench:ingest:instructions   [-- --warm 3000 --count 12000 --keep --bin FILE --only serve]
//   --keep leaves the callgrind files (one per thread) for callgrind_annotate; --bin runs another
//   build's dist/cli/bin.js as serve (to compare two builds); --only runs one target.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { signedDeliveries } from './deliveries.mjs';
import { FLOOR, serveArgs, startChild } from './servers.mjs';

const { values: opts } = parseArgs({
  options: {
    warm: { type: 'string', default: '3000' },
    count: { type: 'string', default: '12000' },
    keep: { type: 'boolean', default: false },
    bin: { type: 'string' },
    only: { type: 'string' },
  },
});
const WARM = Number(opts.warm);
const COUNT = Number(opts.count);

if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error(
    'valgrind is not installed: apt-get install -y valgrind (this benchmark counts instructions with it).',
  );
  process.exit(1);
}

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-bench-instr-'));

const TARGETS = {
  floor: (db) => [FLOOR, db, secret],
  serve: (db) => serveArgs(db, secret, opts.bin && path.resolve(opts.bin)),
};

/** Instructions per thread of one callgrind run (files OUT.PID-NN, NN = thread), by thread number. */
function threadTotals(prefix) {
  const out = new Map();
  for (const name of readdirSync(dir)) {
    const m = new RegExp(`^${prefix}\\.\\d+-(\\d+)$`).exec(name);
    if (!m) continue;
    const summary = /^summary: (\d+)$/m.exec(readFileSync(path.join(dir, name), 'utf8'));
    if (summary) out.set(Number(m[1]), Number(summary[1]));
  }
  return out;
}

/** One run of `target` under callgrind taking `deliveries` deliveries; its per-thread totals. */
async function run(target, deliveries) {
  const prefix = `${target}-${deliveries}`;
  const { proc, url } = await startChild(
    [
      '--tool=callgrind',
      // V8 writes and rewrites machine code: valgrind must notice, or it runs stale translations.
      '--smc-check=all',
      '--separate-threads=yes',
      `--callgrind-out-file=${path.join(dir, prefix)}.%p`,
      process.execPath,
      ...TARGETS[target](path.join(dir, `${prefix}.db`)),
    ],
    { AGENTHOOKS_LOG_LEVEL: 'warn' },
    'valgrind',
  );
  const pool = signedDeliveries(secret, deliveries, 0.1);
  let next = 0;
  const result = await autocannon({
    url,
    connections: 10,
    amount: deliveries,
    timeout: 120,
    requests: [
      {
        method: 'POST',
        path: '/webhooks',
        setupRequest: (req) => {
          const d = pool[next++];
          return { ...req, headers: d.headers, body: d.body };
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${target}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  }
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  await exited;
  return threadTotals(prefix);
}

const rows = {};
for (const target of Object.keys(TARGETS).filter((t) => !opts.only || t === opts.only)) {
  process.stderr.write(`${target}: ${WARM} deliveries, then ${WARM + COUNT}, under callgrind...\n`);
  const before = await run(target, WARM);
  const after = await run(target, WARM + COUNT);
  const perDelivery = (thread) => ((after.get(thread) ?? 0) - (before.get(thread) ?? 0)) / COUNT;
  const threads = [...after.keys()];
  const others = threads.filter((t) => t !== 1).map((t) => [t, perDelivery(t)]);
  const writer = others.reduce((best, t) => (t[1] > best[1] ? t : best), [0, 0]);
  rows[target] = {
    main: perDelivery(1),
    writer: writer[1],
    total: threads.reduce((sum, t) => sum + perDelivery(t), 0),
  };
}

const k = (v) => `${(v / 1000).toFixed(1)}k`.padStart(9);
console.log(`\ninstructions per delivery (marginal over ${COUNT} deliveries after ${WARM}, callgrind)`);
console.log('target        main   writer    process');
for (const [name, r] of Object.entries(rows))
  console.log(`${name.padEnd(6)} ${k(r.main)} ${k(r.writer)} ${k(r.total)}`);
if (rows.serve && rows.floor) {
  const ratio = (f) => (rows.serve[f] / rows.floor[f]).toFixed(3);
  console.log(`serve / floor  main ${ratio('main')}  writer ${ratio('writer')}  process ${ratio('total')}`);
}
if (opts.keep) console.log(`callgrind files: ${dir} (callgrind_annotate FILE)`);
else rmSync(dir, { recursive: true, force: true });
