// The Store interface: everything agenthooks keeps, behind one contract that the SQLite and the
// PostgreSQL adapters both implement and that test/store/conformance.ts checks on both.
// Times are epoch milliseconds (numbers) everywhere in this interface; adapters convert.

export const EVENT_STATES = ['pending', 'processing', 'done', 'failed', 'ignored'] as const;
export type EventState = (typeof EVENT_STATES)[number];

/** A verified webhook event, as the receiver hands it to the store. */
export interface NewEvent {
  /** The event id: the body's `id`, equal to the `webhook-id` header. Dedupe key, kept forever. */
  id: string;
  /** `data.type`, for example `session.status_idled`. */
  type: string;
  /** The body's `created_at` (when the platform says the event happened). */
  createdAt: number;
  receivedAt: number;
  /** `data.id`: the session, deployment run, agent, ... that the event is about. */
  subjectId: string | null;
  /** `data.session_thread_id` when present. */
  threadId: string | null;
  /** The raw body exactly as received (and verified). */
  raw: string;
  /** `pending` for types the worker handles; `ignored` for types it does not know. */
  state: 'pending' | 'ignored' | 'done';
}

export interface InsertResult {
  id: string;
  duplicate: boolean;
}

export interface StoredEvent {
  id: string;
  type: string;
  createdAt: number;
  receivedAt: number;
  subjectId: string | null;
  threadId: string | null;
  /** Null once pruned (the id row stays so that dedupe still holds). */
  raw: string | null;
  state: EventState;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  processedAt: number | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
}

export interface EventQuery {
  type?: string;
  subjectId?: string;
  state?: EventState;
  since?: number;
  until?: number;
  /** Keyset paging: rows strictly before this (receivedAt, id), newest first. */
  before?: { receivedAt: number; id: string };
  /** Rows strictly after this (receivedAt, id), oldest first: what --follow uses. */
  after?: { receivedAt: number; id: string };
  limit?: number;
}

export type EventOutcome =
  | { state: 'done' | 'ignored'; error?: null }
  | { state: 'failed'; error: string }
  | { state: 'retry'; error: string; nextAttemptAt: number };

/** agenthooks' view of a run. `succeeded` and `failed` are final outcomes (DESIGN.md semantics 5). */
export const RUN_STATUSES = ['pending', 'running', 'blocked', 'succeeded', 'failed', 'deleted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface OutcomeEvaluation {
  outcomeId: string;
  description: string | null;
  result: string;
  explanation: string | null;
  iteration: number;
  completedAt: string | null;
}

export interface RunUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  /** List cost in whole US cents, as the platform reports it. */
  costCents: number | null;
  activeSeconds: number | null;
}

export type LaunchedBy = 'agenthooks' | 'external' | 'tutorial-import';

export interface Run {
  /** The session id (`sesn_...`). */
  id: string;
  agentId: string | null;
  agentName: string | null;
  agentVersion: number | null;
  environmentId: string | null;
  title: string | null;
  task: string | null;
  status: RunStatus;
  /** The platform's session status in the snapshot held: running, idle, rescheduling, terminated. */
  sessionStatus: string | null;
  /** end_turn, requires_action, retries_exhausted, refusal, budget_reached, terminated, ... */
  stopReason: string | null;
  /** The terminal outcome evaluation result when an outcome was defined. */
  outcomeResult: string | null;
  evaluations: OutcomeEvaluation[];
  output: string | null;
  usage: RunUsage | null;
  error: string | null;
  archived: boolean;
  /** Turns seen: a `running` after a final outcome opens a new one. */
  turn: number;
  /** The ordering key of the snapshot held (DESIGN.md semantics 4); null before any snapshot. */
  snapshotKey: string | null;
  metadata: Record<string, string>;
  launchedBy: LaunchedBy;
  launchId: string | null;
  parentRunId: string | null;
  pipeline: string | null;
  step: string | null;
  sessionCreatedAt: number | null;
  sessionUpdatedAt: number | null;
  firstSeenAt: number;
  finishedAt: number | null;
  /** When the worker or reconciler last fetched the session. */
  lastCheckedAt: number | null;
  /** Row version for compare-and-set updates; 0 for a run not yet stored. */
  version: number;
}

export interface RunHistoryEntry {
  runId: string;
  seq: number;
  at: number;
  /** What caused the change: an event id, `launch`, `reconcile`, `poll`, `import`. */
  source: string;
  status: RunStatus;
  sessionStatus: string | null;
  stopReason: string | null;
  outcomeResult: string | null;
  turn: number;
  snapshotKey: string | null;
  note: string | null;
}

export interface RunQuery {
  status?: RunStatus[];
  agent?: string;
  since?: number;
  until?: number;
  search?: string;
  pipeline?: string;
  parentRunId?: string;
  /** Keyset paging, newest first by (firstSeenAt, id). */
  before?: { firstSeenAt: number; id: string };
  offset?: number;
  limit?: number;
}

/** Written in the same transaction as a run change. */
export interface RunChange {
  run: Run;
  /** The version read before computing `run`; the save fails (returns false) when it moved. */
  expectedVersion: number;
  history: Omit<RunHistoryEntry, 'runId' | 'seq'> | null;
  /** Outbox rows (notifications) committed with the change. */
  outbox?: NewOutboxMessage[];
}

export type LaunchState = 'intent' | 'created' | 'failed' | 'skipped';

export interface Launch {
  /** `lch_...`; also the session's `metadata.agenthooks_launch`. */
  id: string;
  kind: 'launch' | 'chain';
  pipeline: string | null;
  step: string | null;
  parentRunId: string | null;
  agentName: string | null;
  agentId: string | null;
  environmentId: string | null;
  task: string;
  /** The full request for sessions.create, as JSON, so recovery can repeat it exactly. */
  request: string;
  state: LaunchState;
  sessionId: string | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

/** How long a claimed outbox message stays invisible to other claimers; a crashed notifier's
 * claims become due again after it. Part of the Store contract: both adapters use it. */
export const OUTBOX_CLAIM_MS = 60_000;

export interface NewOutboxMessage {
  id: string;
  target: string;
  url: string;
  payload: string;
  createdAt: number;
}

export const OUTBOX_STATES = ['pending', 'delivered', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export interface OutboxMessage extends NewOutboxMessage {
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  deliveredAt: number | null;
}

/** A scheduled deployment's run, resolved through GET /v1/deployment_runs/{id} (issue 10). */
export interface DeploymentRunRecord {
  /** `drun_...` */
  id: string;
  deploymentId: string;
  agentId: string | null;
  /** The session it created (its run), or null when it failed. */
  sessionId: string | null;
  errorType: string | null;
  errorMessage: string | null;
  /** When agenthooks resolved it (epoch ms). */
  seenAt: number;
}

/** What `prune` removed (or, with dryRun, would remove). */
export interface PruneResult {
  /** Events whose raw payload was cleared (their ids stay, so dedupe holds). */
  payloads: number;
  runHistory: number;
  /** Delivered or failed notifications deleted. */
  outbox: number;
  rejects: number;
}

/** Grouped counts for GET /metrics, in one read. */
export interface MetricCounts {
  events: Array<{ type: string; state: EventState; count: number }>;
  runs: Array<{ status: RunStatus; count: number }>;
  outbox: Array<{ state: OutboxMessage['state']; count: number }>;
  deploymentRuns: { succeeded: number; failed: number };
}

export interface RejectCount {
  /** Start of the minute (epoch ms, multiple of 60,000). */
  minute: number;
  code: string;
  count: number;
}

export interface IngestStats {
  /** insertEvents transactions committed since the store was opened. */
  transactions: number;
  /** Events newly stored by them. */
  inserted: number;
  duplicates: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Printable location (no password). */
  readonly location: string;

  close(): Promise<void>;
  /** Resolves when the store can commit a write; rejects with store_unavailable otherwise. */
  ping(): Promise<void>;

  // ingest
  /** One transaction for the whole batch; a result per input, in order. Concurrent-duplicate safe. */
  insertEvents(events: NewEvent[]): Promise<InsertResult[]>;
  addRejects(rows: RejectCount[]): Promise<void>;
  listRejects(since: number): Promise<RejectCount[]>;
  ingestStats(): IngestStats;

  // events
  getEvent(id: string): Promise<StoredEvent | null>;
  listEvents(query: EventQuery): Promise<StoredEvent[]>;
  countEvents(query: Omit<EventQuery, 'before' | 'after' | 'limit'>): Promise<number>;
  /** Takes up to `limit` due events (pending and due, or processing with an expired lease). */
  claimEvents(opts: { owner: string; limit: number; now: number; leaseMs: number }): Promise<StoredEvent[]>;
  /** Ends a claim. Ignored when `owner` no longer holds the lease. */
  finishEvent(id: string, owner: string, outcome: EventOutcome, now: number): Promise<void>;
  /** Sets matching events back to pending (replay). Returns how many. */
  requeueEvents(ids: string[], now: number): Promise<number>;

  // runs
  getRun(id: string): Promise<Run | null>;
  listRuns(query: RunQuery): Promise<Run[]>;
  countRuns(query: Omit<RunQuery, 'before' | 'offset' | 'limit'>): Promise<number>;
  /** Compare-and-set on `expectedVersion`; appends the history entry and outbox rows atomically. */
  saveRun(change: RunChange): Promise<boolean>;
  runHistory(id: string): Promise<RunHistoryEntry[]>;
  /** Non-final runs, least recently checked first (the reconciler's work list). */
  runsToReconcile(limit: number): Promise<Run[]>;
  markRunChecked(id: string, at: number): Promise<void>;

  // launches (intents written before the platform call; DESIGN.md semantics 6)
  /** Inserts unless a launch with the same id, or the same (parentRunId, step), exists; returns the stored one. */
  createLaunch(launch: Launch): Promise<{ launch: Launch; created: boolean }>;
  updateLaunch(
    id: string,
    patch: Partial<Pick<Launch, 'state' | 'sessionId' | 'error' | 'agentId' | 'environmentId'>>,
    now: number,
  ): Promise<void>;
  getLaunch(id: string): Promise<Launch | null>;
  listLaunches(query: { state?: LaunchState; parentRunId?: string; limit?: number }): Promise<Launch[]>;

  // outbox (notifications)
  claimOutbox(opts: { now: number; limit: number }): Promise<OutboxMessage[]>;
  finishOutbox(
    id: string,
    outcome: { delivered: true } | { delivered: false; error: string; nextAttemptAt: number | null },
    now: number,
  ): Promise<void>;
  listOutbox(query: { state?: OutboxMessage['state']; limit?: number }): Promise<OutboxMessage[]>;
  getOutbox(id: string): Promise<OutboxMessage | null>;
  /** Makes a failed (or pending) message due now again; false when no such message or delivered. */
  retryOutbox(id: string, now: number): Promise<boolean>;

  // deployment runs (deployment_run.* events resolved by the worker)
  /** Inserts or replaces by id. */
  saveDeploymentRun(run: DeploymentRunRecord): Promise<void>;
  listDeploymentRuns(query: { failed?: boolean; limit?: number }): Promise<DeploymentRunRecord[]>;

  // retention and metrics
  /** Clears raw payloads of settled events received before `before` (ids stay: dedupe holds),
   * deletes run history, settled outbox rows and reject counts older than it. One transaction. */
  prune(opts: { before: number; dryRun: boolean }): Promise<PruneResult>;
  metricCounts(): Promise<MetricCounts>;

  // small shared state: heartbeats, high-water marks, leases
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
  /** Takes or renews a named lease; true when `owner` holds it until now + ttlMs. */
  tryLease(name: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
}
