// `agenthooks transcript RUN`: every event of the run's session, in order: messages, tool calls
// with their input, tool results, thread events, outcome evaluations, errors and the idle event
// with its stop reason. A final run's events are read from the store once cached; otherwise they
// are listed through the platform (and cached when the run is final: the one write this command
// makes). The store opens read-only, so a cached transcript starts no writer at all.
import { Command } from 'commander';
import { resolvePlatform } from '../config.js';
import { AppError } from '../errors.js';
import type { Platform, SessionEvent } from '../platform/types.js';
import { foldLines, type TranscriptEntry, toolInputText, transcriptEntry } from '../query/transcript.js';
import { transcriptFor } from '../runs/transcript.js';
import { type CliContext, EXIT, print } from './context.js';
import { type Color, paint, type Style, styleFor } from './format.js';
import { jsonArray, ndjsonLines, outputMode } from './output.js';
import { DATABASE_HELP, platformFor } from './runtime.js';
import { safeText } from './safe-text.js';
import { withStore } from './store.js';
import { followTranscript, type TranscriptFollowFlags } from './transcript-follow.js';

interface TranscriptFlags extends TranscriptFollowFlags {
  follow?: boolean;
}

/** Longer texts are folded to their first lines in the terminal (--json has all of them). */
const FOLD_LINES = 12;
const FOLD_KEEP = 8;
const INDENT = ' '.repeat(22);

const COLORS: Partial<Record<TranscriptEntry['kind'], Color>> = {
  user: 'cyan',
  agent: 'green',
  tool_use: 'magenta',
  tool_result: 'magenta',
  thread: 'blue',
  outcome: 'yellow',
  error: 'red',
  idle: 'bold',
  span: 'dim',
  usage: 'dim',
};

function indented(text: string): string[] {
  const { lines, more } = foldLines(text, FOLD_LINES, FOLD_KEEP);
  const out = lines.map((l) => `${INDENT}${l}`);
  if (more > 0) out.push(`${INDENT}… ${more} more lines`);
  return out;
}

/** What goes after the who column on the event's first line, and the lines under it. */
function describe(e: TranscriptEntry): { head: string; body: string[] } {
  const thread = e.thread?.agent ? ` [${e.thread.agent}]` : e.thread?.id ? ` [${e.thread.id}]` : '';
  const detail = e.detail ? ` (${e.detail})` : '';
  switch (e.kind) {
    case 'tool_use': {
      const name = `${e.tool?.server ? `${e.tool.server}/` : ''}${e.tool?.name ?? '?'}`;
      return { head: `calls ${name}${thread}${detail}`, body: indented(toolInputText(e.tool?.input)) };
    }
    case 'tool_result': {
      const of = e.result?.toolUseId ? ` of ${e.result.toolUseId}` : '';
      const text = e.result?.text ?? '';
      return {
        head: `${e.result?.isError ? 'error result' : 'result'}${of}${thread}${text ? '' : ' (empty)'}`,
        body: text ? indented(text) : [],
      };
    }
    case 'outcome': {
      const o = e.outcome;
      const it = o?.iteration === null || o?.iteration === undefined ? '' : ` iteration ${o.iteration + 1}`;
      return {
        head: o?.grade ? `${o.grade}${it}` : `${e.text ?? ''}${it}`,
        body: o?.explanation ? indented(o.explanation) : [],
      };
    }
    case 'error':
      return { head: e.error ?? 'error', body: [] };
    case 'idle':
      return { head: `idle: ${e.stopReason ?? 'no stop reason'}${detail}`, body: [] };
    case 'agent':
    case 'user':
      return e.text?.includes('\n')
        ? { head: `${thread.trim()}${detail}`.trim(), body: indented(e.text) }
        : { head: `${e.text ?? ''}${thread}${detail}`, body: [] };
    case 'thread':
      // A message between threads: who it went to (or came from) is the head, its text below.
      if (e.markdown) return { head: e.detail ?? '', body: e.text ? indented(e.text) : [] };
      return {
        head: `${e.text ?? ''}${thread}${e.stopReason ? `: ${e.stopReason}` : ''}${detail}`,
        body: [],
      };
    default:
      return { head: `${e.text ?? e.type}${thread}${detail}`, body: [] };
  }
}

/**
 * One event as the terminal shows it (lines ending in a newline): time, who, what, and folded
 * text under it. Control characters in it are made visible. `--follow` prints events with this.
 */
export function formatTranscriptEvent(event: SessionEvent, style: Style = { color: false }): string {
  const e = transcriptEntry(event);
  // Everything but the colors comes from the event: clean it before any color is added.
  const time = safeText(e.time ? e.time.slice(11, 19) : '--:--:--');
  const { head, body } = describe(e);
  const name = safeText(e.who);
  const who = name.length > 12 ? `${name.slice(0, 11)}…` : name.padEnd(12);
  const first = `${paint(style, 'dim', time)}  ${paint(style, COLORS[e.kind] ?? null, who)}  ${safeText(head)}`;
  return `${[first.trimEnd(), ...body.map(safeText)].join('\n')}\n`;
}

async function showTranscript(ctx: CliContext, run: string, flags: TranscriptFlags): Promise<number> {
  const mode = outputMode(flags);
  return withStore(ctx, flags.database, { create: false }, async (store) => {
    const found = await store.getRun(run);
    if (!found)
      throw new AppError(
        'run_not_found',
        `No run ${run} is stored. List runs with \`npx agenthooks runs\` (a session started elsewhere appears once serve has seen it).`,
      );
    // The platform is needed only when the transcript is not cached: build it on demand, so a
    // cached transcript reads without an API key.
    let platform: Platform | null = null;
    if (resolvePlatform(flags, ctx.env).apiKey)
      platform = platformFor(ctx, flags, 'transcript reads the session events').platform;
    const t = await transcriptFor({ store, platform, clock: ctx.clock }, found);
    if (mode === 'json') ctx.stdout.write(jsonArray(t.events));
    else if (mode === 'ndjson') ctx.stdout.write(ndjsonLines(t.events));
    else {
      const style = styleFor(ctx.stdout, ctx.env);
      print(
        ctx.stdout,
        `Transcript of ${run}: ${t.events.length} events${t.source === 'cache' ? ' (stored)' : ''}${t.final ? '' : ' (still running: more will come)'}`,
      );
      for (const e of t.events) ctx.stdout.write(formatTranscriptEvent(e, style));
      if (t.events.length === 0) print(ctx.stdout, 'No events yet.');
    }
    if (t.truncated)
      print(
        ctx.stderr,
        `note: the stored transcript is cut to bound its size (${t.events.length} of ${t.eventCount} events kept; very large events shortened).`,
      );
    if (t.cacheError) print(ctx.stderr, `note: could not store the transcript: ${safeText(t.cacheError)}`);
    return EXIT.ok;
  });
}

const OPTIONS: ReadonlyArray<[flags: string, help: string]> = [
  ['--database <url>', DATABASE_HELP],
  ['--json', 'print the events as one JSON array'],
  ['--ndjson', 'print one event (JSON) per line'],
  ['--follow', 'then print events as they happen until the run ends (exit codes as launch --wait)'],
  ['--timeout <duration>', 'with --follow: give up after this long (e.g. 10m), exit 4'],
  ['--api-key <key>', 'platform API key (default ANTHROPIC_API_KEY)'],
  ['--base-url <url>', 'platform URL (default ANTHROPIC_BASE_URL, else the real API)'],
];

export function transcriptCommand(ctx: CliContext): Command {
  const cmd = new Command('transcript')
    .description(
      "Show every event of a run's session in order: user and agent messages, tool calls with their input, " +
        'tool results, thread events (multiagent), outcome evaluations with grade and feedback, errors, and the ' +
        'idle event with its stop reason. Long texts are folded in the terminal; --json and --ndjson give the ' +
        "events exactly as the SDK types them. A final run's events are stored on first read, so later reads " +
        'need no API call (and no API key).',
    )
    .argument('<run>', 'run id (the session id, sesn_...)');
  for (const [flags, help] of OPTIONS) cmd.option(flags, help);
  return cmd
    .addHelpText(
      'after',
      '\nExamples:\n  npx agenthooks transcript sesn_011CZk...\n  npx agenthooks transcript sesn_011CZk... --ndjson | jq -c .type',
    )
    .action(async (run: string, flags: TranscriptFlags) => {
      if (flags.timeout !== undefined && !flags.follow)
        throw new AppError('usage', '--timeout only applies with --follow.');
      const style = styleFor(ctx.stdout, ctx.env);
      ctx.exitCode = flags.follow
        ? await followTranscript(ctx, run, flags, (e) => formatTranscriptEvent(e, style))
        : await showTranscript(ctx, run, flags);
    });
}
