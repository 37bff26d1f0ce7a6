// Messages between the main-thread SqliteStore proxy and the writer thread (thread.ts), typed
// against the Store interface: the thread's method table must have exactly one entry per method
// below, with the Store's arguments and (synchronous) result, or the build fails.
import type { NewEvent, Store } from '../types.js';
import type { Db } from './statements.js';

export interface ThreadInit {
  file: string;
  create: boolean;
}

/** The Store methods the writer thread runs. The proxy answers the others itself: kind and
 * location, close (it ends the thread) and ingestStats (counted on the main thread). */
export type StoreMethod = Exclude<keyof Store, 'kind' | 'location' | 'close' | 'ingestStats'>;

/** What only tests ask of the writer's own connection (see test-support.ts). */
export interface WriterProbes {
  /** Runs `PRAGMA name` (journal_mode, synchronous, ...) and returns its value. */
  writerPragma(name: string): unknown;
  /** Blocks the writer thread for `ms`. */
  stallWriter(ms: number): void;
}

/**
 * insertEvents as it crosses to the thread: the events' fields in one flat array (EVENT_WIRE_FIELDS
 * per event, in eventRows' order), answered with one duplicate flag per event. Cloning an object
 * per event (its field names included) both ways cost the webhook path more than the HMAC.
 */
export interface IngestWire {
  insertEvents(rows: EventRows): boolean[];
}

export type EventRows = Array<string | number | null>;
export const EVENT_WIRE_FIELDS = 8;

/** The events as insertEvents sends them to the thread (read back by the thread's insertEvents). */
export function eventRows(events: readonly NewEvent[]): EventRows {
  // Built by push, not `new Array(n)`: a holey array is cloned to the thread property by property.
  const rows: EventRows = [];
  for (const e of events)
    rows.push(e.id, e.type, e.createdAt, e.receivedAt, e.subjectId, e.threadId, e.raw, e.state);
  return rows;
}

type Sync<F> = F extends (...args: infer A) => infer R ? (...args: A) => Awaited<R> : never;

/** Every call the thread answers, as the main thread makes it. */
export type ThreadApi = Omit<{ [K in StoreMethod]: Sync<Store[K]> }, 'insertEvents'> &
  IngestWire &
  WriterProbes;
export type ThreadMethod = keyof ThreadApi;

/** The thread's side: each method takes the connection first and runs synchronously. */
export type MethodTable = {
  [K in ThreadMethod]: (db: Db, ...args: Parameters<ThreadApi[K]>) => ReturnType<ThreadApi[K]>;
};

export type CallMessage =
  | { [K in ThreadMethod]: { id: number; method: K; args: Parameters<ThreadApi[K]> } }[ThreadMethod]
  | { id: number; method: 'close'; args: [] };

export interface ThreadFailure {
  /** The SQLite result code (`SQLITE_BUSY`, `SQLITE_IOERR_WRITE`, ...) when SQLite raised it. */
  sqliteCode: string | null;
  message: string;
  /** Where it failed: opening the file, migrating it, or running a call. */
  phase: 'open' | 'migrate' | 'call';
}

export type ReplyMessage =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: ThreadFailure }
  | { id: 0; ready: true; applied: number[] }
  | { id: 0; ready: false; error: ThreadFailure };
