// Test-only routes under /_simulator (no API key): counters, the delivery log, webhook endpoints
// added at run time, and deployment runs created on demand (real ones need a cron schedule).
import type { BetaManagedAgentsDeploymentRun } from '@anthropic-ai/sdk/resources/beta/deployment-runs';
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../api-error.js';
import type { SimContext } from '../context.js';
import { iso } from '../state.js';
import { asObject, onlyKeys, type Query } from '../validate.js';

export function adminRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get('/_simulator/stats', async () => ({
    routes: ctx.stats.snapshot(),
    deliveries: ctx.deliverer.counters,
    endpoints: ctx.deliverer.endpoints(),
    sessions: ctx.state.sessions.size,
  }));

  app.get('/_simulator/deliveries', async (req) => {
    const q = req.query as Query;
    const event = typeof q.event === 'string' ? q.event : undefined;
    const type = typeof q.type === 'string' ? q.type : undefined;
    return {
      data: ctx.deliverer.log().filter((r) => (!event || r.event_id === event) && (!type || r.type === type)),
    };
  });

  app.get('/_simulator/webhooks', async () => ({ data: ctx.deliverer.endpoints() }));

  app.post('/_simulator/webhooks', async (req) => {
    const body = asObject(req.body, 'webhook endpoint');
    onlyKeys(body, ['url', 'types'], 'webhook endpoint');
    if (typeof body.url !== 'string' || !/^https?:\/\//.test(body.url))
      throw badRequest('"url" must be an http(s) URL.');
    const types = Array.isArray(body.types) ? body.types.map(String) : [];
    ctx.deliverer.addEndpoint({ url: body.url, types });
    return { data: ctx.deliverer.endpoints() };
  });

  app.post('/_simulator/deployment_runs', async (req): Promise<BetaManagedAgentsDeploymentRun> => {
    const body = asObject(req.body, 'deployment run');
    onlyKeys(body, ['session_id', 'error', 'deployment_id'], 'deployment run');
    const hasSession = typeof body.session_id === 'string';
    if (hasSession === (body.error !== undefined && body.error !== null))
      throw badRequest('Give exactly one of "session_id" and "error" ({type, message}).');
    let agent: BetaManagedAgentsDeploymentRun['agent'] = { type: 'agent', id: 'agent_unknown', version: 1 };
    if (hasSession) {
      const rec = ctx.state.sessions.get(body.session_id as string);
      if (!rec) throw notFound('Session', body.session_id as string);
      agent = { type: 'agent', id: rec.session.agent.id, version: rec.session.agent.version };
    }
    const now = ctx.clock.now();
    const run: BetaManagedAgentsDeploymentRun = {
      id: ctx.ids.next('drun'),
      type: 'deployment_run',
      deployment_id: typeof body.deployment_id === 'string' ? body.deployment_id : ctx.ids.next('depl'),
      agent,
      session_id: hasSession ? (body.session_id as string) : null,
      error: hasSession ? null : (body.error as BetaManagedAgentsDeploymentRun['error']),
      trigger_context: { type: 'schedule', scheduled_at: iso(now) },
      created_at: iso(now),
    };
    ctx.state.deploymentRuns.set(run.id, run);
    ctx.state.remember(run.id);
    ctx.deliverer.emit({ type: 'deployment_run.started' }, run.id);
    ctx.deliverer.emit({ type: hasSession ? 'deployment_run.succeeded' : 'deployment_run.failed' }, run.id);
    return run;
  });
}
