// The only platform client: the official SDK, always built with explicit options (DESIGN.md
// semantics 8) so that stray ANTHROPIC_* variables never change its behaviour behind the config.
import { createHash } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { isNotFound, toPlatformError } from './errors.js';
import {
  buildSnapshot,
  type RawEvent,
  type RawSession,
  SNAPSHOT_EVENT_TYPES,
  summarize,
  USER_EVENT_TYPES,
  userEventText,
} from './snapshot.js';
import type {
  AgentDefinition,
  CreateSessionRequest,
  DeploymentRunInfo,
  EnsuredResource,
  EnvironmentDefinition,
  ListSessionsOptions,
  ListSessionsResult,
  Platform,
  PlatformFile,
  SessionSnapshot,
  SessionSummary,
  TaskEvent,
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

/** The beta the Files API needs for session-scoped files (reference section 5). */
const MANAGED_AGENTS_BETA = 'managed-agents-2026-04-01';

/** metadata key that names an agent or environment agenthooks manages. */
export const NAME_KEY = 'agenthooks_name';
/** metadata key holding a hash of the definition, to see whether it changed. */
export const HASH_KEY = 'agenthooks_definition';

// Bounds a snapshot's event scan: a turn with more agent messages than this keeps only the newest.
const MAX_EVENT_PAGES = 20;

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
  const client = new Anthropic({
    fetch: countingFetch,
    apiKey: options.apiKey,
    authToken: null,
    baseURL: options.baseURL,
    webhookKey: null,
    // agenthooks retries itself (worker backoff, reconciler), with the platform's retry-after.
    maxRetries: 0,
    timeout: options.timeoutMs ?? 30_000,
    logLevel: 'off',
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

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toPlatformError(err, what);
    }
  }

  private async retrieve(id: string): Promise<RawSession | null> {
    try {
      return (await this.client.beta.sessions.retrieve(id)) as unknown as RawSession;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw toPlatformError(err, `GET session ${id}`);
    }
  }

  async getSession(id: string): Promise<SessionSummary | null> {
    const s = await this.retrieve(id);
    return s ? summarize(s) : null;
  }

  async sessionSnapshot(id: string): Promise<SessionSnapshot | null> {
    // The session and its events are two reads; if the session says idle but the events do not yet
    // show that turn's idle event, read once more rather than record a half-seen turn.
    let snap: SessionSnapshot | null = null;
    for (let attempt = 0; attempt < 2; attempt++) {
      const s = await this.retrieve(id);
      if (!s) return null;
      const scan = await this.scanEvents(id);
      if (scan === null) return null;
      let task: string | null = null;
      if (scan.complete) {
        const first = [...scan.events]
          .reverse()
          .find((e) => e.type === 'user.message' || e.type === 'user.define_outcome');
        task = first ? userEventText(first) : null;
      } else {
        task = await this.firstTask(id);
      }
      snap = buildSnapshot(s, scan.events, task);
      if (!(snap.status === 'idle' && snap.started && snap.stopReason === null)) return snap;
    }
    return snap;
  }

  /** Newest-first snapshot events down to the newest user event. */
  private async scanEvents(id: string): Promise<{ events: RawEvent[]; complete: boolean } | null> {
    const events: RawEvent[] = [];
    try {
      let page = await this.client.beta.sessions.events.list(id, {
        types: [...SNAPSHOT_EVENT_TYPES] as never,
        order: 'desc',
        limit: this.options.eventPageSize ?? 100,
      });
      for (let n = 0; n < MAX_EVENT_PAGES; n++) {
        let sawUser = false;
        for (const e of page.data as unknown as RawEvent[]) {
          events.push(e);
          if (e.type === 'user.message' || e.type === 'user.define_outcome') sawUser = true;
        }
        if (!page.hasNextPage()) return { events, complete: true };
        if (sawUser) return { events, complete: false };
        page = await page.getNextPage();
      }
      return { events, complete: false };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw toPlatformError(err, `list events of session ${id}`);
    }
  }

  private async firstTask(id: string): Promise<string | null> {
    const page = await this.call(`list events of session ${id}`, () =>
      this.client.beta.sessions.events.list(id, {
        types: [...USER_EVENT_TYPES] as never,
        order: 'asc',
        limit: 1,
      }),
    );
    const first = (page.data as unknown as RawEvent[])[0];
    return first ? userEventText(first) : null;
  }

  async listSessions(options: ListSessionsOptions): Promise<ListSessionsResult> {
    const params: Record<string, unknown> = { limit: options.limit ?? 100, order: 'asc' };
    if (options.createdGte !== undefined)
      params['created_at[gte]'] = new Date(options.createdGte).toISOString();
    if (options.statuses) params.statuses = options.statuses;
    if (options.agentId) params.agent_id = options.agentId;
    if (options.includeArchived) params.include_archived = true;
    const maxPages = options.maxPages ?? Number.POSITIVE_INFINITY;
    const sessions: SessionSummary[] = [];
    let pages = 0;
    return this.call('list sessions', async () => {
      let page = await this.client.beta.sessions.list(params as never);
      pages += 1;
      for (;;) {
        for (const s of page.data as unknown as RawSession[]) sessions.push(summarize(s));
        if (!page.hasNextPage()) return { sessions, pages, complete: true };
        if (pages >= maxPages) return { sessions, pages, complete: false };
        page = await page.getNextPage();
        pages += 1;
      }
    });
  }

  async createSession(request: CreateSessionRequest): Promise<SessionSummary> {
    const s = await this.call('create session', () => this.client.beta.sessions.create(request as never));
    return summarize(s as unknown as RawSession);
  }

  async sendEvents(sessionId: string, events: TaskEvent[]): Promise<void> {
    await this.call(`send events to session ${sessionId}`, () =>
      this.client.beta.sessions.events.send(sessionId, { events } as never),
    );
  }

  async ensureAgent(name: string, definition: AgentDefinition): Promise<EnsuredResource> {
    const hash = definitionHash(definition);
    const body = {
      name,
      model: definition.model,
      system: definition.system ?? null,
      description: definition.description ?? null,
      tools: (definition.tools ?? []).map((type) => ({ type })),
    };
    const existing = await this.call('list agents', async () => {
      for await (const a of this.client.beta.agents.list({ limit: 100 } as never)) {
        const agent = a as unknown as {
          id: string;
          version: number;
          metadata?: Record<string, string>;
          archived_at?: string | null;
        };
        if (agent.metadata?.[NAME_KEY] === name && !agent.archived_at) return agent;
      }
      return null;
    });
    if (!existing) {
      const created = await this.call(`create agent ${name}`, () =>
        this.client.beta.agents.create({
          ...body,
          metadata: { [NAME_KEY]: name, [HASH_KEY]: hash },
        } as never),
      );
      const c = created as unknown as { id: string; version: number };
      return { id: c.id, name, version: c.version ?? null, action: 'created' };
    }
    if (existing.metadata?.[HASH_KEY] === hash)
      return { id: existing.id, name, version: existing.version ?? null, action: 'found' };
    // `version` makes the update an optimistic-concurrency check: a racing update fails with 409.
    const updated = await this.call(`update agent ${name}`, () =>
      this.client.beta.agents.update(existing.id, {
        ...body,
        version: existing.version,
        metadata: { [NAME_KEY]: name, [HASH_KEY]: hash },
      } as never),
    );
    const u = updated as unknown as { id: string; version: number };
    return { id: u.id, name, version: u.version ?? null, action: 'updated' };
  }

  async ensureEnvironment(name: string, definition: EnvironmentDefinition): Promise<EnsuredResource> {
    const hash = definitionHash(definition);
    const networking =
      definition.networking === 'limited'
        ? { type: 'limited', allowed_hosts: definition.allowedHosts ?? [] }
        : { type: 'unrestricted' };
    const body = { name, description: definition.description ?? null, config: { type: 'cloud', networking } };
    const existing = await this.call('list environments', async () => {
      for await (const e of this.client.beta.environments.list({ limit: 100 } as never)) {
        const env = e as unknown as {
          id: string;
          metadata?: Record<string, string>;
          archived_at?: string | null;
        };
        if (env.metadata?.[NAME_KEY] === name && !env.archived_at) return env;
      }
      return null;
    });
    if (!existing) {
      const created = await this.call(`create environment ${name}`, () =>
        this.client.beta.environments.create({
          ...body,
          metadata: { [NAME_KEY]: name, [HASH_KEY]: hash },
        } as never),
      );
      return { id: (created as { id: string }).id, name, version: null, action: 'created' };
    }
    if (existing.metadata?.[HASH_KEY] === hash)
      return { id: existing.id, name, version: null, action: 'found' };
    await this.call(`update environment ${name}`, () =>
      this.client.beta.environments.update(existing.id, {
        ...body,
        metadata: { [NAME_KEY]: name, [HASH_KEY]: hash },
      } as never),
    );
    return { id: existing.id, name, version: null, action: 'updated' };
  }

  async getDeploymentRun(id: string): Promise<DeploymentRunInfo | null> {
    try {
      const r = (await this.client.beta.deploymentRuns.retrieve(id)) as unknown as {
        id: string;
        deployment_id: string;
        session_id: string | null;
        error: { type: string; message: string } | null;
        agent?: { id?: string } | null;
      };
      return {
        id: r.id,
        deploymentId: r.deployment_id,
        sessionId: r.session_id ?? null,
        error: r.error ?? null,
        agentId: r.agent?.id ?? null,
      };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw toPlatformError(err, `GET deployment run ${id}`);
    }
  }

  async listFiles(scopeId: string): Promise<PlatformFile[]> {
    return this.call(`list files of ${scopeId}`, async () => {
      const out: PlatformFile[] = [];
      // The SDK's page iterator follows next_page; each page is one read.
      for await (const f of this.client.beta.files.list({
        scope_id: scopeId,
        limit: 100,
        betas: [MANAGED_AGENTS_BETA],
      } as never)) {
        const m = f as unknown as {
          id: string;
          filename: string;
          mime_type: string;
          size_bytes: number;
          created_at: string;
          downloadable?: boolean;
        };
        out.push({
          id: m.id,
          filename: m.filename,
          mimeType: m.mime_type,
          sizeBytes: m.size_bytes,
          createdAt: m.created_at,
          downloadable: m.downloadable !== false,
        });
      }
      return out;
    });
  }

  async downloadFile(id: string): Promise<Buffer> {
    return this.call(`download file ${id}`, async () => {
      const res = await this.client.beta.files.download(id, { betas: [MANAGED_AGENTS_BETA] } as never);
      return Buffer.from(await res.arrayBuffer());
    });
  }

  async interruptSession(sessionId: string): Promise<void> {
    await this.call(`interrupt session ${sessionId}`, () =>
      this.client.beta.sessions.events.send(sessionId, { events: [{ type: 'user.interrupt' }] } as never),
    );
  }
}

/** A stable hash of a definition (keys sorted), kept in metadata to detect changed definitions. */
export function definitionHash(definition: object): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .filter(([, x]) => x !== undefined && x !== null)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, canon(x)]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canon(definition)))
    .digest('hex')
    .slice(0, 32);
}
