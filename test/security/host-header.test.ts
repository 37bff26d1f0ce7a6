// DNS rebinding: the loopback trust (and the token) count only when the Host names loopback or an
// --allowed-host. Any other Host gets 403 host_not_allowed on the pages, /login, /api and
// /metrics, token or not; /health, /ready and /webhooks answer whatever the Host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver, send, startWebServer, type WebServer } from '../web/helpers.js';

const TOKEN = 'tok_host_header_test_0123456789';
const GUARDED = [
  '/',
  '/events',
  '/health-view',
  '/login',
  '/api/runs',
  '/api/events',
  '/api/stats',
  '/metrics',
];

describe('Host header', () => {
  let s: WebServer;
  beforeAll(async () => {
    s = await startWebServer({ token: TOKEN, allowedHost: ['dash.example.com,ops.example.com:8443'] });
  });
  afterAll(async () => {
    await s.close();
  });

  it('answers loopback names, with any port, from loopback', async () => {
    for (const host of [
      'localhost',
      `localhost:${s.port}`,
      '127.0.0.1',
      `127.0.0.1:${s.port}`,
      '[::1]',
      `[::1]:${s.port}`,
      'LOCALHOST:1',
    ])
      for (const path of GUARDED)
        expect((await send(s.url, { path, headers: { host } })).status, `${host} ${path}`).toBe(200);
  });

  it('refuses a rebinding name with 403 host_not_allowed, token or not', async () => {
    for (const host of [
      'rebind.evil.example',
      `rebind.evil.example:${s.port}`,
      '127.0.0.1.evil.example',
      'localhost.evil',
    ]) {
      for (const path of GUARDED) {
        for (const headers of [{ host }, { host, authorization: `Bearer ${TOKEN}` }] as Record<
          string,
          string
        >[]) {
          const res = await send(s.url, { path, headers });
          expect(res.status, `${host} ${path}`).toBe(403);
          if (path.startsWith('/api') || path === '/metrics')
            expect(res.json().error.code).toBe('host_not_allowed');
          else expect(res.body).toContain('--allowed-host');
        }
      }
      const login = await send(s.url, {
        method: 'POST',
        path: '/login',
        headers: { host, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: TOKEN }).toString(),
      });
      expect(login.status).toBe(403);
      expect(login.headers['set-cookie']).toBeUndefined();
    }
  });

  it('answers the --allowed-host names (repeatable, comma-separated, any port)', async () => {
    for (const host of ['dash.example.com', 'dash.example.com:443', 'ops.example.com', 'OPS.example.com:1']) {
      expect((await send(s.url, { path: '/api/runs', headers: { host } })).status, host).toBe(200);
    }
    // An allowed name still needs the token from elsewhere.
    const proxied = { host: 'dash.example.com', 'x-forwarded-for': '203.0.113.5' };
    expect((await send(s.url, { path: '/api/runs', headers: proxied })).status).toBe(401);
    expect(
      (await send(s.url, { path: '/api/runs', headers: { ...proxied, authorization: `Bearer ${TOKEN}` } }))
        .status,
    ).toBe(200);
  });

  it('leaves /health, /ready and /webhooks open to any Host', async () => {
    const host = 'rebind.evil.example';
    expect((await send(s.url, { path: '/health', headers: { host } })).status).toBe(200);
    expect([200, 503]).toContain((await send(s.url, { path: '/ready', headers: { host } })).status);
    const hook = await send(s.url, { method: 'POST', path: '/webhooks', headers: { host } });
    expect(hook.status).toBe(401);
    expect(hook.json().error.code).toBe('missing_headers');
    await deliver(s.url, 'sesn_host_test');
  });
});
