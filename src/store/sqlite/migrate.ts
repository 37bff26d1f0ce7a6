// Applies src/store/migrations/sqlite/NNNN_name.sql in order. The check and the apply happen in
// one BEGIN IMMEDIATE transaction, so two processes opening a fresh file at once apply each
// migration exactly once: the second waits for the lock and then sees the version recorded.
import { readdirSync, readFileSync } from 'node:fs';
import type { Db } from './statements.js';

export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
}

function migrationFiles(dir: URL): string[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort();
}

/** The SQLite migration files next to the compiled module (copied to dist/ by copy-assets). */
export const SQLITE_MIGRATIONS = new URL('../migrations/sqlite/', import.meta.url);

export function readMigrations(dir: URL): MigrationFile[] {
  return migrationFiles(dir).map((f) => ({
    version: Number(f.slice(0, 4)),
    name: f.slice(5, -4),
    sql: readFileSync(new URL(f, dir), 'utf8'),
  }));
}

/** Returns the versions applied by this call (empty when the file was already up to date). */
export function migrate(db: Db, migrations: MigrationFile[], now: number): number[] {
  const applied: number[] = [];
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
    const done = new Set(
      (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
        (r) => r.version,
      ),
    );
    const newest = Math.max(0, ...done);
    const known = Math.max(0, ...migrations.map((m) => m.version));
    if (newest > known) {
      throw new Error(
        `the database has schema version ${newest}, newer than this agenthooks knows (${known}); upgrade agenthooks`,
      );
    }
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        now,
      );
      applied.push(m.version);
    }
  }).immediate();
  return applied;
}

/** Whether the file has exactly the migrations this build knows: only then may a read-only
 * connection use it as is (otherwise the writer opens it, migrating it or refusing a newer one). */
export function schemaIsCurrent(db: Db, dir: URL): boolean {
  const known = migrationFiles(dir).map((f) => Number(f.slice(0, 4)));
  try {
    const done = (
      db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]
    ).map((r) => r.version);
    return done.length === known.length && done.every((v, i) => v === known[i]);
  } catch {
    // no schema_migrations table: not an agenthooks database yet
    return false;
  }
}
