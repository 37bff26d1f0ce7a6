// The connection pool and the two ways the area files use it: a single statement (its own
// implicit transaction) and an explicit transaction on one checked-out client. Every error leaves
// here as an AppError (errors.ts), so callers never see raw pg errors.
import pg from 'pg';
import { redactDatabaseSecrets } from '../../config.js';
import { type Logger, warnLimiter } from '../../logger.js';
import { isTransient, toAppError } from './errors.js';

export interface QueryOptions {
  /**
   * Fail (store_unavailable) when the server has not answered within this many ms. For a
   * statement a caller is waiting on: a server that stopped answering (a paused VM, a network
   * partition) would otherwise hold it until TCP gives up, minutes later. Its connection is
   * discarded, since its answer may still arrive.
   */
  timeoutMs?: number;
}

export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
    options?: QueryOptions,
  ): Promise<pg.QueryResult<R>>;
}

export interface Db extends Queryable {
  /** Runs `fn` between BEGIN and COMMIT on one client; rolls back on error; retries deadlocks. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  readonly pool: pg.Pool;
}

const INT8_OID = 20;

/** Per-pool type parsers (never the global pg.types registry): BIGINT epoch ms and count(*) come
 * back as numbers. Epoch milliseconds stay far below 2^53, so Number is exact. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format);
  },
} as pg.CustomTypesConfig;

export function createPool(url: string, logger: Logger, display: string, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    types,
    max,
    // Without a bound, a call made while the server is unreachable would wait forever instead of
    // failing with store_unavailable (the receiver must answer 503 promptly).
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'agenthooks',
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled, that event would
  // crash the process. The pool drops the client itself and connects afresh on the next call.
  // A server restart drops every idle client at once: one line says so, not one per client.
  const warn = warnLimiter(logger);
  pool.on('error', (err) => {
    warn(
      { database: display, err: redactDatabaseSecrets(err.message) },
      'postgres idle connection lost; the pool reconnects on demand',
    );
  });
  return pool;
}

const MAX_TX_ATTEMPTS = 4;

export function createDb(pool: pg.Pool, display: string): Db {
  const query = async <R extends pg.QueryResultRow>(
    text: string,
    values?: unknown[],
    options: QueryOptions = {},
  ) => {
    for (let i = 1; ; i++) {
      try {
        // pg reads query_timeout per query (client.js); its type declarations do not list it.
        const config: pg.QueryConfig & { query_timeout?: number } = {
          text,
          values,
          query_timeout: options.timeoutMs,
        };
        return await pool.query<R>(config);
      } catch (err) {
        // A single statement is its own transaction: after a deadlock it was rolled back whole.
        if (i < MAX_TX_ATTEMPTS && isTransient(err)) continue;
        throw toAppError(err, display);
      }
    }
  };

  async function attempt<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    // While checked out, the pool no longer listens for this client's errors; a connection lost
    // between two statements of the transaction would otherwise be an uncaught 'error' event.
    let broken: Error | undefined;
    const onError = (err: Error) => {
      broken = err;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await fn({ query: (text, values) => client.query(text, values) });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (!broken) {
        await client.query('ROLLBACK').catch((rollbackErr: Error) => {
          broken = rollbackErr;
        });
      }
      throw err;
    } finally {
      client.off('error', onError);
      // Passing the error destroys the client instead of returning a dead one to the pool.
      client.release(broken);
    }
  }

  const tx = async <T>(fn: (q: Queryable) => Promise<T>): Promise<T> => {
    for (let i = 1; ; i++) {
      try {
        return await attempt(fn);
      } catch (err) {
        if (i < MAX_TX_ATTEMPTS && isTransient(err)) continue;
        throw toAppError(err, display);
      }
    }
  };

  return { query, tx, pool };
}

/** Builds `$n` placeholders while collecting their values, for queries with optional filters. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
