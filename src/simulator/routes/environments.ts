// Environments (reference 2.2): create, retrieve, update, list, archive, delete.
import type {
  BetaCloudConfig,
  BetaEnvironment,
  BetaEnvironmentDeleteResponse,
  BetaPackages,
} from '@anthropic-ai/sdk/resources/beta/environments/environments';
import type { FastifyInstance } from 'fastify';
import { badRequest, badRequestCode, notFound } from '../api-error.js';
import type { SimContext } from '../context.js';
import { iso } from '../state.js';
import {
  asObject,
  metadataOf,
  newMetadata,
  onlyKeys,
  onlyQuery,
  optionalString,
  type Query,
  requireString,
} from '../validate.js';
import { archiveOnce, liveList } from './lifecycle.js';

const MANAGERS = ['apt', 'cargo', 'gem', 'go', 'npm', 'pip'] as const;

function config(value: unknown): BetaEnvironment['config'] {
  if (value === undefined || value === null)
    return { type: 'cloud', networking: { type: 'unrestricted' }, packages: packagesOf(undefined) };
  const c = asObject(value, 'config');
  if (c.type === 'self_hosted') {
    onlyKeys(c, ['type'], 'config');
    return { type: 'self_hosted' };
  }
  if (c.type !== 'cloud') throw badRequest('config: "type" must be "cloud" or "self_hosted".');
  onlyKeys(c, ['type', 'networking', 'packages'], 'config');
  return { type: 'cloud', networking: networking(c.networking), packages: packagesOf(c.packages) };
}

/** `limited` networking answers every allow_* field (false and [] when not given). */
function networking(value: unknown): BetaCloudConfig['networking'] {
  if (value === undefined || value === null) return { type: 'unrestricted' };
  const n = asObject(value, 'config.networking');
  if (n.type === 'unrestricted') {
    onlyKeys(n, ['type'], 'config.networking');
    return { type: 'unrestricted' };
  }
  if (n.type !== 'limited')
    throw badRequest('config.networking: "type" must be "unrestricted" or "limited".');
  onlyKeys(n, ['type', 'allowed_hosts', 'allow_mcp_servers', 'allow_package_managers'], 'config.networking');
  return {
    type: 'limited',
    allowed_hosts: strings(n.allowed_hosts, 'allowed_hosts'),
    allow_mcp_servers: n.allow_mcp_servers === true,
    allow_package_managers: n.allow_package_managers === true,
  };
}

function packagesOf(value: unknown): BetaPackages {
  const p = value === undefined || value === null ? {} : asObject(value, 'config.packages');
  onlyKeys(p, ['type', ...MANAGERS], 'config.packages');
  return {
    type: 'packages',
    apt: strings(p.apt, 'apt'),
    cargo: strings(p.cargo, 'cargo'),
    gem: strings(p.gem, 'gem'),
    go: strings(p.go, 'go'),
    npm: strings(p.npm, 'npm'),
    pip: strings(p.pip, 'pip'),
  };
}

function strings(value: unknown, name: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw badRequest(`"${name}" must be an array of strings.`);
  return value.map(String);
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
      description: optionalString(body, 'description', 'environment') ?? null,
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
    ctx.deliverer.emit({ type: 'environment.created' }, env.id);
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
    if (env.archived_at !== null)
      throw badRequestCode(
        'environment_archived',
        `Environment ${env.id} is archived and cannot be updated.`,
      );
    const before = JSON.stringify(env);
    if (typeof body.name === 'string') env.name = body.name;
    if (body.description !== undefined)
      env.description = optionalString(body, 'description', 'environment update') ?? null;
    if (body.config !== undefined && body.config !== null) {
      const next = config(body.config);
      if (next.type !== env.config.type)
        throw badRequestCode(
          'invalid_config_type_change',
          `Environment ${env.id} is ${env.config.type}; its config type cannot change to ${next.type}.`,
        );
      env.config = next;
    }
    if (body.metadata !== undefined)
      for (const [k, v] of Object.entries(metadataOf(body.metadata, 'environment update', true))) {
        if (v === null) delete env.metadata[k];
        else env.metadata[k] = v;
      }
    // A no-op update emits nothing (reference 5, environment.updated).
    if (JSON.stringify(env) !== before) {
      bump(env);
      ctx.deliverer.emit({ type: 'environment.updated' }, env.id);
    }
    return env;
  });

  app.get('/v1/environments', async (req) => {
    const q = req.query as Query;
    onlyQuery(q, ['include_archived', 'limit', 'page']);
    return liveList(ctx, q, [...ctx.state.environments.values()]);
  });

  app.post<{ Params: { id: string } }>(
    '/v1/environments/:id/archive',
    async (req): Promise<BetaEnvironment> => {
      onlyKeys(asObject(req.body, 'archive'), [], 'archive');
      const env = find(req.params.id);
      archiveOnce(ctx, env, { type: 'environment.archived' });
      return env;
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/environments/:id',
    async (req): Promise<BetaEnvironmentDeleteResponse> => {
      const env = find(req.params.id);
      ctx.state.environments.delete(env.id);
      ctx.deliverer.emit({ type: 'environment.deleted' }, env.id);
      return { id: env.id, type: 'environment_deleted' };
    },
  );
}
