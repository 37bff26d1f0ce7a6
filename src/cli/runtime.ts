// How the commands that touch runs (launch, chain, cancel, send, respond, demo) get agenthooks: one
// runtime (src/runtime.ts) over the store, the platform and agenthooks.yaml, resolved the same way
// for every command. The API key is checked and the log level parsed here, once. Read-only
// commands (runs, events, ...) never load this: they open the store alone.
import {
  requireApiKey,
  resolveDatabase,
  resolveLaunchRetryMs,
  resolveLogLevel,
  resolvePlatform,
} from '../config.js';
import { loadConfigFile } from '../config-file.js';
import { createLogger, type Logger } from '../logger.js';
import { createPlatform } from '../platform/client.js';
import type { Platform } from '../platform/types.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { openStore } from '../store/open.js';
import { type CliContext, print } from './context.js';

export interface RuntimeFlags {
  database?: string;
  config?: string;
  apiKey?: string;
  baseUrl?: string;
}

/** The database flag's help, the same on every command. */
export const DATABASE_HELP =
  'SQLite file or postgres:// URL (default: DATABASE_URL, else ./.agenthooks/agenthooks.db)';

/**
 * Opens the store, builds the runtime, runs `use`, closes the store. `what` completes the sentence
 * "<what> through the platform API" in the missing-key error.
 */
export async function withRuntime<T>(
  ctx: CliContext,
  flags: RuntimeFlags,
  what: string,
  use: (runtime: Runtime) => Promise<T>,
): Promise<T> {
  const { platform, logger } = platformFor(ctx, flags, what);
  const configFile = loadConfigFile(flags.config, ctx.cwd);
  const store = await openStore(resolveDatabase(flags.database, ctx.env, ctx.cwd), { create: true, logger });
  try {
    const runtime = createRuntime({
      // A CLI launch (and chain) retries retryable API failures itself before leaving the intent to serve.
      settings: { launchRetryMs: resolveLaunchRetryMs(ctx.env) },
      store,
      platform,
      clock: ctx.clock,
      logger,
      configFile,
      onLaunchRetry: (r) =>
        print(
          ctx.stderr,
          `${r.launch}: ${r.error} Retrying in ${(r.delayMs / 1000).toFixed(1)} s (attempt ${r.attempt + 1}).`,
        ),
    });
    return await use(runtime);
  } finally {
    await store.close();
  }
}

/** The platform client (and the command's logger) for a command that calls the API. */
export function platformFor(
  ctx: CliContext,
  flags: Pick<RuntimeFlags, 'apiKey' | 'baseUrl'>,
  what: string,
): { platform: Platform; logger: Logger } {
  const settings = resolvePlatform(flags, ctx.env);
  const apiKey = requireApiKey(settings, what);
  const logger = createLogger({ level: resolveLogLevel(ctx.env, 'warn'), destination: ctx.stderr });
  return { platform: createPlatform({ apiKey, baseURL: settings.baseURL, logger }), logger };
}
