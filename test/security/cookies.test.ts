// The login cookie is a random session id kept in the store: logout revokes it (a copied cookie
// stops working), and behind --trust-proxy, X-Forwarded-Proto: https makes it Secure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startWebServer, type WebServer } from '../web/helpers.js';

const TOKEN = 'tok_cookie_test_0123456789abcdef';
const XFF = { 'x-forwarded-for': '203.0.113.7' };

async function logIn(s: WebServer, headers: Record<string, string> = {}) {
  const res = await send(s.url, {
    method: 'POST',
    path: '/login',
    headers: { ...XFF, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ token: TOKEN, next: '/' }).toString(),
  });
  expect(res.status).toBe(303);
  const setCookie = String(res.headers['set-cookie']);
  return { setCookie, cookie: setCookie.split(';')[0] as string };
}

describe('session cookies', () => {
  let s: WebServer;
  beforeAll(async () => {
    s = await startWebServer({ token: TOKEN });
  });
  afterAll(async () => {
    await s.close();
  });

  it('is a fresh random id per login, and logout revokes it', async () => {
    const a = await logIn(s);
    const b = await logIn(s);
    expect(a.cookie).not.toBe(b.cookie);
    expect(a.cookie).toMatch(/^agenthooks_session=[A-Za-z0-9_-]{43}$/);
    expect(a.setCookie).not.toContain('Secure');
    for (const c of [a, b])
      expect((await send(s.url, { path: '/api/runs', headers: { ...XFF, cookie: c.cookie } })).status).toBe(
        200,
      );
    const out = await send(s.url, { method: 'POST', path: '/logout', headers: { ...XFF, cookie: a.cookie } });
    expect(out.status).toBe(303);
    expect(String(out.headers['set-cookie'])).toMatch(/agenthooks_session=;.*Max-Age=0/);
    // The copied cookie no longer works; the other session does.
    expect((await send(s.url, { path: '/api/runs', headers: { ...XFF, cookie: a.cookie } })).status).toBe(
      401,
    );
    expect((await send(s.url, { path: '/api/runs', headers: { ...XFF, cookie: b.cookie } })).status).toBe(
      200,
    );
  });

  it('keeps only a hash of the id in the store', async () => {
    const { cookie } = await logIn(s);
    const id = cookie.split('=')[1] as string;
    expect(await s.store.getMeta(`dashboard.session.${id}`)).toBeNull();
  });

  it('ignores X-Forwarded-Proto from an untrusted address', async () => {
    const { setCookie } = await logIn(s, { 'x-forwarded-proto': 'https' });
    expect(setCookie).not.toContain('Secure');
  });
});

describe('behind --trust-proxy', () => {
  it('sets Secure when the proxy says the page was served over https', async () => {
    const s = await startWebServer({ token: TOKEN, trustProxy: ['loopback'] });
    try {
      expect((await logIn(s, { 'x-forwarded-proto': 'https' })).setCookie).toMatch(/; Secure$/);
      expect((await logIn(s, { 'x-forwarded-proto': 'http' })).setCookie).not.toContain('Secure');
    } finally {
      await s.close();
    }
  });
});
