// Deployments: create, retrieve, update, list, archive, pause, unpause and run. The settings are
// checked when they are saved (agent, environment, vaults, resources, cron), and again by every run.
import type { BetaManagedAgentsDeploymentRun } from '@anthropic-ai/sdk/resources/beta/deployment-runs';
import type {
  BetaManagedAgentsDeployment,
  BetaManagedAgentsDeploymentInitialEvent,
  BetaManagedAgentsSessionResourceConfig,
} from '@anthropic-ai/sdk/resources/beta/deployments';
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../api-error.js';
import type { SimContext } from '../context.js';
import { checkTimezone, parseCron } from '../cron.js';
import type { DeploymentRecord } from '../deployment-state.js';
import { resourceOf } from '../session-resources.js';
import { parseBudget } from '../sessions.js';
import { iso } from '../state.js';
import {
  asObject,
  type Json,
  newMetadata,
  onlyKeys,
  onlyQuery,
  optionalString,
  patchMetadata,
  type Query,
  queryString,
  requireString,
} from '../validate.js';
import { archiveOnce, liveList } from './lifecycle.js';

type Deployment = BetaManagedAgentsDeployment;
const FIELDS = [
  'agent',
  'environment_id',
  'initial_events',
  'name',
  'budget',
  'description',
  'metadata',
  'resources',
  'schedule',
  'vault_ids',
];

function text(value: unknown, where: string): Array<{ type: 'text'; text: string }> {
  if (!Array.isArray(value) || value.length === 0)
    throw badRequest(`${where}: "content" must be a non-empty array.`);
  return value.map((b) => {
    const block = asObject(b, `${where} content`);
    if (block.type !== 'text' || typeof block.text !== 'string')
      throw badRequest(`${where}: deployments take text content blocks.`);
    return { type: 'text', text: block.text };
  });
}

function initialEvents(value: unknown): BetaManagedAgentsDeploymentInitialEvent[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > 50)
    throw badRequest('deployment: "initial_events" takes 1 to 50 events.');
  return value.map((raw, i): BetaManagedAgentsDeploymentInitialEvent => {
    const e = asObject(raw, `initial_events[${i}]`);
    if (e.type === 'user.message' || e.type === 'system.message')
      return { type: e.type, content: text(e.content, `initial_events[${i}]`) };
    if (e.type === 'user.define_outcome') {
      if (typeof e.description !== 'string')
        throw badRequest(`initial_events[${i}]: "description" is required.`);
      const r = asObject(e.rubric, 'rubric');
      const rubric =
        r.type === 'text' && typeof r.content === 'string'
          ? { type: 'text' as const, content: r.content }
          : r.type === 'file' && typeof r.file_id === 'string'
            ? { type: 'file' as const, file_id: r.file_id }
            : null;
      if (!rubric)
        throw badRequest(
          `initial_events[${i}]: "rubric" is {type:"text", content} or {type:"file", file_id}.`,
        );
      const max = typeof e.max_iterations === 'number' ? e.max_iterations : null;
      return { type: 'user.define_outcome', description: e.description, rubric, max_iterations: max };
    }
    throw badRequest(`initial_events[${i}]: user.message, user.define_outcome or system.message.`);
  });
}

export function deploymentRoutes(app: FastifyInstance, ctx: SimContext): void {
  const find = (id: string): DeploymentRecord => {
    const rec = ctx.state.deployments.get(id);
    if (!rec) throw notFound('Deployment', id);
    return rec;
  };
  const agentRef = (value: unknown): Deployment['agent'] => {
    const a = typeof value === 'string' ? { id: value } : asObject(value, 'agent');
    if (typeof a.id !== 'string')
      throw badRequest('deployment: "agent" is an agent id or {type:"agent", id, version?}.');
    const versions = ctx.state.agents.get(a.id);
    const agent =
      versions?.find((v) => v.version === a.version) ??
      (a.version === undefined ? versions?.at(-1) : undefined);
    if (!agent) throw notFound('Agent', a.id);
    if (agent.archived_at !== null) throw badRequest(`Agent ${agent.id} is archived.`);
    return { type: 'agent', id: agent.id, version: agent.version };
  };
  const environment = (id: unknown): string => {
    const env = typeof id === 'string' ? ctx.state.environments.get(id) : undefined;
    if (!env) throw notFound('Environment', String(id));
    if (env.archived_at !== null) throw badRequest(`Environment ${env.id} is archived.`);
    return env.id;
  };
  const vaults = (value: unknown): string[] => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw badRequest('"vault_ids" must be an array.');
    return value.map((v) => {
      if (typeof v !== 'string' || !ctx.state.vaults.has(v)) throw notFound('Vault', String(v));
      return v;
    });
  };
  /** Checks the resources as a session would, and keeps them as the config the deployment shows. */
  const resources = (
    value: unknown,
  ): { params: unknown[]; config: BetaManagedAgentsSessionResourceConfig[] } => {
    if (value === undefined || value === null) return { params: [], config: [] };
    if (!Array.isArray(value)) throw badRequest('"resources" must be an array.');
    const config = value.map((raw): BetaManagedAgentsSessionResourceConfig => {
      const r = resourceOf(ctx.state, ctx.ids, raw, iso(ctx.clock.now()));
      if (r.type === 'file') return { type: 'file', file_id: r.file_id, mount_path: r.mount_path };
      if (r.type === 'github_repository')
        return {
          type: 'github_repository',
          url: r.url,
          checkout: r.checkout ?? null,
          mount_path: r.mount_path,
        };
      return {
        type: 'memory_store',
        memory_store_id: r.memory_store_id,
        access: r.access ?? null,
        instructions: r.instructions ?? null,
      };
    });
    return { params: value, config };
  };
  const schedule = (value: unknown): Deployment['schedule'] => {
    if (value === undefined || value === null) return null;
    const s = asObject(value, 'schedule');
    onlyKeys(s, ['type', 'expression', 'timezone'], 'schedule');
    if (s.type !== 'cron' || typeof s.expression !== 'string' || typeof s.timezone !== 'string')
      throw badRequest('schedule: {type:"cron", expression, timezone}.');
    parseCron(s.expression);
    checkTimezone(s.timezone);
    return {
      type: 'cron',
      expression: s.expression,
      timezone: s.timezone,
      last_run_at: null,
      upcoming_runs_at: [],
    };
  };
  const open = (id: string): DeploymentRecord => {
    const rec = find(id);
    if (rec.deployment.archived_at !== null) throw badRequest(`Deployment ${id} is archived.`);
    return rec;
  };

  app.post('/v1/deployments', async (req): Promise<Deployment> => {
    const body = asObject(req.body, 'deployment');
    onlyKeys(body, FIELDS, 'deployment');
    const now = iso(ctx.clock.now());
    const res = resources(body.resources);
    const dep: Deployment = {
      id: ctx.ids.next('depl'),
      type: 'deployment',
      name: requireString(body, 'name', 'deployment'),
      description: optionalString(body, 'description', 'deployment') ?? null,
      agent: agentRef(body.agent),
      environment_id: environment(body.environment_id),
      initial_events: initialEvents(body.initial_events),
      metadata: newMetadata(body.metadata, 'deployment'),
      resources: res.config,
      vault_ids: vaults(body.vault_ids),
      budget: parseBudget(body.budget),
      schedule: schedule(body.schedule),
      status: 'active',
      paused_reason: null,
      created_at: now,
      updated_at: now,
      archived_at: null,
    };
    const rec: DeploymentRecord = {
      deployment: dep,
      resourceParams: res.params,
      timer: null,
      cursor: ctx.clock.now(),
    };
    ctx.state.deployments.set(dep.id, rec);
    ctx.state.remember(dep.id);
    ctx.deployments.schedule(rec);
    ctx.deliverer.emit({ type: 'deployment.created' }, dep.id);
    return dep;
  });

  app.get<{ Params: { id: string } }>('/v1/deployments/:id', async (req): Promise<Deployment> => {
    onlyQuery(req.query as Query, []);
    return find(req.params.id).deployment;
  });

  app.post<{ Params: { id: string } }>('/v1/deployments/:id', async (req): Promise<Deployment> => {
    const body: Json = asObject(req.body, 'deployment update');
    onlyKeys(body, FIELDS, 'deployment update');
    const rec = open(req.params.id);
    const dep = rec.deployment;
    if (body.name !== undefined) dep.name = requireString(body, 'name', 'deployment update');
    if (body.description !== undefined)
      dep.description = optionalString(body, 'description', 'deployment update') ?? null;
    if (body.agent !== undefined) dep.agent = agentRef(body.agent);
    if (body.environment_id !== undefined) dep.environment_id = environment(body.environment_id);
    if (body.initial_events !== undefined) dep.initial_events = initialEvents(body.initial_events);
    if (body.budget !== undefined) dep.budget = parseBudget(body.budget);
    if (body.vault_ids !== undefined) dep.vault_ids = vaults(body.vault_ids);
    if (body.resources !== undefined) {
      const res = resources(body.resources);
      dep.resources = res.config;
      rec.resourceParams = res.params;
    }
    if (body.metadata !== undefined) patchMetadata(dep.metadata, body.metadata, 'deployment update');
    if (body.schedule !== undefined) {
      dep.schedule = schedule(body.schedule);
      ctx.deployments.schedule(rec);
    }
    ctx.deployments.touch(dep);
    ctx.deliverer.emit({ type: 'deployment.updated' }, dep.id);
    return dep;
  });

  app.get('/v1/deployments', async (req) => {
    const q = req.query as Query;
    onlyQuery(q, [
      'agent_id',
      'created_at[gte]',
      'created_at[lte]',
      'include_archived',
      'status',
      'limit',
      'page',
    ]);
    const agentId = queryString(q, 'agent_id');
    const status = queryString(q, 'status');
    const items = [...ctx.state.deployments.values()]
      .map((r) => r.deployment)
      .filter(
        (d) =>
          (agentId === undefined || d.agent.id === agentId) && (status === undefined || d.status === status),
      );
    return liveList(ctx, q, items);
  });

  app.post<{ Params: { id: string } }>('/v1/deployments/:id/archive', async (req): Promise<Deployment> => {
    onlyKeys(asObject(req.body, 'archive'), [], 'archive');
    const rec = find(req.params.id);
    const dep = rec.deployment;
    ctx.deployments.unschedule(rec);
    archiveOnce(ctx, dep, { type: 'deployment.archived' });
    return dep;
  });

  app.post<{ Params: { id: string } }>('/v1/deployments/:id/pause', async (req): Promise<Deployment> => {
    onlyKeys(asObject(req.body, 'pause'), [], 'pause');
    const rec = open(req.params.id);
    ctx.deployments.pause(rec, { type: 'manual' });
    return rec.deployment;
  });

  app.post<{ Params: { id: string } }>('/v1/deployments/:id/unpause', async (req): Promise<Deployment> => {
    onlyKeys(asObject(req.body, 'unpause'), [], 'unpause');
    const rec = open(req.params.id);
    ctx.deployments.unpause(rec);
    return rec.deployment;
  });

  app.post<{ Params: { id: string } }>(
    '/v1/deployments/:id/run',
    async (req): Promise<BetaManagedAgentsDeploymentRun> => {
      onlyKeys(asObject(req.body, 'run'), [], 'run');
      return ctx.deployments.run(open(req.params.id), { type: 'manual' });
    },
  );
}
