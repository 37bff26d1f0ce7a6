// Builds the command tree. Each command lives in its own file and exports a function that returns
// a commander Command whose action sets ctx.exitCode; add new commands to COMMANDS below.
import { Command, CommanderError } from 'commander';
import { AppError, isAppError } from '../errors.js';
import { type CliContext, EXIT, print } from './context.js';
import { safeStream } from './safe-text.js';
import { packageVersion } from './version.js';

type CommandFactory = (ctx: CliContext) => Command;

// Keyed by command name: `agenthooks runs` imports only runs.js (not Fastify, the SDK or the
// simulator), which keeps short commands quick to start. Help and unknown names load them all.
const COMMANDS: Record<string, () => Promise<CommandFactory>> = {
  runs: () => import('./runs.js').then((m) => m.runsCommand),
  launch: () => import('./launch.js').then((m) => m.launchCommand),
  chain: () => import('./chain.js').then((m) => m.chainCommand),
  demo: () => import('./demo.js').then((m) => m.demoCommand),
  events: () => import('./events.js').then((m) => m.eventsCommand),
  replay: () => import('./replay.js').then((m) => m.replayCommand),
  export: () => import('./export.js').then((m) => m.exportCommand),
  import: () => import('./import.js').then((m) => m.importCommand),
  rejects: () => import('./rejects.js').then((m) => m.rejectsCommand),
  simulator: () => import('./simulator.js').then((m) => m.simulatorCommand),
  serve: () => import('./serve.js').then((m) => m.serveCommand),
  doctor: () => import('./doctor.js').then((m) => m.doctorCommand),
  notifications: () => import('./notifications.js').then((m) => m.notificationsCommand),
  files: () => import('./files.js').then((m) => m.filesCommand),
  cancel: () => import('./cancel.js').then((m) => m.cancelCommand),
  prune: () => import('./prune.js').then((m) => m.pruneCommand),
  respond: () => import('./respond.js').then((m) => m.respondCommand),
  send: () => import('./send.js').then((m) => m.sendCommand),
  stats: () => import('./stats.js').then((m) => m.statsCommand),
  transcript: () => import('./transcript.js').then((m) => m.transcriptCommand),
};

async function commandFactories(argv: string[]): Promise<CommandFactory[]> {
  const name = argv[0];
  const loaders =
    name !== undefined && Object.hasOwn(COMMANDS, name) ? [COMMANDS[name]] : Object.values(COMMANDS);
  return Promise.all(loaders.map((load) => load()));
}

/** Help wraps at the terminal's width, or at 80 columns when stdout is not a terminal. */
export function helpWidth(stdout: CliContext['stdout']): number {
  const s = stdout as { isTTY?: boolean; columns?: number };
  return s.isTTY && s.columns ? s.columns : 80;
}

export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  // Every command prints through these, so text from a run can never drive the terminal.
  ctx.stdout = safeStream(ctx.stdout);
  ctx.stderr = safeStream(ctx.stderr);
  const program = new Command('agenthooks')
    .description(
      'Reliable Claude Managed Agents outcomes: receive signed webhooks, store every event once, ' +
        'fetch real session state, chain follow-up runs, reconcile missed deliveries.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    // Options after a nested subcommand belong to it (`simulator send --webhook-url` is send's,
    // not simulator's); the root has no options of its own, so nothing else changes.
    .enablePositionalOptions()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .showHelpAfterError('(run with --help for usage)');
  const width = helpWidth(ctx.stdout);
  program.configureHelp({ helpWidth: width });
  for (const make of await commandFactories(argv)) {
    const cmd = make(ctx).exitOverride();
    cmd.configureHelp({ helpWidth: width });
    for (const sub of cmd.commands) sub.configureHelp({ helpWidth: width });
    program.addCommand(cmd);
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    return handleError(err, ctx);
  }
}

export function handleError(err: unknown, ctx: CliContext): number {
  // The reader went away (`| head`): what it wanted it has; end quietly, as a pipe expects.
  if (isBrokenPipe(err)) return EXIT.ok;
  if (err instanceof CommanderError) {
    if (
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help'
    )
      return EXIT.ok;
    return EXIT.usage;
  }
  if (isAppError(err)) {
    print(ctx.stderr, `error [${err.code}]: ${err.message}`);
    return err.exitCode;
  }
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  print(ctx.stderr, `error: unexpected failure: ${message}`);
  return EXIT.failed;
}

export function isBrokenPipe(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  return e?.code === 'EPIPE' || e?.cause?.code === 'EPIPE' || e?.code === 'ERR_STREAM_DESTROYED';
}

export { AppError };
