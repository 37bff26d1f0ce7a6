// Deployment runs (retrieve, list) and the Files API subset sessions write their outputs to.
import type { BetaManagedAgentsDeploymentRun } from '@anthropic-ai/sdk/resources/beta/deployment-runs';
import type { BetaDeletedFile, BetaFileMetadata } from '@anthropic-ai/sdk/resources/beta/files';
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../api-error.js';
import type { SimContext } from '../context.js';
import { forwardPage } from '../paging.js';
import {
  onlyQuery,
  type Query,
  queryArray,
  queryBool,
  queryString,
  TIME_FILTERS,
  timeRange,
} from '../validate.js';

export function miscRoutes(app: FastifyInstance, ctx: SimContext): void {
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

  app.get('/v1/files', async (req) => {
    const q = req.query as Query;
    onlyQuery(q, ['scope_id', 'ids[]', 'ids', 'limit', 'page', 'before_id', 'after_id']);
    const scope = queryString(q, 'scope_id');
    const ids = queryArray(q, 'ids');
    const items = [...ctx.state.files.values()]
      .map((f) => f.meta)
      .filter(
        (m) => (scope === undefined || m.scope?.id === scope) && (ids === undefined || ids.includes(m.id)),
      )
      .sort(ctx.state.newestFirst);
    return forwardPage(q, items, (m) => m.id, 'desc');
  });

  const file = (id: string) => {
    const f = ctx.state.files.get(id);
    if (!f) throw notFound('File', id);
    return f;
  };

  app.get<{ Params: { id: string } }>(
    '/v1/files/:id',
    async (req): Promise<BetaFileMetadata> => file(req.params.id).meta,
  );

  app.get<{ Params: { id: string } }>('/v1/files/:id/content', async (req, reply) => {
    const f = file(req.params.id);
    if (f.meta.downloadable === false) throw badRequest(`File ${f.meta.id} is not downloadable.`);
    reply.header('content-type', f.meta.mime_type);
    reply.header('content-disposition', `attachment; filename="${f.meta.filename}"`);
    return f.content;
  });

  app.delete<{ Params: { id: string } }>('/v1/files/:id', async (req): Promise<BetaDeletedFile> => {
    const f = file(req.params.id);
    ctx.state.files.delete(f.meta.id);
    return { id: f.meta.id, type: 'file_deleted' };
  });
}
