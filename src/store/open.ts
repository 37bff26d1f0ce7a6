// Opens the store a DatabaseLocation names. `create` is for the commands that may start a fresh
// database (serve, launch, chain, import); the others refuse a missing SQLite file, and read it
// over a read-only connection on the main thread, starting the writer thread only if they write.
import type { DatabaseLocation } from '../config.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Store } from './types.js';

export interface OpenStoreOptions {
  create: boolean;
  logger: Logger;
}

export async function openStore(loc: DatabaseLocation, options: OpenStoreOptions): Promise<Store> {
  if (loc.kind === 'postgres') {
    const { openPostgresStore } = await import('./postgres/index.js');
    return openPostgresStore(loc.url, { ...options, display: loc.display });
  }
  const { existsSync } = await import('node:fs');
  if (!options.create && !existsSync(loc.url)) {
    throw new AppError(
      'store_not_found',
      `No agenthooks database at ${loc.display}. Start the receiver with \`agenthooks serve\` (it creates the database), or point --database / DATABASE_URL at an existing one.`,
    );
  }
  const writer = async (): Promise<Store> => {
    const { openSqliteStore } = await import('./sqlite/index.js');
    return openSqliteStore(loc.url, options);
  };
  if (!options.create) {
    const { openSqliteReader } = await import('./sqlite/reader.js');
    const reader = openSqliteReader(loc.url, writer);
    if (reader) return reader;
  }
  return writer();
}
