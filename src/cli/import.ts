// `agenthooks import FILE`: our NDJSON export, or the tutorial's agent_outcomes.jsonl. Creates the
// database when it does not exist yet. Exit 1 when any line was bad (the others are imported).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { AppError } from '../errors.js';
import { importFile } from '../transfer/import.js';
import { type CliContext, EXIT, print } from './context.js';
import { withStore } from './store.js';

export function importCommand(ctx: CliContext): Command {
  return new Command('import')
    .description(
      "Import an `agenthooks export` file or the tutorial's agent_outcomes.jsonl; importing twice adds nothing.",
    )
    .argument('<file>', 'NDJSON file')
    .option('--database <url>', 'SQLite file or postgres:// URL (created if missing)')
    .option('--json', 'print the report as JSON')
    .action(async (fileArg: string, flags: { database?: string; json?: boolean }) => {
      const file = path.resolve(ctx.cwd, fileArg);
      if (!existsSync(file))
        throw new AppError(
          'usage',
          `No file ${file} to import; give the path of an export or of agent_outcomes.jsonl.`,
        );
      ctx.exitCode = await withStore(ctx, flags.database, { create: true }, async (store) => {
        const r = await importFile(store, file, () => ctx.clock.now());
        if (flags.json) print(ctx.stdout, JSON.stringify(r));
        else {
          const parts = [
            `${r.runs} runs (${r.runsExisting} already there)`,
            `${r.history} history entries`,
            `${r.events} events (${r.eventsExisting} already there)`,
          ];
          if (r.tutorialLines + r.tutorialExisting > 0)
            parts.push(`${r.tutorialLines} tutorial lines (${r.tutorialExisting} imported before)`);
          print(ctx.stdout, `Imported ${parts.join(', ')} into ${store.location}.`);
          for (const b of r.bad) print(ctx.stderr, `line ${b.line}: ${b.reason}`);
          if (r.bad.length > 0)
            print(
              ctx.stderr,
              `${r.bad.length} bad lines were skipped; fix them and import again (the rest will not be duplicated).`,
            );
        }
        return r.bad.length > 0 ? EXIT.failed : EXIT.ok;
      });
    });
}
