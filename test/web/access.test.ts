// The access rule over real sockets: loopback without forwarding headers gets in; anything else
// needs AGENTHOOKS_TOKEN (bearer or the login cookie), or is refused with token_required when none
// is configured. /health, /ready and the webhook routes never need it.
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver, send, startWebServer, type WebServer } from './helpers.js';

const XFF = { 'x-forwarded-for': '203.0.113.7' };
const TOKEN = 'tok_dashboard_test_3f9a_5d1c8e0b';

function externalAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

describe('without a token configured', () => {
  let s: WebServer;
  beforeAll(async () => {
    // The machine's own address is an allowed Host, so the loopback-socket rule is what answers.
    const ip = externalAddress();
    s = await startWebServer({ host: '0.0.0.0', allowedHost: ip ? [ip] : [] });
  });
  afterAll(async () => {
    await s.close();
  });

  it('lets a loopback request without forwarding headers in', async () => {
    const page = await send(s.url, { path: '/' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<h1>Runs</h1>');
    const api = await send(s.url, { path: '/api/runs' });
    expect(api.status).toBe(200);
    expect(api.json()).toEqual({ runs: [], nextCursor: null });
  });

  it('refuses a forwarded request with 403 token_required (JSON for /api, a page for HTML)', async () => {
    const forwarded: Record<string, string>[] = [
      XFF,
      { forwarded: 'for=198.51.100.1;proto=https' },
      { 'x-real-ip': '198.51.100.2' },
    ];
    for (const headers of forwarded) {
      const api = await send(s.url, { path: '/api/runs', headers });
      expect(api.status).toBe(403);
      expect(api.json().error.code).toBe('token_required');
      expect(api.json().error.message).toMatch(/AGENTHOOKS_TOKEN/);
    }
    const page = await send(s.url, { path: '/runs/sesn_x', headers: XFF });
    expect(page.status).toBe(403);
    expect(page.body).toContain('Token required');
    expect(page.body).not.toContain('sesn_x');
    for (const p of ['/events', '/health-view', '/api/stats', '/api/stream', '/api/events']) {
      expect((await send(s.url, { path: p, headers: XFF })).status).toBe(403);
    }
  });

  it('applies the one rule to /metrics and every /api route, and leaves the assets open', async () => {
    const guarded = [
      '/metrics',
      '/api/notifications',
      '/api/deployment-runs',
      '/api/runs/sesn_x',
      '/api/runs/sesn_x/files',
      '/api/events/evt_x',
    ];
    for (const p of guarded) {
      const res = await send(s.url, { path: p, headers: XFF });
      expect(res.status, p).toBe(403);
      expect(res.json().error.code, p).toBe('token_required');
      expect(res.headers['cache-control'], p).toBe('no-store');
    }
    for (const p of ['/assets/app.css', '/assets/live.js'])
      expect((await send(s.url, { path: p, headers: XFF })).status, p).toBe(200);
  });

  it('refuses a request from a non-loopback socket even without headers', async (ctx) => {
    const ip = externalAddress();
    // Skipped (with this reason) on a machine with no non-loopback interface to connect from.
    if (!ip) ctx.skip('no non-loopback IPv4 interface on this machine');
    const res = await send(`http://${ip}:${s.port}`, { path: '/api/runs' });
    expect(res.status).toBe(403);
    expect(res.json().error.code).toBe('token_required');
  });

  it('never guards /health, /ready or the webhook route', async () => {
    expect((await send(s.url, { path: '/health', headers: XFF })).status).toBe(200);
    expect([200, 503]).toContain((await send(s.url, { path: '/ready', headers: XFF })).status);
    await deliver(s.url, 'sesn_access_test'); // throws unless 200
    const ip = externalAddress();
    if (ip) expect((await send(`http://${ip}:${s.port}`, { path: '/health' })).status).toBe(200);
  });

  it('says on the login page that no token is configured', async () => {
    const res = await send(s.url, { path: '/login', headers: XFF });
    expect(res.status).toBe(403);
    expect(res.body).toContain('AGENTHOOKS_TOKEN');
    expect(res.body).not.toContain('name="token"');
  });
});

describe('with a token configured', () => {
  let s: WebServer;
  beforeAll(async () => {
    // The test client is its own proxy: X-Forwarded-For tells its simulated clients apart.
    s = await startWebServer({ token: TOKEN, trustProxy: ['loopback'] });
  });
  afterAll(async () => {
    await s.close();
  });

  it('still lets loopback in without the token', async () => {
    expect((await send(s.url, { path: '/api/runs' })).status).toBe(200);
  });

  it('answers 401 unauthorized without or with a wrong bearer token, 200 with the right one', async () => {
    const none = await send(s.url, { path: '/api/runs', headers: XFF });
    expect(none.status).toBe(401);
    expect(none.json().error.code).toBe('unauthorized');
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await send(s.url, {
      path: '/api/runs',
      headers: { ...XFF, authorization: `Bearer ${TOKEN}x` },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json().error.code).toBe('unauthorized');
    const right = await send(s.url, {
      path: '/api/runs',
      headers: { ...XFF, authorization: `Bearer ${TOKEN}` },
    });
    expect(right.status).toBe(200);
    expect(right.json().runs).toEqual([]);
    const page = await send(s.url, { path: '/', headers: { ...XFF, authorization: `Bearer ${TOKEN}` } });
    expect(page.status).toBe(200);
  });

  it('answers 401 with a Bearer challenge on /metrics and /api/notifications too', async () => {
    for (const p of ['/metrics', '/api/notifications']) {
      const res = await send(s.url, { path: p, headers: XFF });
      expect(res.status, p).toBe(401);
      expect(res.json().error.code, p).toBe('unauthorized');
      expect(res.headers['www-authenticate'], p).toMatch(/^Bearer/);
    }
  });

  it('shows the login form (401) to a browser without the cookie', async () => {
    const res = await send(s.url, { path: '/events?state=failed', headers: XFF });
    expect(res.status).toBe(401);
    expect(res.body).toContain('name="token"');
    expect(res.body).toContain('value="/events?state=failed"');
  });

  it('sets an HttpOnly, SameSite=Strict cookie (a random session id, not the token) on login, and the cookie works', async () => {
    const bad = await send(s.url, {
      method: 'POST',
      path: '/login',
      headers: { ...XFF, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: 'nope', next: '/events' }).toString(),
    });
    expect(bad.status).toBe(401);
    expect(bad.headers['set-cookie']).toBeUndefined();
    expect(bad.body).toContain('does not match');

    const ok = await send(s.url, {
      method: 'POST',
      path: '/login',
      headers: { ...XFF, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TOKEN, next: '/events' }).toString(),
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/events');
    const setCookie = String(ok.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0] as string;
    expect(cookie).toMatch(/^agenthooks_session=[A-Za-z0-9_-]{43}$/);

    const page = await send(s.url, { path: '/events', headers: { ...XFF, cookie } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Events</h1>');
    expect(page.body).toContain('Log out');
    const api = await send(s.url, { path: '/api/events', headers: { ...XFF, cookie } });
    expect(api.status).toBe(200);

    // A made-up session id, or a tampered one, does not work.
    for (const c of [`agenthooks_session=${'A'.repeat(43)}`, `${cookie}x`, `agenthooks_session=${TOKEN}`]) {
      expect((await send(s.url, { path: '/api/events', headers: { ...XFF, cookie: c } })).status).toBe(401);
    }
  });

  it('never redirects off-site after login', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const res = await send(s.url, {
        method: 'POST',
        path: '/login',
        headers: { ...XFF, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: TOKEN, next }).toString(),
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/');
    }
  });

  it('refuses further login attempts (429) after 10 wrong tokens from one client', async () => {
    const attempt = (ip: string, token: string) =>
      send(s.url, {
        method: 'POST',
        path: '/login',
        headers: { 'x-forwarded-for': ip, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, next: '/' }).toString(),
      });
    for (let i = 0; i < 10; i++) expect((await attempt('198.51.100.77', `guess-${i}`)).status).toBe(401);
    const blocked = await attempt('198.51.100.77', TOKEN);
    expect(blocked.status).toBe(429);
    expect(blocked.headers['retry-after']).toMatch(/^\d+$/);
    expect(blocked.headers['set-cookie']).toBeUndefined();
    // Another client is not affected.
    expect((await attempt('198.51.100.78', TOKEN)).status).toBe(303);
  });

  it('logs out by clearing the cookie', async () => {
    const res = await send(s.url, { method: 'POST', path: '/logout', headers: XFF });
    expect(res.status).toBe(303);
    expect(String(res.headers['set-cookie'])).toMatch(/agenthooks_session=;.*Max-Age=0/);
  });

  it('never guards /health, /ready or the webhook route', async () => {
    expect((await send(s.url, { path: '/health', headers: XFF })).status).toBe(200);
    expect((await send(s.url, { path: '/ready', headers: XFF })).status).not.toBe(401);
    await deliver(s.url, 'sesn_access_test_2');
  });
});
