// The Fastify plugin in a user's Fastify app: the raw parser stays scoped to the webhook route (the
// app's JSON routes still parse JSON), real signed deliveries are stored, oversized bodies get 413.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agenthooks, createAgenthooks } from '../../src/index.js';
import { delivery, post, SECRET, tempDir } from './helpers.js';

describe('Fastify plugin', () => {
  const tmp = tempDir();
  let hooks: Agenthooks;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    hooks = createAgenthooks({ database: tmp.db, signingKeys: [SECRET], bodyLimit: '8kb' });
    app = Fastify();
    app.post('/echo', async (req) => ({ got: req.body }));
    await app.register(hooks.fastify, { path: '/hooks/agents' });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    await hooks.close();
    tmp.remove();
  });

  it('stores a signed delivery once', async () => {
    const d = delivery();
    expect(await post(`${url}/hooks/agents`, d)).toEqual({
      status: 200,
      json: { id: d.id, duplicate: false },
    });
    expect(await post(`${url}/hooks/agents`, d)).toEqual({
      status: 200,
      json: { id: d.id, duplicate: true },
    });
    expect((await hooks.events.get(d.id))?.raw).toBe(d.body);
  });

  it('keeps the raw parser inside the plugin: other routes still parse JSON', async () => {
    const res = await fetch(`${url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(await res.json()).toEqual({ got: { a: 1 } });
  });

  it('answers 413 body_too_large over the limit, and 401 for a missing signature', async () => {
    // The headers are checked before the body (DESIGN.md semantics 2): the oversized body comes
    // with valid-looking ones.
    const d = delivery();
    const big = await post(`${url}/hooks/agents`, {
      body: 'x'.repeat(20_000),
      headers: { ...d.headers, 'content-type': 'application/json' },
    });
    expect(big.status).toBe(413);
    expect(big.json.error?.code).toBe('body_too_large');
    const { 'webhook-signature': _drop, ...headers } = d.headers;
    const unsigned = await post(`${url}/hooks/agents`, { body: d.body, headers });
    expect(unsigned.status).toBe(401);
    expect(unsigned.json.error?.code).toBe('missing_headers');
  });
});
