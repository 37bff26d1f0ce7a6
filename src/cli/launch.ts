// `agenthooks launch TASK`: start a run (intent, tagged session, run row) and optionally wait for
// its outcome with live progress. Exit codes per DESIGN.md: 0 succeeded, 1 failed, 2 usage,
// 3 blocked on requires_action, 4 --timeout, 130 interrupted (the session keeps running).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { parseDuration } from '../config.js';
import { AppError } from '../errors.js';
import { validateLaunch } from '../runs/launch.js';
import { waitForRun } from '../runs/wait.js';
import type { Run } from '../store/types.js';
import { type CliContext, EXIT, print } from './context.js';
import { styleFor } from './format.js';
import { DATABASE_HELP, type RuntimeFlags, withRuntime } from './runtime.js';
import { formatTranscriptEvent } from './transcript.js';
import { followUntilSettled } from './transcript-follow.js';
import { report } from './wait-report.js';

interface LaunchFlags extends RuntimeFlags {
  agent?: string;
  environment?: string;
  model?: string;
  system?: string;
  metadata: string[];
  outcome?: string;
  outcomeFile?: string;
  maxIterations?: string;
  wait?: boolean;
  follow?: boolean;
  timeout?: string;
  json?: boolean;
}

export function launchCommand(ctx: CliContext): Command {
  return new Command('launch')
    .description('Start a run: one session with TASK as its first message (or as an outcome with --outcome).')
    .argument('<task>', 'the task text')
    .option(
      '--agent <name>',
      'agent from agenthooks.yaml (default: "default", created from --model/--system)',
    )
    .option(
      '--environment <name>',
      'environment from agenthooks.yaml (default: "default", unrestricted networking)',
    )
    .option('--model <id>', 'model for an agent defined from flags (default claude-sonnet-4-6)')
    .option('--system <text>', 'system prompt for an agent defined from flags')
    .option(
      '--metadata <k=v>',
      'session metadata pair (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .addOption(
      new Option('--outcome <rubric>', 'text rubric: the task becomes a graded outcome').conflicts(
        'outcomeFile',
      ),
    )
    .option('--outcome-file <path>', 'read the rubric from a file')
    .option('--max-iterations <n>', 'outcome revision limit, 1-20 (default 3)')
    .option('--wait', 'follow the run until it ends; print its output; exit 0/1/3/4/130')
    .option('--follow', "with --wait: print the session's events as they happen (implies --wait)")
    .option('--timeout <duration>', 'with --wait: give up after this long (e.g. 10m), exit 4')
    .option('--json', 'print the run as JSON')
    .option('--config <file>', 'agenthooks.yaml to read (default ./agenthooks.yaml when present)')
    .option('--database <url>', DATABASE_HELP)
    .addOption(new Option('--api-key <key>', 'platform API key (default ANTHROPIC_API_KEY)').hideHelp())
    .addOption(new Option('--base-url <url>', 'platform base URL (default ANTHROPIC_BASE_URL)').hideHelp())
    .action(async (task: string, flags: LaunchFlags) => {
      ctx.exitCode = await launch(ctx, task, flags);
    });
}

export function parseMetadata(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0)
      throw new AppError(
        'usage',
        `--metadata ${JSON.stringify(p)} is not key=value (e.g. --metadata ticket=T-1234).`,
      );
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}

async function launch(ctx: CliContext, task: string, flags: LaunchFlags): Promise<number> {
  const metadata = parseMetadata(flags.metadata ?? []);
  let outcome = flags.outcome;
  if (flags.outcomeFile !== undefined) {
    const file = path.resolve(ctx.cwd, flags.outcomeFile);
    try {
      outcome = readFileSync(file, 'utf8');
    } catch (err) {
      throw new AppError('usage', `Cannot read --outcome-file ${file}: ${(err as Error).message}.`);
    }
  }
  let maxIterations: number | undefined;
  if (flags.maxIterations !== undefined) {
    maxIterations = Number(flags.maxIterations);
    if (!/^\d+$/.test(flags.maxIterations.trim()))
      throw new AppError(
        'usage',
        `--max-iterations must be a whole number from 1 to 20 (got ${flags.maxIterations}).`,
      );
  }
  const timeoutMs = flags.timeout !== undefined ? parseDuration(flags.timeout, '--timeout') : undefined;
  const wait = flags.wait === true || flags.follow === true;
  if (timeoutMs !== undefined && !wait) throw new AppError('usage', '--timeout only applies with --wait.');
  // Everything the platform would reject is refused here, before a key or a network is needed.
  validateLaunch({ task, metadata, outcome, maxIterations });
  return withRuntime(ctx, flags, 'launch creates a session', async (runtime) => {
    const launched = await runtime.launch({
      task,
      agent: flags.agent,
      environment: flags.environment,
      model: flags.model,
      system: flags.system,
      metadata,
      outcome,
      maxIterations,
    });
    if (!wait) {
      if (flags.json) print(ctx.stdout, JSON.stringify(launched.run, null, 2));
      else print(ctx.stdout, launched.run.id);
      return EXIT.ok;
    }
    print(
      ctx.stderr,
      `launched ${launched.run.id} (agent ${launched.launch.agentName ?? '?'}, ${launched.launch.id})`,
    );
    if (flags.follow) {
      // The events are the progress, and the agent's messages among them already show the output.
      // With --json, stdout is the run's JSON alone.
      const out = flags.json ? ctx.stderr : ctx.stdout;
      const style = styleFor(out, ctx.env);
      const result = await followUntilSettled(ctx, runtime, launched.run.id, {
        timeoutMs,
        onEvent: (e) => out.write(formatTranscriptEvent(e, style)),
        onSource: (via, url) =>
          print(
            ctx.stderr,
            via === 'serve' ? `following through serve at ${url}` : 'following the platform stream',
          ),
      });
      return report(ctx, runtime.refreshDeps().platform, result, flags.json === true, false);
    }
    const progress = progressPrinter(ctx, ctx.clock.now());
    const result = await waitForRun(
      { ...runtime.refreshDeps(), platform: runtime.platform },
      launched.run.id,
      { timeoutMs, signal: ctx.signal, onProgress: progress.update },
    );
    progress.done();
    return report(ctx, runtime.refreshDeps().platform, result, flags.json === true);
  });
}

/** Status, elapsed time and outcome iteration on stderr: one rewritten line on a TTY, else a line per change. */
function progressPrinter(
  ctx: CliContext,
  started: number,
): { update: (run: Run, mode: 'store' | 'poll') => void; done: () => void } {
  const tty = (ctx.stderr as { isTTY?: boolean }).isTTY === true;
  let last = '';
  let drawn = false;
  return {
    update(run, mode) {
      const ev = run.evaluations[run.evaluations.length - 1];
      const iteration = ev ? ` · outcome iteration ${ev.iteration + 1}: ${ev.result}` : '';
      const state = `${run.status}${run.sessionStatus ? ` (${run.sessionStatus})` : ''}${iteration}`;
      const elapsed = Math.round((ctx.clock.now() - started) / 1000);
      const via = mode === 'poll' ? ' · polling the API (no serve running)' : '';
      if (tty) {
        ctx.stderr.write(`\r\x1b[2K${state} · ${elapsed}s${via}`);
        drawn = true;
      } else if (state !== last) {
        print(ctx.stderr, `${state} · ${elapsed}s${via}`);
      }
      last = state;
    },
    done() {
      if (drawn) ctx.stderr.write('\n');
    },
  };
}
