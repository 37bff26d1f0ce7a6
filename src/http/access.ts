// The access rule for the dashboard and the JSON API (DESIGN.md "Access", docs/security.md):
// 1. the Host must name loopback or a host given with --allowed-host (DNS rebinding: a page on
//    another name mapped to 127.0.0.1 would otherwise ride on the loopback trust);
// 2. a state-changing request must be same-origin (CSRF);
// 3. a request from a loopback socket that carries no forwarding header is trusted as-is; every
//    other request needs AGENTHOOKS_TOKEN, as a bearer header (scripts) or as the session cookie
//    the login form sets (browsers). With no token configured such requests are refused with
//    token_required, so a server exposed through a container port or a tunnel never shows data
//    by accident. Wrong bearer tokens are rate-limited per client address.
// registerGuarded applies the rule, once, to every route that needs it.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { DashboardDeps } from '../web/deps.js';
import { LoginLimiter } from '../web/login-limit.js';
import { SESSION_MAX_AGE_S, Sessions } from '../web/sessions.js';

export const SESSION_COOKIE = 'agenthooks_session';

export type AccessVia = 'loopback' | 'bearer' | 'cookie';

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

function first(v: string | string[] | undefined): string | undefined {
  const s = (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim();
  return s || undefined;
}

/** The host name of a Host header (or --allowed-host value), lower-case, without the port. */
export function hostName(host: string | undefined): string | null {
  const h = host?.trim().toLowerCase();
  if (!h) return null;
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(0, end + 1) : null;
  }
  // A bare IPv6 address (as someone may type it in --allowed-host) gets its brackets.
  if ((h.match(/:/g) ?? []).length > 1) return `[${h}]`;
  const colon = h.indexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** What the access rule needs besides the request; one per server (see accessPolicy). */
export interface AccessPolicy {
  token: string | null;
  allowedHosts: Set<string>;
  /** --trust-proxy: proxy addresses, or `loopback`. */
  trustProxy: string[];
  sessions: Sessions | null;
  /** Wrong bearer tokens on /api, /metrics and the pages. */
  bearerLimiter: LoginLimiter;
  /** Wrong tokens on the login form. */
  loginLimiter: LoginLimiter;
}

const policies = new WeakMap<DashboardDeps, AccessPolicy>();

/** The policy of one server: the login routes and the guarded scope share its limiters. */
export function accessPolicy(deps: DashboardDeps): AccessPolicy {
  let p = policies.get(deps);
  if (!p) {
    const now = () => deps.clock.now();
    p = {
      token: deps.token,
      allowedHosts: new Set(
        [...LOOPBACK_HOSTS, ...(deps.allowedHosts ?? []).map(hostName)].filter((h): h is string => !!h),
      ),
      trustProxy: deps.trustProxy ?? [],
      sessions: deps.token ? new Sessions(deps.store, deps.clock, deps.token) : null,
      bearerLimiter: new LoginLimiter(now),
      loginLimiter: new LoginLimiter(now),
    };
    policies.set(deps, p);
  }
  return p;
}

function isTrustedProxy(address: string | undefined, trust: string[]): boolean {
  if (!address || trust.length === 0) return false;
  const a = address.toLowerCase().replace(/^::ffff:/, '');
  return trust.some((t) => (t === 'loopback' ? isLoopbackAddress(address) : t.toLowerCase() === a));
}

function fromTrustedProxy(req: FastifyRequest, p: AccessPolicy): boolean {
  return isTrustedProxy(req.socket.remoteAddress, p.trustProxy);
}

/**
 * The client's address, which the limiters key on: the socket's, unless the socket is a trusted
 * proxy; then the nearest X-Forwarded-For entry that is not itself a trusted proxy.
 */
export function clientAddress(req: FastifyRequest, p: AccessPolicy): string {
  const socket = req.socket.remoteAddress ?? 'unknown';
  if (!fromTrustedProxy(req, p)) return socket;
  const xff = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(xff) ? xff.join(',') : (xff ?? '')).split(',').map((s) => s.trim());
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (hop !== '' && !isTrustedProxy(hop, p.trustProxy)) return hop;
  }
  return socket;
}

/** The Host the browser used: X-Forwarded-Host from a trusted proxy, else Host. */
function requestHost(req: FastifyRequest, p: AccessPolicy): string | undefined {
  const forwarded = fromTrustedProxy(req, p) ? first(req.headers['x-forwarded-host']) : undefined;
  return forwarded ?? req.headers.host;
}

/** True when the page was served over HTTPS (directly, or per X-Forwarded-Proto from a trusted proxy). */
export function isSecure(req: FastifyRequest, p: AccessPolicy): boolean {
  if (req.protocol === 'https') return true;
  return fromTrustedProxy(req, p) && first(req.headers['x-forwarded-proto'])?.toLowerCase() === 'https';
}

/** 403 host_not_allowed unless the Host names loopback or an --allowed-host. */
export function checkHost(req: FastifyRequest, p: AccessPolicy): void {
  const name = hostName(requestHost(req, p));
  if (name !== null && p.allowedHosts.has(name)) return;
  throw new AppError(
    'host_not_allowed',
    `The Host ${JSON.stringify(requestHost(req, p) ?? '')} is not this server's: open it as localhost or 127.0.0.1, or start serve with --allowed-host ${name ?? 'NAME'}.`,
  );
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** 403 cross_site for a state-changing request from another origin (Origin, else Sec-Fetch-Site).
 * A request with neither header (curl, scripts) is not a browser's cross-site request. A `null`
 * Origin (sandboxed frames, pages with `Referrer-Policy: no-referrer`) defers to Sec-Fetch-Site and
 * is cross-site without it; the dashboard's pages use `same-origin` so their own forms send the
 * real Origin, also over plain HTTP, where browsers send no Sec-Fetch-* headers. */
export function checkSameOrigin(req: FastifyRequest, p: AccessPolicy): void {
  if (SAFE_METHODS.has(req.method)) return;
  const origin = first(req.headers.origin);
  const site = first(req.headers['sec-fetch-site']);
  if (origin !== undefined && origin !== 'null') {
    const trusted = fromTrustedProxy(req, p);
    const proto = (trusted ? first(req.headers['x-forwarded-proto']) : undefined) ?? req.protocol;
    const expected = `${proto}://${requestHost(req, p) ?? ''}`.toLowerCase();
    if (origin.toLowerCase() === expected) return;
  } else if (site === 'same-origin' || site === 'none' || (site === undefined && origin === undefined)) {
    return;
  }
  throw new AppError(
    'cross_site',
    'This request came from another site; state-changing requests must come from the dashboard itself.',
  );
}

/** 429 too_many_attempts (with Retry-After) while `limiter` blocks this client. */
export function checkLimiter(
  req: FastifyRequest,
  reply: FastifyReply,
  p: AccessPolicy,
  limiter: LoginLimiter,
): void {
  const wait = limiter.blockedFor(clientAddress(req, p));
  if (wait <= 0) return;
  const s = Math.ceil(wait / 1000);
  reply.header('retry-after', String(s));
  throw new AppError('too_many_attempts', `Too many wrong tokens from this address: try again in ${s} s.`);
}

async function decideAccess(req: FastifyRequest, reply: FastifyReply, p: AccessPolicy): Promise<AccessVia> {
  if (isLoopbackAddress(req.socket.remoteAddress) && !hasForwardingHeader(req.headers)) return 'loopback';
  if (p.token === null || p.token === '') {
    throw new AppError(
      'token_required',
      'This request does not come straight from this machine, and no AGENTHOOKS_TOKEN is configured. Set AGENTHOOKS_TOKEN on serve and send it as "Authorization: Bearer <token>" (or log in at /login), or open the dashboard from the machine itself.',
    );
  }
  checkLimiter(req, reply, p, p.bearerLimiter);
  const presented = bearer(req.headers);
  if (presented !== null) {
    if (safeEqual(presented, p.token)) return 'bearer';
    p.bearerLimiter.fail(clientAddress(req, p));
  }
  const cookie = parseCookies(req.headers.cookie)[SESSION_COOKIE];
  if (cookie !== undefined && (await p.sessions?.valid(cookie))) return 'cookie';
  throw new AppError(
    'unauthorized',
    presented !== null
      ? 'The bearer token does not match AGENTHOOKS_TOKEN. Send "Authorization: Bearer <the token serve was started with>".'
      : 'A token is required: send "Authorization: Bearer $AGENTHOOKS_TOKEN", or log in at /login.',
  );
}

type GuardedRequest = FastifyRequest & { accessVia: AccessVia | null };

/**
 * Registers `routes` in one scope whose every request passes the access rule first: /api, /metrics
 * and the dashboard pages (/health, /ready, the webhooks, /login and the assets stay outside). A
 * refused request fails with an AppError (host_not_allowed, cross_site, too_many_attempts,
 * token_required, unauthorized), answered by the error handler of the scope its route lives in:
 * JSON from the server's, a page from the pages'. What gets through is private, so no shared cache
 * may keep it.
 */
export function registerGuarded(
  server: FastifyInstance,
  deps: DashboardDeps,
  routes: (scope: FastifyInstance) => void,
): PromiseLike<unknown> {
  const policy = accessPolicy(deps);
  return server.register(async (scope) => {
    scope.decorateRequest('accessVia', null);
    scope.addHook('onRequest', async (req, reply) => {
      reply.header('cache-control', 'no-store');
      checkHost(req, policy);
      checkSameOrigin(req, policy);
      (req as GuardedRequest).accessVia = await decideAccess(req, reply, policy);
    });
    routes(scope);
  });
}

/** How a request inside registerGuarded got in (null outside it). */
export function accessVia(req: FastifyRequest): AccessVia | null {
  return (req as GuardedRequest).accessVia ?? null;
}

/** The Set-Cookie header for a logged-in browser. `secure` when the page was served over HTTPS. */
export function sessionCookieHeader(sessionId: string, secure: boolean): string {
  const parts = [
    `${SESSION_COOKIE}=${sessionId}`,
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

/** A post-login destination: a plain same-origin path (one `/` not followed by `/` or `\`, no
 * control or white-space character anywhere), else `/`. No open redirect. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string') return '/';
  return /^\/(?![/\\])[^\s\u0000-\u001f\u007f-\u009f]*$/u.test(next) ? next : '/';
}
