// The Platform interface: everything agenthooks asks of the Managed Agents API, in agenthooks'
// own shapes. The only implementation (client.ts) wraps the official SDK; the same code path runs
// against the real API and against the simulator (only baseURL differs). What agenthooks sends is
// typed as a narrowing of the SDK's own params, so tsc checks every request body.
import type {
  BetaManagedAgentsSessionEvent,
  BetaManagedAgentsTextBlock,
  BetaManagedAgentsTextRubricParams,
  BetaManagedAgentsUserDefineOutcomeEventParams,
  BetaManagedAgentsUserMessageEventParams,
  BetaManagedAgentsUserToolConfirmationEventParams,
} from '@anthropic-ai/sdk/resources/beta/sessions/events';
import type {
  BetaManagedAgentsAgentParams,
  SessionCreateParams,
} from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import type { ListSessionEventsOptions } from './session-events.js';
import type { FollowOptions } from './session-stream.js';

export type { ListSessionEventsOptions } from './session-events.js';
export type { FollowOptions } from './session-stream.js';
/** A session event exactly as the SDK types it (transcripts show and export these unchanged). */
export type SessionEvent = BetaManagedAgentsSessionEvent;

export interface OutcomeEvaluationSnapshot {
  outcomeId: string;
  description: string | null;
  result: string;
  explanation: string | null;
  iteration: number;
  completedAt: string | null;
}

/** One fetched view of a session: the session object plus what only its events carry. */
export interface SessionSnapshot {
  id: string;
  /** rescheduling | running | idle | terminated */
  status: string;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
  title: string | null;
  agentId: string | null;
  agentName: string | null;
  agentVersion: number | null;
  environmentId: string | null;
  deploymentId: string | null;
  metadata: Record<string, string>;
  /** Every graded iteration, oldest first (one entry per span.outcome_evaluation_end). */
  evaluations: OutcomeEvaluationSnapshot[];
  usage: {
    inputTokens: number;
    outputTokens: number;
    cacheReadInputTokens: number;
    cacheCreationInputTokens: number;
    costCents: number | null;
    activeSeconds: number | null;
  } | null;
  /** stop_reason.type of the newest session.status_idle after the last user event; null if none. */
  stopReason: string | null;
  /** The newest session.error message of the current turn (or of the session when terminated). */
  error: string | null;
  /** Text of the agent.message events after the last user.message / user.define_outcome. */
  output: string | null;
  /** Text of the first user.message, or the description of the first user.define_outcome. */
  task: string | null;
  /** Whether any user.message / user.define_outcome exists (a session without one is pending). */
  started: boolean;
  /** Id of the newest user event: a different id means a new turn. */
  lastUserEventId: string | null;
  /** A user.interrupt ended the current turn (it then reports end_turn like any other). */
  interrupted: boolean;
}

export interface SessionSummary {
  id: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  agentId: string | null;
  metadata: Record<string, string>;
}

export interface ListSessionsOptions {
  /** Epoch ms: only sessions created at or after it. */
  createdGte?: number;
  statuses?: Array<'rescheduling' | 'running' | 'idle' | 'terminated'>;
  agentId?: string;
  /** Page size. */
  limit?: number;
  /** Stop after this many pages (each page is one read against the API's read limit). */
  maxPages?: number;
  includeArchived?: boolean;
}

export interface ListSessionsResult {
  sessions: SessionSummary[];
  /** Pages fetched = API reads spent. */
  pages: number;
  /** False when maxPages stopped the listing early. */
  complete: boolean;
}

export interface AgentDefinition {
  model: string;
  system?: string | null;
  description?: string | null;
  /** Tool type names, e.g. agent_toolset_20260401. */
  tools?: string[];
}

export interface EnvironmentDefinition {
  networking?: 'unrestricted' | 'limited';
  allowedHosts?: string[];
  description?: string | null;
}

export interface EnsuredResource {
  id: string;
  name: string;
  version: number | null;
  /** What ensure did: found unchanged, created, or updated to a new version. */
  action: 'found' | 'created' | 'updated';
}

/** A user.message of text only. */
export interface UserMessageTaskEvent extends BetaManagedAgentsUserMessageEventParams {
  content: BetaManagedAgentsTextBlock[];
}

/** A user.define_outcome with an inline text rubric. */
export interface OutcomeTaskEvent extends BetaManagedAgentsUserDefineOutcomeEventParams {
  rubric: BetaManagedAgentsTextRubricParams;
  max_iterations?: number;
}

/** What starts a turn: sent as a session's initial_events or through sendEvents. */
export type TaskEvent = UserMessageTaskEvent | OutcomeTaskEvent;

/** What sendEvents takes: a turn's start, or the answer to a pending tool call. */
export type SessionInputEvent = TaskEvent | BetaManagedAgentsUserToolConfirmationEventParams;

/** A tool call a blocked session waits on (an id from its requires_action stop reason). */
export interface PendingToolUse {
  eventId: string;
  /** The tool's name; null when its event was not found among the newest events. */
  name: string | null;
  input: Record<string, unknown> | null;
}

/** sessions.create's body as agenthooks sends it: an agent id (latest) or an id pinned to a version. */
export interface CreateSessionRequest
  extends Pick<SessionCreateParams, 'environment_id' | 'metadata' | 'title'> {
  agent: string | Required<BetaManagedAgentsAgentParams>;
  initial_events?: TaskEvent[];
}

export interface DeploymentRunInfo {
  id: string;
  deploymentId: string;
  sessionId: string | null;
  error: { type: string; message: string } | null;
  agentId: string | null;
}

/** A file in the Files API; session outputs carry the session id as their scope. */
export interface PlatformFile {
  id: string;
  filename: string;
  mimeType: string;
  sizeBytes: number;
  createdAt: string;
  downloadable: boolean;
}

export interface Platform {
  readonly baseURL: string;
  /** API requests made so far, by the platform's limit classes (reads are GETs). */
  requestCounts(): { reads: number; writes: number };
  /** The session, or null when it does not exist (404). */
  getSession(id: string): Promise<SessionSummary | null>;
  /** Session + output + stop reason + task; null when the session does not exist (404). */
  sessionSnapshot(id: string): Promise<SessionSnapshot | null>;
  listSessions(options: ListSessionsOptions): Promise<ListSessionsResult>;
  createSession(request: CreateSessionRequest): Promise<SessionSummary>;
  sendEvents(sessionId: string, events: SessionInputEvent[]): Promise<void>;
  /** The tool calls the session waits on (empty unless its newest idle is requires_action). */
  pendingToolUses(sessionId: string): Promise<PendingToolUse[]>;
  ensureAgent(name: string, definition: AgentDefinition): Promise<EnsuredResource>;
  ensureEnvironment(name: string, definition: EnvironmentDefinition): Promise<EnsuredResource>;
  /** null when it does not exist (404). */
  getDeploymentRun(id: string): Promise<DeploymentRunInfo | null>;
  /** Files whose scope is `scopeId` (a session's /mnt/session/outputs/), newest first, every page. */
  listFiles(scopeId: string): Promise<PlatformFile[]>;
  downloadFile(id: string): Promise<Buffer>;
  /** Sends `user.interrupt` (alone, as the API requires before archive or delete). */
  interruptSession(sessionId: string): Promise<void>;
  /** Every event of the session in processed_at order, paged lazily (session-events.ts). */
  listSessionEvents(sessionId: string, options?: ListSessionEventsOptions): AsyncIterable<SessionEvent>;
  /** The session's events as they happen: the SSE stream, reconnected and gap-filled (session-stream.ts). */
  followSessionEvents(sessionId: string, options: FollowOptions): AsyncIterable<SessionEvent>;
}
