// The only Platform implementation: the official SDK (one client from createSdkClient), with the work
// split by noun into sessions.ts, resources.ts and files.ts.
import type Anthropic from '@anthropic-ai/sdk';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { platformCallOrNull } from './errors.js';
import { downloadFile, listFiles } from './files.js';
import { ensureAgent, ensureEnvironment } from './resources.js';
import { createSdkClient } from './sdk.js';
import { type ListSessionEventsOptions, listSessionEvents } from './session-events.js';
import { type FollowOptions, followSessionEvents } from './session-stream.js';
import {
  createSession,
  interruptSession,
  listSessions,
  pendingToolUses,
  retrieveSession,
  sendEvents,
  sessionSnapshot,
} from './sessions.js';
import { summarize } from './snapshot.js';
import type {
  AgentDefinition,
  CreateSessionRequest,
  DeploymentRunInfo,
  EnsuredResource,
  EnvironmentDefinition,
  ListSessionsOptions,
  ListSessionsResult,
  PendingToolUse,
  Platform,
  PlatformFile,
  SessionEvent,
  SessionInputEvent,
  SessionSnapshot,
  SessionSummary,
} from './types.js';

export interface PlatformOptions {
  apiKey: string;
  baseURL: string;
  logger: Logger;
  /** Per request, in ms. */
  timeoutMs?: number;
  /** Events read per page when building a snapshot. */
  eventPageSize?: number;
}

export function createPlatform(options: PlatformOptions): Platform {
  if (!options.apiKey)
    throw new AppError('api_key_required', 'Set ANTHROPIC_API_KEY (or --api-key) to call the platform API.');
  // Counted at the fetch level, so every page and every retry is one request, as the platform counts.
  const counts = { reads: 0, writes: 0 };
  const countingFetch: typeof fetch = (input, init) => {
    if ((init?.method ?? 'GET').toUpperCase() === 'GET') counts.reads += 1;
    else counts.writes += 1;
    return fetch(input, init);
  };
  const client = createSdkClient({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    timeoutMs: options.timeoutMs ?? 30_000,
    fetch: countingFetch,
  });
  return new SdkPlatform(client, options, counts);
}

class SdkPlatform implements Platform {
  readonly baseURL: string;
  constructor(
    private readonly client: Anthropic,
    private readonly options: PlatformOptions,
    private readonly counts: { reads: number; writes: number },
  ) {
    this.baseURL = options.baseURL;
  }

  requestCounts(): { reads: number; writes: number } {
    return { ...this.counts };
  }

  async getSession(id: string): Promise<SessionSummary | null> {
    const s = await retrieveSession(this.client, id);
    return s ? summarize(s) : null;
  }

  sessionSnapshot(id: string): Promise<SessionSnapshot | null> {
    return sessionSnapshot(this.client, id, this.options.eventPageSize ?? 100);
  }

  listSessions(options: ListSessionsOptions): Promise<ListSessionsResult> {
    return listSessions(this.client, options);
  }

  createSession(request: CreateSessionRequest): Promise<SessionSummary> {
    return createSession(this.client, request);
  }

  sendEvents(sessionId: string, events: SessionInputEvent[]): Promise<void> {
    return sendEvents(this.client, sessionId, events);
  }

  pendingToolUses(sessionId: string): Promise<PendingToolUse[]> {
    return pendingToolUses(this.client, sessionId);
  }

  interruptSession(sessionId: string): Promise<void> {
    return interruptSession(this.client, sessionId);
  }

  ensureAgent(name: string, definition: AgentDefinition): Promise<EnsuredResource> {
    return ensureAgent(this.client, name, definition);
  }

  ensureEnvironment(name: string, definition: EnvironmentDefinition): Promise<EnsuredResource> {
    return ensureEnvironment(this.client, name, definition);
  }

  async getDeploymentRun(id: string): Promise<DeploymentRunInfo | null> {
    const r = await platformCallOrNull(`GET deployment run ${id}`, () =>
      this.client.beta.deploymentRuns.retrieve(id),
    );
    if (!r) return null;
    return {
      id: r.id,
      deploymentId: r.deployment_id,
      sessionId: r.session_id,
      error: r.error,
      agentId: r.agent.id,
    };
  }

  listFiles(scopeId: string): Promise<PlatformFile[]> {
    return listFiles(this.client, scopeId);
  }

  downloadFile(id: string): Promise<Buffer> {
    return downloadFile(this.client, id);
  }

  listSessionEvents(sessionId: string, options?: ListSessionEventsOptions): AsyncIterable<SessionEvent> {
    return listSessionEvents(this.client, sessionId, options);
  }

  followSessionEvents(sessionId: string, options: FollowOptions): AsyncIterable<SessionEvent> {
    return followSessionEvents(this.client, sessionId, options);
  }
}
