// End-to-end latency of a delivery: from the moment serve received the webhook that ended a run
// (events.received_at) to the run's final history row (run_history.at, written by the worker after
// it fetched the session), both epoch ms in the store. The simulator runs in this process at time
// scale 0.1 with no faults; serve runs as a child process (its own event loop, as in production);
// 60 runs are launched at 10 per second by this process, as `agenthooks launch` does (intent and run
// in the store, then the session), so serve knows of them in every mode.
//
// With --no-webhooks it measures, in the same run, what serve --no-webhooks costs against webhooks:
// from the platform's idle event (its processed_at, read back through the SDK) to the run's final
// history row, for serve with webhooks, serve --no-webhooks following streams, and serve
// --no-webhooks --max-streams 0 (polling only), each on a fresh store and simulator. The two
// no-webhooks modes run with their defaults (the reconciler sweeps every 10 s).
//
//   npm run bench:latency [-- --sessions 60 --rate 10] [--no-webhooks]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { systemClock } from '../dist/clock.js';
import { silentLogger } from '../dist/logger.js';
import { createPlatform } from '../dist/platform/client.js';
import { createRuntime } from '../dist/runtime.js';
import { startSimulator } from '../dist/simulator/index.js';
import { openStore } from '../dist/store/open.js';
import { startChild } from './servers.mjs';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '60' },
    rate: { type: 'string', default: '10' },
    'no-webhooks': { type: 'boolean', default: false },
  },
});
const SESSIONS = Number(values.sessions);
const RATE = Number(values.rate);
const API_KEY = 'sk-bench-latency';
const BIN = new URL('../dist/cli/bin.js', import.meta.url).pathname;
const FINAL = new Set(['succeeded', 'failed', 'cancelled']);
const ENDING = ['session.status_idle', 'session.status_terminated'];

const quantile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** One serve (flags after `serve`) over a fresh simulator and store; the latencies of its runs. */
async function measure(serveArgs, { webhooks }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-latency-'));
  const db = path.join(dir, 'bench.db');
  const signingKey = `whsec_${randomBytes(32).toString('base64')}`;
  const sim = await startSimulator({ timeScale: 0.1, apiKeys: [API_KEY], signingKey, seed: 7 });
  const keyArgs = webhooks ? ['--signing-key', signingKey] : [];
  const serve = await startChild([BIN, 'serve', '--port', '0', '--database', db, ...keyArgs, ...serveArgs], {
    ANTHROPIC_API_KEY: API_KEY,
    ANTHROPIC_BASE_URL: sim.url,
    AGENTHOOKS_LOG_LEVEL: 'warn',
  });
  if (webhooks) sim.addWebhook(`${serve.url}/webhooks`);
  try {
    const sdk = new Anthropic({ apiKey: API_KEY, baseURL: sim.url, maxRetries: 2, webhookKey: null });
    const store = await openStore(
      { kind: 'sqlite', url: db, display: db, source: 'flag' },
      { create: false, logger: silentLogger },
    );
    try {
      const runtime = createRuntime({
        store,
        platform: createPlatform({ apiKey: API_KEY, baseURL: sim.url, logger: silentLogger }),
        clock: systemClock,
        logger: silentLogger,
        configFile: { path: null, agents: {}, environments: {}, pipelines: {} },
      });
      const ids = [];
      process.stderr.write(`serve ${serveArgs.join(' ')}: launching ${SESSIONS} runs at ${RATE}/s\n`);
      for (let i = 0; i < SESSIONS; i++) {
        const { run } = await runtime.launch({
          task: `Latency ${i}`,
          agent: 'bench',
          model: 'claude-sonnet-4-6',
        });
        ids.push(run.id);
        await new Promise((r) => setTimeout(r, 1000 / RATE));
      }
      const deadline = Date.now() + 120_000;
      let finals = 0;
      while (Date.now() < deadline) {
        finals = 0;
        for (const id of ids) if (FINAL.has((await store.getRun(id))?.status)) finals += 1;
        process.stderr.write(`\r${finals}/${SESSIONS} runs final`);
        if (finals === SESSIONS) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      process.stderr.write('\n');
      if (finals < SESSIONS) throw new Error(`only ${finals} of ${SESSIONS} runs became final within 120 s`);
      const fromDelivery = [];
      const fromIdle = [];
      for (const id of ids) {
        const final = (await store.runHistory(id)).find((h) => FINAL.has(h.status));
        const event = final ? await store.getEvent(final.source) : null;
        // A run finished by a poll or the reconciler has no delivery to measure from.
        if (event) fromDelivery.push(final.at - event.receivedAt);
        const ending = await sdk.beta.sessions.events.list(id, { types: ENDING, order: 'desc', limit: 1 });
        const at = Date.parse(ending.data[0]?.processed_at ?? '');
        if (final && Number.isFinite(at)) fromIdle.push(Math.max(0, final.at - at));
      }
      return { fromDelivery: fromDelivery.sort((a, b) => a - b), fromIdle: fromIdle.sort((a, b) => a - b) };
    } finally {
      await store.close();
    }
  } finally {
    serve.proc.kill('SIGTERM');
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const line = (label, l) =>
  `${label}: n=${l.length} p50 ${quantile(l, 50)} ms  p99 ${quantile(l, 99)} ms  max ${l.at(-1)} ms`;

const hooked = await measure(['--reconcile-interval', '1h'], { webhooks: true });
console.log(
  `${line('webhook received -> run final', hooked.fromDelivery)}  (goal: p99 <= 50 ms, p50 <= 15 ms)`,
);
if (values['no-webhooks']) {
  const streams = await measure(['--no-webhooks'], { webhooks: false });
  const polling = await measure(['--no-webhooks', '--max-streams', '0'], { webhooks: false });
  console.log(line('platform idle event -> run final, webhooks                 ', hooked.fromIdle));
  console.log(line('platform idle event -> run final, --no-webhooks (streams)  ', streams.fromIdle));
  console.log(
    line('platform idle event -> run final, --no-webhooks --max-streams 0 (polling)', polling.fromIdle),
  );
  const ratio = (a, b) => (quantile(a, 50) / Math.max(1, quantile(b, 50))).toFixed(1);
  console.log(
    `p50 against webhooks: streams x${ratio(streams.fromIdle, hooked.fromIdle)}, polling x${ratio(polling.fromIdle, hooked.fromIdle)}`,
  );
}
