// Sessions and their events: reads (summary, snapshot, listing) and writes (create, send, interrupt),
// each one SDK call typed with the SDK's own params and answers.
import type Anthropic from '@anthropic-ai/sdk';
import type { BetaManagedAgentsSessionEvent } from '@anthropic-ai/sdk/resources/beta/sessions/events';
import type {
  BetaManagedAgentsSession,
  SessionListParams,
} from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import { platformCall, platformCallOrNull } from './errors.js';
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
  SessionSnapshot,
  SessionSummary,
  TaskEvent,
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

/** Newest-first snapshot events down to the newest user event. */
function scanEvents(
  client: Anthropic,
  id: string,
  pageSize: number,
): Promise<{ events: BetaManagedAgentsSessionEvent[]; complete: boolean } | null> {
  return platformCallOrNull(`list events of session ${id}`, async () => {
    const events: BetaManagedAgentsSessionEvent[] = [];
    let page = await client.beta.sessions.events.list(id, {
      types: [...SNAPSHOT_EVENT_TYPES],
      order: 'desc',
      limit: pageSize,
    });
    for (let n = 0; n < MAX_EVENT_PAGES; n++) {
      let sawUser = false;
      for (const e of page.data) {
        events.push(e);
        if (isUserEvent(e)) sawUser = true;
      }
      if (!page.hasNextPage()) return { events, complete: true };
      if (sawUser) return { events, complete: false };
      page = await page.getNextPage();
    }
    return { events, complete: false };
  });
}

async function firstTask(client: Anthropic, id: string): Promise<string | null> {
  const page = await platformCall(`list events of session ${id}`, () =>
    client.beta.sessions.events.list(id, { types: [...USER_EVENT_TYPES], order: 'asc', limit: 1 }),
  );
  const first = page.data.find(isUserEvent);
  return first ? userEventText(first) : null;
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

export async function sendEvents(client: Anthropic, sessionId: string, events: TaskEvent[]): Promise<void> {
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
