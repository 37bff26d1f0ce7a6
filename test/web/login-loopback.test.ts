// /login says what is true for where the request comes from: on the machine itself (a loopback
// socket with no forwarding header) the dashboard needs no token, so the page never says the
// request came through the network or a proxy; through a proxy it asks for the token (or says
// none is configured).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startWebServer, type WebServer } from './helpers.js';

const XFF = { 'x-forwarded-for': '203.0.113.9' };

describe('/login on loopback and through a proxy', () => {
  let open: WebServer;
  let guarded: WebServer;

  beforeAll(async () => {
    open = await startWebServer();
    guarded = await startWebServer({ token: 'tok_login_loopback_5d1e_93a0b7' });
  });

  afterAll(async () => {
    await open?.close();
    await guarded?.close();
  });

  it('without a token, on the machine itself: no sign-in needed, a link to the dashboard', async () => {
    const res = await send(open.url, { path: '/login?next=%2Fevents' });
    expect(res.status).toBe(200);
    expect(res.body).toContain('No sign-in needed');
    expect(res.body).toContain('href="/events"');
    expect(res.body).not.toContain('being reached through');
    expect(res.body).not.toContain('name="token"');
    // The form post answers the same way.
    const post = await send(open.url, {
      method: 'POST',
      path: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=x&next=%2F',
    });
    expect(post.status).toBe(200);
    expect(post.body).toContain('No sign-in needed');
  });

  it('without a token, through a proxy: says so and refuses (403)', async () => {
    const res = await send(open.url, { path: '/login', headers: XFF });
    expect(res.status).toBe(403);
    expect(res.body).toContain('being reached through the network or a proxy');
    expect(res.body).not.toContain('No sign-in needed');
  });

  it('with a token: the form, and on the machine itself a note that no token is needed there', async () => {
    const local = await send(guarded.url, { path: '/login' });
    expect(local.status).toBe(200);
    expect(local.body).toContain('name="token"');
    expect(local.body).toContain('On this machine no token is needed');
    const proxied = await send(guarded.url, { path: '/login', headers: XFF });
    expect(proxied.status).toBe(200);
    expect(proxied.body).toContain('name="token"');
    expect(proxied.body).not.toContain('On this machine');
  });
});
