// The grouped counts behind GET /metrics.
import type { EventState } from './events.js';
import type { OutboxMessage } from './outbox.js';
import type { RunStatus } from './runs.js';

/** Grouped counts for GET /metrics, in one read. */
export interface MetricCounts {
  events: Array<{ type: string; state: EventState; count: number }>;
  runs: Array<{ status: RunStatus; count: number }>;
  outbox: Array<{ state: OutboxMessage['state']; count: number }>;
  deploymentRuns: { succeeded: number; failed: number };
}

export interface MetricsStore {
  metricCounts(): Promise<MetricCounts>;
}
