// Builds the command tree. Each command lives in its own file and exports a function that returns
// a commander Command whose action sets ctx.exitCode; add new commands to the list below.
import { Command, CommanderError } from 'commander';
import { AppError, isAppError } from '../errors.js';
import { type CliContext, EXIT, print } from './context.js';

type CommandFactory = (ctx: CliContext) => Command;

async function commandFactories(): Promise<CommandFactory[]> {
  // Imported lazily so that `agenthooks runs` does not load Fastify or the simulator.
  const list: Array<() => Promise<CommandFactory>> = [
    () => import('./runs.js').then((m) => m.runsCommand),
    () => import('./launch.js').then((m) => m.launchCommand),
    () => import('./chain.js').then((m) => m.chainCommand),
    () => import('./demo.js').then((m) => m.demoCommand),
    () => import('./events.js').then((m) => m.eventsCommand),
    () => import('./replay.js').then((m) => m.replayCommand),
    () => import('./export.js').then((m) => m.exportCommand),
    () => import('./import.js').then((m) => m.importCommand),
    () => import('./rejects.js').then((m) => m.rejectsCommand),
    () => import('./simulator.js').then((m) => m.simulatorCommand),
    () => import('./serve.js').then((m) => m.serveCommand),
    () => import('./notifications.js').then((m) => m.notificationsCommand),
    () => import('./files.js').then((m) => m.filesCommand),
    () => import('./cancel.js').then((m) => m.cancelCommand),
    () => import('./prune.js').then((m) => m.pruneCommand),
  ];
  return Promise.all(list.map((load) => load()));
}

export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const program = new Command('agenthooks')
    .description(
      'Reliable Claude Managed Agents outcomes: receive signed webhooks, store every event once,\n' +
        'fetch real session state, chain follow-up runs, reconcile missed deliveries.',
    )
    .exitOverride()
    // Options after a nested subcommand belong to it (`simulator send --webhook-url` is send's,
    // not simulator's); the root has no options of its own, so nothing else changes.
    .enablePositionalOptions()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .showHelpAfterError('(run with --help for usage)');
  for (const make of await commandFactories()) program.addCommand(make(ctx).exitOverride());
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    return handleError(err, ctx);
  }
}

export function handleError(err: unknown, ctx: CliContext): number {
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

export { AppError };
