// Maps what `pg` throws to AppErrors. "Cannot commit right now" (server down, restarting, shutting
// down, out of connections, read-only, disk full) becomes store_unavailable, so /ready fails and
// the receiver answers 503 and the sender retries; anything else is a store_error.
import { redactDatabaseSecrets } from '../../config.js';
import { AppError } from '../../errors.js';

/** Socket-level errors from node:net / node:dns while connecting or talking to the server. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);

/** SQLSTATEs outside class 08 (connection exception) that still mean "retry later". */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: the server is stopping (fast or smart shutdown)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or in recovery
  '57P05', // idle_session_timeout
  '53300', // too_many_connections
  '53100', // disk_full
  '25006', // read_only_sql_transaction: a standby or a read-only default
]);

/** Errors pg raises itself (no code) when the connection is gone or never came up. */
const CONNECTION_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|not queryable|Client was closed|Cannot use a pool after calling end/i;

/** Retryable in place: the transaction was rolled back and running it again is correct. */
export function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === '40P01' || code === '40001'; // deadlock_detected, serialization_failure
}

export function isUnavailable(err: unknown): boolean {
  if (err instanceof AppError) return err.code === 'store_unavailable';
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08/.test(code)) return true;
  }
  const message = err instanceof Error ? err.message : String(err);
  return CONNECTION_MESSAGES.test(message);
}

export function toAppError(err: unknown, display: string): AppError {
  if (err instanceof AppError) return err;
  // Driver messages can quote the connection string they were given.
  const message = redactDatabaseSecrets(err instanceof Error ? err.message : String(err));
  const code = (err as { code?: unknown })?.code;
  const sqlstate = typeof code === 'string' ? code : undefined;
  if (isUnavailable(err)) {
    return new AppError(
      'store_unavailable',
      `PostgreSQL at ${display} cannot commit right now (${sqlstate ? `${sqlstate}: ` : ''}${message}): check that the server is running and reachable and accepts writes; agenthooks reconnects by itself when it is back.`,
      { cause: err, details: { sqlstate } },
    );
  }
  if (sqlstate === '28P01' || sqlstate === '28000') {
    return new AppError(
      'store_error',
      `PostgreSQL at ${display} refused the login (${sqlstate}: ${message}): check the user and password in --database / DATABASE_URL.`,
      { cause: err, details: { sqlstate } },
    );
  }
  return new AppError(
    'store_error',
    `PostgreSQL at ${display} failed: ${sqlstate ? `${sqlstate}: ` : ''}${message}.`,
    {
      cause: err,
      details: { sqlstate },
    },
  );
}
