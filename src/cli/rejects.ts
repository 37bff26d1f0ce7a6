// `agenthooks rejects`: what the receiver turned away, per code and minute, with a hint per code.
import { Command } from 'commander';
import { FLAGS } from '../query/filters.js';
import { rejectsSince } from '../query/rejects.js';
import { parseTime } from '../query/time.js';
import type { RejectCount } from '../store/types.js';
import { type CliContext, EXIT, print } from './context.js';
import { formatTime, paint, renderTable, styleFor } from './format.js';
import { withStore } from './store.js';

export function rejectsCommand(ctx: CliContext): Command {
  return new Command('rejects')
    .description(
      'Rejected webhook requests by code and minute (no bodies are kept), with what each code usually means.',
    )
    .option(
      '--database <url>',
      'SQLite file or postgres:// URL (default: DATABASE_URL, else ./.agenthooks/agenthooks.db)',
    )
    .option('--since <time>', 'from this long ago or this ISO time', '1h')
    .option('--json', 'print a JSON object')
    .action(async (flags: { database?: string; since: string; json?: boolean }) => {
      const now = ctx.clock.now();
      const since = parseTime(flags.since, now, FLAGS.name('since'));
      ctx.exitCode = await withStore(ctx, flags.database, { create: false }, async (store) => {
        const s = await rejectsSince(store, since);
        if (flags.json) {
          print(ctx.stdout, JSON.stringify(s, null, 2));
          return EXIT.ok;
        }
        const style = styleFor(ctx.stdout, ctx.env);
        if (s.total === 0) {
          print(ctx.stdout, `No rejected webhook requests since ${formatTime(since)}.`);
          return EXIT.ok;
        }
        print(ctx.stdout, `${s.total} rejected webhook requests since ${formatTime(since)}:\n`);
        print(
          ctx.stdout,
          renderTable<RejectCount>(
            [
              { header: 'MINUTE', value: (r) => formatTime(r.minute).slice(0, 16).replace('T', ' ') },
              { header: 'CODE', value: (r) => r.code, color: () => 'red' },
              { header: 'COUNT', value: (r) => String(r.count), align: 'right' },
            ],
            s.rows,
            style,
          ),
        );
        print(ctx.stdout, '');
        for (const c of s.byCode)
          print(ctx.stdout, `${paint(style, 'bold', c.code)} (${c.count}): ${c.hint}`);
        return EXIT.ok;
      });
    });
}
