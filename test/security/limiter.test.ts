// Token guessing: wrong bearer tokens (on /api, /metrics and the pages) and wrong login tokens are
// limited per client address: 10 failures a minute, then 429 too_many_attempts with Retry-After.
// The address is the socket's; X-Forwarded-For counts only from a --trust-proxy address. A short
// AGENTHOOKS_TOKEN stops serve at start.
import { describe, expect, it } from 'vitest';
import { resolveServeConfig } from '../../src/http/serve-config.js';
import { cli, tempDir } from '../cli/helpers.js';
import { send, startWebServer } from '../web/helpers.js';

const TOKEN = 'tok_limiter_test_0123456789abcdef';

const bearer = (url: string, xff: string, token: string, path = '/api/runs') =>
  send(url, { path, headers: { 'x-forwarded-for': xff, authorization: `Bearer ${token}` } });
const login = (url: string, xff: string, token: string) =>
  send(url, {
    method: 'POST',
    path: '/login',
    headers: { 'x-forwarded-for': xff, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, next: '/' }).toString(),
  });

describe('without --trust-proxy: keyed on the socket, X-Forwarded-For ignored', () => {
  it('blocks wrong bearer tokens after 10 a minute, whatever X-Forwarded-For says', async () => {
    let at = Date.now();
    const s = await startWebServer({ token: TOKEN, clock: { now: () => at } });
    try {
      const paths = ['/api/runs', '/metrics', '/events'];
      for (let i = 0; i < 10; i++)
        expect((await bearer(s.url, `198.51.100.${i}`, `wrong-${i}`, paths[i % 3])).status).toBe(401);
      for (const path of paths) {
        const blocked = await bearer(s.url, '203.0.113.99', TOKEN, path);
        expect(blocked.status, path).toBe(429);
        expect(blocked.headers['retry-after'], path).toMatch(/^\d+$/);
        if (path !== '/events') expect(blocked.json().error.code).toBe('too_many_attempts');
      }
      // Straight from loopback (no forwarding header) is not a guess: still trusted.
      expect((await send(s.url, { path: '/api/runs' })).status).toBe(200);
      at += 61_000;
      expect((await bearer(s.url, '203.0.113.99', TOKEN)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('blocks the login form the same way, on its own count', async () => {
    const s = await startWebServer({ token: TOKEN });
    try {
      for (let i = 0; i < 10; i++)
        expect((await login(s.url, `198.51.100.${i}`, `guess-${i}`)).status).toBe(401);
      const blocked = await login(s.url, '198.51.100.200', TOKEN);
      expect(blocked.status).toBe(429);
      expect(blocked.headers['retry-after']).toMatch(/^\d+$/);
      expect(blocked.headers['set-cookie']).toBeUndefined();
      // The bearer limiter is a separate count.
      expect((await bearer(s.url, '198.51.100.1', TOKEN)).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('with --trust-proxy loopback: X-Forwarded-For names the client', () => {
  it('blocks one client without blocking the others', async () => {
    const s = await startWebServer({ token: TOKEN, trustProxy: ['loopback'] });
    try {
      for (let i = 0; i < 10; i++)
        expect((await bearer(s.url, '198.51.100.7', `wrong-${i}`)).status).toBe(401);
      expect((await bearer(s.url, '198.51.100.7', TOKEN)).status).toBe(429);
      expect((await bearer(s.url, '198.51.100.8', TOKEN)).status).toBe(200);
      // A client cannot pick its own key by prepending entries: the proxy appends the real one.
      expect((await bearer(s.url, '198.51.100.9, 198.51.100.7', TOKEN)).status).toBe(429);
      for (let i = 0; i < 10; i++)
        expect((await login(s.url, '198.51.100.20', `guess-${i}`)).status).toBe(401);
      expect((await login(s.url, '198.51.100.20', TOKEN)).status).toBe(429);
      expect((await login(s.url, '198.51.100.21', TOKEN)).status).toBe(303);
    } finally {
      await s.close();
    }
  });
});

describe('AGENTHOOKS_TOKEN length', () => {
  it('refuses a token under 24 characters: exit 2, config_invalid, how to make one', async () => {
    const dir = tempDir();
    const r = await cli(['serve', '--port', '0', '--insecure-skip-verify'], {
      cwd: dir,
      env: { AGENTHOOKS_TOKEN: 'x'.repeat(23) },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('config_invalid');
    expect(r.stderr).toContain('openssl rand -hex 24');
    expect(() =>
      resolveServeConfig({ insecureSkipVerify: true }, { AGENTHOOKS_TOKEN: 'y'.repeat(24) }, dir),
    ).not.toThrow();
  });

  it('takes --trust-proxy and --allowed-host repeated or comma-separated, and checks proxy addresses', () => {
    const dir = tempDir();
    const c = resolveServeConfig(
      {
        insecureSkipVerify: true,
        trustProxy: ['loopback,10.0.0.1', '::1'],
        allowedHost: ['a.example, b.example', 'c.example'],
      },
      {},
      dir,
    );
    expect(c.trustProxy).toEqual(['loopback', '10.0.0.1', '::1']);
    expect(c.allowedHosts).toEqual(['a.example', 'b.example', 'c.example']);
    expect(() =>
      resolveServeConfig({ insecureSkipVerify: true, trustProxy: ['proxy.internal'] }, {}, dir),
    ).toThrow(/--trust-proxy/);
  });
});
