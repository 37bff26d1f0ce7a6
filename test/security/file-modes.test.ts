// The SQLite file holds event bodies and session ids: it and its -wal and -shm files are created
// readable by their owner only (0600), whatever the umask, and a created folder is 0700.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-modes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mode = (file: string) => statSync(file).mode & 0o777;

describe('SQLite file modes', () => {
  it('creates the database, -wal and -shm 0600 and a new folder 0700, even under umask 000', async () => {
    const file = path.join(dir, 'nested', 'agenthooks.db');
    const previous = process.umask(0);
    try {
      const store = await openSqliteStore(file, { create: true, logger: silentLogger });
      // A write makes sure the WAL holds something while the store is open.
      await store.insertEvents([
        {
          id: 'evt_modes',
          type: 'session.status_idled',
          createdAt: Date.now(),
          receivedAt: Date.now(),
          subjectId: 'sesn_modes',
          threadId: null,
          raw: '{}',
          state: 'ignored',
        },
      ]);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(mode(f), f).toBe(0o600);
      expect(mode(path.dirname(file))).toBe(0o700);
      await store.close();
    } finally {
      process.umask(previous);
    }
  });
});
