// The one mapping between the Store's records and their SQL columns, shared by both adapters: the
// column each field lives in and what kind of value it holds. How a kind is stored is the adapter's
// codec (sqlite/codec.ts: booleans 0/1, JSON as text; postgres/codec.ts: BOOLEAN, JSONB, casts).
// Fields are listed in the record's own order: a decoded record keeps the key order JSON output
// shows. Each table is checked against its record type, so a field without a column is an error.
import type {
  DeploymentRunRecord,
  Launch,
  LaunchPatch,
  OutboxMessage,
  Run,
  RunHistoryEntry,
  StoredEvent,
  StoredTranscript,
} from './types.js';

/** text and int are stored as they are; time is epoch ms (a 64-bit integer); bool and json vary. */
export type ColumnKind = 'text' | 'int' | 'time' | 'bool' | 'json';

export interface Column {
  readonly name: string;
  readonly kind: ColumnKind;
  /** For json: what a null or missing field is stored as (the column is NOT NULL); null otherwise. */
  readonly empty?: unknown;
}

/** A column per field of T. */
export type Table<T> = { readonly [K in keyof T]-?: Column };

/** A row as a driver returns it, keyed by column name. */
export type Row = Record<string, unknown>;

const text = (name: string): Column => ({ name, kind: 'text' });
const int = (name: string): Column => ({ name, kind: 'int' });
const time = (name: string): Column => ({ name, kind: 'time' });
const bool = (name: string): Column => ({ name, kind: 'bool' });
const json = (name: string, empty?: unknown): Column => ({ name, kind: 'json', empty });

export const EVENT_COLUMNS: Table<StoredEvent> = {
  id: text('id'),
  type: text('type'),
  createdAt: time('created_at'),
  receivedAt: time('received_at'),
  subjectId: text('subject_id'),
  threadId: text('thread_id'),
  raw: text('raw'),
  state: text('state'),
  attempts: int('attempts'),
  nextAttemptAt: time('next_attempt_at'),
  lastError: text('last_error'),
  processedAt: time('processed_at'),
  leaseOwner: text('lease_owner'),
  leaseExpiresAt: time('lease_expires_at'),
};

/** `id` first: the adapters' compare-and-set UPDATE sets every other column and matches on it. */
export const RUN_COLUMNS: Table<Run> = {
  id: text('id'),
  agentId: text('agent_id'),
  agentName: text('agent_name'),
  agentVersion: int('agent_version'),
  environmentId: text('environment_id'),
  title: text('title'),
  task: text('task'),
  status: text('status'),
  sessionStatus: text('session_status'),
  stopReason: text('stop_reason'),
  outcomeResult: text('outcome_result'),
  evaluations: json('evaluations', []),
  output: text('output'),
  usage: json('usage'),
  error: text('error'),
  archived: bool('archived'),
  turn: int('turn'),
  snapshotKey: text('snapshot_key'),
  metadata: json('metadata', {}),
  launchedBy: text('launched_by'),
  launchId: text('launch_id'),
  parentRunId: text('parent_run_id'),
  pipeline: text('pipeline'),
  step: text('step'),
  sessionCreatedAt: time('session_created_at'),
  sessionUpdatedAt: time('session_updated_at'),
  firstSeenAt: time('first_seen_at'),
  finishedAt: time('finished_at'),
  lastCheckedAt: time('last_checked_at'),
  version: int('version'),
};

export const RUN_HISTORY_COLUMNS: Table<RunHistoryEntry> = {
  runId: text('run_id'),
  seq: int('seq'),
  at: time('at'),
  source: text('source'),
  status: text('status'),
  sessionStatus: text('session_status'),
  stopReason: text('stop_reason'),
  outcomeResult: text('outcome_result'),
  turn: int('turn'),
  snapshotKey: text('snapshot_key'),
  note: text('note'),
};

export const LAUNCH_COLUMNS: Table<Launch> = {
  id: text('id'),
  kind: text('kind'),
  pipeline: text('pipeline'),
  step: text('step'),
  parentRunId: text('parent_run_id'),
  agentName: text('agent_name'),
  agentId: text('agent_id'),
  environmentId: text('environment_id'),
  task: text('task'),
  request: text('request'),
  state: text('state'),
  sessionId: text('session_id'),
  error: text('error'),
  createdAt: time('created_at'),
  updatedAt: time('updated_at'),
};

/** The fields updateLaunch may change, in the order their SET terms are written. */
/** The WHERE clause of a deployment-run listing: failed ones, ones that made a session, or all. */
export function deploymentRunsWhere(failed: boolean | undefined): string {
  if (failed === true) return 'WHERE error_type IS NOT NULL';
  if (failed === false) return 'WHERE session_id IS NOT NULL';
  return '';
}

export const LAUNCH_PATCH_FIELDS = [
  'state',
  'sessionId',
  'error',
  'agentId',
  'environmentId',
] as const satisfies ReadonlyArray<keyof LaunchPatch>;

export const OUTBOX_COLUMNS: Table<OutboxMessage> = {
  id: text('id'),
  target: text('target'),
  url: text('url'),
  payload: text('payload'),
  createdAt: time('created_at'),
  state: text('state'),
  attempts: int('attempts'),
  nextAttemptAt: time('next_attempt_at'),
  lastError: text('last_error'),
  deliveredAt: time('delivered_at'),
};

export const DEPLOYMENT_RUN_COLUMNS: Table<DeploymentRunRecord> = {
  id: text('id'),
  deploymentId: text('deployment_id'),
  agentId: text('agent_id'),
  sessionId: text('session_id'),
  errorType: text('error_type'),
  errorMessage: text('error_message'),
  seenAt: time('seen_at'),
};

export const TRANSCRIPT_COLUMNS: Table<StoredTranscript> = {
  runId: text('run_id'),
  turn: int('turn'),
  eventsJson: text('events'),
  eventCount: int('event_count'),
  truncated: bool('truncated'),
  storedAt: time('stored_at'),
};

/** The conflict clause of both adapters' transcript upsert: a transcript of an earlier turn never
 * replaces a later one (two writers racing on one run). */
export const TRANSCRIPT_UPSERT_CONFLICT = `ON CONFLICT (run_id) DO UPDATE SET ${Object.values(
  TRANSCRIPT_COLUMNS,
)
  .filter((c) => c.name !== 'run_id')
  .map((c) => `${c.name} = excluded.${c.name}`)
  .join(', ')}
  WHERE excluded.turn >= transcripts.turn`;

/** How one adapter stores a kind: `encode` makes the bound parameter, `decode` reads the column. */
export interface Codec {
  encode(column: Column, value: unknown): unknown;
  decode(column: Column, value: unknown): unknown;
}

/** JSON text for a json column, its `empty` value standing in for null; both codecs bind JSON as text. */
export function jsonText(column: Column, value: unknown): string | null {
  const v = value ?? column.empty ?? null;
  return v === null ? null : JSON.stringify(v);
}

/** A table bound to a codec: rows in, records out; records in, parameters out (column order). */
export interface RowCodec<T> {
  readonly columns: readonly Column[];
  /** The column names, in the same order. */
  readonly names: readonly string[];
  read(row: Row): T;
  values(record: T): unknown[];
}

export function rowCodec<T>(table: Table<T>, codec: Codec): RowCodec<T> {
  const entries = Object.entries(table) as [keyof T & string, Column][];
  return {
    columns: entries.map(([, c]) => c),
    names: entries.map(([, c]) => c.name),
    read(row) {
      const out: Record<string, unknown> = {};
      for (const [field, c] of entries) out[field] = codec.decode(c, row[c.name]);
      return out as T;
    },
    values(record) {
      return entries.map(([field, c]) => codec.encode(c, record[field]));
    },
  };
}
