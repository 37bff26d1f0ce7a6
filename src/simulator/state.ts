// The simulator's in-memory world. Everything is kept in plain maps; a simulator run is short-lived
// and restarting it starting over is the point.
import type { BetaManagedAgentsAgent } from '@anthropic-ai/sdk/resources/beta/agents/agents';
import type { BetaManagedAgentsDeploymentRun } from '@anthropic-ai/sdk/resources/beta/deployment-runs';
import type { BetaEnvironment } from '@anthropic-ai/sdk/resources/beta/environments/environments';
import type { BetaFileMetadata } from '@anthropic-ai/sdk/resources/beta/files';
import type { BetaManagedAgentsMemory } from '@anthropic-ai/sdk/resources/beta/memory-stores/memories';
import type { BetaManagedAgentsMemoryStore } from '@anthropic-ai/sdk/resources/beta/memory-stores/memory-stores';
import type { BetaManagedAgentsMemoryVersion } from '@anthropic-ai/sdk/resources/beta/memory-stores/memory-versions';
import type { BetaManagedAgentsSessionEvent } from '@anthropic-ai/sdk/resources/beta/sessions/events';
import type { BetaManagedAgentsSession } from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import type { BetaManagedAgentsSessionThread } from '@anthropic-ai/sdk/resources/beta/sessions/threads/threads';
import type { BetaManagedAgentsCredential } from '@anthropic-ai/sdk/resources/beta/vaults/credentials';
import type { BetaManagedAgentsVault } from '@anthropic-ai/sdk/resources/beta/vaults/vaults';
import type { DeploymentRecord } from './deployment-state.js';
import type { Scenario } from './options.js';
import { TERMINAL_RESULTS } from './scenarios.js';
import type { StreamSink } from './streams.js';

export interface StoredEvent {
  event: BetaManagedAgentsSessionEvent;
  /** Position within the session, given when the event is processed: the events list's order. */
  seq: number;
  /** When it was processed (for created_at filters, compared with processed_at as the platform does). */
  ms: number;
  /** The child thread that produced it; unset for the primary thread (the session's own view). */
  thread?: string;
}

export interface ActiveOutcome {
  outcomeId: string;
  description: string;
  maxIterations: number;
  /** Index into session.outcome_evaluations. */
  index: number;
  iteration: number;
  /** Id of the span.outcome_evaluation_start of the current iteration, '' before any started. */
  startEventId: string;
}

export interface SessionRecord {
  session: BetaManagedAgentsSession;
  events: StoredEvent[];
  /** The last seq handed out. */
  lastSeq: number;
  /** Open event streams (session and thread views). */
  streams: Set<StreamSink>;
  threads: BetaManagedAgentsSessionThread[];
  scenario: Scenario;
  durationMs: number;
  createdMs: number;
  lastUpdatedMs: number;
  /** Timer handles of the turn being played; cleared by an interrupt, archive or delete. */
  timers: Set<unknown>;
  /** Bumped on every new turn and on interrupts, so stale timer callbacks do nothing. */
  turn: number;
  /** Events waiting for the current turn to end (user.message / user.define_outcome). */
  queue: Array<{ id: string; kind: 'message' | 'outcome' }>;
  outcome: ActiveOutcome | null;
  budgetReached: boolean;
  pendingToolUseId: string | null;
  /** The latest task text, the source of the deterministic reply. */
  task: string;
  activeSeconds: number;
  tokens: { input: number; output: number; cacheRead: number; cents: number };
}

/** A turn is under way (rescheduling is a running turn waiting out a retry). */
export function isRunning(rec: SessionRecord): boolean {
  return rec.session.status === 'running' || rec.session.status === 'rescheduling';
}

/** No outcome, or the current one reached a terminal evaluation result. */
export function outcomeDone(rec: SessionRecord): boolean {
  const o = rec.outcome;
  return o === null || TERMINAL_RESULTS.has(rec.session.outcome_evaluations[o.index].result);
}

export interface FileRecord {
  meta: BetaFileMetadata;
  content: string;
}

export class SimState {
  /** Each agent's versions, oldest first; the last is current. */
  readonly agents = new Map<string, BetaManagedAgentsAgent[]>();
  readonly environments = new Map<string, BetaEnvironment>();
  readonly sessions = new Map<string, SessionRecord>();
  readonly deploymentRuns = new Map<string, BetaManagedAgentsDeploymentRun>();
  readonly files = new Map<string, FileRecord>();
  readonly memoryStores = new Map<string, BetaManagedAgentsMemoryStore>();
  /** Memories with their content (the basic view leaves it out). */
  readonly memories = new Map<string, BetaManagedAgentsMemory>();
  readonly memoryVersions = new Map<string, BetaManagedAgentsMemoryVersion>();
  readonly vaults = new Map<string, BetaManagedAgentsVault>();
  readonly credentials = new Map<string, BetaManagedAgentsCredential>();
  readonly deployments = new Map<string, DeploymentRecord>();
  /** Insertion order of creation, the tiebreak for lists with equal created_at. */
  private seq = 0;
  readonly order = new Map<string, number>();

  remember(id: string): void {
    this.seq += 1;
    this.order.set(id, this.seq);
  }

  /** Newest first by creation order, the order of the lists without an `order` parameter. */
  readonly newestFirst = (a: { id: string }, b: { id: string }): number =>
    (this.order.get(b.id) ?? 0) - (this.order.get(a.id) ?? 0);
}

/** ISO timestamp with millisecond precision. */
export const iso = (ms: number): string => new Date(ms).toISOString();
