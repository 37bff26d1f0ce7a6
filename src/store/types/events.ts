// The event ledger: verified webhook events stored once by id, and the worker's claim queue over
// them. Rejected requests are counted per minute and code on the same ingest path.

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

export interface EventStore {
  /** One transaction for the whole batch; a result per input, in order. Concurrent-duplicate safe. */
  insertEvents(events: NewEvent[]): Promise<InsertResult[]>;
  /** Counts of this process's insertEvents calls (group commit is measured by them). */
  ingestStats(): IngestStats;
  getEvent(id: string): Promise<StoredEvent | null>;
  listEvents(query: EventQuery): Promise<StoredEvent[]>;
  countEvents(query: Omit<EventQuery, 'before' | 'after' | 'limit'>): Promise<number>;
  /** Takes up to `limit` due events (pending and due, or processing with an expired lease). */
  claimEvents(opts: { owner: string; limit: number; now: number; leaseMs: number }): Promise<StoredEvent[]>;
  /** Ends a claim. Ignored when `owner` no longer holds the lease. */
  finishEvent(id: string, owner: string, outcome: EventOutcome, now: number): Promise<void>;
  /** Sets matching events back to pending (replay). Returns how many. */
  requeueEvents(ids: string[], now: number): Promise<number>;
}

/** Rejected webhook requests, counted per minute and error code. */
export interface RejectStore {
  addRejects(rows: RejectCount[]): Promise<void>;
  listRejects(since: number): Promise<RejectCount[]>;
}
