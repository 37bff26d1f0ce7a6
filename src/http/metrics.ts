// GET /metrics in the Prometheus text exposition format (version 0.0.4). Store-wide numbers (events,
// runs, outbox, rejects) come from one grouped read, so every replica reports the same totals for
// them; process numbers (worker, reconciler, notifier) are this process's own since it started.
// app.ts registers it inside registerGuarded (access.ts), under the same access rule as /api.
import type { FastifyInstance } from 'fastify';
import { EVENT_STATES, RUN_STATUSES, type Store } from '../store/types.js';
import { isHandledEventType } from '../webhooks/event.js';

/** Counters of this process's background services; absent when the service is off. */
export interface LiveStats {
  worker?: { processed: number; fetched: number; skipped: number; retried: number; failed: number };
  reconciler?: { sweeps: number; reads: number; refreshed: number };
  notifier?: { delivered: number; retried: number; failed: number };
  /** Rejects counted in memory but not flushed to the store yet. */
  pendingRejects?: Array<{ code: string; count: number }>;
  /** Session event streams this process holds open to the platform (the session hub's upstreams). */
  sessionStreams?: number;
  /** Events those streams hold in memory for late subscribers. */
  sessionStreamBuffered?: number;
}

export interface MetricsDeps {
  store: Store;
  live: () => LiveStats;
}

type Sample = [labels: Record<string, string>, value: number];

/** Label values escaped as the format requires (backslash, double quote, newline). */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

class Exposition {
  private readonly lines: string[] = [];
  metric(name: string, type: 'counter' | 'gauge', help: string, samples: Sample[]): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const l = Object.entries(labels)
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      this.lines.push(`${name}${l ? `{${l}}` : ''} ${Number.isFinite(value) ? value : 0}`);
    }
  }
  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

export async function renderMetrics(store: Store, live: LiveStats): Promise<string> {
  const counts = await store.metricCounts();
  const rejects = new Map<string, number>();
  for (const r of await store.listRejects(0)) rejects.set(r.code, (rejects.get(r.code) ?? 0) + r.count);
  for (const r of live.pendingRejects ?? []) rejects.set(r.code, (rejects.get(r.code) ?? 0) + r.count);
  const ingest = store.ingestStats();
  const m = new Exposition();

  // The type comes from the sender: only the known types are label values, everything else is
  // counted as `other`, so a sender cannot grow the series without bound.
  const byType = new Map<string, number>();
  for (const e of counts.events) {
    const type = isHandledEventType(e.type) ? e.type : 'other';
    byType.set(type, (byType.get(type) ?? 0) + e.count);
  }
  m.metric(
    'agenthooks_events_received_total',
    'counter',
    'Distinct webhook events stored, by event type (duplicates are not counted).',
    [...byType].map(([type, n]) => [{ type }, n]),
  );
  m.metric(
    'agenthooks_events',
    'gauge',
    'Stored webhook events by processing state.',
    EVENT_STATES.map((state) => [
      { state },
      counts.events.filter((e) => e.state === state).reduce((a, e) => a + e.count, 0),
    ]),
  );
  m.metric(
    'agenthooks_worker_backlog',
    'gauge',
    'Events waiting for the worker (pending or being processed).',
    [
      [
        {},
        counts.events
          .filter((e) => e.state === 'pending' || e.state === 'processing')
          .reduce((a, e) => a + e.count, 0),
      ],
    ],
  );
  m.metric(
    'agenthooks_webhook_rejects_total',
    'counter',
    'Rejected webhook requests by error code (stored counts plus this process unflushed ones).',
    [...rejects].sort(([a], [b]) => a.localeCompare(b)).map(([code, n]) => [{ code }, n]),
  );
  m.metric(
    'agenthooks_ingest_duplicates_total',
    'counter',
    'Duplicate deliveries answered by this process.',
    [[{}, ingest.duplicates]],
  );
  m.metric('agenthooks_ingest_transactions_total', 'counter', 'Group-commit transactions by this process.', [
    [{}, ingest.transactions],
  ]);
  if (live.worker) {
    const w = live.worker;
    m.metric(
      'agenthooks_worker_events_total',
      'counter',
      'Events the worker of this process handled, by result.',
      [
        [{ result: 'done' }, w.processed],
        [{ result: 'retried' }, w.retried],
        [{ result: 'failed' }, w.failed],
        [{ result: 'skipped' }, w.skipped],
      ],
    );
    m.metric('agenthooks_worker_failures_total', 'counter', 'Events the worker gave up on (state failed).', [
      [{}, w.failed],
    ]);
    m.metric('agenthooks_worker_session_fetches_total', 'counter', 'Sessions fetched by the worker.', [
      [{}, w.fetched],
    ]);
  }
  if (live.reconciler) {
    const r = live.reconciler;
    m.metric('agenthooks_reconciler_reads_total', 'counter', 'API reads spent by reconcile sweeps.', [
      [{}, r.reads],
    ]);
    m.metric('agenthooks_reconciler_sweeps_total', 'counter', 'Reconcile sweeps run by this process.', [
      [{}, r.sweeps],
    ]);
    m.metric('agenthooks_reconciler_refreshed_total', 'counter', 'Sessions refreshed by reconcile sweeps.', [
      [{}, r.refreshed],
    ]);
  }
  const outbox = (state: string) => counts.outbox.find((o) => o.state === state)?.count ?? 0;
  m.metric('agenthooks_notifications', 'gauge', 'Notifications in the outbox by state.', [
    [{ state: 'pending' }, outbox('pending')],
    [{ state: 'delivered' }, outbox('delivered')],
    [{ state: 'failed' }, outbox('failed')],
  ]);
  m.metric('agenthooks_notification_backlog', 'gauge', 'Notifications not delivered yet (pending).', [
    [{}, outbox('pending')],
  ]);
  if (live.notifier) {
    const n = live.notifier;
    m.metric(
      'agenthooks_notifier_attempts_total',
      'counter',
      'Delivery attempts by this process, by result.',
      [
        [{ result: 'delivered' }, n.delivered],
        [{ result: 'retried' }, n.retried],
        [{ result: 'failed' }, n.failed],
      ],
    );
  }
  const runs = (status: string) => counts.runs.find((r) => r.status === status)?.count ?? 0;
  m.metric('agenthooks_runs', 'gauge', 'Runs by status (succeeded, failed and cancelled are final).', [
    ...RUN_STATUSES.map((status): Sample => [{ status }, runs(status)]),
  ]);
  m.metric('agenthooks_deployment_runs', 'gauge', 'Scheduled deployment runs seen, by result.', [
    [{ result: 'succeeded' }, counts.deploymentRuns.succeeded],
    [{ result: 'failed' }, counts.deploymentRuns.failed],
  ]);
  if (live.sessionStreams !== undefined)
    m.metric(
      'agenthooks_session_streams',
      'gauge',
      'Session event streams open to the platform (one per followed session).',
      [[{}, live.sessionStreams]],
    );
  if (live.sessionStreamBuffered !== undefined)
    m.metric(
      'agenthooks_session_stream_buffered_events',
      'gauge',
      'Session events held in memory for clients that join a stream late (bounded per stream).',
      [[{}, live.sessionStreamBuffered]],
    );
  return m.text();
}

export function registerMetrics(server: FastifyInstance, deps: MetricsDeps): void {
  server.get('/metrics', async (_req, reply) => {
    const text = await renderMetrics(deps.store, deps.live());
    return reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(text);
  });
}
