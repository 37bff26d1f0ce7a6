// `serve` settings from flags, the environment and defaults, validated once. Every error names the
// setting to fix (flag and, where one exists, the environment variable) and exits 2.
import { isIP } from 'node:net';
import { z } from 'zod';
import {
  type DatabaseLocation,
  type Env,
  type PlatformSettings,
  parseDuration,
  parsePort,
  parseSize,
  resolveDatabase,
  resolvePlatform,
  resolveSigningKeys,
} from '../config.js';
import { AppError } from '../errors.js';
import { DEFAULT_MAX_INFLIGHT } from './webhook.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8787;
export const DEFAULT_BODY_LIMIT = '256kb';
export const DEFAULT_RECONCILE_INTERVAL = '60s';
/** --no-webhooks: the sweep is how sessions no stream follows are found, so it runs more often. */
export const NO_WEBHOOKS_RECONCILE_INTERVAL = '10s';
export const DEFAULT_MAX_STREAMS = 100;
const MAX_BODY_LIMIT = 64 * 1024 * 1024;
export const DEFAULT_BODY_TIMEOUT = '10s';

/** What commander hands over (all strings, booleans for switches). */
export interface ServeFlags {
  host?: string;
  port?: string;
  database?: string;
  signingKey?: string[];
  insecureSkipVerify?: boolean;
  workerOnly?: boolean;
  /** commander's --no-worker: false when given. */
  worker?: boolean;
  reconcileInterval?: string;
  bodyLimit?: string;
  config?: string;
  bodyTimeout?: string;
  maxInflight?: string;
  /** --allowed-host (repeatable, comma-separated). */
  allowedHost?: string[];
  /** --trust-proxy (repeatable, comma-separated). */
  trustProxy?: string[];
  /** commander's --no-webhooks: false when given. */
  webhooks?: boolean;
  maxStreams?: string;
}

export interface ServeConfig {
  host: string;
  port: number;
  database: DatabaseLocation;
  signingKeys: string[];
  insecureSkipVerify: boolean;
  workerOnly: boolean;
  worker: boolean;
  reconcileIntervalMs: number;
  bodyLimit: number;
  configFile: string | undefined;
  platform: PlatformSettings;
  /** AGENTHOOKS_TOKEN for / and /api, or null. */
  token: string | null;
  /** --body-timeout: how long a webhook body may take once its headers are in. */
  bodyTimeoutMs: number;
  /** --max-inflight: webhook bodies read at once; above it 503 overloaded. */
  maxInflight: number;
  /** Host names besides loopback the dashboard, /api and /metrics answer to. */
  allowedHosts: string[];
  /** Proxy addresses (or `loopback`) whose X-Forwarded-* headers count. */
  trustProxy: string[];
  /**
   * False under --no-webhooks: no webhook route and no signing key; the worker follows running
   * sessions through their event streams (up to maxStreams) and polls the rest.
   */
  webhooks: boolean;
  /** --max-streams: event streams followed at once under --no-webhooks (0 = poll only). */
  maxStreams: number;
}

/** Shortest AGENTHOOKS_TOKEN accepted: guessing must be hopeless even without the rate limit. */
export const MIN_TOKEN_LENGTH = 24;

/** Repeated and comma-separated values, trimmed, empty ones dropped. */
function listOf(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function checkedToken(env: Env): string | null {
  const token = env.AGENTHOOKS_TOKEN?.trim() || null;
  if (token !== null && token.length < MIN_TOKEN_LENGTH)
    throw new AppError(
      'config_invalid',
      `AGENTHOOKS_TOKEN is ${token.length} characters; it must be at least ${MIN_TOKEN_LENGTH}. Generate one with: openssl rand -hex 24`,
    );
  return token;
}

function checkedTrustProxy(values: string[] | undefined): string[] {
  const list = listOf(values);
  for (const v of list)
    if (v !== 'loopback' && isIP(v.replace(/^::ffff:/i, '')) === 0)
      throw new AppError(
        'config_invalid',
        `--trust-proxy takes proxy IP addresses or "loopback" (got ${JSON.stringify(v)}).`,
      );
  return list;
}

/** Runs a parser from config.ts inside zod, turning its AppError into an issue on this setting. */
function via<T>(parse: (v: string) => T) {
  return (value: string, ctx: z.RefinementCtx): T => {
    try {
      return parse(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
      return z.NEVER;
    }
  };
}

const schema = z
  .object({
    host: z.string().trim().min(1, '--host must name an interface, e.g. 127.0.0.1 or 0.0.0.0'),
    port: z.string().transform(via((v) => parsePort(v, '--port (or PORT)'))),
    reconcileInterval: z.string().transform(
      via((v) => {
        const ms = parseDuration(v, '--reconcile-interval');
        if (ms < 1000) throw new Error('--reconcile-interval must be at least 1s');
        return ms;
      }),
    ),
    bodyLimit: z.string().transform(
      via((v) => {
        const n = parseSize(v, '--body-limit');
        if (n < 1 || n > MAX_BODY_LIMIT)
          throw new Error(`--body-limit must be between 1b and 64mb (got ${v})`);
        return n;
      }),
    ),
    insecureSkipVerify: z.boolean(),
    workerOnly: z.boolean(),
    worker: z.boolean(),
    config: z.string().min(1, '--config must name a file').optional(),
    bodyTimeout: z.string().transform(
      via((v) => {
        const ms = parseDuration(v, '--body-timeout');
        if (ms < 100 || ms > 600_000)
          throw new Error(`--body-timeout must be between 100ms and 10m (got ${v})`);
        return ms;
      }),
    ),
    maxInflight: z
      .string()
      .regex(/^\d+$/, '--max-inflight must be a whole number, e.g. 1000')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 1_000_000, '--max-inflight must be between 1 and 1000000'),
    webhooks: z.boolean(),
    maxStreams: z
      .string()
      .regex(/^\d+$/, '--max-streams must be a whole number, e.g. 100 (0 polls every session)')
      .transform(Number)
      .refine((n) => n <= 10_000, '--max-streams must be between 0 and 10000'),
  })
  .refine((v) => !(v.workerOnly && !v.worker), {
    message: '--worker-only and --no-worker contradict each other: pick one',
    path: ['workerOnly'],
  })
  .refine((v) => v.webhooks || !v.workerOnly, {
    message:
      '--no-webhooks and --worker-only contradict each other: --no-webhooks is a whole serve for a machine with no public URL, --worker-only a replica behind a receiver; pick one',
    path: ['webhooks'],
  })
  .refine((v) => v.webhooks || v.worker, {
    message:
      '--no-webhooks and --no-worker contradict each other: without webhooks the worker is what follows the sessions',
    path: ['webhooks'],
  })
  .refine((v) => v.webhooks || !v.insecureSkipVerify, {
    message: '--insecure-skip-verify has no use with --no-webhooks (there is no webhook route to verify)',
    path: ['webhooks'],
  });

export function resolveServeConfig(flags: ServeFlags, env: Env, cwd: string): ServeConfig {
  const parsed = schema.safeParse({
    host: flags.host ?? DEFAULT_HOST,
    port: flags.port ?? (env.PORT?.trim() || String(DEFAULT_PORT)),
    reconcileInterval:
      flags.reconcileInterval ??
      (flags.webhooks === false ? NO_WEBHOOKS_RECONCILE_INTERVAL : DEFAULT_RECONCILE_INTERVAL),
    bodyLimit: flags.bodyLimit ?? DEFAULT_BODY_LIMIT,
    insecureSkipVerify: flags.insecureSkipVerify === true,
    workerOnly: flags.workerOnly === true,
    worker: flags.worker !== false,
    config: flags.config,
    bodyTimeout: flags.bodyTimeout ?? DEFAULT_BODY_TIMEOUT,
    maxInflight: flags.maxInflight ?? String(DEFAULT_MAX_INFLIGHT),
    webhooks: flags.webhooks !== false,
    maxStreams: flags.maxStreams ?? String(DEFAULT_MAX_STREAMS),
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => i.message);
    throw new AppError('config_invalid', `Invalid serve setting: ${lines.join('; ')}.`);
  }
  const v = parsed.data;
  const database = resolveDatabase(flags.database, env, cwd);
  if (!v.webhooks && (flags.signingKey?.length ?? 0) > 0) {
    throw new AppError(
      'config_invalid',
      'Invalid serve setting: --signing-key has no use with --no-webhooks (there is no webhook route to verify).',
    );
  }
  // Nothing is verified without a webhook route: a key left in the environment is not even read.
  const signingKeys = v.webhooks ? resolveSigningKeys(flags.signingKey, env) : [];
  const platform = resolvePlatform({}, env);
  if (v.workerOnly && !platform.apiKey) {
    throw new AppError(
      'api_key_required',
      'serve --worker-only runs only the worker, which calls the platform API: set ANTHROPIC_API_KEY (any non-empty value for the simulator).',
    );
  }
  if (!v.webhooks && !platform.apiKey) {
    throw new AppError(
      'api_key_required',
      'serve --no-webhooks learns every outcome from the platform API (event streams and polling): set ANTHROPIC_API_KEY (any non-empty value for the simulator).',
    );
  }
  // A server that would accept anything must be asked for explicitly (DESIGN.md semantics 3).
  if (v.webhooks && !v.workerOnly && signingKeys.length === 0 && !v.insecureSkipVerify) {
    throw new AppError(
      'signing_key_required',
      'serve needs the webhook signing secret to verify deliveries: pass --signing-key whsec_... (repeatable during a rotation) or set ANTHROPIC_WEBHOOK_SIGNING_KEY; for local experiments only, --insecure-skip-verify accepts unsigned requests; on a machine with no public URL (a laptop), serve --no-webhooks needs no signing key.',
    );
  }
  return {
    host: v.host,
    port: v.port,
    database,
    signingKeys,
    insecureSkipVerify: v.insecureSkipVerify,
    workerOnly: v.workerOnly,
    worker: v.worker,
    reconcileIntervalMs: v.reconcileInterval,
    bodyLimit: v.bodyLimit,
    configFile: v.config,
    platform,
    bodyTimeoutMs: v.bodyTimeout,
    maxInflight: v.maxInflight,
    token: checkedToken(env),
    allowedHosts: listOf(flags.allowedHost),
    trustProxy: checkedTrustProxy(flags.trustProxy),
    webhooks: v.webhooks,
    maxStreams: v.maxStreams,
  };
}
