// Retention: prune clears old settled payloads and deletes old history, notifications and reject
// counts in one write transaction (thread side).
import type { PruneResult } from '../types.js';
import { type Db, stmt, writeTx } from './statements.js';

// Events still to be processed keep their payload: the worker may need it.
const SETTLED = `state IN ('done', 'ignored', 'failed')`;

export function prune(db: Db, opts: { before: number; dryRun: boolean }): PruneResult {
  const t = opts.before;
  const count = (sql: string): number => (stmt(db, sql).get(t) as { n: number }).n;
  if (opts.dryRun) {
    return {
      payloads: count(
        `SELECT count(*) AS n FROM events WHERE received_at < ? AND raw IS NOT NULL AND ${SETTLED}`,
      ),
      runHistory: count('SELECT count(*) AS n FROM run_history WHERE at < ?'),
      outbox: count(`SELECT count(*) AS n FROM outbox WHERE created_at < ? AND state <> 'pending'`),
      rejects: count('SELECT count(*) AS n FROM rejects WHERE minute < ?'),
    };
  }
  return writeTx(db, () => ({
    payloads: stmt(
      db,
      `UPDATE events SET raw = NULL WHERE received_at < ? AND raw IS NOT NULL AND ${SETTLED}`,
    ).run(t).changes,
    runHistory: stmt(db, 'DELETE FROM run_history WHERE at < ?').run(t).changes,
    outbox: stmt(db, `DELETE FROM outbox WHERE created_at < ? AND state <> 'pending'`).run(t).changes,
    rejects: stmt(db, 'DELETE FROM rejects WHERE minute < ?').run(t).changes,
  }));
}
