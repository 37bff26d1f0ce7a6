// `agenthooks chain PIPELINE TASK`: start a pipeline from agenthooks.yaml (its root steps), and with
// --wait follow the whole tree until every branch ends. Exit codes per DESIGN.md: 0 every launched
// step succeeded, 1 a step failed (reason printed), 2 usage/config, 3 only steps blocked on
// requires_action remain, 4 --timeout, 130 interrupted (the sessions keep running).
import { Command, Option } from 'commander';
import type { ChainRecord } from '../chains/record.js';
import { type ChainStatus, chainStatus, flatten, type StepNode } from '../chains/tree.js';
import { parseDuration } from '../config.js';
import { loadConfigFile } from '../config-file.js';
import { AppError, isAppError } from '../errors.js';
import { platformDetails } from '../platform/errors.js';
import { freshHeartbeat } from '../runs/heartbeat.js';
import { refreshSession } from '../runs/refresh.js';
import { abortableSleep } from '../runs/wait.js';
import type { Runtime } from '../runtime.js';
import { type CliContext, EXIT, print } from './context.js';
import { DATABASE_HELP, type RuntimeFlags, withRuntime } from './runtime.js';

interface ChainFlags extends RuntimeFlags {
  wait?: boolean;
  timeout?: string;
  json?: boolean;
}

export function chainCommand(ctx: CliContext): Command {
  return new Command('chain')
    .description(
      'Start a pipeline from agenthooks.yaml: its root steps now; each next step when its parent ends ' +
        "and its `when` holds (launched by serve's worker, or by this command with --wait when no serve runs).",
    )
    .argument('<pipeline>', 'pipeline name under pipelines: in agenthooks.yaml')
    .argument('<task>', 'the task: {{task}} in the step prompts')
    .option('--wait', 'follow every branch until it ends; exit 0 when all launched steps succeeded, else 1')
    .option('--timeout <duration>', 'with --wait: give up after this long (e.g. 30m), exit 4')
    .option('--json', 'print the chain (and with --wait its steps) as JSON')
    .option('--config <file>', 'agenthooks.yaml to read (default ./agenthooks.yaml when present)')
    .option('--database <url>', DATABASE_HELP)
    .addOption(new Option('--api-key <key>', 'platform API key (default ANTHROPIC_API_KEY)').hideHelp())
    .addOption(new Option('--base-url <url>', 'platform base URL (default ANTHROPIC_BASE_URL)').hideHelp())
    .action(async (pipeline: string, task: string, flags: ChainFlags) => {
      ctx.exitCode = await runChain(ctx, pipeline, task, flags);
    });
}

async function runChain(
  ctx: CliContext,
  pipelineName: string,
  task: string,
  flags: ChainFlags,
): Promise<number> {
  if (task.trim().length === 0)
    throw new AppError('usage', 'The task is empty: npx agenthooks chain PIPELINE "what to do".');
  const timeoutMs = flags.timeout !== undefined ? parseDuration(flags.timeout, '--timeout') : undefined;
  if (timeoutMs !== undefined && !flags.wait)
    throw new AppError('usage', '--timeout only applies with --wait.');
  const config = loadConfigFile(flags.config, ctx.cwd);
  if (!config.pipelines[pipelineName]) {
    const known = Object.keys(config.pipelines);
    throw new AppError(
      'usage',
      `No pipeline named "${pipelineName}" in ${config.path ?? './agenthooks.yaml (not found; pass --config)'}${known.length ? `; defined: ${known.join(', ')}` : ''}.`,
    );
  }
  return withRuntime(ctx, flags, 'chain creates sessions', async (runtime) => {
    let started: Awaited<ReturnType<Runtime['startChain']>>;
    try {
      started = await runtime.startChain(pipelineName, task);
    } catch (err) {
      if (!isAppError(err, 'launch_pending')) throw err;
      // The intents are stored: say which chain, so it can be followed once serve finishes it.
      const chain = String(err.details?.chain ?? '?');
      if (flags.json)
        print(
          ctx.stdout,
          JSON.stringify(
            { chain, pipeline: pipelineName, pending: err.details?.pending ?? [], roots: [] },
            null,
            2,
          ),
        );
      print(ctx.stderr, `chain ${chain}: ${err.message}`);
      return EXIT.failed;
    }
    const { record, roots } = started;
    if (!flags.wait) {
      if (flags.json) {
        print(
          ctx.stdout,
          JSON.stringify(
            {
              chain: record.id,
              pipeline: record.pipeline.name,
              roots: roots.map((r) => ({
                step: r.launch.step,
                launch: r.launch.id,
                run: r.run?.id ?? r.launch.sessionId,
              })),
            },
            null,
            2,
          ),
        );
      } else {
        print(ctx.stdout, record.id);
        for (const r of roots)
          print(ctx.stderr, `started step ${r.launch.step}: run ${r.run?.id ?? r.launch.sessionId}`);
      }
      if (!(await freshHeartbeat(runtime.store, ctx.clock.now())))
        print(
          ctx.stderr,
          'note: no serve is running on this database; the next steps launch once `npx agenthooks serve` runs (or follow with --wait).',
        );
      return EXIT.ok;
    }
    print(ctx.stderr, `chain ${record.id} (pipeline ${record.pipeline.name}) started`);
    const status = await follow(ctx, runtime, record, timeoutMs);
    return report(ctx, record, status, flags.json === true);
  });
}

type Followed = { status: ChainStatus; end: 'done' | 'blocked' | 'timeout' | 'interrupted' };

async function follow(
  ctx: CliContext,
  runtime: Runtime,
  record: ChainRecord,
  timeoutMs: number | undefined,
): Promise<Followed> {
  const started = ctx.clock.now();
  const deadline = timeoutMs !== undefined ? started + timeoutMs : Number.POSITIVE_INFINITY;
  const seen = new Map<string, string>();
  let failures = 0;
  for (;;) {
    const status = await chainStatus(runtime.store, record);
    for (const { node } of flatten(status.roots)) {
      const line = describe(node);
      const key = `${node.step}`;
      if (seen.get(key) !== line) {
        seen.set(key, line);
        print(ctx.stderr, `${Math.round((ctx.clock.now() - started) / 1000)}s  ${line}`);
      }
    }
    if (status.done) return { status, end: 'done' };
    if (status.blocked) return { status, end: 'blocked' };
    if (ctx.signal.aborted) return { status, end: 'interrupted' };
    if (ctx.clock.now() >= deadline) return { status, end: 'timeout' };
    let delay = 500;
    if (!(await freshHeartbeat(runtime.store, ctx.clock.now()))) {
      // No serve keeps the store current: poll the sessions and decide next steps here. The same
      // launch rules apply, so a serve starting meanwhile never launches a step twice.
      delay = 1_000;
      try {
        await drive(runtime, status);
        failures = 0;
      } catch (err) {
        const d = platformDetails(err);
        if (d && !d.retryable) throw err;
        failures += 1;
        delay = Math.min(30_000, 1_000 * 2 ** failures);
        runtime.logger.warn({ err: (err as Error).message }, 'polling the chain failed; retrying');
      }
    }
    await abortableSleep(Math.min(delay, Math.max(0, deadline - ctx.clock.now())), ctx.signal);
  }
}

/** No serve keeps the store current: poll the sessions; final runs cause what they cause in serve. */
async function drive(runtime: Runtime, status: ChainStatus): Promise<void> {
  for (const { node } of flatten(status.roots)) {
    if (node.run && (node.state === 'running' || node.state === 'blocked')) {
      await refreshSession(runtime.refreshDeps(), node.run.id, 'poll', 'agenthooks');
    } else if (node.run && (node.state === 'succeeded' || node.state === 'failed')) {
      if (node.children.some((c) => c.state === 'waiting' || c.state === 'launching'))
        await runtime.chains().decideChildren(node.run);
    }
  }
}

function describe(node: StepNode): string {
  const run = node.run ? ` ${node.run.id}` : '';
  const reason = node.reason ? `: ${node.reason}` : '';
  return `${node.step.padEnd(16)} ${node.state}${run}${reason}`;
}

function report(ctx: CliContext, record: ChainRecord, f: Followed, json: boolean): number {
  const { status } = f;
  const steps = flatten(status.roots).map(({ node, depth }) => ({
    step: node.step,
    depth,
    state: node.state,
    run: node.run?.id ?? null,
    launch: node.launch?.id ?? null,
    reason: node.reason,
    output: node.run?.output ?? null,
  }));
  if (json) {
    print(
      ctx.stdout,
      JSON.stringify(
        { chain: record.id, pipeline: record.pipeline.name, end: f.end, ok: status.ok, steps },
        null,
        2,
      ),
    );
  } else {
    print(ctx.stdout, `chain ${record.id} (pipeline ${record.pipeline.name})`);
    for (const s of steps)
      print(
        ctx.stdout,
        `${'  '.repeat(s.depth + 1)}${s.step}  ${s.state}${s.run ? `  ${s.run}` : ''}${s.reason ? `  (${s.reason})` : ''}`,
      );
  }
  switch (f.end) {
    case 'done': {
      if (status.ok) return EXIT.ok;
      for (const s of steps.filter(
        (x) => x.state === 'failed' || x.state === 'deleted' || x.state === 'launch_failed',
      ))
        print(
          ctx.stderr,
          `step ${s.step} ${s.state}${s.run ? ` (run ${s.run})` : ''}: ${s.reason ?? 'no reason recorded'}`,
        );
      return EXIT.failed;
    }
    case 'blocked':
      print(
        ctx.stderr,
        'the remaining steps are blocked on requires_action: answer their pending tool calls, then they continue.',
      );
      return EXIT.blocked;
    case 'timeout':
      print(
        ctx.stderr,
        `timed out; the chain keeps running: npx agenthooks runs --search ${record.pipeline.name}`,
      );
      return EXIT.timeout;
    case 'interrupted':
      print(ctx.stderr, 'stopped waiting; the chain keeps running (serve launches the next steps).');
      return EXIT.interrupted;
  }
}
