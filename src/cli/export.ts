// `agenthooks export`: every run (with its history) and every event as NDJSON, to stdout or --out.
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { Command } from 'commander';
import { exportStore } from '../transfer/export.js';
import { type CliContext, EXIT, print } from './context.js';
import { withStore } from './store.js';

export function exportCommand(ctx: CliContext): Command {
  return new Command('export')
    .description(
      'Write every run, its history and every event as NDJSON ({"kind":"run"|"history"|"event", ...} per line).',
    )
    .option(
      '--database <url>',
      'SQLite file or postgres:// URL (default: DATABASE_URL, else ./.agenthooks/agenthooks.db)',
    )
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (flags: { database?: string; out?: string }) => {
      ctx.exitCode = await withStore(ctx, flags.database, { create: false }, async (store) => {
        if (flags.out === undefined) {
          await exportStore(store, ctx.stdout, ctx.signal);
          return EXIT.ok;
        }
        const file = path.resolve(ctx.cwd, flags.out);
        const out = createWriteStream(file);
        const counts = await exportStore(store, out, ctx.signal);
        out.end();
        await finished(out);
        print(
          ctx.stderr,
          `Exported ${counts.runs} runs, ${counts.history} history entries and ${counts.events} events to ${file}.`,
        );
        return EXIT.ok;
      });
    });
}
