// The JSON API under /api (docs/api.md): what the dashboard's live updates and users' scripts read.
// Every route is read-only and bounded by a limit. app.ts registers it inside registerGuarded
// (access.ts); a failure is an AppError thrown to the server's one error handler.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import { eventPayload, listEventsPage, summarizeEvent } from '../query/events.js';
import { PARAMS, parseEventFilters, parseRunFilters } from '../query/filters.js';
import { collectInsight, parseInsightFilters } from '../query/insight.js';
import { summarizeNotification } from '../query/notifications.js';
import { runDetail } from '../query/run-detail.js';
import { listRunsPage } from '../query/runs.js';
import { collectStats } from '../query/stats.js';
import { OUTBOX_STATES, type OutboxState } from '../store/types.js';
import { changeFeed, type DashboardDeps, DEFAULT_RECONCILER_META_KEY } from '../web/deps.js';
import { runFilesOf } from '../web/run-files.js';
import { KEEPALIVE_MS, openEventStream, sendEvent } from './event-stream.js';

type Query = Record<string, unknown>;

/** ?limit= of the notification and deployment-run lists (100 unless given). */
function limitOf(q: Query): number {
  if (q.limit === undefined) return 100;
  const n = Number(q.limit);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new AppError(
      'bad_request',
      `limit must be a whole number from 1 to 1000 (got ${String(q.limit)}).`,
    );
  return n;
}

function outboxStateOf(q: Query): OutboxState | undefined {
  if (q.state === undefined) return undefined;
  const state = String(q.state);
  if (!(OUTBOX_STATES as readonly string[]).includes(state))
    throw new AppError('bad_request', `state must be pending, delivered or failed (got ${state}).`);
  return state as OutboxState;
}

/** Registers the /api routes as an encapsulated plugin (loaded when the server gets ready, so
 * callers need not await it). */
export function registerApi(server: FastifyInstance, deps: DashboardDeps): PromiseLike<unknown> {
  const { store, clock } = deps;
  const feed = changeFeed(deps);
  const streams = new Set<ServerResponse>();

  return server.register(async (api) => {
    // Runs: lists, one run with its events, and its output files (a Files API read at most once a
    // minute per run; a final run's list is kept in the store).
    api.get('/api/runs', async (req) =>
      listRunsPage(store, parseRunFilters(req.query as Query, clock.now(), PARAMS)),
    );

    api.get('/api/runs/:id', async (req) => {
      const { id } = req.params as { id: string };
      const detail = await runDetail(store, id);
      if (!detail)
        throw new AppError('run_not_found', `No run ${id} is stored. List runs with GET /api/runs.`);
      return { ...detail, events: detail.events.map(summarizeEvent) };
    });

    api.get('/api/runs/:id/files', async (req) => {
      const { id } = req.params as { id: string };
      const files = runFilesOf(deps);
      if (!files)
        throw new AppError(
          'api_key_required',
          'Listing output files reads the Files API: start serve with ANTHROPIC_API_KEY set.',
        );
      const run = await store.getRun(id);
      if (!run) throw new AppError('run_not_found', `No run ${id} is stored. List runs with GET /api/runs.`);
      return { data: await files.list(run) };
    });

    // Scheduled deployment runs, with the error of those that created no session.
    api.get('/api/deployment-runs', async (req) => {
      const q = req.query as Query;
      const failed = q.failed === 'true' ? true : q.failed === 'false' ? false : undefined;
      return { data: await store.listDeploymentRuns({ failed, limit: limitOf(q) }) };
    });

    // Events: lists and one event with its raw JSON.
    api.get('/api/events', async (req) => {
      const page = await listEventsPage(store, parseEventFilters(req.query as Query, clock.now(), PARAMS));
      return { events: page.events.map(summarizeEvent), nextCursor: page.nextCursor };
    });

    api.get('/api/events/:id', async (req) => {
      const { id } = req.params as { id: string };
      const event = await store.getEvent(id);
      if (!event)
        throw new AppError('event_not_found', `No event ${id} is stored. List events with GET /api/events.`);
      return { event: { ...summarizeEvent(event), raw: event.raw, payload: eventPayload(event) } };
    });

    // Notifications: the outbox of run.finished events to notify targets.
    api.get('/api/notifications', async (req) => {
      const q = req.query as Query;
      // The state is checked before the limit, so a request with both wrong names the state.
      const state = outboxStateOf(q);
      const rows = await store.listOutbox({ state, limit: limitOf(q) });
      return { data: rows.map(summarizeNotification) };
    });

    // The health numbers, plus `insight`: per-agent and per-pipeline figures over ?since= (30 days
    // unless given), narrowed by ?agent= and ?pipeline= (what `agenthooks stats --json` prints).
    api.get('/api/stats', async (req) => {
      const now = clock.now();
      const filters = parseInsightFilters(req.query as Query, now, PARAMS);
      const [stats, insight] = await Promise.all([
        collectStats(store, now, {
          reconcilerMetaKey: deps.reconcilerMetaKey ?? DEFAULT_RECONCILER_META_KEY,
        }),
        collectInsight(store, filters),
      ]);
      return { ...stats, insight };
    });

    // Server-Sent Events: `hello` once, then `tick` whenever the store's marker moves. Browsers
    // re-read what they show on a tick; the stream itself carries no data worth protecting.
    api.get('/api/stream', (req, reply) => {
      const res = openEventStream(reply);
      sendEvent(res, `retry: 2000\nevent: hello\ndata: ${JSON.stringify({ at: clock.now() })}\n\n`);
      const unsubscribe = feed.subscribe((marker) => {
        sendEvent(res, `event: tick\ndata: ${JSON.stringify({ marker, at: clock.now() })}\n\n`);
      });
      const keepalive = setInterval(() => sendEvent(res, ': keepalive\n\n'), KEEPALIVE_MS);
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
