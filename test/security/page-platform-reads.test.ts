// Open run pages re-render on every store change; each render used to list the run's files
// through the Files API. Now a run costs at most one platform read a minute, whatever the number
// of tabs and changes, and a final run's list is kept in the store (no read at all afterwards).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { resolveServeConfig } from '../../src/http/serve-config.js';
import { silentLogger } from '../../src/logger.js';
import type { Platform, PlatformFile } from '../../src/platform/types.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';
import { RunFiles } from '../../src/web/run-files.js';
import { appOver } from '../support/app.js';
import { makeRun, SIGNING_KEY, saveRun, send } from '../web/helpers.js';

const FILE: PlatformFile = {
  id: 'file_1',
  filename: 'report.md',
  mimeType: 'text/markdown',
  sizeBytes: 12,
  createdAt: '2026-01-02T03:04:05Z',
  downloadable: true,
};

describe('platform reads from open pages', () => {
  let dir: string;
  let store: SqliteStore;
  let app: App;
  let url: string;
  let at = Date.now();
  const reads: string[] = [];
  const platform = {
    listFiles: async (id: string) => {
      reads.push(id);
      return id === 'sesn_empty' ? [] : [FILE];
    },
  } as unknown as Platform;
  const clock = { now: () => at };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-files-cache-'));
    const config = resolveServeConfig(
      { port: '0', host: '127.0.0.1', signingKey: [SIGNING_KEY], worker: false },
      {},
      dir,
    );
    store = await openSqliteStore(config.database.url, { create: true, logger: silentLogger });
    app = appOver({ config, store, platform, clock });
    url = (await app.listen()) as string;
    await saveRun(store, makeRun('sesn_done', { status: 'succeeded', finishedAt: at - 120_000 }));
    await saveRun(store, makeRun('sesn_live', { status: 'running' }));
  });

  afterAll(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const count = (id: string) => reads.filter((r) => r === id).length;

  it('5 tabs x 30 changes of a final run: one read, then the list comes from the store', async () => {
    for (let i = 0; i < 150; i++) {
      const page = await send(url, { path: '/runs/sesn_done' });
      expect(page.status).toBe(200);
      if (i === 0) expect(page.body).toContain('report.md');
    }
    expect((await send(url, { path: '/api/runs/sesn_done/files' })).json()).toEqual({ data: [FILE] });
    expect(count('sesn_done')).toBe(1);
    expect(JSON.parse((await store.getMeta('run.files.sesn_done')) as string)).toEqual([FILE]);
    at += 10 * 60_000;
    await send(url, { path: '/runs/sesn_done' });
    expect(count('sesn_done')).toBe(1);
    // Another server over the same store (a restart, a replica) reads the kept list too.
    const again = new RunFiles(platform, store, clock);
    expect(await again.list((await store.getRun('sesn_done')) as never)).toEqual([FILE]);
    expect(count('sesn_done')).toBe(1);
  });

  it('a running run: at most one read a minute', async () => {
    for (let i = 0; i < 30; i++) await send(url, { path: '/runs/sesn_live' });
    for (let i = 0; i < 10; i++) await send(url, { path: '/api/runs/sesn_live/files' });
    expect(count('sesn_live')).toBe(1);
    at += 61_000;
    for (let i = 0; i < 30; i++) await send(url, { path: '/runs/sesn_live' });
    expect(count('sesn_live')).toBe(2);
    expect(await store.getMeta('run.files.sesn_live')).toBeNull();
  });

  it('a just-finished run with no files yet is asked again after a minute, then kept', async () => {
    await saveRun(store, makeRun('sesn_empty', { status: 'succeeded', finishedAt: at - 1000 }));
    const base = count('sesn_empty');
    await send(url, { path: '/runs/sesn_empty' });
    expect(await store.getMeta('run.files.sesn_empty')).toBeNull();
    await send(url, { path: '/runs/sesn_empty' });
    expect(count('sesn_empty')).toBe(base + 1);
    at += 61_000;
    await send(url, { path: '/runs/sesn_empty' });
    expect(count('sesn_empty')).toBe(base + 2);
    expect(await store.getMeta('run.files.sesn_empty')).toBe('[]');
  });
});
