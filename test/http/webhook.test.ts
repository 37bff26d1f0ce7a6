// Every answer of DESIGN.md semantics 2 over a real socket, with deliveries signed by the
// standardwebhooks package, against a real SQLite store.
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deliver,
  eventBody,
  eventId,
  KEY_A,
  KEY_B,
  send,
  signed,
  startServer,
  type TestServer,
  WRONG_KEY,
} from './helpers.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer();
});
afterAll(() => srv.close());

function expectError(r: { status: number; json: () => any }, status: number, code: string): void {
  expect(r.status).toBe(status);
  const body = r.json();
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(10);
}

describe('POST /webhooks', () => {
  it('stores a signed event and answers 200 {id, duplicate:false}, then duplicate:true', async () => {
    const id = eventId();
    const r1 = await deliver(srv.url, id);
    expect(r1.status).toBe(200);
    expect(r1.json()).toEqual({ id, duplicate: false });
    const stored = await srv.store.getEvent(id);
    expect(stored?.state).toBe('pending');
    expect(stored?.type).toBe('session.status_idled');
    const r2 = await deliver(srv.url, id);
    expect(r2.status).toBe(200);
    expect(r2.json()).toEqual({ id, duplicate: true });
  });

  it('accepts the tutorial alias /webhook/agent-outcome', async () => {
    const id = eventId();
    const body = eventBody(id);
    const r = await send(srv.url, { path: '/webhook/agent-outcome', headers: signed(id, body), body });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ id, duplicate: false });
  });

  it('accepts a multi-signature header where only one entry is valid', async () => {
    const id = eventId();
    const body = eventBody(id);
    const headers = signed(id, body, [WRONG_KEY, KEY_A]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    const r = await send(srv.url, { headers, body });
    expect(r.status).toBe(200);
  });

  it('stores an unknown event type as ignored and answers 200', async () => {
    const id = eventId();
    const r = await deliver(srv.url, id, eventBody(id, 'vault.something_new'));
    expect(r.status).toBe(200);
    expect((await srv.store.getEvent(id))?.state).toBe('ignored');
  });

  it('answers 413 body_too_large before the signature (after the header checks), declared or chunked', async () => {
    const big = 'x'.repeat(256 * 1024 + 1);
    // The headers are checked before any body is read: none at all is a 401, whatever the size.
    expectError(await send(srv.url, { body: big }), 401, 'missing_headers');
    const id = eventId();
    const valid = signed(id, eventBody(id));
    expectError(await send(srv.url, { headers: valid, body: big }), 413, 'body_too_large');
    const padded = eventBody(id, 'session.status_idled', { pad: big });
    expectError(await send(srv.url, { headers: signed(id, padded), body: padded }), 413, 'body_too_large');
    const chunked = await send(srv.url, {
      headers: { ...valid, 'transfer-encoding': 'chunked' },
      body: big,
    });
    expectError(chunked, 413, 'body_too_large');
    expect(await srv.store.getEvent(id)).toBeNull();
  });

  it('answers 401 missing_headers when any of the three headers is missing', async () => {
    const id = eventId();
    const body = eventBody(id);
    for (const drop of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const headers = signed(id, body);
      delete headers[drop];
      expectError(await send(srv.url, { headers, body }), 401, 'missing_headers');
    }
  });

  it('answers 401 for bad, old and future timestamps', async () => {
    const id = eventId();
    const body = eventBody(id);
    expectError(
      await send(srv.url, { headers: { ...signed(id, body), 'webhook-timestamp': 'soon' }, body }),
      401,
      'invalid_timestamp',
    );
    const old = new Date(Date.now() - 301_000 - 5_000);
    expectError(
      await send(srv.url, { headers: signed(id, body, [KEY_A], old), body }),
      401,
      'timestamp_too_old',
    );
    const future = new Date(Date.now() + 301_000 + 5_000);
    expectError(
      await send(srv.url, { headers: signed(id, body, [KEY_A], future), body }),
      401,
      'timestamp_too_new',
    );
  });

  it('answers 401 invalid_signature for a wrong key, a tampered id and a body re-serialised after signing', async () => {
    const id = eventId();
    const body = eventBody(id);
    expectError(
      await send(srv.url, { headers: signed(id, body, [WRONG_KEY]), body }),
      401,
      'invalid_signature',
    );
    const other = eventId();
    expectError(
      await send(srv.url, { headers: { ...signed(id, body), 'webhook-id': other }, body }),
      401,
      'invalid_signature',
    );
    // Signed as sent by the platform (pretty), then re-serialised by a middleware (compact).
    const pretty = JSON.stringify(JSON.parse(body), null, 2);
    const compact = JSON.stringify(JSON.parse(pretty));
    expectError(
      await send(srv.url, { headers: signed(id, pretty), body: compact }),
      401,
      'invalid_signature',
    );
    expect(await srv.store.getEvent(id)).toBeNull();
  });

  it('answers 400 invalid_json, not_an_event and id_mismatch for signed bodies, in that order', async () => {
    const id = eventId();
    const notJson = '{"type":"event",';
    expectError(await send(srv.url, { headers: signed(id, notJson), body: notJson }), 400, 'invalid_json');
    const notEvent = JSON.stringify({ type: 'message', id });
    expectError(await send(srv.url, { headers: signed(id, notEvent), body: notEvent }), 400, 'not_an_event');
    const otherBody = eventBody(eventId());
    expectError(await send(srv.url, { headers: signed(id, otherBody), body: otherBody }), 400, 'id_mismatch');
    expect(await srv.store.getEvent(id)).toBeNull();
  });

  it('never redirects: /webhooks/ is 404, GET /webhooks is 405, unknown routes 404, all JSON', async () => {
    const id = eventId();
    const body = eventBody(id);
    const slash = await send(srv.url, { path: '/webhooks/', headers: signed(id, body), body });
    expectError(slash, 404, 'not_found');
    expectError(await send(srv.url, { method: 'GET', path: '/webhooks/' }), 404, 'not_found');
    const get = await send(srv.url, { method: 'GET' });
    expectError(get, 405, 'method_not_allowed');
    expect(get.headers.allow).toBe('POST');
    expectError(await send(srv.url, { method: 'GET', path: '/nothing-here' }), 404, 'not_found');
    expectError(
      await send(srv.url, { path: '//webhooks', headers: signed(id, body), body }),
      404,
      'not_found',
    );
  });

  it('never answers 500 (or 3xx) to garbage bodies and headers, and keeps serving', async () => {
    const id = eventId();
    const good = eventBody(id);
    const cases: Array<{ headers?: Record<string, string>; body?: string | Buffer; path?: string }> = [
      { body: Buffer.from([0xff, 0xfe, 0x00, 0x01, 0xc3]) },
      { headers: signed(id, '\u0000\uffff'), body: '\u0000\uffff' },
      { headers: signed(id, ''), body: '' },
      { headers: signed(id, 'null'), body: 'null' },
      { headers: signed(id, '[]'), body: '[]' },
      { headers: signed(id, '"event"'), body: '"event"' },
      { headers: { ...signed(id, good), 'webhook-signature': 'v1,' }, body: good },
      { headers: { ...signed(id, good), 'webhook-signature': 'v1,'.repeat(2000) }, body: good },
      { headers: { ...signed(id, good), 'webhook-signature': 'v2,abc v1 v1,,, ' }, body: good },
      { headers: { ...signed(id, good), 'webhook-timestamp': '9'.repeat(400) }, body: good },
      { headers: { ...signed(id, good), 'webhook-timestamp': '-1' }, body: good },
      { headers: { ...signed(id, good), 'webhook-id': 'x'.repeat(8000) }, body: good },
      { headers: { ...signed(id, good), 'content-type': 'text/plain; charset=latin1' }, body: good },
      { headers: { ...signed(id, good), 'content-type': 'multipart/form-data; boundary=x' }, body: good },
      { headers: { ...signed(id, good), 'content-encoding': 'gzip' }, body: 'not gzip' },
      ...[
        '{"type":"event","id":"__proto__","created_at":"x","data":{}}',
        '{"__proto__":{"x":1}}',
        '1e999999',
      ].map((b) => ({ headers: signed(id, b), body: b })),
      {
        headers: signed(id, JSON.stringify({ type: 'event', id, created_at: 5, data: { type: 1, id: [] } })),
        body: JSON.stringify({ type: 'event', id, created_at: 5, data: { type: 1, id: [] } }),
      },
    ];
    for (const c of cases) {
      const r = await send(srv.url, c);
      expect(r.status, `case ${JSON.stringify(c).slice(0, 120)}`).toBeGreaterThanOrEqual(200);
      expect([200, 400, 401, 404, 405, 413]).toContain(r.status);
      expect(() => r.json()).not.toThrow();
    }
    // Repeated headers (Node joins or takes the first): still an answer, never a crash.
    const raw = await new Promise<number>((resolve, reject) => {
      const req = request(`${srv.url}/webhooks`, { method: 'POST', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const h = signed(id, good);
      req.setHeader('webhook-id', [id, id]);
      req.setHeader('webhook-timestamp', [h['webhook-timestamp'], '1']);
      req.setHeader('webhook-signature', [h['webhook-signature'], 'v1,xyz']);
      req.end(good);
    });
    expect([200, 400, 401]).toContain(raw);
    expect((await send(srv.url, { method: 'GET', path: '/health' })).status).toBe(200);
  });

  it('counts rejected requests per minute and code, without bodies', async () => {
    const before = await srv.app.rejects.flush().then(() => srv.store.listRejects(0));
    const sum = (rows: typeof before, code: string) =>
      rows.filter((r) => r.code === code).reduce((a, r) => a + r.count, 0);
    await send(srv.url, { body: 'x' });
    await send(srv.url, { body: 'x' });
    const id = eventId();
    const body = eventBody(id);
    await send(srv.url, { headers: signed(id, body, [WRONG_KEY]), body });
    await srv.app.rejects.flush();
    const after = await srv.store.listRejects(0);
    expect(sum(after, 'missing_headers') - sum(before, 'missing_headers')).toBe(2);
    expect(sum(after, 'invalid_signature') - sum(before, 'invalid_signature')).toBe(1);
    for (const r of after) expect(r.minute % 60_000).toBe(0);
  });

  it('1,000 concurrent copies of one event give one stored row and one duplicate:false', async () => {
    const id = eventId();
    const body = eventBody(id);
    const headers = signed(id, body);
    const agent = new Agent({ keepAlive: true, maxSockets: 100 });
    const post = () =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = request(`${srv.url}/webhooks`, { method: 'POST', headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
          );
        });
        req.on('error', reject);
        req.end(body);
      });
    const results = await Promise.all(Array.from({ length: 1000 }, post));
    agent.destroy();
    expect(results.every((r) => r.status === 200 && r.body.id === id)).toBe(true);
    expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect(await srv.store.countEvents({ subjectId: undefined, since: undefined })).toBeGreaterThan(0);
    const rows = await srv.store.listEvents({ limit: 10_000 });
    expect(rows.filter((e) => e.id === id)).toHaveLength(1);
  });
});

describe('key rotation and insecure mode', () => {
  it('accepts deliveries signed with either configured key (rotation) and rejects a third', async () => {
    const s = await startServer({ flags: { signingKey: [KEY_A, KEY_B] } });
    try {
      for (const key of [KEY_A, KEY_B]) {
        const id = eventId();
        const r = await deliver(s.url, id, eventBody(id), [key]);
        expect(r.status).toBe(200);
      }
      const id = eventId();
      expect((await deliver(s.url, id, eventBody(id), [WRONG_KEY])).status).toBe(401);
    } finally {
      await s.close();
    }
  });

  it('--insecure-skip-verify skips the signature but still checks the event', async () => {
    const s = await startServer({ flags: { signingKey: [], insecureSkipVerify: true } });
    try {
      const id = eventId();
      const r = await send(s.url, { body: eventBody(id) });
      expect(r.status).toBe(200);
      expect(r.json()).toEqual({ id, duplicate: false });
      expectError(await send(s.url, { body: '{nope' }), 400, 'invalid_json');
      expectError(await send(s.url, { body: '{"type":"event"}' }), 400, 'not_an_event');
      const other = eventId();
      expectError(
        await send(s.url, { headers: { 'webhook-id': other }, body: eventBody(id) }),
        400,
        'id_mismatch',
      );
    } finally {
      await s.close();
    }
  });

  it('answers 503 store_unavailable with Retry-After when the store cannot commit', async () => {
    const s = await startServer();
    try {
      await s.store.close();
      const id = eventId();
      const r = await deliver(s.url, id);
      expectError(r, 503, 'store_unavailable');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      const ready = await send(s.url, { method: 'GET', path: '/ready' });
      expect(ready.status).toBe(503);
      expect((await send(s.url, { method: 'GET', path: '/health' })).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
