// The store for commands that only look (runs, events, rejects, export, stats, notifications
// list, ...): reads run on the main thread over a read-only connection, so such a command starts
// no writer thread. A call that writes (or `ping`, which proves a write can commit) opens the
// writer on first use, so a command that reads then writes (replay, prune) still works.
import Database from 'better-sqlite3';
import type { IngestStats, Store } from '../types.js';
import { failure, toAppError } from './failure.js';
import { methods } from './methods.js';
import { SQLITE_MIGRATIONS, schemaIsCurrent } from './migrate.js';
import type { StoreMethod, WriterProbes } from './protocol.js';
import type { Db } from './statements.js';

/** The calls that never write. Any other goes to the writer: a new method is safe by default. */
const READS: ReadonlySet<string> = new Set([
  'getEvent',
  'listEvents',
  'countEvents',
  'listRejects',
  'getRun',
  'listRuns',
  'countRuns',
  'runHistory',
  'runsToReconcile',
  'getLaunch',
  'listLaunches',
  'listOutbox',
  'getOutbox',
  'listDeploymentRuns',
  'metricCounts',
  'runCells',
  'skippedSteps',
  'getMeta',
  'getTranscript',
] satisfies StoreMethod[]);

const PROBES: ReadonlySet<string> = new Set(['writerPragma', 'stallWriter'] satisfies (keyof WriterProbes)[]);

type Call = (...args: unknown[]) => Promise<unknown>;

/** A reading store over `file`, or null when the file cannot be read as is (missing, locked in a
 * recovery, or its schema differs from this build's: the writer then migrates or refuses it). */
export function openSqliteReader(file: string, openWriter: () => Promise<Store>): Store | null {
  let db: Db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
  } catch {
    return null;
  }
  if (!schemaIsCurrent(db, SQLITE_MIGRATIONS)) {
    db.close();
    return null;
  }
  let writing: Promise<Store> | null = null;
  let writer: Store | null = null;
  const write = (): Promise<Store> => {
    writing ??= openWriter().then((s) => {
      writer = s;
      return s;
    });
    return writing;
  };
  const store: Record<string, unknown> = {
    kind: 'sqlite',
    location: file,
    ingestStats: (): IngestStats => writer?.ingestStats() ?? { transactions: 0, inserted: 0, duplicates: 0 },
    close: async (): Promise<void> => {
      if (db.open) db.close();
      if (writing)
        await writing.then(
          (s) => s.close(),
          () => undefined,
        );
    },
  };
  for (const [name, fn] of Object.entries(methods)) {
    if (PROBES.has(name)) continue;
    const run = fn as (db: Db, ...args: unknown[]) => unknown;
    const call: Call = READS.has(name)
      ? async (...args) => {
          try {
            return run(db, ...args);
          } catch (err) {
            throw toAppError(file, failure(err, 'call'));
          }
        }
      : async (...args) => ((await write()) as unknown as Record<string, Call>)[name](...args);
    store[name] = call;
  }
  return store as unknown as Store;
}
