// The web dashboard as a Fastify plugin: server-rendered pages over the store, a CSS file and a
// small script for live updates, and the login form. No framework and nothing fetched from the
// network at run time.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../errors.js';
import {
  clearSessionCookieHeader,
  decideAccess,
  safeEqual,
  safeNext,
  sessionCookieHeader,
} from '../http/access.js';
import { outcomesHealthSection, runFilesSection } from '../notify/dashboard.js';
import { listEventsPage } from '../query/events.js';
import { PARAMS, parseEventFilters, parseRunFilters } from '../query/filters.js';
import { runDetail } from '../query/run-detail.js';
import { countRunsByStatus, listRunsPage } from '../query/runs.js';
import { collectStats } from '../query/stats.js';
import { type DashboardDeps, DEFAULT_RECONCILER_META_KEY } from './deps.js';
import { html, type SafeHtml } from './html.js';
import { type Section, shell } from './layout.js';
import { clientKey, LoginLimiter } from './login-limit.js';
import { eventBody, eventsBody } from './pages/events.js';
import { healthBody } from './pages/health.js';
import { loginBody } from './pages/login.js';
import { runBody } from './pages/run.js';
import { runsBody } from './pages/runs.js';

// Pages only load their own CSS and script; the inline style attributes are the only reason for
// 'unsafe-inline' in style-src, and scripts stay strictly same-origin.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

interface Asset {
  body: string;
  type: string;
  version: string;
}

async function loadAsset(name: string, type: string): Promise<Asset> {
  const body = await readFile(new URL(`./assets/${name}`, import.meta.url), 'utf8');
  return { body, type, version: createHash('sha256').update(body).digest('hex').slice(0, 10) };
}

function isSecure(req: FastifyRequest): boolean {
  return req.protocol === 'https';
}

/** Registers the pages, assets and login routes as an encapsulated plugin (loaded when the server
 * gets ready, so callers need not await it). */
export function registerDashboard(server: FastifyInstance, deps: DashboardDeps): PromiseLike<unknown> {
  return server.register(async (app) => {
    const [css, js] = await Promise.all([
      loadAsset('app.css', 'text/css; charset=utf-8'),
      loadAsset('live.js', 'text/javascript; charset=utf-8'),
    ]);
    await dashboardRoutes(app, deps, { css, js });
  });
}

async function dashboardRoutes(
  app: FastifyInstance,
  deps: DashboardDeps,
  files: { css: Asset; js: Asset },
): Promise<void> {
  const { store, clock } = deps;
  const { css, js } = files;
  const assets = { css: css.version, js: js.version };
  const limiter = new LoginLimiter(() => clock.now());

  const page = (
    reply: FastifyReply,
    status: number,
    o: { title: string; section: Section; body: SafeHtml; live?: boolean; loggedIn?: boolean },
  ) =>
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .send(shell({ ...o, assets }).value);

  const errorPage = (reply: FastifyReply, err: AppError, section: Section) =>
    page(reply, err.status, {
      title: 'Error',
      section,
      body: html`<div class="card card-body"><h1>${err.status === 404 ? 'Not found' : 'Cannot show this'}</h1><p class="muted">${err.message}</p><p><a href="/">Back to runs</a></p></div>`,
    });
  // Static assets and the login routes are public: the login page needs the stylesheet.
  for (const asset of [
    ['/assets/app.css', css],
    ['/assets/live.js', js],
  ] as const) {
    app.get(asset[0], async (_req, reply) =>
      reply
        .header('content-type', asset[1].type)
        .header('cache-control', 'public, max-age=86400')
        .send(asset[1].body),
    );
  }

  // Login form bodies only; small, so a form post can never be used to push large bodies.
  if (app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.removeContentTypeParser('application/x-www-form-urlencoded');
  }
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 8192 },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.get('/login', async (req, reply) => {
    const next = safeNext((req.query as Record<string, unknown>).next);
    return page(reply, deps.token ? 200 : 403, {
      title: 'Sign in',
      section: 'login',
      body: loginBody({ next, tokenConfigured: !!deps.token }),
    });
  });

  app.post('/login', async (req, reply) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(form.next);
    if (!deps.token) {
      return page(reply, 403, {
        title: 'Sign in',
        section: 'login',
        body: loginBody({ next, tokenConfigured: false }),
      });
    }
    const client = clientKey(req.headers, req.socket.remoteAddress);
    const wait = limiter.blockedFor(client);
    if (wait > 0) {
      return page(reply.header('retry-after', String(Math.ceil(wait / 1000))), 429, {
        title: 'Sign in',
        section: 'login',
        body: loginBody({
          next,
          tokenConfigured: true,
          error: `Too many wrong tokens: try again in ${Math.ceil(wait / 1000)} s.`,
        }),
      });
    }
    const given = typeof form.token === 'string' ? form.token.trim() : '';
    if (given === '' || !safeEqual(given, deps.token)) {
      limiter.fail(client);
      return page(reply, 401, {
        title: 'Sign in',
        section: 'login',
        body: loginBody({
          next,
          tokenConfigured: true,
          error: 'That token does not match AGENTHOOKS_TOKEN.',
        }),
      });
    }
    limiter.succeed(client);
    return reply
      .code(303)
      .header('set-cookie', sessionCookieHeader(deps.token, isSecure(req)))
      .header('location', next)
      .send();
  });

  app.post('/logout', async (_req, reply) =>
    reply.code(303).header('set-cookie', clearSessionCookieHeader()).header('location', '/login').send(),
  );

  // Everything below needs access (DESIGN.md "Access").
  await app.register(async (pages) => {
    pages.decorateRequest('viaCookie', false);
    pages.addHook('onRequest', async (req, reply) => {
      const d = decideAccess({ headers: req.headers, remoteAddress: req.socket.remoteAddress }, deps.token);
      if (d.allowed) {
        (req as FastifyRequest & { viaCookie: boolean }).viaCookie = d.via === 'cookie';
        return;
      }
      if (d.code === 'token_required') {
        return page(reply, 403, {
          title: 'Token required',
          section: 'login',
          body: loginBody({ next: '/', tokenConfigured: false }),
        });
      }
      return page(reply, 401, {
        title: 'Sign in',
        section: 'login',
        body: loginBody({ next: safeNext(req.url), tokenConfigured: true }),
      });
    });

    const loggedIn = (req: FastifyRequest) => (req as FastifyRequest & { viaCookie: boolean }).viaCookie;

    const guard =
      (section: Section, fn: (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>) =>
      async (req: FastifyRequest, reply: FastifyReply) => {
        try {
          return await fn(req, reply);
        } catch (err) {
          if (isAppError(err) && err.status < 500) return errorPage(reply, err, section);
          throw err;
        }
      };

    pages.get(
      '/',
      guard('runs', async (req, reply) => {
        const now = clock.now();
        const filters = parseRunFilters(req.query as Record<string, unknown>, now, PARAMS);
        // Chip totals come from the (status, first_seen_at) index; with a text search or an agent
        // filter each count would visit every row in range, so they are left out then.
        const countsPromise =
          filters.search || filters.agent
            ? Promise.resolve(null)
            : countRunsByStatus(store, { since: filters.since, until: filters.until });
        const [runsPage, counts] = await Promise.all([listRunsPage(store, filters), countsPromise]);
        return page(reply, 200, {
          title: 'Runs',
          section: 'runs',
          live: true,
          loggedIn: loggedIn(req),
          body: runsBody({ filters, page: runsPage, counts, now }),
        });
      }),
    );

    pages.get(
      '/runs/:id',
      guard('runs', async (req, reply) => {
        const { id } = req.params as { id: string };
        const detail = await runDetail(store, id);
        if (!detail) throw new AppError('run_not_found', `No run ${id} is stored.`);
        return page(reply, 200, {
          title: detail.run.title ?? detail.run.id,
          section: 'runs',
          live: true,
          loggedIn: loggedIn(req),
          // Output files come from the Files API (issue 10), so only with a platform.
          body: html`${runBody(detail, clock.now())}${await runFilesSection(deps.platform ?? null, id)}`,
        });
      }),
    );

    pages.get(
      '/events',
      guard('events', async (req, reply) => {
        const now = clock.now();
        const filters = parseEventFilters(req.query as Record<string, unknown>, now, PARAMS);
        const eventsPage = await listEventsPage(store, filters);
        return page(reply, 200, {
          title: 'Events',
          section: 'events',
          live: true,
          loggedIn: loggedIn(req),
          body: eventsBody(filters, eventsPage, now),
        });
      }),
    );

    pages.get(
      '/events/:id',
      guard('events', async (req, reply) => {
        const { id } = req.params as { id: string };
        const event = await store.getEvent(id);
        if (!event) throw new AppError('event_not_found', `No event ${id} is stored.`);
        return page(reply, 200, {
          title: event.type,
          section: 'events',
          loggedIn: loggedIn(req),
          body: eventBody(event, clock.now()),
        });
      }),
    );

    pages.get(
      '/health-view',
      guard('health', async (req, reply) => {
        const stats = await collectStats(store, clock.now(), {
          reconcilerMetaKey: deps.reconcilerMetaKey ?? DEFAULT_RECONCILER_META_KEY,
        });
        return page(reply, 200, {
          title: 'Health',
          section: 'health',
          live: true,
          loggedIn: loggedIn(req),
          body: html`${healthBody(stats)}${await outcomesHealthSection(store, stats.now)}`,
        });
      }),
    );
  });
}
