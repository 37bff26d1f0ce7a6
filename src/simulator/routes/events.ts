// Session events (send, list) and threads (list, retrieve, thread events) (reference 2.4, 2.5, 3).
import type {
  BetaManagedAgentsSendSessionEvents,
  BetaManagedAgentsSessionEvent,
} from '@anthropic-ai/sdk/resources/beta/sessions/events';
import type { BetaManagedAgentsSessionThread } from '@anthropic-ai/sdk/resources/beta/sessions/threads/threads';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../api-error.js';
import type { SimContext } from '../context.js';
import { forwardPage, queryPage } from '../paging.js';
import type { StoredEvent } from '../state.js';
import { deltasOf, listOrder, openStream, threadSees } from '../streams.js';
import {
  asObject,
  onlyKeys,
  onlyQuery,
  type Query,
  queryArray,
  queryOrder,
  TIME_FILTERS,
  timeRange,
} from '../validate.js';

type EventPage = { data: BetaManagedAgentsSessionEvent[]; next_page: string | null };

function listEvents(q: Query, events: StoredEvent[]): EventPage {
  onlyQuery(q, ['types[]', 'types', 'order', 'limit', 'page', ...TIME_FILTERS]);
  const order = queryOrder(q, 'asc');
  const types = queryArray(q, 'types');
  const inRange = timeRange(q);
  const items = events
    .filter((e) => (types === undefined || types.includes(e.event.type)) && inRange(e.ms))
    .sort((a, b) => (order === 'asc' ? listOrder(a, b) : listOrder(b, a)));
  const page = queryPage(q, items, (e) => e.event.id, order);
  return { data: page.data.map((e) => e.event), next_page: page.next_page };
}

export function eventRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.post<{ Params: { id: string } }>('/v1/sessions/:id/events', async (req) => {
    const rec = ctx.engine.get(req.params.id);
    const answer: BetaManagedAgentsSendSessionEvents = {
      data: ctx.engine.send(rec, asObject(req.body, 'events.send')),
    };
    return answer;
  });

  app.get<{ Params: { id: string } }>(
    '/v1/sessions/:id/events',
    async (req): Promise<EventPage> => listEvents(req.query as Query, ctx.engine.get(req.params.id).events),
  );

  const stream = (req: FastifyRequest, reply: FastifyReply, sessionId: string, threadId?: string) => {
    const q = req.query as Query;
    onlyQuery(q, ['event_deltas[]', 'event_deltas']);
    const rec = ctx.engine.get(sessionId);
    const deltas = deltasOf(q);
    const t = threadId === undefined ? rec.threads[0] : thread(sessionId, threadId);
    const last = req.headers['last-event-id'];
    reply.hijack();
    openStream(rec, reply.raw, {
      thread: t,
      deltas,
      lastEventId: typeof last === 'string' ? last : undefined,
      requestId: req.simRequestId,
      dropAfter: ctx.api.streamDropAfter,
    });
  };

  app.get<{ Params: { id: string } }>('/v1/sessions/:id/events/stream', async (req, reply) =>
    stream(req, reply, req.params.id),
  );

  app.get<{ Params: { id: string; tid: string } }>(
    '/v1/sessions/:id/threads/:tid/stream',
    async (req, reply) => stream(req, reply, req.params.id, req.params.tid),
  );

  app.get<{ Params: { id: string } }>('/v1/sessions/:id/threads', async (req) => {
    const q = req.query as Query;
    onlyQuery(q, ['statuses[]', 'statuses', 'limit', 'page']);
    const statuses = queryArray(q, 'statuses');
    const items = ctx.engine
      .get(req.params.id)
      .threads.filter((t) => statuses === undefined || statuses.includes(t.status));
    return forwardPage(q, items, (t) => t.id, 'asc');
  });

  const thread = (sessionId: string, threadId: string): BetaManagedAgentsSessionThread => {
    const t = ctx.engine.get(sessionId).threads.find((x) => x.id === threadId);
    if (!t) throw notFound('Thread', threadId);
    return t;
  };

  app.get<{ Params: { id: string; tid: string } }>(
    '/v1/sessions/:id/threads/:tid',
    async (req): Promise<BetaManagedAgentsSessionThread> => {
      onlyQuery(req.query as Query, []);
      return thread(req.params.id, req.params.tid);
    },
  );

  app.post<{ Params: { id: string; tid: string } }>(
    '/v1/sessions/:id/threads/:tid/archive',
    async (req): Promise<BetaManagedAgentsSessionThread> => {
      onlyKeys(asObject(req.body, 'archive'), [], 'archive');
      return ctx.engine.archiveThread(ctx.engine.get(req.params.id), thread(req.params.id, req.params.tid));
    },
  );

  app.get<{ Params: { id: string; tid: string } }>(
    '/v1/sessions/:id/threads/:tid/events',
    async (req): Promise<EventPage> => {
      const t = thread(req.params.id, req.params.tid);
      const own = ctx.engine.get(req.params.id).events.filter((e) => threadSees(t, e));
      return listEvents(req.query as Query, own);
    },
  );
}
