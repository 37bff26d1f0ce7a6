// Sessions and their events: reads (summary, snapshot, listing) and writes (create, send, interrupt),
// each one SDK call typed with the SDK's own params and answers.
import type Anthropic from '@anthropic-ai/sdk';
import type { BetaManagedAgentsSessionEvent } from '@anthropic-ai/sdk/resources/beta/sessions/events';
import type {
  BetaManagedAgentsSession,
  SessionListParams,
} from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import { platformCall, platformCallOrNull, platformDetails } from './errors.js';
import { listSessionEventPages, listSessionEvents } from './session-events.js';
import {
  buildSnapshot,
  isUserEvent,
  SNAPSHOT_EVENT_TYPES,
  summarize,
  USER_EVENT_TYPES,
  userEventText,
} from './snapshot.js';
import type {
  CreateSessionRequest,
  ListSessionsOptions,
  ListSessionsResult,
  PendingToolUse,
  SessionInputEvent,
  SessionSnapshot,
  SessionSummary,
} from './types.js';

// Bounds a snapshot's event scan: a turn with more agent messages than this keeps only the newest.
const MAX_EVENT_PAGES = 20;

export function retrieveSession(client: Anthropic, id: string): Promise<BetaManagedAgentsSession | null> {
  return platformCallOrNull(`GET session ${id}`, () => client.beta.sessions.retrieve(id));
}

export async function sessionSnapshot(
  client: Anthropic,
  id: string,
  eventPageSize: number,
): Promise<SessionSnapshot | null> {
  // The session and its events are two reads; if the session says idle but the events do not yet
  // show that turn's idle event, read once more rather than record a half-seen turn.
  let snap: SessionSnapshot | null = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    const s = await retrieveSession(client, id);
    if (!s) return null;
    const scan = await scanEvents(client, id, eventPageSize);
    if (scan === null) return null;
    let task: string | null = null;
    if (scan.complete) {
      const first = [...scan.events].reverse().find(isUserEvent);
      task = first ? userEventText(first) : null;
    } else {
      task = await firstTask(client, id);
    }
    snap = buildSnapshot(s, scan.events, task);
    if (!(snap.status === 'idle' && snap.started && snap.stopReason === null)) return snap;
  }
  return snap;
}

/** Newest-first snapshot events down to the page holding the newest user event. */
function scanEvents(
  client: Anthropic,
  id: string,
  pageSize: number,
): Promise<{ events: BetaManagedAgentsSessionEvent[]; complete: boolean } | null> {
  return nullIfMissing(async () => {
    const events: BetaManagedAgentsSessionEvent[] = [];
    const pages = listSessionEventPages(client, id, {
      types: SNAPSHOT_EVENT_TYPES,
      order: 'desc',
      pageSize,
      maxPages: MAX_EVENT_PAGES,
    });
    for await (const page of pages) {
      events.push(...page.events);
      if (!page.hasMore) return { events, complete: true };
      // The rest of the page was read with it; older pages only matter for the task (firstTask).
      if (page.events.some(isUserEvent)) return { events, complete: false };
    }
    return { events, complete: false };
  });
}

async function firstTask(client: Anthropic, id: string): Promise<string | null> {
  const events = listSessionEvents(client, id, { types: USER_EVENT_TYPES, pageSize: 1, maxPages: 1 });
  for await (const e of events) if (isUserEvent(e)) return userEventText(e);
  return null;
}

/** As platformCallOrNull for the fetcher's calls (already platform_error): a 404 answers null. */
async function nullIfMissing<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    if (platformDetails(err)?.status === 404) return null;
    throw err;
  }
}

export function listSessions(client: Anthropic, options: ListSessionsOptions): Promise<ListSessionsResult> {
  const params: SessionListParams = { limit: options.limit ?? 100, order: 'asc' };
  if (options.createdGte !== undefined)
    params['created_at[gte]'] = new Date(options.createdGte).toISOString();
  if (options.statuses) params.statuses = options.statuses;
  if (options.agentId) params.agent_id = options.agentId;
  if (options.includeArchived) params.include_archived = true;
  const maxPages = options.maxPages ?? Number.POSITIVE_INFINITY;
  const sessions: SessionSummary[] = [];
  let pages = 0;
  return platformCall('list sessions', async () => {
    let page = await client.beta.sessions.list(params);
    pages += 1;
    for (;;) {
      for (const s of page.data) sessions.push(summarize(s));
      if (!page.hasNextPage()) return { sessions, pages, complete: true };
      if (pages >= maxPages) return { sessions, pages, complete: false };
      page = await page.getNextPage();
      pages += 1;
    }
  });
}

export async function createSession(
  client: Anthropic,
  request: CreateSessionRequest,
): Promise<SessionSummary> {
  return summarize(await platformCall('create session', () => client.beta.sessions.create(request)));
}

export async function sendEvents(
  client: Anthropic,
  sessionId: string,
  events: SessionInputEvent[],
): Promise<void> {
  await platformCall(`send events to session ${sessionId}`, () =>
    client.beta.sessions.events.send(sessionId, { events }),
  );
}

/** `user.interrupt` goes alone, as the API requires before archive or delete. */
export async function interruptSession(client: Anthropic, sessionId: string): Promise<void> {
  await platformCall(`interrupt session ${sessionId}`, () =>
    client.beta.sessions.events.send(sessionId, { events: [{ type: 'user.interrupt' }] }),
  );
}

/** Pages of tool-use events read to name the pending calls; older ones are named null. */
const PENDING_SCAN_PAGES = 5;

export async function pendingToolUses(client: Anthropic, sessionId: string): Promise<PendingToolUse[]> {
  let last: BetaManagedAgentsSessionEvent | undefined;
  const idles = listSessionEvents(client, sessionId, {
    types: ['session.status_idle'],
    order: 'desc',
    pageSize: 1,
    maxPages: 1,
  });
  for await (const e of idles) last ??= e;
  if (last?.type !== 'session.status_idle' || last.stop_reason?.type !== 'requires_action') return [];
  const found = new Map<string, { name: string; input: Record<string, unknown> }>();
  const ids = last.stop_reason.event_ids;
  const toolUses = listSessionEvents(client, sessionId, {
    types: ['agent.tool_use', 'agent.mcp_tool_use', 'agent.custom_tool_use'],
    order: 'desc',
    pageSize: 100,
    maxPages: PENDING_SCAN_PAGES,
  });
  for await (const e of toolUses) {
    if (
      (e.type === 'agent.tool_use' ||
        e.type === 'agent.mcp_tool_use' ||
        e.type === 'agent.custom_tool_use') &&
      ids.includes(e.id)
    )
      found.set(e.id, { name: e.name, input: e.input });
    // Stopping here spares the pages the loop would otherwise still request.
    if (found.size === ids.length) break;
  }
  return ids.map((id) => ({
    eventId: id,
    name: found.get(id)?.name ?? null,
    input: found.get(id)?.input ?? null,
  }));
}
