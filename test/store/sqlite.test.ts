// The SQLite adapter: the shared conformance suite on a fresh file per test, plus what only SQLite
// has: the writer thread's pragmas, an event loop that stays free while the writer is stalled,
// several stores (and processes) on one file, and migrations applied exactly once.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/open.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';
import { stallWriter, writerPragma } from '../../src/store/sqlite/test-support.js';
import type { Run } from '../../src/store/types.js';
import { newEvent, newRun, storeConformance } from './conformance.js';

const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-sqlite-'));
let n = 0;
const freshFile = () => path.join(dir, `t${++n}`, 'agenthooks.db');
const open = (file: string, create = true) => openSqliteStore(file, { create, logger: silentLogger });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

storeConformance('sqlite', () => open(freshFile()));

describe('SQLite specifics', () => {
  it('the writer connection runs WAL with synchronous=FULL, busy_timeout and foreign keys', async () => {
    const store = await open(freshFile());
    try {
      expect(await writerPragma(store, 'journal_mode')).toBe('wal');
      expect(await writerPragma(store, 'synchronous')).toBe(2);
      expect(await writerPragma(store, 'busy_timeout')).toBe(5000);
      expect(await writerPragma(store, 'foreign_keys')).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('a stalled writer does not block the main event loop', async () => {
    const store = await open(freshFile());
    try {
      let stalled = true;
      const stall = stallWriter(store, 1500).then(() => {
        stalled = false;
      });
      // While the writer thread sleeps, the main thread still answers HTTP on a real socket
      // (what keeps /health answering while an fsync is slow).
      const server = createServer((_req, res) => res.end('ok'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const body = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.text());
      await new Promise<void>((resolve) => server.close(() => resolve()));
      expect(body).toBe('ok');
      expect(stalled).toBe(true);
      await stall;
      expect(await store.insertEvents([newEvent('after')])).toEqual([{ id: 'after', duplicate: false }]);
    } finally {
      await store.close();
    }
  });

  it('creates the parent directory; refuses a missing file without create', async () => {
    const file = path.join(dir, 'deep', 'er', 'x.db');
    const err = await open(file, false).catch((e: unknown) => e);
    expect(isAppError(err, 'store_not_found')).toBe(true);
    const store = await open(file, true);
    await store.close();
    const again = await open(file, false);
    await again.close();
  });

  it('openStore opens a SQLite location and refuses a missing one for read-only commands', async () => {
    const file = freshFile();
    const loc = { kind: 'sqlite' as const, url: file, display: file, source: 'flag' as const };
    await expect(openStore(loc, { create: false, logger: silentLogger })).rejects.toMatchObject({
      code: 'store_not_found',
    });
    const store = await openStore(loc, { create: true, logger: silentLogger });
    expect(store.kind).toBe('sqlite');
    expect(store.location).toBe(file);
    await store.close();
  });

  it('reopening keeps the data and does not re-apply migrations', async () => {
    const file = freshFile();
    const a = await open(file);
    await a.insertEvents([newEvent('keep')]);
    await a.saveRun({ run: newRun('sesn_keep'), expectedVersion: 0, history: null });
    await a.close();
    const before = new Database(file, { readonly: true });
    const migrations = before.prepare('SELECT version, name, applied_at FROM schema_migrations').all();
    before.close();
    expect(migrations.length).toBeGreaterThan(0);

    const b = await open(file);
    expect((await b.getEvent('keep'))?.id).toBe('keep');
    expect((await b.getRun('sesn_keep'))?.version).toBe(1);
    expect(await b.insertEvents([newEvent('keep')])).toEqual([{ id: 'keep', duplicate: true }]);
    await b.close();
    const after = new Database(file, { readonly: true });
    expect(after.prepare('SELECT version, name, applied_at FROM schema_migrations').all()).toEqual(
      migrations,
    );
    after.close();
  });

  it('several stores opening one fresh file at once migrate it once and share dedupe and claims', async () => {
    const file = freshFile();
    const stores: SqliteStore[] = await Promise.all([open(file), open(file), open(file)]);
    try {
      const db = new Database(file, { readonly: true });
      const versions = db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[];
      db.close();
      expect(new Set(versions.map((v) => v.version)).size).toBe(versions.length);

      const ids = Array.from({ length: 30 }, (_, i) => `shared_${i}`);
      const results = (
        await Promise.all(stores.map((s) => s.insertEvents(ids.map((id) => newEvent(id)))))
      ).flat();
      expect(results.filter((r) => !r.duplicate)).toHaveLength(30);

      const claims = await Promise.all(
        stores.map((s, i) => s.claimEvents({ owner: `p${i}`, limit: 15, now: Date.now(), leaseMs: 60_000 })),
      );
      const claimed = claims.flat().map((e) => e.id);
      expect(claimed).toHaveLength(30);
      expect(new Set(claimed).size).toBe(30);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('two processes writing one file concurrently lose nothing and duplicate nothing', async () => {
    const file = freshFile();
    const main = await open(file);
    const moduleUrl = new URL('../../dist/store/sqlite/index.js', import.meta.url).href;
    // A second OS process inserting the same ids through the compiled adapter.
    const script = `
      const { openSqliteStore } = await import(${JSON.stringify(moduleUrl)});
      const { pino } = await import('pino');
      const s = await openSqliteStore(process.argv[1], { create: true, logger: pino({ level: 'silent' }) });
      let fresh = 0;
      for (let b = 0; b < 40; b++) {
        const batch = Array.from({ length: 5 }, (_, k) => ({ id: 'x' + (b * 5 + k), type: 't', createdAt: 1, receivedAt: 1,
          subjectId: null, threadId: null, raw: '{}', state: 'pending' }));
        for (const r of await s.insertEvents(batch)) if (!r.duplicate) fresh++;
      }
      await s.close();
      process.stdout.write(String(fresh));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, file], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let errOut = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      errOut += d;
    });
    let fresh = 0;
    try {
      for (let b = 0; b < 40; b++) {
        const batch = Array.from({ length: 5 }, (_, k) => newEvent(`x${b * 5 + k}`));
        for (const r of await main.insertEvents(batch)) if (!r.duplicate) fresh++;
      }
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(errOut).toBe('');
      expect(code).toBe(0);
      expect(fresh + Number(out)).toBe(200);
      expect(await main.countEvents({})).toBe(200);
    } finally {
      await main.close();
    }
  });

  it('a failing call rejects with store_error, rolls back, and the store keeps working', async () => {
    const store = await open(freshFile());
    try {
      const bad = { ...newRun('sesn_bad'), status: null } as unknown as Run;
      const err = await store
        .saveRun({
          run: bad,
          expectedVersion: 0,
          history: null,
          outbox: [{ id: 'ob_bad', target: 't', url: 'http://127.0.0.1:1/', payload: '{}', createdAt: 1 }],
        })
        .catch((e: unknown) => e);
      expect(isAppError(err, 'store_error')).toBe(true);
      expect(await store.getRun('sesn_bad')).toBeNull();
      expect(await store.listOutbox({})).toEqual([]);
      expect(await store.saveRun({ run: newRun('sesn_ok'), expectedVersion: 0, history: null })).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('calls after close reject with store_unavailable', async () => {
    const store = await open(freshFile());
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ code: 'store_unavailable' });
  });

  it('a busy file surfaces as store_unavailable, not a crash', async () => {
    const file = freshFile();
    const store = await open(file);
    // Another connection holds the write lock for longer than busy_timeout (5 s) would wait;
    // ping must then reject with store_unavailable. Keep it short: hold the lock from this
    // thread while the writer thread waits, then release it after the rejection.
    const blocker = new Database(file);
    blocker.pragma('busy_timeout = 0');
    blocker.exec('BEGIN IMMEDIATE');
    try {
      const err = await store.ping().catch((e: unknown) => e);
      expect(isAppError(err, 'store_unavailable')).toBe(true);
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
    }
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
  }, 20_000);
});
