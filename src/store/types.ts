// The Store contract: everything agenthooks keeps, behind one interface that the SQLite and the
// PostgreSQL adapters both implement and that test/store/conformance.ts checks on both. It is the
// intersection of one small interface per concern (types/*.ts), so a caller that needs one concern
// can ask for just that. Times are epoch milliseconds (numbers) everywhere; adapters convert.
import type { DeploymentRunStore } from './types/deployment-runs.js';
import type { EventStore, RejectStore } from './types/events.js';
import type { InsightStore } from './types/insight.js';
import type { LaunchStore } from './types/launches.js';
import type { LeaseStore, MetaStore } from './types/meta.js';
import type { MetricsStore } from './types/metrics.js';
import type { OutboxStore } from './types/outbox.js';
import type { RetentionStore } from './types/retention.js';
import type { RunStore } from './types/runs.js';
import type { TranscriptStore } from './types/transcripts.js';

export * from './types/deployment-runs.js';
export * from './types/events.js';
export * from './types/insight.js';
export * from './types/launches.js';
export * from './types/meta.js';
export * from './types/metrics.js';
export * from './types/outbox.js';
export * from './types/retention.js';
export * from './types/runs.js';
export * from './types/transcripts.js';

/** Which database, where, and whether it can commit. */
export interface StoreConnection {
  readonly kind: 'sqlite' | 'postgres';
  /** Printable location (no password). */
  readonly location: string;
  close(): Promise<void>;
  /** Resolves when the store can commit a write; rejects with store_unavailable otherwise. */
  ping(): Promise<void>;
}

export interface Store
  extends StoreConnection,
    EventStore,
    RejectStore,
    RunStore,
    LaunchStore,
    OutboxStore,
    DeploymentRunStore,
    RetentionStore,
    MetricsStore,
    InsightStore,
    MetaStore,
    LeaseStore,
    TranscriptStore {}
