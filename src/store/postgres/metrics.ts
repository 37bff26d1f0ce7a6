// The grouped counts behind GET /metrics.
import type { MetricCounts } from '../types.js';
import type { Db } from './db.js';

export async function metricCounts(db: Db): Promise<MetricCounts> {
  const [events, runs, outbox, drun] = await Promise.all([
    db.query(
      'SELECT type, state, count(*)::int AS count FROM events GROUP BY type, state ORDER BY type, state',
    ),
    db.query('SELECT status, count(*)::int AS count FROM runs GROUP BY status ORDER BY status'),
    db.query('SELECT state, count(*)::int AS count FROM outbox GROUP BY state ORDER BY state'),
    db.query<{ ok: number; failed: number }>(
      'SELECT count(session_id)::int AS ok, count(error_type)::int AS failed FROM deployment_runs',
    ),
  ]);
  return {
    events: events.rows as MetricCounts['events'],
    runs: runs.rows as MetricCounts['runs'],
    outbox: outbox.rows as MetricCounts['outbox'],
    deploymentRuns: { succeeded: drun.rows[0]!.ok, failed: drun.rows[0]!.failed },
  };
}
