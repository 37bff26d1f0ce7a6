// `agenthooks notifications`: the outbox of signed run.finished events sent to notify targets,
// and `notifications retry ID` to send a failed one again (after fixing the receiver).
import { Command } from 'commander';
import { AppError } from '../errors.js';
import { FLAGS, parseCount } from '../query/filters.js';
import { summarizeNotification } from '../query/notifications.js';
import { OUTBOX_STATES, type OutboxState } from '../store/types.js';
import { type CliContext, EXIT, print } from './context.js';
import { formatTime, paint, renderTable, styleFor } from './format.js';
import { withStore } from './store.js';

const DB_HELP = 'SQLite file or postgres:// URL (default: DATABASE_URL, else ./.agenthooks/agenthooks.db)';

export function notificationsCommand(ctx: CliContext): Command {
  const cmd = new Command('notifications')
    .description('Outcome notifications (signed run.finished events) and their delivery state.')
    .option('--database <url>', DB_HELP)
    .option('--state <state>', 'only pending, delivered or failed')
    .option('--limit <n>', 'at most this many, oldest first', '100')
    .option('--json', 'print a JSON array')
    .action(async (flags: { database?: string; state?: string; limit: string; json?: boolean }) => {
      if (flags.state !== undefined && !(OUTBOX_STATES as readonly string[]).includes(flags.state))
        throw new AppError(
          'usage',
          `--state must be one of ${OUTBOX_STATES.join(', ')} (got ${flags.state}).`,
        );
      const limit = parseCount(flags.limit, 'limit', FLAGS.maxLimit, FLAGS);
      ctx.exitCode = await withStore(ctx, flags.database, { create: false }, async (store) => {
        const rows = await store.listOutbox({
          state: flags.state as OutboxState | undefined,
          limit,
        });
        const list = rows.map(summarizeNotification);
        if (flags.json) {
          print(ctx.stdout, JSON.stringify(list, null, 2));
          return EXIT.ok;
        }
        if (list.length === 0) {
          print(
            ctx.stdout,
            'No notifications. Add `notify:` targets to agenthooks.yaml (docs/notifications.md).',
          );
          return EXIT.ok;
        }
        const style = styleFor(ctx.stdout, ctx.env);
        const color = { pending: 'yellow', delivered: 'green', failed: 'red' } as const;
        print(
          ctx.stdout,
          renderTable<(typeof list)[number]>(
            [
              { header: 'ID', value: (n) => n.id },
              { header: 'STATE', value: (n) => n.state, color: (n) => color[n.state] },
              { header: 'TARGET', value: (n) => n.target },
              { header: 'RUN', value: (n) => n.runId ?? '' },
              { header: 'STATUS', value: (n) => n.runStatus ?? '' },
              { header: 'TRIES', value: (n) => String(n.attempts), align: 'right' },
              { header: 'CREATED', value: (n) => formatTime(n.createdAt).slice(0, 19).replace('T', ' ') },
              { header: 'LAST ERROR', value: (n) => n.lastError ?? '' },
            ],
            list,
            style,
          ),
        );
        const failed = list.filter((n) => n.state === 'failed').length;
        if (failed > 0)
          print(
            ctx.stdout,
            paint(
              style,
              'bold',
              `\n${failed} failed: fix the receiver, then npx agenthooks notifications retry ID`,
            ),
          );
        return EXIT.ok;
      });
    });
  cmd
    .command('retry')
    .description('Send a failed (or waiting) notification again now, with a fresh retry window.')
    .argument('<id>', 'notification id (ntf_...)')
    .option('--database <url>', DB_HELP)
    .action(async (id: string, flags: { database?: string }) => {
      ctx.exitCode = await withStore(ctx, flags.database, { create: false }, async (store) => {
        const held = await store.getOutbox(id);
        if (!held)
          throw new AppError(
            'notification_not_found',
            `No notification ${id} is stored: list them with \`agenthooks notifications\`.`,
          );
        if (held.state === 'delivered') {
          print(ctx.stdout, `${id} was already delivered at ${formatTime(held.deliveredAt)}; nothing to do.`);
          return EXIT.ok;
        }
        await store.retryOutbox(id, ctx.clock.now());
        print(ctx.stdout, `${id} is due again; a running serve sends it within a second.`);
        return EXIT.ok;
      });
    });
  return cmd;
}
