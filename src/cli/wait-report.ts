// How a wait on a run ended, told the way `launch --wait` tells it, with DESIGN.md's exit codes:
// 0 succeeded, 1 failed (or deleted), 3 blocked on requires_action, 4 --timeout, 130 interrupted
// (the session keeps running). Shared by launch --wait and transcript --follow.
import type { Platform } from '../platform/types.js';
import type { WaitResult } from '../runs/wait.js';
import { type CliContext, EXIT, print } from './context.js';
import { waitingLines } from './waiting.js';

/** Prints how a wait ended and answers its exit code (launch --wait, transcript --follow). */
export async function report(
  ctx: CliContext,
  platform: Platform | null,
  result: WaitResult,
  json: boolean,
  showOutput = true,
): Promise<number> {
  const run = result.run;
  if (json && run) print(ctx.stdout, JSON.stringify(run, null, 2));
  else if (showOutput && run?.output) print(ctx.stdout, run.output);
  switch (result.end) {
    case 'final':
      if (run?.status === 'succeeded') return EXIT.ok;
      if (run?.status === 'cancelled')
        print(ctx.stderr, `run ${run.id} was cancelled (a user.interrupt ended it).`);
      else print(ctx.stderr, `run ${run?.id} failed: ${run?.error ?? run?.stopReason ?? 'unknown reason'}`);
      return EXIT.failed;
    case 'blocked': {
      const id = run?.id ?? '?';
      const pending = platform ? await platform.pendingToolUses(id).catch(() => null) : null;
      for (const line of waitingLines(id, pending)) print(ctx.stderr, line);
      return EXIT.blocked;
    }
    case 'deleted':
      print(ctx.stderr, `run ${run?.id}: the session was deleted before it finished.`);
      return EXIT.failed;
    case 'timeout':
      print(
        ctx.stderr,
        `timed out waiting for ${run?.id} (status ${run?.status ?? 'unknown'}); the session keeps running: npx agenthooks runs show ${run?.id}`,
      );
      return EXIT.timeout;
    case 'interrupted':
      print(
        ctx.stderr,
        `stopped waiting; the session ${run?.id} keeps running: npx agenthooks runs show ${run?.id}`,
      );
      return EXIT.interrupted;
  }
}
