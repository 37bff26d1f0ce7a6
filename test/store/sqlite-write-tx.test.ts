// writeTx, the one write transaction of the SQLite writer: BEGIN IMMEDIATE ... COMMIT, a rollback
// when its function throws, and a savepoint when nested, so an inner failure that the outer
// function catches undoes only the inner writes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeTx } from '../../src/store/sqlite/statements.js';

let db: Database.Database;
const rows = () => (db.prepare('SELECT x FROM t ORDER BY x').all() as { x: number }[]).map((r) => r.x);
const put = (x: number) => db.prepare('INSERT INTO t (x) VALUES (?)').run(x);

beforeEach(() => {
  db = new Database(':memory:');
  db.exec('CREATE TABLE t (x INTEGER)');
});
afterEach(() => db.close());

describe('writeTx', () => {
  it('commits what its function wrote and returns its result', () => {
    expect(
      writeTx(db, () => {
        put(1);
        put(2);
        return 'done';
      }),
    ).toBe('done');
    expect(rows()).toEqual([1, 2]);
    expect(db.inTransaction).toBe(false);
  });

  it('rolls everything back when its function throws, and rethrows', () => {
    expect(() =>
      writeTx(db, () => {
        put(1);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(rows()).toEqual([]);
    expect(db.inTransaction).toBe(false);
    // The connection is usable again.
    writeTx(db, () => put(3));
    expect(rows()).toEqual([3]);
  });

  it('takes the write lock at the start (BEGIN IMMEDIATE), before the first write', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-write-tx-'));
    const file = path.join(dir, 'tx.db');
    const a = new Database(file);
    const b = new Database(file, { timeout: 0 });
    try {
      a.pragma('journal_mode = WAL');
      a.exec('CREATE TABLE t (x INTEGER)');
      writeTx(a, () => {
        // Nothing written yet, and another connection already cannot write.
        expect(() => b.exec('BEGIN IMMEDIATE')).toThrow(/locked|busy/i);
      });
      b.exec('BEGIN IMMEDIATE; COMMIT');
    } finally {
      a.close();
      b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('nested, undoes only its own writes when it throws and the outer function goes on', () => {
    writeTx(db, () => {
      put(1);
      expect(() =>
        writeTx(db, () => {
          put(2);
          throw new Error('inner');
        }),
      ).toThrow('inner');
      writeTx(db, () => put(3));
      put(4);
    });
    expect(rows()).toEqual([1, 3, 4]);
  });

  it('nested inner commits are undone when the outer function throws', () => {
    expect(() =>
      writeTx(db, () => {
        writeTx(db, () => put(1));
        throw new Error('outer');
      }),
    ).toThrow('outer');
    expect(rows()).toEqual([]);
    expect(db.inTransaction).toBe(false);
  });
});
