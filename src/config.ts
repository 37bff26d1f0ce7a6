// Settings shared by every command, resolved once from flags and the environment.
// Nothing else in agenthooks reads process.env: commands get an `env` object and pass it here.
import path from 'node:path';
import { AppError } from './errors.js';
import { parseSecret, SECRET_PREFIX } from './webhooks/secret.js';

export type Env = Record<string, string | undefined>;

export interface DatabaseLocation {
  kind: 'sqlite' | 'postgres';
  /** A file path for SQLite, the connection URL for PostgreSQL. */
  url: string;
  /** Printable form: no password. */
  display: string;
  /** Where it came from: flag, DATABASE_URL or default. */
  source: 'flag' | 'env' | 'default';
}

export const DEFAULT_DATABASE = path.join('.agenthooks', 'agenthooks.db');

/**
 * Text (a driver message, a log line) with every PostgreSQL password masked: the user part of a
 * postgres:// URL and any `password=` / `sslpassword=` parameter.
 */
export function redactDatabaseSecrets(text: string): string {
  return text
    .replace(/(postgres(?:ql)?:\/\/[^:@/\s]*:)[^\s]*@/gi, '$1***@')
    .replace(/(\b\w*password=)[^&\s]*/gi, '$1***');
}

/** --database, else DATABASE_URL, else ./.agenthooks/agenthooks.db under the working directory. */
export function resolveDatabase(flag: string | undefined, env: Env, cwd: string): DatabaseLocation {
  const raw = flag ?? env.DATABASE_URL;
  const source = flag !== undefined ? 'flag' : raw !== undefined ? 'env' : 'default';
  const value = raw?.trim() || DEFAULT_DATABASE;
  if (/^postgres(ql)?:\/\//i.test(value)) {
    let display = value;
    try {
      const u = new URL(value);
      if (u.password) u.password = '***';
      // libpq also takes the password (and sslpassword) as query parameters.
      for (const name of [...u.searchParams.keys()]) {
        if (/password/i.test(name)) u.searchParams.set(name, '***');
      }
      display = u.toString();
    } catch {
      throw new AppError(
        'config_invalid',
        `The database URL is not a valid URL: check --database or DATABASE_URL.`,
      );
    }
    return { kind: 'postgres', url: value, display, source };
  }
  let file = value;
  if (/^file:/i.test(file)) {
    try {
      file = decodeURIComponent(new URL(file, `file://${cwd}/`).pathname);
    } catch {
      throw new AppError('config_invalid', `The database file URL ${value} is not valid.`);
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) {
    throw new AppError(
      'config_invalid',
      `The database ${value} is neither a postgres:// URL nor a file path. Use --database ./data/agenthooks.db or postgres://user@host/db.`,
    );
  }
  const abs = path.resolve(cwd, file);
  return { kind: 'sqlite', url: abs, display: abs, source };
}

/**
 * Signing keys from repeated --signing-key flags, else the comma-separated environment variable.
 * On top of what any secret must be (src/webhooks/secret.ts), a configured key needs the whsec_
 * prefix and 16 bytes or more: without them it is most likely a paste of something else.
 */
export function resolveSigningKeys(flags: string[] | undefined, env: Env): string[] {
  const raw = flags && flags.length > 0 ? flags : (env.ANTHROPIC_WEBHOOK_SIGNING_KEY ?? '').split(',');
  const keys = raw.map((k) => k.trim()).filter((k) => k.length > 0);
  for (const k of keys) {
    const shown = `${k.slice(0, 8)}…`;
    const bytes = k.startsWith(SECRET_PREFIX) ? parseSecret(k) : null;
    if (!bytes) {
      throw new AppError(
        'invalid_signing_key',
        `Signing key ${shown} is not valid: a signing key looks like whsec_ followed by base64 (copy it from the Console).`,
      );
    }
    if (bytes.length < 16) {
      throw new AppError(
        'invalid_signing_key',
        `Signing key ${shown} decodes to ${bytes.length} bytes; expected 16 or more (32 from the Console).`,
      );
    }
  }
  return keys;
}

export interface PlatformSettings {
  apiKey: string | null;
  baseURL: string;
}

export const DEFAULT_BASE_URL = 'https://api.anthropic.com';

export function resolvePlatform(flags: { apiKey?: string; baseUrl?: string }, env: Env): PlatformSettings {
  const apiKey = (flags.apiKey ?? env.ANTHROPIC_API_KEY ?? '').trim() || null;
  const baseURL = (flags.baseUrl ?? env.ANTHROPIC_BASE_URL ?? '').trim() || DEFAULT_BASE_URL;
  try {
    new URL(baseURL);
  } catch {
    throw new AppError(
      'config_invalid',
      `ANTHROPIC_BASE_URL ${baseURL} is not a URL (for the simulator: http://127.0.0.1:8790).`,
    );
  }
  return { apiKey, baseURL };
}

/** "250ms", "60s", "5m", "2h", "90d" or plain milliseconds. */
export function parseDuration(value: string, name: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(value);
  if (!m)
    throw new AppError(
      'config_invalid',
      `${name} must be a duration like 500ms, 60s, 5m, 2h or 7d (got ${JSON.stringify(value)}).`,
    );
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit]!;
  return Math.round(n * factor);
}

/** "256kb", "1mb", "512" (bytes). */
export function parseSize(value: string, name: string): number {
  const m = /^\s*(\d+)\s*(b|kb|mb)?\s*$/i.exec(value);
  if (!m)
    throw new AppError(
      'config_invalid',
      `${name} must be a size like 64kb or 1mb (got ${JSON.stringify(value)}).`,
    );
  const unit = (m[2] ?? 'b').toLowerCase();
  return Number(m[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[unit]!;
}

export function parsePort(value: string | number, name: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new AppError('config_invalid', `${name} must be a port number 0-65535 (got ${value}).`);
  return n;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** AGENTHOOKS_LOG_LEVEL, else the command's default (info for serve, warn for one-shot commands). */
export function resolveLogLevel(env: Env, fallback: LogLevel): LogLevel {
  const raw = env.AGENTHOOKS_LOG_LEVEL?.trim().toLowerCase();
  if (!raw) return fallback;
  if ((LOG_LEVELS as readonly string[]).includes(raw)) return raw as LogLevel;
  throw new AppError(
    'config_invalid',
    `AGENTHOOKS_LOG_LEVEL=${JSON.stringify(env.AGENTHOOKS_LOG_LEVEL)} is not a log level: use one of ${LOG_LEVELS.join(', ')}.`,
  );
}

/** The API key, or api_key_required saying what needs it and how to point at the simulator. */
export function requireApiKey(settings: PlatformSettings, what: string): string {
  if (settings.apiKey) return settings.apiKey;
  throw new AppError(
    'api_key_required',
    `${what} through the platform API: set ANTHROPIC_API_KEY (for the simulator, any non-empty value and ANTHROPIC_BASE_URL=http://127.0.0.1:8790).`,
  );
}

/**
 * How long `launch` and `chain` retry retryable API failures before leaving the intent to serve:
 * 30 s. AGENTHOOKS_TEST_LAUNCH_RETRY_MS shortens it for the fault tests only; never set it elsewhere.
 */
export function resolveLaunchRetryMs(env: Env): number {
  const raw = env.AGENTHOOKS_TEST_LAUNCH_RETRY_MS?.trim();
  if (!raw) return 30_000;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0)
    throw new AppError(
      'config_invalid',
      `AGENTHOOKS_TEST_LAUNCH_RETRY_MS must be whole milliseconds (got ${raw}).`,
    );
  return ms;
}
