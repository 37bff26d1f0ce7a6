// `agenthooks events` (the webhook ledger: filter, page, follow) and `agenthooks events show ID`.
import { Command } from 'commander';
import { AppError } from '../errors.js';
import { eventPayload, listEventsPage } from '../query/events.js';
import { eventQuery, FLAGS, parseEventFilters } from '../query/filters.js';
import type { StoredEvent } from '../store/types.js';
import { type CliContext, EXIT, print } from './context.js';
import { EVENT_COLUMNS, eventRow, renderEvent } from './event-view.js';
import { followEvents, followWidths } from './follow.js';
import { renderHeader, renderRow, renderTable, styleFor } from './format.js';
import { jsonArray, ndjsonLines, outputMode } from './output.js';
import { withStore } from './store.js';

interface EventsFlags {
  type?: string;
  session?: string;
  state?: string;
  since?: string;
  until?: string;
  limit?: string;
  cursor?: string;
  database?: string;
  json?: boolean;
  ndjson?: boolean;
  follow?: boolean;
}

export const NO_EVENTS_YET =
  'No events yet. Start the receiver with `npx agenthooks serve` and register its /webhooks URL in the Console ' +
  '(or run `npx agenthooks simulator` to send some offline).';

export function eventsCommand(ctx: CliContext): Command {
  const cmd = new Command('events')
    .description('List stored webhook events, newest first, or show one with `events show ID`.')
    .option(
      '--database <url>',
      'SQLite file or postgres:// URL (default: DATABASE_URL, else ./.agenthooks/agenthooks.db)',
    )
    .option('--type <type>', 'event type, e.g. session.status_idled')
    .option('--session <id>', 'the session (or other subject) the event is about')
    .option('--state <state>', 'pending, processing, done, failed or ignored')
    .option('--since <time>', 'received at or after: 30m, 2h, 7d (ago) or an ISO time')
    .option('--until <time>', 'received before: 30m, 2h, 7d (ago) or an ISO time')
    .option('--limit <n>', 'rows per page (default 50)')
    .option('--cursor <cursor>', 'continue after the last row of a page (printed under the table)')
    .option('--json', 'print a JSON array')
    .option('--ndjson', 'print one JSON object per line')
    .option('--follow', 'keep printing new events until Ctrl-C')
    .action(async (flags: EventsFlags) => {
      ctx.exitCode = await listEvents(ctx, flags);
    });
  cmd
    .command('show')
    .description('Show one event with its raw JSON.')
    .argument('<id>', 'event id (the webhook-id)')
    .option('--database <url>', 'SQLite file or postgres:// URL')
    .option('--json', 'print a JSON object (with the parsed body)')
    .action(async (id: string, _flags: unknown, sub: Command) => {
      const flags = sub.optsWithGlobals<{ database?: string; json?: boolean }>();
      ctx.exitCode = await withStore(ctx, flags.database, { create: false }, async (store) => {
        const e = await store.getEvent(id);
        if (!e) {
          throw new AppError(
            'event_not_found',
            `No event ${JSON.stringify(id)} in this database: list them with \`agenthooks events\`.`,
          );
        }
        if (flags.json) ctx.stdout.write(`${JSON.stringify({ ...e, body: eventPayload(e) }, null, 2)}\n`);
        else ctx.stdout.write(renderEvent(e, styleFor(ctx.stdout, ctx.env)));
        return EXIT.ok;
      });
    });
  return cmd;
}

async function listEvents(ctx: CliContext, flags: EventsFlags): Promise<number> {
  const mode = outputMode(flags);
  const filters = parseEventFilters(flags, ctx.clock.now(), FLAGS);
  return withStore(ctx, flags.database, { create: false }, async (store) => {
    const style = styleFor(ctx.stdout, ctx.env);
    const { events: shown, nextCursor } = await listEventsPage(store, filters);
    if (flags.follow) {
      const widths = followWidths(EVENT_COLUMNS, shown);
      const emit = (events: StoredEvent[]) => {
        if (events.length === 0) return;
        if (mode === 'table')
          ctx.stdout.write(`${events.map((e) => renderRow(EVENT_COLUMNS, widths, e, style)).join('\n')}\n`);
        else ctx.stdout.write(ndjsonLines(events.map(eventRow)));
      };
      if (mode === 'table') print(ctx.stdout, renderHeader(EVENT_COLUMNS, widths, style));
      emit([...shown].reverse());
      await followEvents(store, filters, shown, ctx.signal, emit);
      return EXIT.ok;
    }
    if (mode === 'json') ctx.stdout.write(jsonArray(shown.map(eventRow)));
    else if (mode === 'ndjson') ctx.stdout.write(ndjsonLines(shown.map(eventRow)));
    else if (shown.length === 0) {
      print(
        ctx.stdout,
        filters.cursor
          ? 'No more events.'
          : Object.keys(eventQuery(filters)).length > 0
            ? 'No events match these filters.'
            : NO_EVENTS_YET,
      );
    } else print(ctx.stdout, renderTable(EVENT_COLUMNS, shown, style));
    if (nextCursor !== null)
      print(mode === 'table' ? ctx.stdout : ctx.stderr, `next page: --cursor ${nextCursor}`);
    return EXIT.ok;
  });
}
