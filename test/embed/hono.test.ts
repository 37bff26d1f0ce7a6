// The Hono example served by @hono/node-server on a real socket: real signed deliveries are stored;
// a route whose middleware parsed the JSON first is refused with a message naming the cause.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHonoApp } from '../../examples/hono/app.js';
import { type Agenthooks, createAgenthooks } from '../../src/index.js';
import { delivery, post, SECRET, tempDir } from './helpers.js';

type NodeServer = ReturnType<typeof serve>;

function listen(app: Hono): Promise<{ server: NodeServer; url: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({ server, url: `http://127.0.0.1:${info.port}` }),
    );
  });
}

describe('Hono example', () => {
  const tmp = tempDir();
  let hooks: Agenthooks;
  let example: { server: NodeServer; url: string };

  beforeAll(async () => {
    hooks = createAgenthooks({ database: tmp.db, signingKeys: SECRET });
    example = await listen(createHonoApp(hooks));
  });
  afterAll(async () => {
    await new Promise((r) => example.server.close(r));
    await hooks.close();
    tmp.remove();
  });

  it('stores signed deliveries once, over a real socket', async () => {
    const d = delivery();
    expect(await post(`${example.url}/webhooks`, d)).toEqual({
      status: 200,
      json: { id: d.id, duplicate: false },
    });
    expect(await post(`${example.url}/webhooks`, d)).toEqual({
      status: 200,
      json: { id: d.id, duplicate: true },
    });
    expect((await hooks.events.get(d.id))?.raw).toBe(d.body);
  });

  it('uses the bytes Hono cached when a middleware called c.req.json() (Hono keeps the text)', async () => {
    const app = new Hono();
    app.use('/webhooks', async (c, next) => {
      await c.req.json();
      await next();
    });
    app.post('/webhooks', hooks.hono());
    const s = await listen(app);
    try {
      const d = delivery();
      expect((await post(`${s.url}/webhooks`, d)).status).toBe(200);
    } finally {
      await new Promise((r) => s.server.close(r));
    }
  });

  it("refuses a body a middleware parsed as JSON outside Hono's cache, naming the cause", async () => {
    const app = new Hono();
    app.use('/webhooks', async (c, next) => {
      // e.g. a third-party middleware that parses the Request itself: the bytes are gone.
      await c.req.raw.json();
      await next();
    });
    app.post('/webhooks', hooks.hono());
    const s = await listen(app);
    try {
      const d = delivery();
      const res = await post(`${s.url}/webhooks`, d);
      expect(res.status).toBe(500);
      expect(res.json.error?.code).toBe('raw_body_required');
      expect(res.json.error?.message).toContain('re-serialised by a JSON body parser');
      expect(await hooks.events.get(d.id)).toBeNull();
    } finally {
      await new Promise((r) => s.server.close(r));
    }
  });
});
