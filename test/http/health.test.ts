// /health answers from the event loop alone, /ready from the store; both read through a real
// socket while the SQLite writer thread is stalled. The writer's own pragmas are read too.
import { describe, expect, it } from 'vitest';
import { stallWriter, writerPragma } from '../../src/store/sqlite/test-support.js';
import { deliver, eventId, send, startServer } from './helpers.js';

describe('health and readiness', () => {
  it('the writer connection serve uses runs journal_mode=wal and synchronous=2 (FULL)', async () => {
    const srv = await startServer();
    try {
      expect(await writerPragma(srv.store, 'journal_mode')).toBe('wal');
      expect(await writerPragma(srv.store, 'synchronous')).toBe(2);
    } finally {
      await srv.close();
    }
  });

  it('/ready reports the store and the worker state', async () => {
    const srv = await startServer();
    try {
      const r = await send(srv.url, { method: 'GET', path: '/ready' });
      expect(r.status).toBe(200);
      expect(r.json()).toEqual({ status: 'ready', store: 'sqlite', worker: 'disabled (no API key)' });
    } finally {
      await srv.close();
    }
  });

  it('with the writer stalled, /health answers, /ready says unavailable, and the pending webhook is answered after', async () => {
    const srv = await startServer();
    try {
      let stalled = true;
      const stall = stallWriter(srv.store, 2500).then(() => {
        stalled = false;
      });
      const id = eventId();
      let answered = false;
      const pending = deliver(srv.url, id).then((r) => {
        answered = true;
        return r;
      });
      const health = await send(srv.url, { method: 'GET', path: '/health' });
      expect(health.status).toBe(200);
      expect(health.json().status).toBe('ok');
      expect(stalled).toBe(true);
      expect(answered).toBe(false);
      const ready = await send(srv.url, { method: 'GET', path: '/ready' });
      expect(ready.status).toBe(503);
      expect(ready.json().error.code).toBe('store_unavailable');
      expect(stalled).toBe(true);
      expect(answered).toBe(false);
      await stall;
      const r = await pending;
      expect(r.status).toBe(200);
      expect(r.json()).toEqual({ id, duplicate: false });
    } finally {
      await srv.close();
    }
  });
});
