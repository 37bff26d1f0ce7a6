// The library adapters that read the body themselves check the webhook headers first: a delivery
// with missing or stale headers is answered 401 while its body is still unsent.
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agenthooks, createAgenthooks } from '../../src/index.js';
import { SECRET, tempDir } from '../embed/helpers.js';

/** A POST whose head promises 5000 bytes of body and sends one: the answer must come anyway. */
function stalledPost(port: number, headers: Record<string, string>): Promise<string> {
  const lines = ['POST /webhooks HTTP/1.1', 'host: 127.0.0.1', 'content-length: 5000'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${lines.join('\r\n')}\r\n\r\n{`));
    let text = '';
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('data', (c: Buffer) => {
      text += c.toString();
      if (text.includes('\r\n\r\n{"error"') && text.trimEnd().endsWith('}}')) {
        clearTimeout(timer);
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
  });
}

const stale = () => ({
  'webhook-id': 'evt_x',
  'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 1000),
  'webhook-signature': 'v1,x',
});

describe('adapters check headers before the body', () => {
  const tmp = tempDir();
  let hooks: Agenthooks;
  let node: Server;
  const fastify = Fastify();

  beforeAll(async () => {
    hooks = createAgenthooks({ database: tmp.db, signingKeys: [SECRET] });
    const mw = hooks.express();
    node = createServer((req, res) => mw(req, res, () => res.end()));
    await new Promise<void>((r) => node.listen(0, '127.0.0.1', r));
    await fastify.register(hooks.fastify, { path: '/webhooks' });
    await fastify.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await new Promise((r) => node.close(r));
    await fastify.close();
    await hooks.close();
    tmp.remove();
  });

  it('express middleware', async () => {
    const port = (node.address() as AddressInfo).port;
    expect(await stalledPost(port, {})).toMatch(/^HTTP\/1\.1 401[\s\S]*missing_headers/);
    expect(await stalledPost(port, stale())).toMatch(/^HTTP\/1\.1 401[\s\S]*timestamp_too_old/);
  });

  it('fastify plugin', async () => {
    const port = (fastify.server.address() as AddressInfo).port;
    expect(await stalledPost(port, {})).toMatch(/^HTTP\/1\.1 401[\s\S]*missing_headers/);
    expect(await stalledPost(port, stale())).toMatch(/^HTTP\/1\.1 401[\s\S]*timestamp_too_old/);
  });

  it('fetch handler', async () => {
    // A body stream that never ends: reading it would hang the handler.
    const body = new ReadableStream({ start: () => undefined });
    const request = new Request('http://x/webhooks', { method: 'POST', body, duplex: 'half' } as RequestInit);
    const r = await hooks.toFetchHandler()(request);
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('missing_headers');
  });
});
