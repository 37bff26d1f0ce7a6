// How the read and transfer commands open the store: the same resolution as every command (flag, then
// DATABASE_URL, then ./.agenthooks/agenthooks.db); read-only commands refuse a missing database
// with store_not_found (exit 2), `import` creates it.
import { resolveDatabase } from '../config.js';
import { silentLogger } from '../logger.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import type { CliContext } from './context.js';

export async function withStore<T>(
  ctx: CliContext,
  database: string | undefined,
  options: { create: boolean },
  use: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore(resolveDatabase(database, ctx.env, ctx.cwd), {
    create: options.create,
    logger: silentLogger,
  });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}
