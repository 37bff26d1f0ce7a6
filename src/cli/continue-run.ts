// What `respond` and `send` share: their flags, the check that the run is in a state the answer
// fits, and following the run after it (--wait): first until the platform shows it moved (so the
// state read just before sending is not taken for the answer's outcome), then to its end.
import type { Command } from 'commander';
import { parseDuration } from '../config.js';
import { AppError } from '../errors.js';
import { type RefreshDeps, refreshSession } from '../runs/refresh.js';
import { abortableSleep, type WaitResult, waitForRun } from '../runs/wait.js';
import type { Run } from '../store/types.js';
import { type CliContext, EXIT, print } from './context.js';
import { DATABASE_HELP, type RuntimeFlags } from './runtime.js';
import { waitingLines } from './waiting.js';

export interface ContinueFlags extends RuntimeFlags {
  wait?: boolean;
  timeout?: string;
  json?: boolean;
}

/** The flags both commands take, after their own. */
export function withContinueOptions(cmd: Command): Command {
  return cmd
    .option('--wait', 'follow the run until it ends or blocks again (exit 0 succeeded, 1 not, 3 blocked)')
    .option('--timeout <duration>', 'with --wait: stop following after this long (exit 4)')
    .option('--json', 'with --wait: print the final run as JSON')
    .option('--database <url>', DATABASE_HELP)
    .option('--api-key <key>', 'platform API key (default ANTHROPIC_API_KEY)')
    .option('--base-url <url>', 'platform URL (default ANTHROPIC_BASE_URL, else the real API)')
    .option('--config <file>', 'agenthooks.yaml (notify: targets and pipelines act when the run ends)');
}

export function checkRunId(id: string): void {
  if (!/^sesn_[A-Za-z0-9_-]+$/.test(id))
    throw new AppError('usage', `RUN must be a run id (sesn_...), got ${JSON.stringify(id)}.`);
}

export function timeoutOf(flags: ContinueFlags): number | undefined {
  if (flags.timeout === undefined) return undefined;
  if (!flags.wait) throw new AppError('usage', '--timeout only applies with --wait.');
  return parseDuration(flags.timeout, '--timeout');
}

/** The run as the platform has it now; a deleted session has nothing to answer. */
export async function currentRun(deps: RefreshDeps, id: string, source: string): Promise<Run> {
  const { run } = await refreshSession(deps, id, source);
  if (run.status === 'deleted')
    throw new AppError('run_not_found', `Session ${id} does not exist (or was deleted).`);
  return run;
}

const MOVE_POLL_MS = 300;

/** Follows the run after an answer was sent, then says how it ended; returns the exit code. */
export async function followAfterSend(
  ctx: CliContext,
  deps: RefreshDeps,
  before: Run,
  timeoutMs: number | undefined,
  json: boolean,
): Promise<number> {
  const started = ctx.clock.now();
  const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : started + timeoutMs;
  let run = before;
  while (run.snapshotKey === before.snapshotKey) {
    if (ctx.signal.aborted) return report(ctx, deps, { end: 'interrupted', run }, json);
    if (ctx.clock.now() >= deadline) return report(ctx, deps, { end: 'timeout', run }, json);
    await abortableSleep(MOVE_POLL_MS, ctx.signal);
    run = (await refreshSession(deps, before.id, 'poll')).run;
  }
  const left = Number.isFinite(deadline) ? Math.max(0, deadline - ctx.clock.now()) : undefined;
  const result = await waitForRun(deps, before.id, {
    timeoutMs: left,
    signal: ctx.signal,
    storeIntervalMs: 200,
    pollIntervalMs: 500,
  });
  return report(ctx, deps, result, json);
}

async function report(
  ctx: CliContext,
  deps: RefreshDeps,
  result: WaitResult,
  json: boolean,
): Promise<number> {
  const run = result.run;
  const id = run?.id ?? '?';
  if (json && run) print(ctx.stdout, JSON.stringify(run, null, 2));
  else if (run && (result.end === 'final' || result.end === 'deleted'))
    print(
      ctx.stdout,
      `${id}: ${run.status} (${run.sessionStatus ?? '?'}, ${run.stopReason ?? 'no stop reason'})`,
    );
  switch (result.end) {
    case 'final':
      return run?.status === 'succeeded' ? EXIT.ok : EXIT.failed;
    case 'deleted':
      return EXIT.failed;
    case 'blocked': {
      const pending = await deps.platform.pendingToolUses(id).catch(() => null);
      for (const line of waitingLines(id, pending)) print(ctx.stderr, line);
      return EXIT.blocked;
    }
    case 'timeout':
      print(
        ctx.stderr,
        `${id} has not ended yet (status ${run?.status ?? 'unknown'}): npx agenthooks runs show ${id}`,
      );
      return EXIT.timeout;
    case 'interrupted':
      print(ctx.stderr, `stopped following ${id}; it goes on: npx agenthooks runs show ${id}`);
      return EXIT.interrupted;
  }
}
