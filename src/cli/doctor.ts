// `agenthooks doctor`: checks the setup and says what to fix. Exit 0 when every check passes, 1 when
// one fails, 2 for usage errors.
import { Command } from 'commander';
import { resolveDatabase, resolvePlatform } from '../config.js';
import { formatChecklist } from '../doctor/check.js';
import { runDoctor } from '../doctor/run.js';
import { createLogger } from '../logger.js';
import { type CliContext, EXIT } from './context.js';

interface DoctorFlags {
  publicUrl?: string;
  database?: string;
  signingKey?: string[];
  apiKey?: string;
  baseUrl?: string;
  json?: boolean;
  /** commander's --no-webhooks: false when given. */
  webhooks?: boolean;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function doctorCommand(ctx: CliContext): Command {
  return new Command('doctor')
    .description(
      'Check the setup and say what to fix: signing key, database, API key, clock, and (with ' +
        '--public-url) that the registered URL is HTTPS on 443, does not redirect and reaches this receiver.',
    )
    .option(
      '--public-url <url>',
      'the endpoint URL registered in the Console, e.g. https://hooks.example.com/webhooks',
    )
    .option(
      '--database <path|url>',
      'SQLite file or postgres:// URL (default DATABASE_URL, else ./.agenthooks/agenthooks.db)',
    )
    .option(
      '--signing-key <whsec>',
      'signing secret to check (repeatable; default ANTHROPIC_WEBHOOK_SIGNING_KEY)',
      collect,
    )
    .option(
      '--no-webhooks',
      'check the setup of serve --no-webhooks (no public URL, e.g. a laptop): no signing key or public URL needed',
    )
    .option('--json', 'print the checks as JSON')
    .action(async (flags: DoctorFlags) => {
      // Keys are checked as given: whitespace in or around a key is one of the mistakes to find (a
      // trailing newline from an env file), so only the separator ", " of a key list is removed.
      const signingKeys =
        flags.signingKey ??
        (ctx.env.ANTHROPIC_WEBHOOK_SIGNING_KEY ?? '').split(/ *, */).filter((k) => k !== '');
      const results = await runDoctor({
        signingKeys,
        database: resolveDatabase(flags.database, ctx.env, ctx.cwd),
        platform: resolvePlatform({}, ctx.env),
        publicUrl: flags.publicUrl,
        webhooks: flags.webhooks !== false,
        clock: ctx.clock,
        logger: createLogger({ level: 'silent', destination: ctx.stderr }),
      });
      ctx.stdout.write(flags.json ? `${JSON.stringify(results, null, 2)}\n` : formatChecklist(results));
      ctx.exitCode = results.some((r) => r.status === 'fail') ? EXIT.failed : EXIT.ok;
    });
}
