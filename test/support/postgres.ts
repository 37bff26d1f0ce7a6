// A fresh PostgreSQL database per suite on the server that test/global-setup.ts provides (the
// embedded one, or DATABASE_URL). Without a server the PostgreSQL suites fail, never skip: CI must
// run them.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import './embedded-postgres.js';

export interface TestDatabase {
  /** URL of the new, empty database. */
  url: string;
  drop(): Promise<void>;
}

/** The server's admin URL; throws with the reason when global setup could not provide one. */
export function testServerUrl(): string {
  const url = inject('pgUrl');
  if (!url) {
    throw new Error(
      `No PostgreSQL server for the PostgreSQL suites: ${inject('pgError') || 'test/global-setup.ts provided none'}. ` +
        'Set DATABASE_URL=postgres://user:pass@host/db (a user allowed to CREATE DATABASE), or make the embedded-postgres package work here.',
    );
  }
  return url;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A database nobody else uses, on the shared test server; drop() removes it (forcing out clients). */
export async function createTestDatabase(server: string = testServerUrl()): Promise<TestDatabase> {
  const name = `agenthooks_test_${randomBytes(6).toString('hex')}`;
  try {
    await admin(server, (c) => c.query(`CREATE DATABASE ${name}`));
  } catch (err) {
    const u = new URL(server);
    if (u.password) u.password = '***';
    throw new Error(
      `Could not create a test database on the PostgreSQL server ${u} (${err instanceof Error ? err.message : String(err)}): check that it runs and that its user may CREATE DATABASE.`,
      { cause: err },
    );
  }
  return {
    url: withDatabase(server, name),
    drop: () =>
      admin(server, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** A database name that does not exist yet on the server (for create/not-found tests). */
export function unusedDatabaseUrl(server: string = testServerUrl()): { url: string; name: string } {
  const name = `agenthooks_test_${randomBytes(6).toString('hex')}`;
  return { url: withDatabase(server, name), name };
}

/** Drops a database by name (the counterpart of unusedDatabaseUrl once a test created it). */
export async function dropDatabase(name: string, server: string = testServerUrl()): Promise<void> {
  await admin(server, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

const EMPTY_ALL =
  'DELETE FROM events; DELETE FROM runs; DELETE FROM run_history; DELETE FROM rejects; DELETE FROM launches; DELETE FROM outbox; DELETE FROM meta; DELETE FROM leases; DELETE FROM deployment_runs';

/** Empties every agenthooks table, so one migrated database serves many tests. DELETE, not
 * TRUNCATE: on tables this small it is several times faster (no new files per table and index).
 * Pass a connected client to reuse it across tests (a new connection per call costs more). */
export async function truncateAll(target: string | pg.Client): Promise<void> {
  if (typeof target === 'string') await admin(target, (c) => c.query(EMPTY_ALL));
  else await target.query(EMPTY_ALL);
}

/** A connected client on `url` for repeated truncateAll calls; end() it in afterAll. */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
