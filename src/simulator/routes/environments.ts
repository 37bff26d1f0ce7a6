// Environments (reference 2.2): create, retrieve, update, list, archive, delete.
import type {
  BetaEnvironment,
  BetaEnvironmentDeleteResponse,
} from '@anthropic-ai/sdk/resources/beta/environments/environments';
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../api-error.js';
import type { SimContext } from '../context.js';
import { forwardPage } from '../paging.js';
import { iso } from '../state.js';
import {
  asObject,
  metadataOf,
  newMetadata,
  onlyKeys,
  onlyQuery,
  type Query,
  queryBool,
  requireString,
} from '../validate.js';

function config(value: unknown): BetaEnvironment['config'] {
  if (value === undefined || value === null)
    return { type: 'cloud', networking: { type: 'unrestricted' }, packages: emptyPackages() };
  const c = asObject(value, 'config');
  if (c.type === 'self_hosted') {
    onlyKeys(c, ['type'], 'config');
    return { type: 'self_hosted' } as BetaEnvironment['config'];
  }
  if (c.type !== 'cloud') throw badRequest('config: "type" must be "cloud" or "self_hosted".');
  onlyKeys(c, ['type', 'networking', 'packages'], 'config');
  const pk = asObject(c.packages, 'config.packages');
  const packages = { ...emptyPackages(), ...pk, type: 'packages' as const };
  return {
    type: 'cloud',
    networking: (c.networking as never) ?? { type: 'unrestricted' },
    packages,
  } as BetaEnvironment['config'];
}

function emptyPackages() {
  return { type: 'packages' as const, apt: [], cargo: [], gem: [], go: [], npm: [], pip: [] };
}

export function environmentRoutes(app: FastifyInstance, ctx: SimContext): void {
  const find = (id: string): BetaEnvironment => {
    const env = ctx.state.environments.get(id);
    if (!env) throw notFound('Environment', id);
    return env;
  };
  const bump = (env: BetaEnvironment) => {
    env.updated_at = iso(Math.max(ctx.clock.now(), Date.parse(env.updated_at) + 1));
  };

  app.post('/v1/environments', async (req): Promise<BetaEnvironment> => {
    const body = asObject(req.body, 'environment');
    onlyKeys(body, ['name', 'config', 'description', 'metadata', 'scope'], 'environment');
    const now = iso(ctx.clock.now());
    const env: BetaEnvironment = {
      id: ctx.ids.next('env'),
      type: 'environment',
      name: requireString(body, 'name', 'environment'),
      description: (body.description as string | null | undefined) ?? null,
      config: config(body.config),
      metadata: newMetadata(body.metadata, 'environment'),
      scope: 'organization',
      created_at: now,
      updated_at: now,
      archived_at: null,
    };
    if (body.scope !== undefined && body.scope !== null && body.scope !== 'organization')
      throw badRequest('API organizations support only scope "organization".');
    ctx.state.environments.set(env.id, env);
    ctx.state.remember(env.id);
    ctx.deliverer.emit('environment.created', env.id);
    return env;
  });

  app.get<{ Params: { id: string } }>('/v1/environments/:id', async (req): Promise<BetaEnvironment> => {
    onlyQuery(req.query as Query, []);
    return find(req.params.id);
  });

  app.post<{ Params: { id: string } }>('/v1/environments/:id', async (req): Promise<BetaEnvironment> => {
    const body = asObject(req.body, 'environment update');
    onlyKeys(body, ['name', 'config', 'description', 'metadata', 'scope'], 'environment update');
    const env = find(req.params.id);
    if (env.archived_at !== null) throw badRequest(`Environment ${env.id} is archived.`);
    const before = JSON.stringify(env);
    if (typeof body.name === 'string') env.name = body.name;
    if (body.description !== undefined) env.description = body.description as string | null;
    if (body.config !== undefined && body.config !== null) env.config = config(body.config);
    if (body.metadata !== undefined)
      for (const [k, v] of Object.entries(metadataOf(body.metadata, 'environment update', true))) {
        if (v === null) delete env.metadata[k];
        else env.metadata[k] = v;
      }
    // A no-op update emits nothing (reference 5, environment.updated).
    if (JSON.stringify(env) !== before) {
      bump(env);
      ctx.deliverer.emit('environment.updated', env.id);
    }
    return env;
  });

  app.get('/v1/environments', async (req) => {
    const q = req.query as Query;
    onlyQuery(q, ['include_archived', 'limit', 'page']);
    const archived = queryBool(q, 'include_archived') ?? false;
    const items = [...ctx.state.environments.values()]
      .filter((e) => archived || e.archived_at === null)
      .sort(ctx.state.newestFirst);
    return forwardPage(q, items, (e) => e.id, 'desc');
  });

  app.post<{ Params: { id: string } }>(
    '/v1/environments/:id/archive',
    async (req): Promise<BetaEnvironment> => {
      onlyKeys(asObject(req.body, 'archive'), [], 'archive');
      const env = find(req.params.id);
      if (env.archived_at === null) {
        bump(env);
        env.archived_at = env.updated_at;
        ctx.deliverer.emit('environment.archived', env.id);
      }
      return env;
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/environments/:id',
    async (req): Promise<BetaEnvironmentDeleteResponse> => {
      const env = find(req.params.id);
      ctx.state.environments.delete(env.id);
      ctx.deliverer.emit('environment.deleted', env.id);
      return { id: env.id, type: 'environment_deleted' };
    },
  );
}
