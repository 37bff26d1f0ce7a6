// The grouped counts behind GET /metrics, read in one go (thread side).
import type { MetricCounts } from '../types.js';
import { type Db, stmt } from './statements.js';

export function metricCounts(db: Db): MetricCounts {
  const drun = stmt(
    db,
    'SELECT count(session_id) AS ok, count(error_type) AS failed FROM deployment_runs',
  ).get() as { ok: number; failed: number };
  return {
    // Kept by triggers (migration 0006): grouping the ledger itself scans every event.
    events: stmt(
      db,
      'SELECT type, state, count FROM event_counts WHERE count > 0 ORDER BY type, state',
    ).all() as MetricCounts['events'],
    runs: stmt(
      db,
      'SELECT status, count(*) AS count FROM runs GROUP BY status ORDER BY status',
    ).all() as MetricCounts['runs'],
    outbox: stmt(
      db,
      'SELECT state, count(*) AS count FROM outbox GROUP BY state ORDER BY state',
    ).all() as MetricCounts['outbox'],
    deploymentRuns: { succeeded: drun.ok, failed: drun.failed },
  };
}
