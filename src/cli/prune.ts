// `agenthooks prune --older-than 90d`: retention. Clears old event payloads (the ids stay, so a
// re-delivered old event is still a duplicate), deletes old run history, settled notifications and
// reject counts. Runs themselves (the outcomes) are kept.
import { Command } from 'commander';
import { parseDuration } from '../config.js';
import { AppError } from '../errors.js';
import { type CliContext, EXIT, print } from './context.js';
import { formatTime } from './format.js';
import { withStore } from './store.js';

/** Younger than this could still be worked on (retries, the reconciler's window): refuse it. */
const MIN_AGE_MS = 24 * 3600_000;

export function pruneCommand(ctx: CliContext): Command {
  return new Command('prune')
    .description(
      'Remove old payloads and history but keep every event id, so deduplication still holds. ' +
        'Pending events keep their payload whatever their age.',
    )
    .requiredOption('--older-than <duration>', 'what to remove, by age (e.g. 90d; at least 1d)')
    .option('--dry-run', 'count what would be removed, change nothing')
    .option(
      '--database <url>',
      'SQLite file or postgres:// URL (default: DATABASE_URL, else ./.agenthooks/agenthooks.db)',
    )
    .option('--json', 'print a JSON object')
    .action(async (flags: { olderThan: string; dryRun?: boolean; database?: string; json?: boolean }) => {
      const age = parseDuration(flags.olderThan, '--older-than');
      if (age < MIN_AGE_MS)
        throw new AppError(
          'usage',
          `--older-than must be at least 1d (got ${flags.olderThan}): younger data may still be in use.`,
        );
      const before = ctx.clock.now() - age;
      const dryRun = flags.dryRun === true;
      ctx.exitCode = await withStore(ctx, flags.database, { create: false }, async (store) => {
        const r = await store.prune({ before, dryRun });
        if (flags.json) {
          print(
            ctx.stdout,
            JSON.stringify({ before: new Date(before).toISOString(), dryRun, ...r }, null, 2),
          );
          return EXIT.ok;
        }
        const verb = dryRun ? 'would remove' : 'removed';
        print(
          ctx.stdout,
          `prune before ${formatTime(before)}${dryRun ? ' (dry run: nothing changed)' : ''}:`,
        );
        print(ctx.stdout, `  event payloads ${verb}: ${r.payloads} (event ids kept for deduplication)`);
        print(ctx.stdout, `  run history entries ${verb}: ${r.runHistory}`);
        print(ctx.stdout, `  delivered/failed notifications ${verb}: ${r.outbox}`);
        print(ctx.stdout, `  reject counts ${verb}: ${r.rejects}`);
        return EXIT.ok;
      });
    });
}
