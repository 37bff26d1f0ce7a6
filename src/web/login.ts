// The dashboard's open routes: the stylesheet and script, and the login form that trades the token
// for the session cookie. They stay outside the access rule: the login page needs the stylesheet.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { clearSessionCookieHeader, safeEqual, safeNext, sessionCookieHeader } from '../http/access.js';
import type { DashboardDeps } from './deps.js';
import { clientKey, LoginLimiter } from './login-limit.js';
import { loadAssets, sendPage } from './page.js';
import { loginBody } from './pages/login.js';

function isSecure(req: FastifyRequest): boolean {
  return req.protocol === 'https';
}

/** Registers the assets, /login and /logout as an encapsulated plugin (loaded when the server gets
 * ready, so callers need not await it). */
export function registerLogin(server: FastifyInstance, deps: DashboardDeps): PromiseLike<unknown> {
  return server.register(async (app) => {
    const assets = await loadAssets();
    const limiter = new LoginLimiter(() => deps.clock.now());

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

    app.get('/login', async (req, reply) => {
      const next = safeNext((req.query as Record<string, unknown>).next);
      return sendPage(reply, assets, deps.token ? 200 : 403, {
        title: 'Sign in',
        section: 'login',
        body: loginBody({ next, tokenConfigured: !!deps.token }),
      });
    });

    app.post('/login', async (req, reply) => {
      const form = (req.body ?? {}) as Record<string, unknown>;
      const next = safeNext(form.next);
      if (!deps.token) {
        return sendPage(reply, assets, 403, {
          title: 'Sign in',
          section: 'login',
          body: loginBody({ next, tokenConfigured: false }),
        });
      }
      const client = clientKey(req.headers, req.socket.remoteAddress);
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
      return reply
        .code(303)
        .header('set-cookie', sessionCookieHeader(deps.token, isSecure(req)))
        .header('location', next)
        .send();
    });

    app.post('/logout', async (_req, reply) =>
      reply.code(303).header('set-cookie', clearSessionCookieHeader()).header('location', '/login').send(),
    );
  });
}
