// Sessions (reference 2.3, 3, 4.1): create with initial_events, retrieve, update, list with every
// filter the SDK sends, archive and delete.
import type {
  BetaManagedAgentsDeletedSession,
  BetaManagedAgentsSession,
  BetaManagedAgentsSessionsBidirectionalPageCursor,
} from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../api-error.js';
import type { SimContext } from '../context.js';
import { queryPage } from '../paging.js';
import {
  asObject,
  onlyKeys,
  onlyQuery,
  type Query,
  queryArray,
  queryBool,
  queryInt,
  queryOrder,
  queryString,
  TIME_FILTERS,
  timeRange,
} from '../validate.js';

type Page = Pick<BetaManagedAgentsSessionsBidirectionalPageCursor, 'data' | 'next_page' | 'prev_page'>;

const STATUSES = new Set(['rescheduling', 'running', 'idle', 'terminated']);

export function sessionRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.post(
    '/v1/sessions',
    async (req): Promise<BetaManagedAgentsSession> => ctx.engine.create(asObject(req.body, 'session')),
  );

  app.get<{ Params: { id: string } }>('/v1/sessions/:id', async (req): Promise<BetaManagedAgentsSession> => {
    onlyQuery(req.query as Query, []);
    return ctx.engine.get(req.params.id).session;
  });

  app.post<{ Params: { id: string } }>(
    '/v1/sessions/:id',
    async (req): Promise<BetaManagedAgentsSession> =>
      ctx.engine.update(ctx.engine.get(req.params.id), asObject(req.body, 'session update')),
  );

  app.post<{ Params: { id: string } }>(
    '/v1/sessions/:id/archive',
    async (req): Promise<BetaManagedAgentsSession> => {
      onlyKeys(asObject(req.body, 'archive'), [], 'archive');
      return ctx.engine.archive(ctx.engine.get(req.params.id));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/sessions/:id',
    async (req): Promise<BetaManagedAgentsDeletedSession> => ctx.engine.delete(ctx.engine.get(req.params.id)),
  );

  app.get('/v1/sessions', async (req): Promise<Page> => {
    const q = req.query as Query;
    onlyQuery(q, [
      'agent_id',
      'agent_version',
      ...TIME_FILTERS,
      'deployment_id',
      'include_archived',
      'limit',
      'memory_store_id',
      'order',
      'page',
      'statuses[]',
      'statuses',
    ]);
    const order = queryOrder(q, 'desc');
    const agentId = queryString(q, 'agent_id');
    const agentVersion = queryInt(q, 'agent_version', 1, Number.MAX_SAFE_INTEGER);
    const deploymentId = queryString(q, 'deployment_id');
    const memoryStore = queryString(q, 'memory_store_id');
    const archived = queryBool(q, 'include_archived') ?? false;
    const statuses = queryArray(q, 'statuses');
    for (const s of statuses ?? [])
      if (!STATUSES.has(s)) throw badRequest(`statuses[]: unknown status "${s}".`);
    const inRange = timeRange(q);
    const items = [...ctx.state.sessions.values()]
      .filter((r) => {
        const s = r.session;
        return (
          (archived || s.archived_at === null) &&
          (agentId === undefined || s.agent.id === agentId) &&
          (agentVersion === undefined || s.agent.version === agentVersion) &&
          (deploymentId === undefined || s.deployment_id === deploymentId) &&
          (memoryStore === undefined ||
            s.resources.some((x) => x.type === 'memory_store' && x.memory_store_id === memoryStore)) &&
          (statuses === undefined || statuses.includes(s.status)) &&
          inRange(r.createdMs)
        );
      })
      .map((r) => r.session)
      .sort((a, b) => {
        const d = (ctx.state.order.get(a.id) ?? 0) - (ctx.state.order.get(b.id) ?? 0);
        return order === 'asc' ? d : -d;
      });
    return queryPage(q, items, (s) => s.id, order);
  });
}
