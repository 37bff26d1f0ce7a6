// createAgenthooks as a library: the framework-agnostic handler, configuration errors, and the
// embedded worker + launcher against the simulator (the simulator delivers signed webhooks to an
// embedded receiver, the worker fetches the session, the run ends succeeded).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveDatabase } from '../../src/config.js';
import { createAgenthooks, isAppError, openStore } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { delivery, SECRET, tempDir } from './helpers.js';

describe('createAgenthooks', () => {
  const tmp = tempDir();
  const tempDb = tempDir();
  afterAll(() => tmp.remove());

  it('handler(rawBody, headers) stores a delivery and accepts Fetch Headers', async () => {
    const hooks = createAgenthooks({ database: tmp.db, signingKeys: SECRET });
    try {
      const d = delivery();
      const a = await hooks.handler(Buffer.from(d.body), new Headers(d.headers));
      expect(a.status).toBe(200);
      expect(a.headers['content-type']).toMatch(/application\/json/);
      expect(JSON.parse(a.body)).toEqual({ id: d.id, duplicate: false });
      const b = await hooks.handler(d.body, d.headers);
      expect(JSON.parse(b.body)).toEqual({ id: d.id, duplicate: true });
      const bad = await hooks.handler('{"type":"event"', { ...d.headers });
      expect(bad.status).toBe(401);
    } finally {
      await hooks.close();
    }
  });

  it('refuses to build without a signing key or a store, and with a malformed key', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return isAppError(err) ? err.code : String(err);
      }
      return 'no error';
    };
    expect(code(() => createAgenthooks({ database: tmp.db }))).toBe('signing_key_required');
    expect(code(() => createAgenthooks({ signingKeys: SECRET }))).toBe('config_invalid');
    expect(code(() => createAgenthooks({ database: tmp.db, signingKeys: 'whsec_not base64!' }))).toBe(
      'invalid_signing_key',
    );
  });

  it('answers 503 store_unavailable with Retry-After when the store cannot commit', async () => {
    const dead = await openStore(resolveDatabase(tempDb.db, {}, tempDb.dir), {
      create: true,
      logger: silentLogger,
    });
    await dead.close();
    const hooks = createAgenthooks({ store: dead, signingKeys: SECRET });
    const d = delivery();
    const a = await hooks.handler(d.body, d.headers);
    expect(a.status).toBe(503);
    expect(JSON.parse(a.body).error.code).toBe('store_unavailable');
    expect(a.headers['retry-after']).toBeDefined();
    await hooks.close();
    tempDb.remove();
  });

  describe('embedded worker and launch against the simulator', () => {
    let sim: RunningSimulator;
    let server: Server;

    afterAll(async () => {
      await sim?.close();
      await new Promise((r) => server?.close(r));
    });

    it('launch() -> signed webhooks -> worker -> run succeeded', async () => {
      const db = tempDir();
      sim = await startSimulator({ port: 0, signingKey: SECRET, timeScale: 0.01, seed: 7 });
      const hooks = createAgenthooks({
        database: db.db,
        signingKeys: [SECRET],
        apiKey: 'sk-test',
        baseURL: sim.url,
        worker: { worker: { idleMs: 20 } },
      });
      // A bare node:http server around handler(): the framework-agnostic path.
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', async () => {
          const a = await hooks.handler(Buffer.concat(chunks), req.headers);
          res.writeHead(a.status, a.headers).end(a.body);
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      sim.addWebhook(`http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`);
      try {
        expect(hooks.worker.state()).toBe('stopped');
        await hooks.worker.start();
        const { run } = await hooks.launch({ task: 'Summarise TCP vs UDP' });
        expect(run.id).toMatch(/^sesn_/);
        const result = await hooks.wait(run.id, {
          timeoutMs: 30_000,
          storeIntervalMs: 50,
          pollIntervalMs: 100,
        });
        expect(result.end).toBe('final');
        expect(result.run?.status).toBe('succeeded');
        expect((await hooks.runs.list()).map((r) => r.id)).toContain(run.id);
        expect((await hooks.events.list({ subjectId: run.id })).length).toBeGreaterThan(0);
        await hooks.worker.stop();
        expect(hooks.worker.state()).toBe('stopped');
      } finally {
        await hooks.close();
        db.remove();
      }
    });
  });
});
