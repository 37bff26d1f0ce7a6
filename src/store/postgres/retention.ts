// Retention: prune clears old settled payloads and deletes old history, notifications and reject
// counts in one transaction.
import type { PruneResult } from '../types.js';
import type { Db, Queryable } from './db.js';

// Events still to be processed keep their payload: the worker may need it.
const SETTLED = `state IN ('done', 'ignored', 'failed')`;

async function pruneWith(q: Queryable, t: number, dryRun: boolean): Promise<PruneResult> {
  const run = async (count: string, change: string): Promise<number> => {
    if (dryRun) return (await q.query<{ n: number }>(count, [t])).rows[0]!.n;
    return (await q.query(change, [t])).rowCount ?? 0;
  };
  return {
    payloads: await run(
      `SELECT count(*)::int AS n FROM events WHERE received_at < $1 AND raw IS NOT NULL AND ${SETTLED}`,
      `UPDATE events SET raw = NULL WHERE received_at < $1 AND raw IS NOT NULL AND ${SETTLED}`,
    ),
    runHistory: await run(
      'SELECT count(*)::int AS n FROM run_history WHERE at < $1',
      'DELETE FROM run_history WHERE at < $1',
    ),
    outbox: await run(
      `SELECT count(*)::int AS n FROM outbox WHERE created_at < $1 AND state <> 'pending'`,
      `DELETE FROM outbox WHERE created_at < $1 AND state <> 'pending'`,
    ),
    rejects: await run(
      'SELECT count(*)::int AS n FROM rejects WHERE minute < $1',
      'DELETE FROM rejects WHERE minute < $1',
    ),
  };
}

export async function prune(db: Db, opts: { before: number; dryRun: boolean }): Promise<PruneResult> {
  if (opts.dryRun) return pruneWith(db, opts.before, true);
  return db.tx((q) => pruneWith(q, opts.before, false));
}
