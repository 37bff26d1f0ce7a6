// `agenthooks demo` (`npm start`): the whole loop offline in one command. Starts the simulator and
// serve in-process on a fresh SQLite file of its own (a new simulator knows none of an earlier
// demo's sessions, so reusing a store would mark those runs deleted), points the simulator's webhooks at serve, launches
// a plain success, an outcome graded needs_revision then satisfied, and a failure, follows them,
// prints a summary, and keeps serving (dashboard included) until Ctrl-C. No key, no setup.

import path from 'node:path';
import { Command } from 'commander';
import { resolveDatabase, resolveLogLevel } from '../config.js';
import { AppError } from '../errors.js';
import { createLogger } from '../logger.js';
import { iterationNumber } from '../runs/state.js';
import { waitForRun } from '../runs/wait.js';
import { openStore } from '../store/open.js';
import type { Run, RunStatus } from '../store/types.js';
import { generateSecret } from '../webhooks/sign.js';
import { type CliContext, EXIT, print } from './context.js';

interface DemoFlags {
  database?: string;
  port?: string;
  timeScale?: string;
  exit?: boolean;
  /** commander's --no-webhooks: false when given. */
  webhooks?: boolean;
}

const DEMO_API_KEY = 'sk-agenthooks-demo';
// Simulated time runs 5x faster than real time: the three runs end within about a second and a
// half, and the poll below still sees each graded iteration and status change on its way.
const DEFAULT_TIME_SCALE = '0.2';

type Serving = Awaited<ReturnType<typeof loadServing>>;

/** What the demo needs beyond the store, loaded while the store opens. */
async function loadServing() {
  const [{ startSimulator }, { createApp }, { createPlatform }, { createRuntime }, { resolveServeConfig }] =
    await Promise.all([
      import('../simulator/index.js'),
      import('../app.js'),
      import('../platform/client.js'),
      import('../runtime.js'),
      import('../http/serve-config.js'),
    ]);
  return { startSimulator, createApp, createPlatform, createRuntime, resolveServeConfig };
}

interface DemoRun {
  label: string;
  scenario: string;
  expect: RunStatus;
  outcome?: string;
  task: string;
}

export const DEMO_RUNS: DemoRun[] = [
  {
    label: 'plain success',
    scenario: 'success',
    expect: 'succeeded',
    task: 'Summarise the differences between TCP and UDP in five bullet points.',
  },
  {
    label: 'outcome, revised once',
    scenario: 'outcome_revise_then_satisfied',
    expect: 'succeeded',
    task: 'Write a one-page incident report for a 20-minute API outage.',
    outcome:
      '# Rubric\n- Has a timeline with UTC times\n- Names the root cause\n- Lists at least two follow-up actions',
  },
  {
    label: 'failure',
    scenario: 'retries_exhausted',
    expect: 'failed',
    task: 'Audit the dependency tree for known vulnerabilities.',
  },
];

export function demoCommand(ctx: CliContext): Command {
  return new Command('demo')
    .description(
      'Run the whole loop offline: simulator + serve + three launches on SQLite (what `npm start` runs).',
    )
    .option('--database <path|url>', 'store to use (default: a fresh ./.agenthooks/demo-<time>.db each run)')
    .option('--port <port>', 'serve port (default 8787; a free one if 8787 is taken)')
    .option('--time-scale <n>', 'simulated time multiplier (smaller is faster)', DEFAULT_TIME_SCALE)
    .option('--exit', 'exit after the summary instead of serving until Ctrl-C')
    .option(
      '--no-webhooks',
      'show serve --no-webhooks: the simulator sends no webhooks, serve follows the runs through their event streams',
    )
    .action(async (flags: DemoFlags) => {
      ctx.exitCode = await runDemo(ctx, flags);
    });
}

async function runDemo(ctx: CliContext, flags: DemoFlags): Promise<number> {
  const logger = createLogger({ level: resolveLogLevel(ctx.env, 'warn'), destination: ctx.stderr });
  const timeScale = Number(flags.timeScale ?? DEFAULT_TIME_SCALE);
  const database = resolveDatabase(flags.database ?? freshDemoStore(ctx), ctx.env, ctx.cwd);
  // The writer thread creates and migrates the fresh store while this thread loads the simulator,
  // the server and the SDK: a second `npm start` waits for the slower of the two, not their sum.
  const opening = openStore(database, { create: true, logger });
  // A failure to open is answered below, once the simulator is up; until then it is not unhandled.
  opening.catch(() => undefined);
  const signingKey = generateSecret();
  let loaded: Serving;
  let sim: Awaited<ReturnType<Serving['startSimulator']>>;
  try {
    loaded = await loadServing();
    sim = await loaded.startSimulator({
      signingKey,
      apiKeys: [DEMO_API_KEY],
      timeScale: Number.isFinite(timeScale) ? timeScale : Number(DEFAULT_TIME_SCALE),
      seed: Date.now() % 100_000,
    });
  } catch (err) {
    await opening.then((s) => s.close()).catch(() => undefined);
    throw err;
  }
  const store = await opening.catch(async (err: unknown) => {
    await sim.close();
    throw err;
  });
  const { createApp, createPlatform, createRuntime, resolveServeConfig } = loaded;
  const platform = createPlatform({ apiKey: DEMO_API_KEY, baseURL: sim.url, logger });
  const runtime = createRuntime({
    settings: { reconcileIntervalMs: 10_000 },
    store,
    platform,
    clock: ctx.clock,
    logger,
    configFile: { path: null, agents: {}, environments: {}, pipelines: {} },
  });
  const webhooks = flags.webhooks !== false;
  const makeApp = (port: string) =>
    createApp({
      config: resolveServeConfig(
        {
          host: '127.0.0.1',
          port,
          database: database.url,
          ...(webhooks ? { signingKey: [signingKey] } : { webhooks: false }),
          reconcileInterval: '10s',
        },
        { ANTHROPIC_API_KEY: DEMO_API_KEY, ANTHROPIC_BASE_URL: sim.url },
        ctx.cwd,
      ),
      runtime,
    });
  let app = makeApp(flags.port ?? '8787');
  let url: string | null;
  let movedPort = false;
  try {
    url = await app.listen();
  } catch (err) {
    // The port error arrives as config_invalid with the socket error as its cause.
    const cause = err instanceof AppError ? err.cause : err;
    if (flags.port !== undefined || (cause as NodeJS.ErrnoException)?.code !== 'EADDRINUSE') throw err;
    await app.close().catch(() => undefined);
    app = makeApp('0');
    url = await app.listen();
    movedPort = true;
  }
  try {
    if (webhooks) sim.addWebhook(`${url}/webhooks`);
    print(ctx.stdout, `store:     ${database.display}`);
    print(
      ctx.stdout,
      webhooks
        ? `simulator: ${sim.url} (offline Managed Agents API; webhooks signed and sent to serve)`
        : `simulator: ${sim.url} (offline Managed Agents API; no webhooks)`,
    );
    print(
      ctx.stdout,
      webhooks
        ? `serve:     ${url} (POST ${url}/webhooks)`
        : `serve:     ${url} (--no-webhooks: following the runs through their event streams)`,
    );
    if (movedPort) print(ctx.stdout, '           (port 8787 is taken, so the demo serves on a free one)');
    print(ctx.stdout, '');
    const started = ctx.clock.now();
    const launched = await Promise.all(
      DEMO_RUNS.map(async (d) => {
        const r = await runtime.launch({
          task: d.task,
          agent: 'demo',
          model: 'claude-sonnet-4-6',
          metadata: { sim_scenario: d.scenario },
          ...(d.outcome ? { outcome: d.outcome, maxIterations: 3 } : {}),
        });
        print(ctx.stderr, `launched ${r.run.id}  ${d.label}`);
        return { demo: d, id: r.run.id };
      }),
    );
    const printed = new Map<string, Set<string>>();
    const results = await Promise.all(
      launched.map(({ demo, id }) =>
        waitForRun(runtime.refreshDeps(), id, {
          timeoutMs: 120_000,
          signal: ctx.signal,
          storeIntervalMs: 100,
          onProgress: (run) => {
            // Every graded iteration once, in order, then status changes.
            const lines = [
              ...run.evaluations.map((e) => `outcome iteration ${iterationNumber(e)}: ${e.result}`),
              run.status,
            ];
            const seen = printed.get(id) ?? new Set<string>();
            printed.set(id, seen);
            for (const line of lines) {
              if (seen.has(line)) continue;
              seen.add(line);
              const secs = ((ctx.clock.now() - started) / 1000).toFixed(1);
              print(ctx.stderr, `  ${secs.padStart(5)}s  ${id}  ${demo.label}: ${line}`);
            }
          },
        }).then((w) => ({ demo, id, run: w.run, end: w.end })),
      ),
    );
    print(ctx.stdout, '');
    print(
      ctx.stdout,
      summaryTable(results.map((r) => ({ label: r.demo.label, expect: r.demo.expect, run: r.run }))),
    );
    for (const r of results) {
      if (!r.run || r.run.evaluations.length === 0) continue;
      const graded = r.run.evaluations.map((e) => `${iterationNumber(e)}. ${e.result}`).join(' -> ');
      print(ctx.stdout, `${r.demo.label}: outcome evaluations ${graded}`);
    }
    const allAsExpected = results.every((r) => r.run?.status === r.demo.expect);
    print(ctx.stdout, '');
    if (ctx.signal.aborted) return EXIT.interrupted;
    print(
      ctx.stdout,
      allAsExpected
        ? 'All three runs ended as expected.'
        : 'Some runs did not end as expected (see the table).',
    );
    print(ctx.stdout, `dashboard: ${url}/   (runs: npx agenthooks runs --database ${database.display})`);
    if (flags.exit) return allAsExpected ? EXIT.ok : EXIT.failed;
    print(
      ctx.stdout,
      `serving until Ctrl-C; try: ANTHROPIC_BASE_URL=${sim.url} ANTHROPIC_API_KEY=${DEMO_API_KEY} npx agenthooks launch "your task" --database ${database.display}`,
    );
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    return allAsExpected ? EXIT.ok : EXIT.failed;
  } finally {
    await app.close();
    await sim.close();
    await store.close();
  }
}

/** A new store for each demo, under ./.agenthooks/, named by the time it started. */
function freshDemoStore(ctx: CliContext): string {
  const stamp = new Date(ctx.clock.now()).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return path.join(ctx.cwd, '.agenthooks', `demo-${stamp}-${process.pid}.db`);
}

export function summaryTable(rows: Array<{ label: string; expect: RunStatus; run: Run | null }>): string {
  const header = ['run', 'what', 'status', 'outcome', 'took', 'output'];
  const body = rows.map(({ label, run }) => [
    run?.id ?? '?',
    label,
    run?.status ?? 'unknown',
    run?.outcomeResult ?? run?.stopReason ?? '',
    run?.finishedAt && run.sessionCreatedAt
      ? `${((run.finishedAt - run.sessionCreatedAt) / 1000).toFixed(1)}s`
      : '',
    (run?.output ?? run?.error ?? '').replace(/\s+/g, ' ').slice(0, 48),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
