// Database: reachable, migrated (opening applies pending migrations), and able to commit.
import type { DatabaseLocation } from '../config.js';
import { isAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { type CheckResult, fail, pass } from './check.js';

const NAME = 'database';
export const OPEN_TIMEOUT_MS = 10_000;

export async function checkDatabase(
  loc: DatabaseLocation,
  logger: Logger,
  timeoutMs = OPEN_TIMEOUT_MS,
): Promise<{ result: CheckResult; store: Store | null }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const opening = openStore(loc, { create: false, logger });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    const store = await Promise.race([opening, timeout]);
    await store.ping();
    const events = await store.countEvents({});
    const runs = await store.countRuns({});
    return {
      result: pass(
        NAME,
        `${loc.display} (${loc.kind}) reachable, schema migrated, ${events} events, ${runs} runs`,
      ),
      store,
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (isAppError(err, 'store_not_found'))
      return {
        result: fail(
          NAME,
          `no database at ${loc.display}`,
          'start `agenthooks serve` once (it creates and migrates it), or point --database / DATABASE_URL at the right one',
        ),
        store: null,
      };
    const fix =
      loc.kind === 'postgres'
        ? 'check that PostgreSQL runs and accepts this URL (host, port, user, password, database name, sslmode)'
        : 'check that the file and its directory are readable and writable by this user and the disk is not full';
    return { result: fail(NAME, `${loc.display} (${loc.kind}) failed: ${message}`, fix), store: null };
  } finally {
    clearTimeout(timer);
  }
}
