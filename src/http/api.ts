// The JSON API under /api (docs/api.md): what the dashboard's live updates and users' scripts read.
// Every route is read-only, bounded by a limit, and behind the access rule in access.ts.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../errors.js';
import { eventPayload, listEventsPage, summarizeEvent } from '../query/events.js';
import { PARAMS, parseEventFilters, parseRunFilters } from '../query/filters.js';
import { runDetail } from '../query/run-detail.js';
import { listRunsPage } from '../query/runs.js';
import { collectStats } from '../query/stats.js';
import { changeFeed, type DashboardDeps, DEFAULT_RECONCILER_META_KEY } from '../web/deps.js';
import { decideAccess } from './access.js';

/** How often an idle event stream gets a comment line, so proxies do not time it out. */
const KEEPALIVE_MS = 15_000;

function sendError(reply: FastifyReply, err: AppError): FastifyReply {
  return reply.code(err.status).header('cache-control', 'no-store').send(err.toJSON());
}

/** Route handler wrapper: AppErrors become their JSON answer here; anything else goes to the one
 * error handler of the server. */
function route<T>(fn: (req: FastifyRequest) => Promise<T>) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      const body = await fn(req);
      return reply.header('cache-control', 'no-store').send(body);
    } catch (err) {
      if (isAppError(err)) return sendError(reply, err);
      throw err;
    }
  };
}

/** Registers the /api routes as an encapsulated plugin (loaded when the server gets ready, so
 * callers need not await it). */
export function registerApi(server: FastifyInstance, deps: DashboardDeps): PromiseLike<unknown> {
  const { store, clock } = deps;
  const feed = changeFeed(deps);
  const streams = new Set<ServerResponse>();

  return server.register(async (api) => {
    api.addHook('onRequest', async (req, reply) => {
      const d = decideAccess({ headers: req.headers, remoteAddress: req.socket.remoteAddress }, deps.token);
      if (d.allowed) return;
      if (d.code === 'unauthorized') reply.header('www-authenticate', 'Bearer realm="agenthooks"');
      return sendError(reply, new AppError(d.code, d.message));
    });

    api.get(
      '/api/runs',
      route(async (req) =>
        listRunsPage(store, parseRunFilters(req.query as Record<string, unknown>, clock.now(), PARAMS)),
      ),
    );

    api.get(
      '/api/runs/:id',
      route(async (req) => {
        const { id } = req.params as { id: string };
        const detail = await runDetail(store, id);
        if (!detail)
          throw new AppError('run_not_found', `No run ${id} is stored. List runs with GET /api/runs.`);
        return { ...detail, events: detail.events.map(summarizeEvent) };
      }),
    );

    api.get(
      '/api/events',
      route(async (req) => {
        const page = await listEventsPage(
          store,
          parseEventFilters(req.query as Record<string, unknown>, clock.now(), PARAMS),
        );
        return { events: page.events.map(summarizeEvent), nextCursor: page.nextCursor };
      }),
    );

    api.get(
      '/api/events/:id',
      route(async (req) => {
        const { id } = req.params as { id: string };
        const event = await store.getEvent(id);
        if (!event)
          throw new AppError(
            'event_not_found',
            `No event ${id} is stored. List events with GET /api/events.`,
          );
        return { event: { ...summarizeEvent(event), raw: event.raw, payload: eventPayload(event) } };
      }),
    );

    api.get(
      '/api/stats',
      route(async () =>
        collectStats(store, clock.now(), {
          reconcilerMetaKey: deps.reconcilerMetaKey ?? DEFAULT_RECONCILER_META_KEY,
        }),
      ),
    );

    // Server-Sent Events: `hello` once, then `tick` whenever the store's marker moves. Browsers
    // re-read what they show on a tick; the stream itself carries no data worth protecting.
    api.get('/api/stream', (req, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ at: clock.now() })}\n\n`);
      const unsubscribe = feed.subscribe((marker) => {
        res.write(`event: tick\ndata: ${JSON.stringify({ marker, at: clock.now() })}\n\n`);
      });
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      streams.add(res);
      const done = () => {
        clearInterval(keepalive);
        unsubscribe();
        streams.delete(res);
      };
      req.raw.on('close', done);
      res.on('close', done);
    });

    // Open event streams would keep server.close() waiting forever: end them first.
    api.addHook('preClose', async () => {
      for (const res of streams) res.end();
      streams.clear();
      feed.stop();
    });
  });
}
