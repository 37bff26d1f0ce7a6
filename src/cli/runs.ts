// `agenthooks runs` (list, filter, page, follow) and `agenthooks runs show ID`.
import { Command } from 'commander';
import { AppError } from '../errors.js';
import { FLAGS, parseCount, parseRunFilters, type RunFilters, runQuery } from '../query/filters.js';
import { runDetail } from '../query/run-detail.js';
import { listRunsPage } from '../query/runs.js';
import type { Run, Store } from '../store/types.js';
import { type CliContext, EXIT, print } from './context.js';
import { followLoop } from './follow.js';
import { columnWidths, renderHeader, renderRow, renderTable, styleFor } from './format.js';
import { jsonArray, ndjsonLines, type OutputMode, outputMode } from './output.js';
import { renderRunDetail, runColumns } from './run-view.js';
import { withStore } from './store.js';

interface RunsFlags {
  status?: string;
  agent?: string;
  since?: string;
  until?: string;
  search?: string;
  reason?: string;
  limit?: string;
  page?: string;
  cursor?: string;
  database?: string;
  json?: boolean;
  ndjson?: boolean;
  follow?: boolean;
}

/** How many of the newest matching runs each --follow poll compares against what it has shown. */
const FOLLOW_WINDOW = 200;

export const NO_RUNS_YET =
  'No runs yet. Start the receiver with `npx agenthooks serve`, then launch one with `npx agenthooks launch "your task"`, ' +
  'or bring in the tutorial log with `npx agenthooks import agent_outcomes.jsonl`.';

export function runsCommand(ctx: CliContext): Command {
  const cmd = new Command('runs')
    .description('List runs, newest first (one per session), or show one with `runs show ID`.')
    .option(
      '--database <url>',
      'SQLite file or postgres:// URL (default: DATABASE_URL, else ./.agenthooks/agenthooks.db)',
    )
    .option('--status <list>', 'comma list: pending, running, blocked, succeeded, failed, cancelled, deleted')
    .option('--agent <name>', 'agent name or id')
    .option('--since <time>', 'started at or after: 30m, 2h, 7d (ago) or an ISO time')
    .option('--until <time>', 'started before: 30m, 2h, 7d (ago) or an ISO time')
    .option('--search <text>', 'text in the task or the output (or an exact run id)')
    .option(
      '--reason <reason>',
      'failure reason, as `stats` lists it: the unmet outcome result, else the stop reason (else unknown)',
    )
    .option('--limit <n>', 'rows per page (default 50)')
    .option('--page <n>', 'page number, 1 = newest')
    .option('--cursor <cursor>', 'continue after the last row of a page (printed under the table)')
    .option('--json', 'print a JSON array')
    .option('--ndjson', 'print one JSON object per line')
    .option('--follow', 'keep printing new and changed runs until Ctrl-C')
    .action(async (flags: RunsFlags) => {
      ctx.exitCode = await listRuns(ctx, flags);
    });
  cmd
    .command('show')
    .description('Show one run: task, output, outcome evaluations, usage, events, history, chain.')
    .argument('<id>', 'run id (the session id, sesn_...)')
    .option('--database <url>', 'SQLite file or postgres:// URL')
    .option('--json', 'print a JSON object')
    .action(async (id: string, _flags: unknown, sub: Command) => {
      const flags = sub.optsWithGlobals<{ database?: string; json?: boolean }>();
      ctx.exitCode = await showRun(ctx, id, flags);
    });
  return cmd;
}

async function listRuns(ctx: CliContext, flags: RunsFlags): Promise<number> {
  const now = ctx.clock.now();
  const mode = outputMode(flags);
  const filters = parseRunFilters(flags, now, FLAGS);
  if (flags.page !== undefined && flags.cursor !== undefined) {
    throw new AppError('usage', 'Pass either --page or --cursor, not both.');
  }
  const page = flags.page === undefined ? null : parseCount(flags.page, 'page', 1_000_000, FLAGS);
  return withStore(ctx, flags.database, { create: false }, async (store) => {
    const style = styleFor(ctx.stdout, ctx.env);
    const { runs: shown, nextCursor } = await listRunsPage(
      store,
      filters,
      page === null ? undefined : (page - 1) * filters.limit,
    );
    if (flags.follow) return followRuns(ctx, store, filters, shown, mode);
    if (mode === 'json') ctx.stdout.write(jsonArray(shown));
    else if (mode === 'ndjson') ctx.stdout.write(ndjsonLines(shown));
    else if (shown.length === 0) {
      const first = page === null && filters.cursor === undefined;
      const filtered = Object.keys(runQuery(filters)).length > 0;
      print(ctx.stdout, !first ? 'No more runs.' : filtered ? 'No runs match these filters.' : NO_RUNS_YET);
    } else print(ctx.stdout, renderTable(runColumns(now), shown, style));
    if (nextCursor !== null) {
      const next = `--cursor ${nextCursor}${page !== null ? ` (or --page ${page + 1})` : ''}`;
      // The hint goes to stderr in JSON modes so the output stays parseable.
      print(mode === 'table' ? ctx.stdout : ctx.stderr, `next page: ${next}`);
    }
    return EXIT.ok;
  });
}

async function followRuns(
  ctx: CliContext,
  store: Store,
  filters: RunFilters,
  initial: Run[],
  mode: OutputMode,
): Promise<number> {
  const style = styleFor(ctx.stdout, ctx.env);
  const columns = runColumns(ctx.clock.now());
  const widths = columnWidths(columns, initial);
  // Oldest first, like tail -f: the newest row is the last one printed and new ones follow it.
  const seen = new Map<string, number>();
  const emit = (rows: Run[]) => {
    for (const r of rows) seen.set(r.id, r.version);
    if (rows.length === 0) return;
    if (mode === 'table') {
      const now = ctx.clock.now();
      const cols = runColumns(now);
      ctx.stdout.write(`${rows.map((r) => renderRow(cols, widths, r, style)).join('\n')}\n`);
    } else ctx.stdout.write(ndjsonLines(rows));
  };
  if (mode === 'table') print(ctx.stdout, renderHeader(columns, widths, style));
  emit([...initial].reverse());
  // Runs in the window but beyond --limit were not shown and have not changed: only later changes print.
  const window = { ...runQuery(filters), limit: Math.max(FOLLOW_WINDOW, filters.limit) };
  for (const r of await store.listRuns(window)) {
    if (!seen.has(r.id)) seen.set(r.id, r.version);
  }
  await followLoop(ctx.signal, async () => {
    const latest = await store.listRuns(window);
    emit(latest.filter((r) => seen.get(r.id) !== r.version).reverse());
  });
  return EXIT.ok;
}

async function showRun(
  ctx: CliContext,
  id: string,
  flags: { database?: string; json?: boolean },
): Promise<number> {
  return withStore(ctx, flags.database, { create: false }, async (store) => {
    const detail = await runDetail(store, id);
    if (!detail) {
      throw new AppError(
        'run_not_found',
        `No run ${JSON.stringify(id)} in this database: list runs with \`agenthooks runs\` (run ids are session ids, sesn_...).`,
      );
    }
    // Output files live in the Files API: listed when an API key is configured. Imported here, so
    // that listing runs does not load the platform client.
    const { filesForShow, renderFilesSection } = await import('./files.js');
    const files = await filesForShow(ctx, id);
    if (flags.json) {
      // The command's JSON predates the lineage above the parent, and lists children newest first.
      const { ancestors: _ancestors, ...shown } = detail;
      const children = [...detail.children].reverse();
      ctx.stdout.write(`${JSON.stringify({ ...shown, children, files: files.files }, null, 2)}\n`);
    } else {
      ctx.stdout.write(renderRunDetail(detail, ctx.clock.now(), styleFor(ctx.stdout, ctx.env)));
      ctx.stdout.write(renderFilesSection(id, files));
    }
    return EXIT.ok;
  });
}
