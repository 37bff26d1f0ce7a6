// The access rule for the dashboard and the JSON API (DESIGN.md "Access"):
// a request from a loopback socket that carries no forwarding header is trusted as-is; every other
// request needs AGENTHOOKS_TOKEN, as a bearer header (scripts) or as the session cookie the login
// form sets (browsers). With no token configured such requests are refused with token_required,
// so a server exposed through a container port or a tunnel never shows data by accident.
// registerGuarded applies the rule, once, to every route that needs it.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

export const SESSION_COOKIE = 'agenthooks_session';
/** How long a browser stays logged in; the cookie also dies when the token changes. */
export const SESSION_MAX_AGE_S = 7 * 24 * 3600;

export type AccessVia = 'loopback' | 'bearer' | 'cookie';

export type AccessDecision =
  | { allowed: true; via: AccessVia }
  | { allowed: false; code: 'token_required' | 'unauthorized'; message: string };

/** 127.0.0.0/8, ::1 and their IPv4-mapped IPv6 forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase();
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

// A proxy on the same machine connects from loopback too; these headers are how we can tell that
// the request really came from elsewhere. X-Real-IP is included because nginx setups often send
// only that one.
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

export function hasForwardingHeader(headers: IncomingHttpHeaders): boolean {
  return FORWARDING_HEADERS.some((h) => headers[h] !== undefined);
}

/** The cookie value: an HMAC keyed by the token, so the cookie never reveals the token itself. */
export function sessionCookieValue(token: string): string {
  return createHmac('sha256', token).update('agenthooks dashboard session v1').digest('base64url');
}

/** Constant-time comparison of two strings of any length (both are hashed to a fixed size first). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!(name in out)) out[name] = value;
  }
  return out;
}

function bearer(headers: IncomingHttpHeaders): string | null {
  const h = headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m?.[1]?.trim() ?? null;
}

export interface AccessRequest {
  headers: IncomingHttpHeaders;
  remoteAddress: string | undefined;
}

export function decideAccess(req: AccessRequest, token: string | null): AccessDecision {
  if (isLoopbackAddress(req.remoteAddress) && !hasForwardingHeader(req.headers))
    return { allowed: true, via: 'loopback' };
  if (token === null || token === '') {
    return {
      allowed: false,
      code: 'token_required',
      message:
        'This request does not come straight from this machine, and no AGENTHOOKS_TOKEN is configured. Set AGENTHOOKS_TOKEN on serve and send it as "Authorization: Bearer <token>" (or log in at /login), or open the dashboard from the machine itself.',
    };
  }
  const presented = bearer(req.headers);
  if (presented !== null && safeEqual(presented, token)) return { allowed: true, via: 'bearer' };
  const cookie = parseCookies(req.headers.cookie)[SESSION_COOKIE];
  if (cookie !== undefined && safeEqual(cookie, sessionCookieValue(token)))
    return { allowed: true, via: 'cookie' };
  return {
    allowed: false,
    code: 'unauthorized',
    message:
      presented !== null
        ? 'The bearer token does not match AGENTHOOKS_TOKEN. Send "Authorization: Bearer <the token serve was started with>".'
        : 'A token is required: send "Authorization: Bearer $AGENTHOOKS_TOKEN", or log in at /login.',
  };
}

type GuardedRequest = FastifyRequest & { accessVia: AccessVia | null };

/**
 * Registers `routes` in one scope whose every request passes the access rule first: /api, /metrics
 * and the dashboard pages (/health, /ready, the webhooks, /login and the assets stay outside). A
 * refused request fails with token_required (403) or unauthorized (401), answered by the error
 * handler of the scope its route lives in: JSON from the server's, the login page from the pages'.
 * What gets through is private, so no shared cache may keep it.
 */
export function registerGuarded(
  server: FastifyInstance,
  token: string | null,
  routes: (scope: FastifyInstance) => void,
): PromiseLike<unknown> {
  return server.register(async (scope) => {
    scope.decorateRequest('accessVia', null);
    scope.addHook('onRequest', async (req, reply) => {
      const d = decideAccess({ headers: req.headers, remoteAddress: req.socket.remoteAddress }, token);
      if (!d.allowed) throw new AppError(d.code, d.message);
      (req as GuardedRequest).accessVia = d.via;
      reply.header('cache-control', 'no-store');
    });
    routes(scope);
  });
}

/** How a request inside registerGuarded got in (null outside it). */
export function accessVia(req: FastifyRequest): AccessVia | null {
  return (req as GuardedRequest).accessVia ?? null;
}

/** The Set-Cookie header for a logged-in browser. `secure` when the page was served over HTTPS. */
export function sessionCookieHeader(token: string, secure: boolean): string {
  const parts = [
    `${SESSION_COOKIE}=${sessionCookieValue(token)}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${SESSION_MAX_AGE_S}`,
  ];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

export function clearSessionCookieHeader(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

/** Only same-site relative paths are accepted as a post-login destination (no open redirect). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\'))
    return '/';
  if (/[\r\n]/.test(next)) return '/';
  return next;
}
