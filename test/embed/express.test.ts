// The Express example over a real socket: real signed deliveries are stored once; a route behind
// express.json() is refused with a message naming the re-serialised body.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExpressApp } from '../../examples/express/app.js';
import { type Agenthooks, createAgenthooks } from '../../src/index.js';
import { delivery, post, SECRET, tempDir } from './helpers.js';

function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    });
  });
}

describe('Express example', () => {
  const tmp = tempDir();
  let hooks: Agenthooks;
  let example: { server: Server; url: string };
  let parsedFirst: { server: Server; url: string };

  beforeAll(async () => {
    hooks = createAgenthooks({ database: tmp.db, signingKeys: [SECRET] });
    example = await listen(createExpressApp(hooks));
    // The common mistake: a global JSON parser in front of the webhook route.
    const wrong = express();
    wrong.use(express.json());
    wrong.post('/webhooks', hooks.express());
    parsedFirst = await listen(wrong);
  });
  afterAll(async () => {
    await new Promise((r) => example.server.close(r));
    await new Promise((r) => parsedFirst.server.close(r));
    await hooks.close();
    tmp.remove();
  });

  it('stores a signed delivery once and answers duplicates', async () => {
    const d = delivery();
    const first = await post(`${example.url}/webhooks`, d);
    expect(first).toEqual({ status: 200, json: { id: d.id, duplicate: false } });
    const again = await post(`${example.url}/webhooks`, d);
    expect(again).toEqual({ status: 200, json: { id: d.id, duplicate: true } });
    const stored = await hooks.events.get(d.id);
    expect(stored?.raw).toBe(d.body);
    expect(stored?.state).toBe('pending');
  });

  it('rejects a wrong signature with 401 and stores nothing', async () => {
    const d = delivery(SECRET);
    const forged = {
      ...d,
      headers: {
        ...d.headers,
        'webhook-signature': delivery(`whsec_${'A'.repeat(43)}=`, d.id).headers['webhook-signature'],
      },
    };
    const res = await post(`${example.url}/webhooks`, forged);
    expect(res.status).toBe(401);
    expect(res.json.error?.code).toBe('invalid_signature');
    expect(await hooks.events.get(d.id)).toBeNull();
  });

  it('works without express.raw too (the middleware reads the stream itself)', async () => {
    const bare = express();
    bare.post('/webhooks', hooks.express());
    const s = await listen(bare);
    try {
      const d = delivery();
      expect((await post(`${s.url}/webhooks`, d)).status).toBe(200);
      expect(await hooks.events.get(d.id)).not.toBeNull();
    } finally {
      await new Promise((r) => s.server.close(r));
    }
  });

  it('refuses a body re-serialised by express.json(), naming the cause', async () => {
    const d = delivery();
    const res = await post(`${parsedFirst.url}/webhooks`, d);
    expect(res.status).toBe(500);
    expect(res.json.error?.code).toBe('raw_body_required');
    expect(res.json.error?.message).toContain('re-serialised by a JSON body parser');
    expect(res.json.error?.message).toContain('express.raw');
    expect(await hooks.events.get(d.id)).toBeNull();
  });
});
