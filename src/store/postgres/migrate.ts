// Applies src/store/migrations/postgres/NNNN_name.sql in order, all pending ones in one transaction
// that first takes a transaction-scoped advisory lock: when several replicas start at once, the
// others wait on the lock, then see the versions recorded in schema_migrations and apply nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { AppError, isAppError } from '../../errors.js';
import type { Db } from './db.js';

export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
}

/** An arbitrary fixed key. Advisory locks are per database, so it only has to differ from keys
 * that other software sharing the same database takes. */
const MIGRATION_LOCK_KEY = '7454052926316425075';

/** The .sql files next to the compiled module: src/ under vitest, dist/ once built (copy-assets). */
export function migrationsDir(): URL {
  return new URL('../migrations/postgres/', import.meta.url);
}

export function readMigrations(dir: URL = migrationsDir()): MigrationFile[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({
      version: Number(f.slice(0, 4)),
      name: f.slice(5, -4),
      sql: readFileSync(new URL(f, dir), 'utf8'),
    }));
}

/** Returns the versions applied by this call (empty when the database was already up to date). */
export async function migrate(
  db: Db,
  migrations: MigrationFile[],
  opts: { create: boolean; now: number; display: string },
): Promise<number[]> {
  try {
    return await db.tx(async (q) => {
      await q.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      const found = await q.query<{ ok: boolean }>(
        `SELECT to_regclass('schema_migrations') IS NOT NULL AS ok`,
      );
      if (!found.rows[0].ok) {
        if (!opts.create) {
          throw new AppError(
            'store_not_found',
            `The PostgreSQL database ${opts.display} has no agenthooks tables yet. Start the receiver with \`agenthooks serve\` (it creates them), or point --database / DATABASE_URL at an existing agenthooks database.`,
          );
        }
        await q.query(`CREATE TABLE schema_migrations (
          version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
      }
      const done = new Set(
        (await q.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
          (r) => r.version,
        ),
      );
      const newest = Math.max(0, ...done);
      const known = Math.max(0, ...migrations.map((m) => m.version));
      if (newest > known) {
        throw new AppError(
          'migration_failed',
          `The PostgreSQL database ${opts.display} has schema version ${newest}, newer than this agenthooks knows (${known}): upgrade agenthooks on this machine.`,
        );
      }
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        // No parameters: the simple query protocol runs a file of several statements.
        await q.query(m.sql);
        await q.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          opts.now,
        ]);
        applied.push(m.version);
      }
      return applied;
    });
  } catch (err) {
    if (isAppError(err, 'store_error')) {
      throw new AppError(
        'migration_failed',
        `Migrating the PostgreSQL database ${opts.display} failed: ${err.message} Nothing was applied (one transaction); fix the cause and start again.`,
        { cause: err },
      );
    }
    throw err;
  }
}
