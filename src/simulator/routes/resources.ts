// sessions.resources: add, list, retrieve, update, delete (reference 2.3). Memory stores have no
// resource id of their own; they are attached at create time and listed, not addressed.
import type {
  BetaManagedAgentsDeleteSessionResource,
  BetaManagedAgentsFileResource,
  BetaManagedAgentsGitHubRepositoryResource,
  BetaManagedAgentsSessionResource,
} from '@anthropic-ai/sdk/resources/beta/sessions/resources';
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../api-error.js';
import type { SimContext } from '../context.js';
import { forwardPage } from '../paging.js';
import { resourceOf } from '../session-resources.js';
import type { SessionRecord } from '../state.js';
import { iso } from '../state.js';
import { asObject, onlyKeys, onlyQuery, type Query } from '../validate.js';

type Addressable = BetaManagedAgentsFileResource | BetaManagedAgentsGitHubRepositoryResource;
type Params = { Params: { id: string; rid: string } };

function addressable(r: BetaManagedAgentsSessionResource): r is Addressable {
  return r.type !== 'memory_store';
}

export function resourceRoutes(app: FastifyInstance, ctx: SimContext): void {
  const find = (rec: SessionRecord, rid: string): Addressable => {
    const r = rec.session.resources.filter(addressable).find((x) => x.id === rid);
    if (!r) throw notFound('Session resource', rid);
    return r;
  };
  const open = (id: string): SessionRecord => {
    const rec = ctx.engine.get(id);
    if (rec.session.status === 'terminated') throw badRequest(`Session ${id} is terminated.`);
    return rec;
  };

  app.post<{ Params: { id: string } }>(
    '/v1/sessions/:id/resources',
    async (req): Promise<BetaManagedAgentsFileResource> => {
      const rec = open(req.params.id);
      const body = asObject(req.body, 'resource');
      if (body.type !== 'file') throw badRequest('Only file resources can be added to a running session.');
      const r = resourceOf(ctx.state, ctx.ids, body, iso(ctx.clock.now()));
      if (r.type !== 'file') throw badRequest('Only file resources can be added to a running session.');
      rec.session.resources.push(r);
      ctx.engine.changed(rec);
      return r;
    },
  );

  app.get<{ Params: { id: string } }>('/v1/sessions/:id/resources', async (req) => {
    const q = req.query as Query;
    onlyQuery(q, ['limit', 'page']);
    const items = ctx.engine.get(req.params.id).session.resources.filter(addressable);
    return forwardPage(q, items, (r) => r.id, 'asc');
  });

  app.get<Params>('/v1/sessions/:id/resources/:rid', async (req): Promise<Addressable> => {
    onlyQuery(req.query as Query, []);
    return find(ctx.engine.get(req.params.id), req.params.rid);
  });

  app.post<Params>('/v1/sessions/:id/resources/:rid', async (req): Promise<Addressable> => {
    const rec = open(req.params.id);
    const r = find(rec, req.params.rid);
    const body = asObject(req.body, 'resource update');
    onlyKeys(body, ['authorization_token'], 'resource update');
    if (typeof body.authorization_token !== 'string' || body.authorization_token === '')
      throw badRequest('resource update: "authorization_token" is required.');
    if (r.type !== 'github_repository')
      throw badRequest('Only github_repository resources take an authorization_token.');
    r.updated_at = iso(Math.max(ctx.clock.now(), Date.parse(r.updated_at) + 1));
    ctx.engine.changed(rec);
    return r;
  });

  app.delete<Params>(
    '/v1/sessions/:id/resources/:rid',
    async (req): Promise<BetaManagedAgentsDeleteSessionResource> => {
      const rec = open(req.params.id);
      const r = find(rec, req.params.rid);
      rec.session.resources = rec.session.resources.filter((x) => x !== r);
      ctx.engine.changed(rec);
      return { id: r.id, type: 'session_resource_deleted' };
    },
  );
}
