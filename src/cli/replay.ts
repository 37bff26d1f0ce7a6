// `agenthooks replay`: re-run stored events through the worker (default), or re-deliver them,
// signed, to a webhook URL with --to.
import { Command } from 'commander';
import { resolveSigningKeys } from '../config.js';
import { AppError } from '../errors.js';
import { FLAGS, timeRange } from '../query/filters.js';
import { freshHeartbeat } from '../runs/heartbeat.js';
import { checkUrl, redeliver, selectEvents } from '../transfer/replay.js';
import { isHandledEventType } from '../webhooks/event.js';
import { type CliContext, EXIT, print } from './context.js';
import { withStore } from './store.js';

interface ReplayFlags {
  database?: string;
  session?: string;
  since?: string;
  until?: string;
  to?: string;
  signingKey?: string[];
  json?: boolean;
}

export function replayCommand(ctx: CliContext): Command {
  return new Command('replay')
    .description(
      'Re-run stored events through the worker of a running `serve`, or re-deliver them signed with --to. ' +
        'Event ids stay the same, so nothing is stored twice.',
    )
    .argument('[ids...]', 'event ids to replay')
    .option(
      '--database <url>',
      'SQLite file or postgres:// URL (default: DATABASE_URL, else ./.agenthooks/agenthooks.db)',
    )
    .option('--session <id>', 'every event about this session')
    .option('--since <time>', 'events received at or after: 30m, 2h, 7d (ago) or an ISO time')
    .option('--until <time>', 'events received before: 30m, 2h, 7d (ago) or an ISO time')
    .option('--to <url>', 'POST them to this webhook URL instead, freshly signed')
    .option(
      '--signing-key <whsec>',
      'secret to sign with (repeatable; default ANTHROPIC_WEBHOOK_SIGNING_KEY)',
      collect,
      [],
    )
    .option('--json', 'print the results as JSON')
    .action(async (ids: string[], flags: ReplayFlags) => {
      ctx.exitCode = await replay(ctx, ids, flags);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function replay(ctx: CliContext, ids: string[], flags: ReplayFlags): Promise<number> {
  const now = ctx.clock.now();
  const range = timeRange(flags, now, FLAGS);
  const to = flags.to === undefined ? null : checkUrl(flags.to);
  const keys = to === null ? [] : resolveSigningKeys(flags.signingKey, ctx.env);
  if (to !== null && keys.length === 0) {
    throw new AppError(
      'signing_key_required',
      "replay --to signs each delivery: pass --signing-key whsec_... (the receiving endpoint's secret) or set ANTHROPIC_WEBHOOK_SIGNING_KEY.",
    );
  }
  return withStore(ctx, flags.database, { create: false }, async (store) => {
    const events = await selectEvents(store, { ids, session: flags.session, ...range });
    if (events.length === 0) {
      print(
        ctx.stdout,
        flags.json ? JSON.stringify({ selected: 0 }) : 'No stored events match; nothing to replay.',
      );
      return EXIT.ok;
    }
    if (to === null) {
      // Types the worker does not handle would only be marked ignored again: leave them out.
      const handled = events.filter((e) => isHandledEventType(e.type));
      const requeued = await store.requeueEvents(
        handled.map((e) => e.id),
        ctx.clock.now(),
      );
      const hb = await freshHeartbeat(store, ctx.clock.now());
      const skipped = events.length - requeued;
      if (flags.json) {
        print(
          ctx.stdout,
          JSON.stringify({ selected: events.length, requeued, skipped, serveRunning: hb !== null }),
        );
        return EXIT.ok;
      }
      print(ctx.stdout, `Requeued ${requeued} of ${events.length} events for the worker.`);
      const unhandled = events.length - handled.length;
      if (unhandled > 0)
        print(ctx.stdout, `${unhandled} skipped: types the worker does not handle (stored as ignored).`);
      if (skipped - unhandled > 0) {
        print(
          ctx.stdout,
          `${skipped - unhandled} skipped: being processed right now, or pruned (only the id is kept).`,
        );
      }
      print(
        ctx.stdout,
        hb
          ? `A serve is running on this database (pid ${hb.pid ?? '?'}${hb.url ? `, ${hb.url}` : ''}): its worker picks them up within seconds. Follow with \`npx agenthooks events --state pending --follow\`.`
          : 'No serve heartbeat in the last 15 s: start `npx agenthooks serve` on this database and its worker will process them.',
      );
      return EXIT.ok;
    }
    const results = await redeliver(
      events,
      to,
      keys,
      () => Math.floor(ctx.clock.now() / 1000),
      (r) => {
        if (!flags.json) print(ctx.stdout, `${r.id}  ${r.status ?? '---'}  ${r.answer}`);
      },
      ctx.signal,
    );
    const failed = results.filter((r) => !r.ok).length;
    if (flags.json)
      print(
        ctx.stdout,
        JSON.stringify({ selected: events.length, delivered: results.length - failed, failed, results }),
      );
    else
      print(
        ctx.stdout,
        `Delivered ${results.length - failed} of ${events.length} events to ${to}${failed > 0 ? `; ${failed} failed` : ''}.`,
      );
    return failed > 0 || results.length < events.length ? EXIT.failed : EXIT.ok;
  });
}
