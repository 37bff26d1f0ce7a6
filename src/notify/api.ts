// JSON routes for issue 10 next to /api (same access rule as src/http/api.ts): notifications,
// a run's output files (a Files API read per request, so only when a platform is configured) and
// scheduled deployment runs with their errors.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../errors.js';
import { decideAccess } from '../http/access.js';
import type { Platform } from '../platform/types.js';
import type { OutboxMessage, Store } from '../store/types.js';
import { summarizeNotification } from './view.js';

export interface OutcomesApiDeps {
  store: Store;
  platform: Platform | null;
  token: string | null;
}

const STATES = new Set(['pending', 'delivered', 'failed']);

function limitOf(q: Record<string, unknown>): number {
  if (q.limit === undefined) return 100;
  const n = Number(q.limit);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new AppError(
      'bad_request',
      `limit must be a whole number from 1 to 1000 (got ${String(q.limit)}).`,
    );
  return n;
}

function route<T>(fn: (req: FastifyRequest) => Promise<T>) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      return reply.header('cache-control', 'no-store').send(await fn(req));
    } catch (err) {
      if (isAppError(err))
        return reply.code(err.status).header('cache-control', 'no-store').send(err.toJSON());
      throw err;
    }
  };
}

export function registerOutcomesApi(server: FastifyInstance, deps: OutcomesApiDeps): PromiseLike<unknown> {
  const { store } = deps;
  return server.register(async (api) => {
    api.addHook('onRequest', async (req, reply) => {
      const d = decideAccess({ headers: req.headers, remoteAddress: req.socket.remoteAddress }, deps.token);
      if (d.allowed) return;
      if (d.code === 'unauthorized') reply.header('www-authenticate', 'Bearer realm="agenthooks"');
      return reply.code(d.code === 'unauthorized' ? 401 : 403).send(new AppError(d.code, d.message).toJSON());
    });

    api.get(
      '/api/notifications',
      route(async (req) => {
        const q = req.query as Record<string, unknown>;
        if (q.state !== undefined && !STATES.has(String(q.state)))
          throw new AppError(
            'bad_request',
            `state must be pending, delivered or failed (got ${String(q.state)}).`,
          );
        const rows = await store.listOutbox({
          state: q.state as OutboxMessage['state'] | undefined,
          limit: limitOf(q),
        });
        return { data: rows.map(summarizeNotification) };
      }),
    );

    api.get(
      '/api/runs/:id/files',
      route(async (req) => {
        const { id } = req.params as { id: string };
        if (!deps.platform)
          throw new AppError(
            'api_key_required',
            'Listing output files reads the Files API: start serve with ANTHROPIC_API_KEY set.',
          );
        if (!(await store.getRun(id)))
          throw new AppError('run_not_found', `No run ${id} is stored. List runs with GET /api/runs.`);
        return { data: await deps.platform.listFiles(id) };
      }),
    );

    api.get(
      '/api/deployment-runs',
      route(async (req) => {
        const q = req.query as Record<string, unknown>;
        const failed = q.failed === 'true' ? true : q.failed === 'false' ? false : undefined;
        return { data: await store.listDeploymentRuns({ failed, limit: limitOf(q) }) };
      }),
    );
  });
}
