// Agents: versioned configurations (reference 2.1). An update that changes something publishes a
// new version; one that changes nothing returns the current version unchanged.
import { isDeepStrictEqual } from 'node:util';
import type { BetaManagedAgentsAgent } from '@anthropic-ai/sdk/resources/beta/agents/agents';
import type { FastifyInstance } from 'fastify';
import { ApiError, badRequest, notFound } from '../api-error.js';
import type { SimContext } from '../context.js';
import { forwardPage } from '../paging.js';
import { iso } from '../state.js';
import {
  asObject,
  type Json,
  metadataOf,
  onlyKeys,
  onlyQuery,
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

function model(value: unknown): Agent['model'] {
  if (typeof value === 'string' && value.length > 0) return { id: value };
  const m = asObject(value, 'model');
  if (typeof m.id !== 'string')
    throw badRequest('"model" must be a model id string or {id, effort?, speed?, inference_geo?}.');
  const out: Json = { id: m.id };
  for (const k of ['effort', 'speed', 'inference_geo'])
    if (m[k] !== undefined && m[k] !== null) out[k] = m[k];
  return out as unknown as Agent['model'];
}

/** Tool params as the resolved objects the API returns (the toolset gains its default config). */
function tools(value: unknown): Agent['tools'] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest('"tools" must be an array.');
  if (value.length > 256) throw badRequest('"tools" takes at most 256 tools.');
  return value.map((t) => {
    const tool = asObject(t, 'tools[]');
    if (tool.type === 'agent_toolset_20260401')
      return {
        type: 'agent_toolset_20260401',
        configs: Array.isArray(tool.configs) ? tool.configs : [],
        default_config: tool.default_config ?? { enabled: true, permission_policy: { type: 'always_allow' } },
      };
    return tool;
  }) as unknown as Agent['tools'];
}

function list<T>(value: unknown, name: string, max: number): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest(`"${name}" must be an array.`);
  if (value.length > max) throw badRequest(`"${name}" takes at most ${max} entries.`);
  return value as T[];
}

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
    const agent: Agent = {
      id: ctx.ids.next('agent'),
      type: 'agent',
      name,
      description: (body.description as string | null | undefined) ?? null,
      model: model(body.model),
      system: (body.system as string | null | undefined) ?? null,
      tools: tools(body.tools),
      mcp_servers: list(body.mcp_servers, 'mcp_servers', 20),
      skills: list(body.skills, 'skills', 64),
      multiagent: (body.multiagent as Agent['multiagent'] | undefined) ?? null,
      execution_identity: (body.execution_identity as Agent['execution_identity'] | undefined) ?? {
        type: 'service_account',
      },
      metadata: metadataOf(body.metadata, 'agent') as Record<string, string>,
      version: 1,
      created_at: now,
      updated_at: now,
      archived_at: null,
    };
    ctx.state.agents.set(agent.id, [agent]);
    ctx.state.remember(agent.id);
    ctx.deliverer.emit('agent.created', agent.id);
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
    if (body.description !== undefined) next.description = body.description as string | null;
    if (body.model !== undefined) next.model = model(body.model);
    if (body.system !== undefined) next.system = body.system as string | null;
    // List fields are replaced as a whole (null clears them).
    if (body.tools !== undefined) next.tools = tools(body.tools);
    if (body.mcp_servers !== undefined) next.mcp_servers = list(body.mcp_servers, 'mcp_servers', 20);
    if (body.skills !== undefined) next.skills = list(body.skills, 'skills', 64);
    if (body.multiagent !== undefined) next.multiagent = body.multiagent as Agent['multiagent'];
    if (body.execution_identity !== undefined)
      next.execution_identity = (body.execution_identity as Agent['execution_identity'] | null) ?? {
        type: 'service_account',
      };
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
    ctx.deliverer.emit('agent.updated', next.id);
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
      ctx.deliverer.emit('agent.archived', current.id);
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
