// `agenthooks serve`: the durable webhook receiver (plus, as they land, the worker, reconciler and
// dashboard). Runs until ctx.signal aborts (SIGTERM/SIGINT), then stops accepting, answers what is
// in flight, closes the database and exits 0.
import { Command } from 'commander';
import { createApp } from '../app.js';
import { parseDuration, resolveLogLevel } from '../config.js';
import { loadConfigFile } from '../config-file.js';
import { AppError } from '../errors.js';
import { resolveServeConfig, type ServeConfig, type ServeFlags } from '../http/serve-config.js';
import { WEBHOOK_PATHS } from '../http/webhook.js';
import { createLogger } from '../logger.js';
import { createPlatform } from '../platform/index.js';
import { createRuntime, type RuntimeSettings } from '../runtime.js';
import { openStore } from '../store/open.js';
import { crashHook } from '../test-hooks.js';
import { type CliContext, EXIT, print } from './context.js';

interface RunFlags {
  reconcileSince?: string;
  reconcileMaxReads?: string;
  chainSweepInterval?: string;
  chainLease?: string;
}

/**
 * --reconcile-since, --reconcile-max-reads, and --chain-sweep-interval and --chain-lease (the chain
 * and launch sweeps), for the runtime's services.
 */
function runtimeSettings(flags: RunFlags, config: ServeConfig): RuntimeSettings {
  const reconcileIntervalMs = config.reconcileIntervalMs;
  const reconcileSinceMs = parseDuration(flags.reconcileSince ?? '24h', '--reconcile-since');
  // --no-webhooks sweeps six times as often: the same 600 reads a minute, not six times as many.
  const reads = Number(flags.reconcileMaxReads ?? (config.webhooks ? '600' : '100'));
  if (!Number.isInteger(reads) || reads < 3) {
    throw new AppError(
      'config_invalid',
      `--reconcile-max-reads must be a whole number of at least 3 (got ${flags.reconcileMaxReads}).`,
    );
  }
  return {
    reconcileIntervalMs,
    reconcileSinceMs,
    reconcileMaxReads: reads,
    sweepIntervalMs: parseDuration(flags.chainSweepInterval ?? '10s', '--chain-sweep-interval'),
    leaseMs: Math.max(1000, parseDuration(flags.chainLease ?? '15s', '--chain-lease')),
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const INSECURE_WARNING = [
  '',
  '!!! WARNING: --insecure-skip-verify: webhook signatures are NOT checked.',
  '!!! Anyone who can reach this port can inject events. Use it for local experiments only;',
  '!!! in production pass --signing-key whsec_... or set ANTHROPIC_WEBHOOK_SIGNING_KEY.',
  '',
].join('\n');

/** The mode line of --no-webhooks: what replaces the webhooks, so nobody goes looking for a tunnel. */
function noWebhooksLine(config: ServeConfig): string {
  const every = `reconciling every ${config.reconcileIntervalMs / 1000}s`;
  if (config.maxStreams === 0)
    return `mode: no webhooks (--no-webhooks): polling every running session (--max-streams 0), ${every}`;
  return `mode: no webhooks (--no-webhooks): following running sessions through their event streams (up to ${config.maxStreams}), polling the rest, ${every}`;
}

async function runServe(ctx: CliContext, flags: ServeFlags & RunFlags): Promise<number> {
  const config = resolveServeConfig(flags, ctx.env, ctx.cwd);
  const settings = runtimeSettings(flags, config);
  const configFile = loadConfigFile(config.configFile, ctx.cwd);
  const logger = createLogger({
    destination: ctx.stderr,
    level: resolveLogLevel(ctx.env, 'info'),
  });
  if (config.insecureSkipVerify) print(ctx.stderr, INSECURE_WARNING);

  const store = await openStore(config.database, { create: true, logger });
  try {
    print(
      ctx.stdout,
      `database: ${config.database.display} (${config.database.kind}, from ${config.database.source})`,
    );
    const platform = config.platform.apiKey
      ? createPlatform({ apiKey: config.platform.apiKey, baseURL: config.platform.baseURL, logger })
      : null;
    if (!platform) {
      print(
        ctx.stderr,
        'warning: ANTHROPIC_API_KEY is not set: events are received and stored but stay pending (worker and reconciler off).',
      );
    }
    const runtime = createRuntime({
      settings,
      store,
      platform,
      clock: ctx.clock,
      logger,
      configFile,
      // Test-only (DESIGN.md conventions): named crash points, off unless this variable is set.
      crash: crashHook(ctx.env.AGENTHOOKS_TEST_CRASH_AT),
    });
    // notify: targets from agenthooks.yaml (src/notify); a target without a secret gets a generated
    // one, kept in the store and printed here so the receiving service can be configured with it.
    const notify = await runtime.notifier();
    for (const g of notify?.generatedSecrets ?? [])
      print(
        ctx.stdout,
        `notify ${g.target}: generated signing secret ${g.secret} (configure the receiver with it)`,
      );
    for (const t of configFile.notify ?? []) print(ctx.stdout, `notify ${t.name}: ${t.url}`);
    const app = createApp({ config, runtime });
    try {
      const url = await app.listen();
      if (url) {
        print(ctx.stdout, `listening on ${url}`);
        if (config.workerOnly) print(ctx.stdout, '  worker only: not receiving webhooks');
        else if (!config.webhooks) print(ctx.stdout, `  ${noWebhooksLine(config)}`);
        else print(ctx.stdout, `  webhooks: POST ${url}${WEBHOOK_PATHS[0]} (alias ${WEBHOOK_PATHS[1]})`);
        print(ctx.stdout, `  health:   ${url}/health  ready: ${url}/ready`);
        print(ctx.stdout, `  dashboard: ${url}/`);
      }
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      print(ctx.stdout, 'stopping: answering requests in flight');
    } finally {
      await app.close();
    }
  } finally {
    await store.close();
  }
  print(ctx.stdout, 'stopped');
  return EXIT.ok;
}

export function serveCommand(ctx: CliContext): Command {
  return new Command('serve')
    .description(
      'Receive signed webhooks (POST /webhooks), store every event exactly once, answer only after ' +
        'the commit; run the worker, reconciler and dashboard over the same store. With ' +
        '--no-webhooks (no public URL, e.g. a laptop) the worker follows sessions through their event streams instead.',
    )
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one; default PORT, else 8787)')
    .option(
      '--database <path|url>',
      'SQLite file or postgres:// URL (default DATABASE_URL, else ./.agenthooks/agenthooks.db)',
    )
    .option(
      '--signing-key <whsec>',
      'webhook signing secret (repeatable; default ANTHROPIC_WEBHOOK_SIGNING_KEY, comma-separated)',
      collect,
    )
    .option('--insecure-skip-verify', 'accept unsigned webhooks (local experiments only; prints a warning)')
    .option(
      '--worker-only',
      'no webhook routes (POST /webhooks is 404): the worker, reconciler, launch and chain sweeps and notifier, with /health, /ready, the dashboard and /api still served; needs ANTHROPIC_API_KEY, no signing key',
    )
    .option('--no-worker', 'receive and store only: no worker, no reconciler')
    .option(
      '--reconcile-interval <duration>',
      'how often the reconciler sweeps the sessions API (default 60s; 10s with --no-webhooks)',
    )
    .option('--body-limit <size>', 'largest webhook body accepted (413 above)', '256kb')
    .option(
      '--body-timeout <duration>',
      'time a webhook body may take to arrive after its headers (408 and the connection closed after)',
      '10s',
    )
    .option(
      '--max-inflight <n>',
      'webhook bodies read at once (503 overloaded, Retry-After: 1, above)',
      '1000',
    )
    .option(
      '--allowed-host <name>',
      'a Host name (besides localhost, 127.0.0.1, [::1]) the dashboard, /api and /metrics answer to (repeatable or comma-separated)',
      collect,
    )
    .option(
      '--trust-proxy <address>',
      'a proxy IP (or "loopback") whose X-Forwarded-For/-Proto/-Host count (repeatable or comma-separated)',
      collect,
    )
    .option(
      '--reconcile-since <duration>',
      'first reconcile sweep: list sessions created this far back',
      '24h',
    )
    .option(
      '--reconcile-max-reads <n>',
      'API reads one reconcile sweep may spend (keep under the read limit per minute; default 600, 100 with --no-webhooks)',
    )
    .option(
      '--no-webhooks',
      'for a machine with no public URL (a laptop): no webhook route and no signing key; the worker follows running sessions through their event streams and polls the rest (webhooks are the production setup)',
    )
    .option(
      '--max-streams <n>',
      'with --no-webhooks: event streams followed at once; sessions beyond are polled (0 polls all)',
      '100',
    )
    .option('--config <file>', 'agenthooks.yaml with agents, environments and pipelines')
    .option(
      '--chain-sweep-interval <duration>',
      'how often the launch sweep finishes launch intents left behind (plain launches and chain steps) and chains decide undecided steps',
      '10s',
    )
    .option(
      '--chain-lease <duration>',
      'lease on one launch intent while it is worked on; a crashed holder delays it this long',
      '15s',
    )
    .action(async (flags: ServeFlags) => {
      ctx.exitCode = await runServe(ctx, flags);
    });
}
