// Agents: versioned configurations (reference 2.1). An update that changes something publishes a
// new version; one that changes nothing returns the current version unchanged.
import { isDeepStrictEqual } from 'node:util';
import type { BetaManagedAgentsAgent } from '@anthropic-ai/sdk/resources/beta/agents/agents';
import type { FastifyInstance } from 'fastify';
import { ApiError, badRequest, notFound } from '../api-error.js';
import type { SimContext } from '../context.js';
import { forwardPage } from '../paging.js';
import {
  resolveIdentity,
  resolveMcpServers,
  resolveModel,
  resolveMultiagent,
  resolveSkills,
  resolveTools,
} from '../resolve.js';
import { iso } from '../state.js';
import {
  asObject,
  metadataOf,
  newMetadata,
  onlyKeys,
  onlyQuery,
  optionalString,
  type Query,
  queryBool,
  queryInt,
  requireString,
  timeRange,
} from '../validate.js';

type Agent = BetaManagedAgentsAgent;

const FIELDS = [
  'model',
  'name',
  'description',
  'execution_identity',
  'mcp_servers',
  'metadata',
  'multiagent',
  'skills',
  'system',
  'tools',
];

function latest(ctx: SimContext, id: string): Agent[] {
  const versions = ctx.state.agents.get(id);
  if (!versions) throw notFound('Agent', id);
  return versions;
}

export function agentRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.post('/v1/agents', async (req): Promise<Agent> => {
    const body = asObject(req.body, 'agent');
    onlyKeys(body, FIELDS, 'agent');
    const name = requireString(body, 'name', 'agent');
    if (body.model === undefined) throw badRequest('agent: "model" is required.');
    const now = iso(ctx.clock.now());
    const id = ctx.ids.next('agent');
    const agent: Agent = {
      id,
      type: 'agent',
      name,
      description: optionalString(body, 'description', 'agent') ?? null,
      model: resolveModel(body.model),
      system: optionalString(body, 'system', 'agent') ?? null,
      tools: resolveTools(body.tools),
      mcp_servers: resolveMcpServers(body.mcp_servers),
      skills: resolveSkills(body.skills),
      multiagent: resolveMultiagent(ctx.state, body.multiagent, { type: 'agent', id, version: 1 }),
      execution_identity: resolveIdentity(body.execution_identity),
      metadata: newMetadata(body.metadata, 'agent'),
      version: 1,
      created_at: now,
      updated_at: now,
      archived_at: null,
    };
    ctx.state.agents.set(agent.id, [agent]);
    ctx.state.remember(agent.id);
    ctx.deliverer.emit({ type: 'agent.created' }, agent.id);
    return agent;
  });

  app.get<{ Params: { id: string } }>('/v1/agents/:id', async (req): Promise<Agent> => {
    const q = req.query as Query;
    onlyQuery(q, ['version']);
    const versions = latest(ctx, req.params.id);
    const v = queryInt(q, 'version', 1, Number.MAX_SAFE_INTEGER);
    if (v === undefined) return versions[versions.length - 1];
    const found = versions.find((a) => a.version === v);
    if (!found) throw notFound(`Agent ${req.params.id} version`, String(v));
    return found;
  });

  app.post<{ Params: { id: string } }>('/v1/agents/:id', async (req): Promise<Agent> => {
    const body = asObject(req.body, 'agent update');
    onlyKeys(body, [...FIELDS, 'version'], 'agent update');
    const versions = latest(ctx, req.params.id);
    const current = versions[versions.length - 1];
    if (current.archived_at !== null)
      throw badRequest(`Agent ${current.id} is archived and cannot be updated.`);
    if (body.version !== undefined && body.version !== current.version)
      throw new ApiError(
        'conflict_error',
        `Agent ${current.id} is at version ${current.version}, not ${String(body.version)}; fetch it and retry.`,
      );
    const next: Agent = { ...current, metadata: { ...current.metadata } };
    if (body.name !== undefined) next.name = requireString(body, 'name', 'agent update');
    if (body.description !== undefined)
      next.description = optionalString(body, 'description', 'agent update') ?? null;
    if (body.model !== undefined) next.model = resolveModel(body.model);
    if (body.system !== undefined) next.system = optionalString(body, 'system', 'agent update') ?? null;
    // List fields are replaced as a whole (null clears them).
    if (body.tools !== undefined) next.tools = resolveTools(body.tools);
    if (body.mcp_servers !== undefined) next.mcp_servers = resolveMcpServers(body.mcp_servers);
    if (body.skills !== undefined) next.skills = resolveSkills(body.skills);
    if (body.multiagent !== undefined)
      next.multiagent = resolveMultiagent(ctx.state, body.multiagent, {
        type: 'agent',
        id: current.id,
        version: current.version + 1,
      });
    if (body.execution_identity !== undefined)
      next.execution_identity = resolveIdentity(body.execution_identity);
    if (body.metadata !== undefined) {
      if (body.metadata === null) next.metadata = {};
      else
        for (const [k, v] of Object.entries(metadataOf(body.metadata, 'agent update', true))) {
          if (v === null) delete next.metadata[k];
          else next.metadata[k] = v;
        }
    }
    const strip = ({ version: _v, updated_at: _u, created_at: _c, ...rest }: Agent) => rest;
    if (isDeepStrictEqual(strip(next), strip(current))) return current;
    const now = Math.max(ctx.clock.now(), Date.parse(current.updated_at) + 1);
    next.version = current.version + 1;
    next.updated_at = iso(now);
    versions.push(next);
    ctx.deliverer.emit({ type: 'agent.updated' }, next.id);
    return next;
  });

  app.get('/v1/agents', async (req) => {
    const q = req.query as Query;
    onlyQuery(q, ['created_at[gte]', 'created_at[lte]', 'include_archived', 'limit', 'page']);
    const inRange = timeRange(q);
    const archived = queryBool(q, 'include_archived') ?? false;
    const items = [...ctx.state.agents.values()]
      .map((v) => v[v.length - 1])
      .filter((a) => (archived || a.archived_at === null) && inRange(Date.parse(a.created_at)))
      .sort(ctx.state.newestFirst);
    return forwardPage(q, items, (a) => a.id, 'desc');
  });

  app.post<{ Params: { id: string } }>('/v1/agents/:id/archive', async (req): Promise<Agent> => {
    onlyKeys(asObject(req.body, 'archive'), [], 'archive');
    const versions = latest(ctx, req.params.id);
    const current = versions[versions.length - 1];
    if (current.archived_at === null) {
      const now = iso(Math.max(ctx.clock.now(), Date.parse(current.updated_at) + 1));
      for (const v of versions) v.archived_at = now;
      current.updated_at = now;
      ctx.deliverer.emit({ type: 'agent.archived' }, current.id);
    }
    return current;
  });

  app.get<{ Params: { id: string } }>('/v1/agents/:id/versions', async (req) => {
    const q = req.query as Query;
    onlyQuery(q, ['limit', 'page']);
    const versions = [...latest(ctx, req.params.id)].reverse();
    return forwardPage(q, versions, (a) => String(a.version), 'desc');
  });
}
