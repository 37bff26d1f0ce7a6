// `agenthooks cancel RUN`: sends user.interrupt to the run's session and follows the run to its
// final state (an interrupted turn ends idle with end_turn, or with an `interrupted` outcome
// evaluation), which agenthooks records as `cancelled`. Exit codes as DESIGN.md: 0 the run ended, 3 blocked on requires_action, 4 --timeout,
// 130 stopped waiting (the interrupt was sent), 1 the session is gone.
import { Command } from 'commander';
import { parseDuration } from '../config.js';
import { AppError } from '../errors.js';
import type { Platform } from '../platform/types.js';
import { refreshSession } from '../runs/refresh.js';
import { isFinal } from '../runs/state.js';
import { waitForRun } from '../runs/wait.js';
import type { Run } from '../store/types.js';
import { type CliContext, EXIT, print } from './context.js';
import { DATABASE_HELP, withRuntime } from './runtime.js';
import { waitingLines } from './waiting.js';

interface CancelFlags {
  timeout?: string;
  json?: boolean;
  database?: string;
  apiKey?: string;
  baseUrl?: string;
  config?: string;
}

export function cancelCommand(ctx: CliContext): Command {
  return new Command('cancel')
    .description('Interrupt a running run (user.interrupt) and follow it until it ends.')
    .argument('<run>', 'run id (the session id, sesn_...)')
    .option(
      '--timeout <duration>',
      'stop following after this long (exit 4); the interrupt is sent anyway',
      '5m',
    )
    .option('--json', 'print the final run as JSON')
    .option('--database <url>', DATABASE_HELP)
    .option('--api-key <key>', 'platform API key (default ANTHROPIC_API_KEY)')
    .option('--base-url <url>', 'platform URL (default ANTHROPIC_BASE_URL, else the real API)')
    .option(
      '--config <file>',
      'agenthooks.yaml (its notify: targets are told, and its pipelines continue, when the run ends)',
    )
    .action(async (run: string, flags: CancelFlags) => {
      ctx.exitCode = await cancel(ctx, run, flags);
    });
}

async function cancel(ctx: CliContext, id: string, flags: CancelFlags): Promise<number> {
  if (!/^sesn_[A-Za-z0-9_-]+$/.test(id))
    throw new AppError('usage', `RUN must be a run id (sesn_...), got ${JSON.stringify(id)}.`);
  const timeoutMs = parseDuration(flags.timeout ?? '5m', '--timeout');
  return withRuntime(ctx, flags, 'cancel sends user.interrupt', async (runtime) => {
    // Final runs seen here cause what they cause in serve: notifications, chain decisions.
    const deps = runtime.refreshDeps();
    const platform = deps.platform;
    // Current state first: the session may be unknown to the store, already finished, or gone.
    const before = await refreshSession(deps, id, 'cancel');
    if (before.run.status === 'deleted') {
      throw new AppError(
        'run_not_found',
        `Session ${id} does not exist (or was deleted); nothing to cancel.`,
      );
    }
    const active = before.run.sessionStatus === 'running' || before.run.sessionStatus === 'rescheduling';
    if (!active) {
      print(
        ctx.stderr,
        `${id} is not running (${before.run.status}, session ${before.run.sessionStatus ?? 'unknown'}); nothing to interrupt.`,
      );
      if (before.run.status === 'blocked') {
        await printWaiting(ctx, platform, id);
        return EXIT.blocked;
      }
      return isFinal(before.run.status) ? done(ctx, before.run, flags.json === true) : EXIT.failed;
    }
    await platform.interruptSession(id);
    print(ctx.stderr, `sent user.interrupt to ${id}; following it to its final state`);
    // The refresh above stored the run as running, so waiting ends with this turn's outcome.
    const result = await waitForRun(deps, id, {
      timeoutMs,
      signal: ctx.signal,
      storeIntervalMs: 200,
      pollIntervalMs: 500,
    });
    switch (result.end) {
      case 'final':
      case 'deleted':
        return done(ctx, result.run, flags.json === true);
      case 'blocked':
        await printWaiting(ctx, platform, id);
        return EXIT.blocked;
      case 'timeout':
        print(
          ctx.stderr,
          `${id} has not ended after ${flags.timeout ?? '5m'} (status ${result.run?.status ?? 'unknown'}): npx agenthooks runs show ${id}`,
        );
        return EXIT.timeout;
      case 'interrupted':
        print(ctx.stderr, `stopped following ${id}; the interrupt was sent: npx agenthooks runs show ${id}`);
        return EXIT.interrupted;
    }
  });
}

async function printWaiting(ctx: CliContext, platform: Platform, id: string): Promise<void> {
  const pending = await platform.pendingToolUses(id).catch(() => null);
  for (const line of waitingLines(id, pending)) print(ctx.stderr, line);
}

/** A cancelled run ended as asked: exit 0 with its status (`cancelled`) on stdout. */
function done(ctx: CliContext, run: Run | null, json: boolean): number {
  if (json) print(ctx.stdout, JSON.stringify(run, null, 2));
  else if (run) {
    const outcome = run.outcomeResult ? `, outcome ${run.outcomeResult}` : '';
    print(
      ctx.stdout,
      `${run.id}: ${run.status} (${run.sessionStatus ?? '?'}, ${run.stopReason ?? 'no stop reason'}${outcome})`,
    );
  }
  return EXIT.ok;
}
