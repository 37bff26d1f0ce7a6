// Runs: agenthooks' view of each session, changed only by compare-and-set on `version`, with the
// history of its changes.
import type { NewOutboxMessage } from './outbox.js';

/**
 * agenthooks' view of a run. `succeeded`, `failed` and `cancelled` (a user.interrupt ended it) are
 * final outcomes (DESIGN.md semantics 5; src/runs/state.ts isFinal).
 */
export const RUN_STATUSES = [
  'pending',
  'running',
  'blocked',
  'succeeded',
  'failed',
  'cancelled',
  'deleted',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface OutcomeEvaluation {
  outcomeId: string;
  description: string | null;
  result: string;
  explanation: string | null;
  /** The platform's 0-based iteration; people are shown it counted from 1. */
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
  /** Every graded iteration of the run's outcomes, oldest first. */
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
  /** Runs whose failure reason is this: the unmet outcome result, else the stop reason, else `unknown`. */
  reason?: string;
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

export interface RunStore {
  getRun(id: string): Promise<Run | null>;
  listRuns(query: RunQuery): Promise<Run[]>;
  countRuns(query: Omit<RunQuery, 'before' | 'offset' | 'limit'>): Promise<number>;
  /** Compare-and-set on `expectedVersion`; appends the history entry and outbox rows atomically. */
  saveRun(change: RunChange): Promise<boolean>;
  runHistory(id: string): Promise<RunHistoryEntry[]>;
  /** Non-final runs, least recently checked first (the reconciler's work list). */
  runsToReconcile(limit: number): Promise<Run[]>;
  markRunChecked(id: string, at: number): Promise<void>;
}
