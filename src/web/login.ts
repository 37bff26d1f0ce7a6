// The dashboard's open routes: the stylesheet and script, and the login form that trades the token
// for the session cookie. They stay outside the access rule: the login page needs the stylesheet.
// /login and /logout pass the same Host and same-origin checks as the guarded routes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isAppError } from '../errors.js';
import {
  accessPolicy,
  checkHost,
  checkSameOrigin,
  clearSessionCookieHeader,
  clientAddress,
  hasForwardingHeader,
  isLoopbackAddress,
  isSecure,
  parseCookies,
  SESSION_COOKIE,
  safeEqual,
  safeNext,
  sessionCookieHeader,
} from '../http/access.js';
import type { DashboardDeps } from './deps.js';
import { html } from './html.js';
import { loadAssets, sendPage } from './page.js';
import { loginBody } from './pages/login.js';

/** Registers the assets, /login and /logout as an encapsulated plugin (loaded when the server gets
 * ready, so callers need not await it). */
export function registerLogin(server: FastifyInstance, deps: DashboardDeps): PromiseLike<unknown> {
  return server.register(async (app) => {
    const assets = await loadAssets();
    const policy = accessPolicy(deps);
    const limiter = policy.loginLimiter;

    for (const asset of [
      ['/assets/app.css', assets.css],
      ['/assets/live.js', assets.js],
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

    const guarded = {
      onRequest: [
        async (req: Parameters<typeof checkHost>[0]) => {
          checkHost(req, policy);
          checkSameOrigin(req, policy);
        },
      ],
    };
    // A refused Host or cross-site form gets a page saying why, like the guarded pages do.
    app.setErrorHandler(async (err, _req, reply) => {
      if (!isAppError(err) || err.status >= 500) throw err;
      return sendPage(reply, assets, err.status, {
        title: 'Refused',
        section: 'login',
        body: html`<div class="card card-body"><h1>Refused</h1><p class="muted">${err.message}</p></div>`,
      });
    });

    // Straight from this machine the access rule needs no token, so the page must not ask for one
    // as if the request came through the network.
    const direct = (req: FastifyRequest): boolean =>
      isLoopbackAddress(req.socket.remoteAddress) && !hasForwardingHeader(req.headers);

    app.get('/login', guarded, async (req, reply) => {
      const next = safeNext((req.query as Record<string, unknown>).next);
      return sendPage(reply, assets, deps.token || direct(req) ? 200 : 403, {
        title: 'Sign in',
        section: 'login',
        body: loginBody({ next, tokenConfigured: !!deps.token, direct: direct(req) }),
      });
    });

    app.post('/login', guarded, async (req, reply) => {
      const form = (req.body ?? {}) as Record<string, unknown>;
      const next = safeNext(form.next);
      if (!deps.token) {
        return sendPage(reply, assets, direct(req) ? 200 : 403, {
          title: 'Sign in',
          section: 'login',
          body: loginBody({ next, tokenConfigured: false, direct: direct(req) }),
        });
      }
      const client = clientAddress(req, policy);
      const wait = limiter.blockedFor(client);
      if (wait > 0) {
        return sendPage(reply.header('retry-after', String(Math.ceil(wait / 1000))), assets, 429, {
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
        return sendPage(reply, assets, 401, {
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
      const session = (await policy.sessions?.create()) as string;
      return reply
        .code(303)
        .header('set-cookie', sessionCookieHeader(session, isSecure(req, policy)))
        .header('location', next)
        .send();
    });

    // Logout revokes the session in the store, so a copied cookie stops working too.
    app.post('/logout', guarded, async (req, reply) => {
      const cookie = parseCookies(req.headers.cookie)[SESSION_COOKIE];
      if (cookie !== undefined) await policy.sessions?.revoke(cookie);
      return reply
        .code(303)
        .header('set-cookie', clearSessionCookieHeader())
        .header('location', '/login')
        .send();
    });
  });
}
