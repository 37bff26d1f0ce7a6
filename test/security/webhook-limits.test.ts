// The checks of POST /webhooks that come before the body (DESIGN.md semantics 2): other methods
// get 405 whatever they carry, bad headers get 401 without the body being read, bodies over
// --max-inflight get 503 overloaded with Retry-After: 1, a slow body gets 408 body_timeout; every
// refusal closes the connection. A sender that hangs up mid-body frees its slot at once.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveCommand } from '../../src/cli/serve.js';
import { resolveServeConfig } from '../../src/http/serve-config.js';
import { eventBody, eventId, KEY_A, send, signed, startServer, type TestServer } from '../http/helpers.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({ flags: { bodyTimeout: '300ms', maxInflight: '2' } });
});
afterAll(() => srv.close());

interface Raw {
  status: number;
  head: string;
  body: string;
  /** When the server closed the connection, ms after the request was written. */
  closedAfterMs: number;
}

/**
 * Writes the head (declaring `length` body bytes) and `partial` of the body, never the rest, and
 * waits for the server to close. A raw socket: node's client refuses an answer that arrives while
 * it still has a body to send.
 */
function stalled(
  headers: Record<string, string>,
  method = 'POST',
  partial = '{',
  length = 5000,
): Promise<Raw> {
  const port = Number(new URL(srv.url).port);
  const lines = [`${method} /webhooks HTTP/1.1`, 'host: 127.0.0.1', `content-length: ${length}`];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${lines.join('\r\n')}\r\n\r\n${partial}`));
    let text = '';
    socket.on('data', (c: Buffer) => {
      text += c.toString('utf8');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const [head, body = ''] = text.split('\r\n\r\n');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (!m) reject(new Error(`no answer: ${JSON.stringify(text)}`));
      else resolve({ status: Number(m[1]), head, body, closedAfterMs: Date.now() - started });
    });
  });
}

function validHeaders(): Record<string, string> {
  const id = eventId();
  return signed(id, eventBody(id));
}

describe('POST /webhooks before the body', () => {
  it('answers 405 method_not_allowed to PUT, PATCH, DELETE and OPTIONS, with or without a body', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'GET']) {
      for (const body of ['', '{"a":1}']) {
        const r = await stalled({ 'content-type': 'text/plain' }, method, body, body.length);
        expect(r.status, `${method} ${body}`).toBe(405);
        expect(r.head.toLowerCase()).toContain('allow: post');
        expect(JSON.parse(r.body).error.code).toBe('method_not_allowed');
      }
    }
  });

  it('answers 401 at once, without waiting for the body, and closes the connection', async () => {
    const missing = await stalled({ 'webhook-id': 'whe_1' });
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body).error.code).toBe('missing_headers');
    expect(missing.head.toLowerCase()).toContain('connection: close');
    expect(missing.closedAfterMs).toBeLessThan(250);

    const old = { ...validHeaders(), 'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 400) };
    const tooOld = await stalled(old);
    expect(tooOld.status).toBe(401);
    expect(JSON.parse(tooOld.body).error.code).toBe('timestamp_too_old');
    expect(tooOld.closedAfterMs).toBeLessThan(250);

    const future = { ...validHeaders(), 'webhook-timestamp': String(Math.floor(Date.now() / 1000) + 400) };
    expect(JSON.parse((await stalled(future)).body).error.code).toBe('timestamp_too_new');
    const bad = { ...validHeaders(), 'webhook-timestamp': 'soon' };
    expect(JSON.parse((await stalled(bad)).body).error.code).toBe('invalid_timestamp');
  });

  it('answers 408 body_timeout to a body that stalls past --body-timeout and closes the connection', async () => {
    const r = await stalled(validHeaders());
    expect(r.status).toBe(408);
    expect(JSON.parse(r.body).error.code).toBe('body_timeout');
    expect(r.head.toLowerCase()).toContain('connection: close');
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(250);
    expect(r.closedAfterMs).toBeLessThan(2000);
  });

  it('answers 503 overloaded with Retry-After: 1 over --max-inflight bodies, and serves again after', async () => {
    const held = [stalled(validHeaders()), stalled(validHeaders())];
    await new Promise((r) => setTimeout(r, 100));
    const over = await stalled(validHeaders());
    expect(over.status).toBe(503);
    expect(JSON.parse(over.body).error.code).toBe('overloaded');
    expect(over.head.toLowerCase()).toContain('retry-after: 1');
    expect(over.closedAfterMs).toBeLessThan(250);
    // Headers are checked before the slot count: a bad request is still a 401, not a 503.
    expect((await stalled({})).status).toBe(401);
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([408, 408]);
    const id = eventId();
    const body = eventBody(id);
    expect((await send(srv.url, { headers: signed(id, body), body })).status).toBe(200);
  });

  it('frees the slot of a client that goes away mid-body at once, with no error raised', async () => {
    // Both slots (--max-inflight 2) taken by bodies whose senders hang up well before the timeout.
    const port = Number(new URL(srv.url).port);
    const head = (h: Record<string, string>) =>
      [
        'POST /webhooks HTTP/1.1',
        'host: 127.0.0.1',
        'content-length: 5000',
        ...Object.entries(h).map(([k, v]) => `${k}: ${v}`),
      ].join('\r\n');
    const gone = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<void>((resolve) => {
            const socket = connect(port, '127.0.0.1', () => {
              socket.write(`${head(validHeaders())}\r\n\r\n{"type":`);
              setTimeout(() => socket.destroy(), 50);
            });
            socket.on('error', () => undefined);
            socket.on('close', () => resolve());
          }),
      ),
    );
    expect(gone).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 50));
    // Still inside the 300 ms body timeout of the two: a new body is read (408 when it stalls in
    // turn), not refused as overloaded, and a whole delivery is stored.
    const next = await stalled(validHeaders());
    expect(next.status).toBe(408);
    const id = eventId();
    const body = eventBody(id);
    expect((await send(srv.url, { headers: signed(id, body), body })).status).toBe(200);
  });
});

describe('--body-timeout and --max-inflight', () => {
  const resolve = (flags: Record<string, string>) =>
    resolveServeConfig({ signingKey: [KEY_A], ...flags }, {}, '/tmp');

  it('default to 10 s and 1000, and are validated naming the flag', () => {
    expect(resolve({})).toMatchObject({ bodyTimeoutMs: 10_000, maxInflight: 1000 });
    expect(resolve({ bodyTimeout: '2s', maxInflight: '5' })).toMatchObject({
      bodyTimeoutMs: 2000,
      maxInflight: 5,
    });
    for (const [flags, name] of [
      [{ bodyTimeout: 'soon' }, '--body-timeout'],
      [{ bodyTimeout: '0s' }, '--body-timeout'],
      [{ maxInflight: '0' }, '--max-inflight'],
      [{ maxInflight: 'many' }, '--max-inflight'],
    ] as const) {
      expect(() => resolve(flags)).toThrow(name);
    }
  });

  it('are in serve --help', () => {
    const help = serveCommand({} as never).helpInformation();
    expect(help).toContain('--body-timeout');
    expect(help).toContain('--max-inflight');
  });
});
