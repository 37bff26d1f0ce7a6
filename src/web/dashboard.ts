// The dashboard pages as a Fastify plugin: server-rendered over the store, with a small script for
// live updates. No framework and nothing fetched from the network at run time. app.ts registers
// them inside registerGuarded (access.ts); the assets and the login form are in login.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../errors.js';
import { accessVia, safeNext } from '../http/access.js';
import { listEventsPage } from '../query/events.js';
import { PARAMS, parseEventFilters, parseRunFilters } from '../query/filters.js';
import { collectInsight, DEFAULT_SINCE, parseInsightFilters } from '../query/insight.js';
import { runDetail } from '../query/run-detail.js';
import { countRunsByStatus, listRunsPage } from '../query/runs.js';
import { collectStats } from '../query/stats.js';
import { type DashboardDeps, DEFAULT_RECONCILER_META_KEY } from './deps.js';
import { html } from './html.js';
import type { Section } from './layout.js';
import { loadAssets, type PageOptions, sendPage } from './page.js';
import { eventBody, eventsBody } from './pages/events.js';
import { healthBody } from './pages/health.js';
import { type InsightKind, insightDetailBody, insightListBody } from './pages/insight.js';
import { loginBody } from './pages/login.js';
import { outcomesHealthSection, runFilesSection } from './pages/outcomes.js';
import { runBody } from './pages/run.js';
import { runsBody } from './pages/runs.js';
import { pendingToolsOf } from './pending-tools.js';
import { runFilesOf } from './run-files.js';
import { runTranscriptSection, runTranscriptsOf } from './transcript.js';

/** Route options naming the navigation section a page (and its error page) belongs to. */
const section = (name: Section) => ({ config: { section: name } });

function sectionOf(req: FastifyRequest): Section {
  return (req.routeOptions.config as { section?: Section }).section ?? 'runs';
}

/** Registers the pages as an encapsulated plugin (loaded when the server gets ready, so callers
 * need not await it). */
export function registerPages(server: FastifyInstance, deps: DashboardDeps): PromiseLike<unknown> {
  const { store, clock } = deps;
  return server.register(async (pages) => {
    const assets = await loadAssets();
    const show = (
      req: FastifyRequest,
      reply: FastifyReply,
      o: Omit<PageOptions, 'section' | 'loggedIn'>,
    ): FastifyReply =>
      sendPage(reply, assets, 200, { ...o, section: sectionOf(req), loggedIn: accessVia(req) === 'cookie' });

    // Browsers get pages, not JSON: a refused request gets the login form, a client error (unknown
    // id, bad filter) an error page. Anything else goes on to the server's one error handler.
    pages.setErrorHandler(async (err, req, reply) => {
      if (!isAppError(err) || err.status >= 500) throw err;
      if (err.code === 'token_required')
        return sendPage(reply, assets, 403, {
          title: 'Token required',
          section: 'login',
          body: loginBody({ next: '/', tokenConfigured: false }),
        });
      if (err.code === 'unauthorized')
        return sendPage(reply, assets, 401, {
          title: 'Sign in',
          section: 'login',
          body: loginBody({ next: safeNext(req.url), tokenConfigured: true }),
        });
      return sendPage(reply, assets, err.status, {
        title: 'Error',
        section: sectionOf(req),
        body: html`<div class="card card-body"><h1>${err.status === 404 ? 'Not found' : 'Cannot show this'}</h1><p class="muted">${err.message}</p><p><a href="/">Back to runs</a></p></div>`,
      });
    });

    pages.get('/', section('runs'), async (req, reply) => {
      const now = clock.now();
      const filters = parseRunFilters(req.query as Record<string, unknown>, now, PARAMS);
      // Chip totals come from the (status, first_seen_at) index; with a text search or an agent
      // filter each count would visit every row in range, so they are left out then. They count
      // no pipeline or failure reason either, so they are left out with those filters too.
      const countsPromise =
        filters.search || filters.agent || filters.pipeline || filters.reason
          ? Promise.resolve(null)
          : countRunsByStatus(store, { since: filters.since, until: filters.until });
      const [runsPage, counts] = await Promise.all([listRunsPage(store, filters), countsPromise]);
      return show(req, reply, {
        title: 'Runs',
        live: true,
        body: runsBody({ filters, page: runsPage, counts, now }),
      });
    });

    pages.get('/runs/:id', section('runs'), async (req, reply) => {
      const { id } = req.params as { id: string };
      const detail = await runDetail(store, id);
      if (!detail) throw new AppError('run_not_found', `No run ${id} is stored.`);
      const pending = (await pendingToolsOf(deps)?.of(detail.run)) ?? null;
      return show(req, reply, {
        title: detail.run.title ?? detail.run.id,
        live: true,
        // Output files come from the Files API (only with a platform), read at most once a minute.
        body: html`${runBody(detail, clock.now(), pending)}${await runFilesSection(runFilesOf(deps), detail.run)}${await runTranscriptSection(runTranscriptsOf(deps), detail.run)}`,
      });
    });

    pages.get('/events', section('events'), async (req, reply) => {
      const now = clock.now();
      const filters = parseEventFilters(req.query as Record<string, unknown>, now, PARAMS);
      const eventsPage = await listEventsPage(store, filters);
      return show(req, reply, {
        title: 'Events',
        live: true,
        body: eventsBody(filters, eventsPage, now),
      });
    });

    pages.get('/events/:id', section('events'), async (req, reply) => {
      const { id } = req.params as { id: string };
      const event = await store.getEvent(id);
      if (!event) throw new AppError('event_not_found', `No event ${id} is stored.`);
      return show(req, reply, {
        title: event.type,
        body: eventBody(event, clock.now()),
      });
    });

    // Agents and pipelines: the list, then one page each (`?since=` as in `agenthooks stats`).
    for (const kind of ['agents', 'pipelines'] as InsightKind[]) {
      const title = kind === 'agents' ? 'Agents' : 'Pipelines';
      pages.get(`/${kind}`, section(kind), async (req, reply) => {
        const q = req.query as Record<string, unknown>;
        const filters = parseInsightFilters({ since: q.since }, clock.now(), PARAMS);
        const since = typeof q.since === 'string' && q.since !== '' ? q.since : DEFAULT_SINCE;
        const insight = await collectInsight(store, filters);
        return show(req, reply, { title, body: insightListBody(kind, insight, since) });
      });
      pages.get(`/${kind}/:name`, section(kind), async (req, reply) => {
        const { name } = req.params as { name: string };
        const q = req.query as Record<string, unknown>;
        const by = kind === 'agents' ? { agent: name } : { pipeline: name };
        const filters = parseInsightFilters({ since: q.since, ...by }, clock.now(), PARAMS);
        const since = typeof q.since === 'string' && q.since !== '' ? q.since : DEFAULT_SINCE;
        const insight = await collectInsight(store, filters);
        return show(req, reply, {
          title: `${title}: ${name}`,
          body: insightDetailBody(kind, name, insight, since),
        });
      });
    }

    pages.get('/health-view', section('health'), async (req, reply) => {
      const stats = await collectStats(store, clock.now(), {
        reconcilerMetaKey: deps.reconcilerMetaKey ?? DEFAULT_RECONCILER_META_KEY,
      });
      return show(req, reply, {
        title: 'Health',
        live: true,
        body: html`${healthBody(stats)}${await outcomesHealthSection(store, stats.now)}`,
      });
    });
  });
}
