// `agenthooks respond RUN --allow|--deny [--message TEXT]`: answers every tool call a blocked run
// waits for (one user.tool_confirmation per event id in its requires_action stop reason), then
// with --wait follows it. Exit codes as `launch --wait`: 0 succeeded, 1 not, 3 blocked again,
// 4 --timeout, 130 stopped following.
import { Command } from 'commander';
import { AppError } from '../errors.js';
import { type CliContext, EXIT, print } from './context.js';
import {
  type ContinueFlags,
  checkRunId,
  currentRun,
  followAfterSend,
  timeoutOf,
  withContinueOptions,
} from './continue-run.js';
import { withRuntime } from './runtime.js';
import { shortInput } from './waiting.js';

interface RespondFlags extends ContinueFlags {
  allow?: boolean;
  deny?: boolean;
  message?: string;
}

export function respondCommand(ctx: CliContext): Command {
  const cmd = new Command('respond')
    .description('Answer the tool calls a blocked run waits for: allow or deny every pending one.')
    .argument('<run>', 'run id (the session id, sesn_...)')
    .option('--allow', 'let the pending tool calls run')
    .option('--deny', 'refuse the pending tool calls')
    .option('--message <text>', 'with --deny: tell the agent why');
  return withContinueOptions(cmd).action(async (run: string, flags: RespondFlags) => {
    ctx.exitCode = await respond(ctx, run, flags);
  });
}

async function respond(ctx: CliContext, id: string, flags: RespondFlags): Promise<number> {
  checkRunId(id);
  if (flags.allow === flags.deny) throw new AppError('usage', 'Pass exactly one of --allow or --deny.');
  if (flags.message !== undefined && !flags.deny)
    throw new AppError(
      'usage',
      '--message goes with --deny (the platform takes a reason only for a denial).',
    );
  const timeoutMs = timeoutOf(flags);
  const result = flags.allow ? 'allow' : 'deny';
  return withRuntime(ctx, flags, 'respond sends tool confirmations', async (runtime) => {
    const deps = runtime.refreshDeps();
    const before = await currentRun(deps, id, 'respond');
    const pending = before.status === 'blocked' ? await deps.platform.pendingToolUses(id) : [];
    if (pending.length === 0) {
      print(
        ctx.stderr,
        `${id} is not waiting for a tool confirmation (${before.status}); nothing to answer.`,
      );
      return EXIT.failed;
    }
    await deps.platform.sendEvents(
      id,
      pending.map((p) => ({
        type: 'user.tool_confirmation' as const,
        tool_use_id: p.eventId,
        result,
        ...(flags.message !== undefined ? { deny_message: flags.message } : {}),
      })),
    );
    for (const p of pending)
      print(
        ctx.stderr,
        `${result === 'allow' ? 'allowed' : 'denied'} ${p.name ?? p.eventId} ${shortInput(p.input)}`,
      );
    if (!flags.wait) return EXIT.ok;
    return followAfterSend(ctx, deps, before, timeoutMs, flags.json === true);
  });
}
