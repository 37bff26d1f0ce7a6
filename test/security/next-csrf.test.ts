// The post-login `next` is a plain same-origin path or `/`; POST /login and /logout must be
// same-origin (Origin, else Sec-Fetch-Site), with the expected origin from X-Forwarded-Proto and
// -Host only from a --trust-proxy address. No header at all (curl) is not cross-site.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeNext } from '../../src/http/access.js';
import { send, startWebServer, type WebServer } from '../web/helpers.js';

const TOKEN = 'tok_next_csrf_test_0123456789abc';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('post-login next', () => {
  it('keeps plain paths and sends everything else to /', () => {
    for (const good of ['/', '/events?state=failed', '/runs/sesn_1#top', '/a/b%20c'])
      expect(safeNext(good), good).toBe(good);
    for (const bad of [
      '/\t/evil.example',
      '/\n/evil.example',
      '/ /evil.example',
      '/\u00a0x',
      '/\u2028x',
      '/x\u0000',
      '/x\u007f',
      '/x\u0085',
      '//evil.example',
      '/\\evil.example',
      'https://evil.example/',
      'evil',
      '',
      42,
      undefined,
    ])
      expect(safeNext(bad), JSON.stringify(bad)).toBe('/');
  });

  it('redirects only to a plain path after a real login (%09 included)', async () => {
    const s = await startWebServer({ token: TOKEN });
    try {
      const res = await send(s.url, {
        method: 'POST',
        path: '/login',
        headers: { ...FORM, 'x-forwarded-for': '203.0.113.1' },
        body: `token=${TOKEN}&next=/%09/evil.example`,
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/');
      const page = await send(s.url, { path: '/login?next=/%09/evil.example' });
      expect(page.body).toContain('name="next" value="/"');
    } finally {
      await s.close();
    }
  });
});

describe('same-origin checks on state changes', () => {
  let s: WebServer;
  let origin: string;
  beforeAll(async () => {
    s = await startWebServer({ token: TOKEN });
    origin = `http://127.0.0.1:${s.port}`;
  });
  afterAll(async () => {
    await s.close();
  });

  const post = (path: string, headers: Record<string, string>) =>
    send(s.url, {
      method: 'POST',
      path,
      headers: { ...FORM, host: `127.0.0.1:${s.port}`, ...headers },
      body: new URLSearchParams({ token: TOKEN, next: '/' }).toString(),
    });

  it('refuses cross-site POST /logout and /login with 403 cross_site', async () => {
    for (const path of ['/logout', '/login']) {
      for (const headers of [
        { origin: 'https://evil.example' },
        { origin: 'null' },
        { origin: 'null', 'sec-fetch-site': 'cross-site' },
        { origin: `https://127.0.0.1:${s.port}` },
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site' },
      ] as Record<string, string>[]) {
        const res = await post(path, headers);
        expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(res.body).toContain('another site');
        expect(res.headers['set-cookie']).toBeUndefined();
      }
    }
  });

  it('accepts same-origin requests and requests with neither header', async () => {
    for (const headers of [
      { origin },
      { 'sec-fetch-site': 'same-origin' },
      { 'sec-fetch-site': 'none' },
      // What Chromium sends from a page with Referrer-Policy: no-referrer over HTTPS or localhost.
      { origin: 'null', 'sec-fetch-site': 'same-origin' },
      {},
    ] as Record<string, string>[]) {
      expect((await post('/logout', headers)).status, JSON.stringify(headers)).toBe(303);
      expect((await post('/login', headers)).status, JSON.stringify(headers)).toBe(303);
    }
  });

  it('uses X-Forwarded-Proto and -Host only from a --trust-proxy address', async () => {
    const proxied = {
      origin: 'https://dash.example.com',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'dash.example.com',
    };
    expect((await post('/logout', proxied)).status).toBe(403);
    const behind = await startWebServer({
      token: TOKEN,
      trustProxy: ['loopback'],
      allowedHost: ['dash.example.com'],
    });
    try {
      const res = await send(behind.url, { method: 'POST', path: '/logout', headers: proxied });
      expect(res.status).toBe(303);
      const evil = await send(behind.url, {
        method: 'POST',
        path: '/logout',
        headers: { ...proxied, origin: 'https://evil.example' },
      });
      expect(evil.status).toBe(403);
    } finally {
      await behind.close();
    }
  });
});
