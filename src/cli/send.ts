// `agenthooks send RUN "text"`: continues an idle session with a new user.message, which starts a
// new turn of the same run; with --wait follows that turn. Exit codes as `launch --wait`.
import { Command } from 'commander';
import { AppError } from '../errors.js';
import { type CliContext, EXIT, print } from './context.js';
import * as cont from './continue-run.js';
import { withRuntime } from './runtime.js';
import { respondHint } from './waiting.js';

export function sendCommand(ctx: CliContext): Command {
  const cmd = new Command('send')
    .description('Continue an idle run with a new message (a new turn of the same run).')
    .argument('<run>', 'run id (the session id, sesn_...)')
    .argument('<text>', 'the message');
  return cont
    .withContinueOptions(cmd)
    .action(async (run: string, text: string, flags: cont.ContinueFlags) => {
      ctx.exitCode = await send(ctx, run, text, flags);
    });
}

async function send(ctx: CliContext, id: string, text: string, flags: cont.ContinueFlags): Promise<number> {
  cont.checkRunId(id);
  if (text.trim().length === 0) throw new AppError('usage', 'The message is empty.');
  const timeoutMs = cont.timeoutOf(flags);
  return withRuntime(ctx, flags, 'send sends a user.message', async (runtime) => {
    const deps = runtime.refreshDeps();
    const before = await cont.currentRun(deps, id, 'send');
    if (before.status === 'blocked') {
      print(ctx.stderr, `${id} is waiting for a tool confirmation; answer it first: ${respondHint(id)}`);
      return EXIT.blocked;
    }
    if (before.sessionStatus !== 'idle') {
      print(
        ctx.stderr,
        `${id} is not idle (session ${before.sessionStatus ?? 'unknown'}); send when its turn has ended.`,
      );
      return EXIT.failed;
    }
    await deps.platform.sendEvents(id, [{ type: 'user.message', content: [{ type: 'text', text }] }]);
    print(ctx.stderr, `sent a message to ${id}; it starts turn ${before.turn + 1}`);
    if (!flags.wait) return EXIT.ok;
    return cont.followAfterSend(ctx, deps, before, timeoutMs, flags.json === true);
  });
}
