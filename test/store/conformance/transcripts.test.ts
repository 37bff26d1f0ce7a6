// The transcripts concern, checked the same way on SQLite and PostgreSQL: a fresh store per
// backend, a transcript round-trips byte for byte (key order included), a later turn replaces an
// earlier one and never the other way, and SQLite's read-only store reads it without a writer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDatabase } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import { openStore } from '../../../src/store/open.js';
import { openPostgresStore } from '../../../src/store/postgres/index.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import type { Store, StoredTranscript } from '../../../src/store/types.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';

const T0 = 1_767_225_600_000;
// Keys deliberately out of alphabetical order: JSONB would sort them, the text column must not.
const EVENTS = [
  {
    type: 'user.message',
    id: 'sevt_1',
    content: [{ type: 'text', text: 'héllo \u0007 <b>' }],
    processed_at: 'x',
  },
  { type: 'session.status_idle', id: 'sevt_2', stop_reason: { type: 'end_turn' }, processed_at: 'y' },
];

const transcript = (over: Partial<StoredTranscript> = {}): StoredTranscript => ({
  runId: 'sesn_1',
  turn: 1,
  eventsJson: JSON.stringify(EVENTS),
  eventCount: 2,
  truncated: false,
  storedAt: T0,
  ...over,
});

function transcriptConformance(name: string, open: () => Promise<Store>): void {
  describe(`transcripts (${name})`, () => {
    it('round-trips a transcript exactly, and answers null for a run without one', async () => {
      const store = await open();
      try {
        expect(await store.getTranscript('sesn_1')).toBeNull();
        await store.saveTranscript(transcript());
        const got = await store.getTranscript('sesn_1');
        expect(got).toEqual(transcript());
        expect(got?.eventsJson).toBe(JSON.stringify(EVENTS));
        expect(Object.keys(got ?? {})).toEqual(Object.keys(transcript()));
      } finally {
        await store.close();
      }
    });

    it('a later turn replaces the transcript; an earlier one never does', async () => {
      const store = await open();
      try {
        await store.saveTranscript(transcript({ turn: 2, eventCount: 5000, truncated: true }));
        await store.saveTranscript(transcript({ turn: 1, eventsJson: '[]', eventCount: 0 }));
        expect(await store.getTranscript('sesn_1')).toMatchObject({
          turn: 2,
          eventCount: 5000,
          truncated: true,
        });
        await store.saveTranscript(
          transcript({ turn: 3, eventsJson: '[]', eventCount: 0, storedAt: T0 + 1 }),
        );
        expect(await store.getTranscript('sesn_1')).toEqual(
          transcript({ turn: 3, eventsJson: '[]', eventCount: 0, storedAt: T0 + 1 }),
        );
        // The same turn again (a second writer) replaces it with the same content.
        await store.saveTranscript(transcript({ turn: 3 }));
        expect((await store.getTranscript('sesn_1'))?.eventCount).toBe(2);
      } finally {
        await store.close();
      }
    });
  });
}

const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-transcripts-'));
let n = 0;
const freshFile = () => path.join(dir, `t${++n}`, 'agenthooks.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

transcriptConformance('sqlite', () => openSqliteStore(freshFile(), { create: true, logger: silentLogger }));

let pg: TestDatabase;
beforeAll(async () => {
  pg = await createTestDatabase();
});
afterAll(async () => {
  await pg?.drop();
});
let first = true;
transcriptConformance('postgres', async () => {
  const store = await openPostgresStore(pg.url, { create: true, logger: silentLogger, display: 'test' });
  // One database for the suite: each test starts from an empty table.
  if (!first) await store.pool.query('DELETE FROM transcripts');
  first = false;
  return store;
});

describe('transcripts on a read-only SQLite store', () => {
  it('reads without a writer thread; saving opens the writer', async () => {
    const file = freshFile();
    const writer = await openSqliteStore(file, { create: true, logger: silentLogger });
    await writer.saveTranscript(transcript());
    await writer.close();
    const reader = await openStore(resolveDatabase(file, {}, dir), { create: false, logger: silentLogger });
    try {
      expect(reader.constructor.name).not.toBe('SqliteStore');
      expect(await reader.getTranscript('sesn_1')).toEqual(transcript());
      await reader.saveTranscript(transcript({ turn: 2 }));
      expect((await reader.getTranscript('sesn_1'))?.turn).toBe(2);
    } finally {
      await reader.close();
    }
  });
});
