// Deployment runs: retrieve and list.
import type { BetaManagedAgentsDeploymentRun } from '@anthropic-ai/sdk/resources/beta/deployment-runs';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../api-error.js';
import type { SimContext } from '../context.js';
import { forwardPage } from '../paging.js';
import { onlyQuery, type Query, queryBool, queryString, TIME_FILTERS, timeRange } from '../validate.js';

export function deploymentRunRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get<{ Params: { id: string } }>(
    '/v1/deployment_runs/:id',
    async (req): Promise<BetaManagedAgentsDeploymentRun> => {
      onlyQuery(req.query as Query, []);
      const run = ctx.state.deploymentRuns.get(req.params.id);
      if (!run) throw notFound('Deployment run', req.params.id);
      return run;
    },
  );

  app.get('/v1/deployment_runs', async (req) => {
    const q = req.query as Query;
    onlyQuery(q, ['deployment_id', 'has_error', 'trigger_type', 'limit', 'page', ...TIME_FILTERS]);
    const dep = queryString(q, 'deployment_id');
    const hasError = queryBool(q, 'has_error');
    const trigger = queryString(q, 'trigger_type');
    const inRange = timeRange(q);
    const items = [...ctx.state.deploymentRuns.values()]
      .filter(
        (r) =>
          (dep === undefined || r.deployment_id === dep) &&
          (hasError === undefined || (r.error !== null) === hasError) &&
          (trigger === undefined || r.trigger_context.type === trigger) &&
          inRange(Date.parse(r.created_at)),
      )
      .sort(ctx.state.newestFirst);
    return forwardPage(q, items, (r) => r.id, 'desc');
  });
}
