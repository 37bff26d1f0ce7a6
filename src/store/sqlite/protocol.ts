// Messages between the main-thread SqliteStore proxy and the writer thread (thread.ts).

export interface ThreadInit {
  file: string;
  create: boolean;
}

export interface CallMessage {
  id: number;
  method: string;
  args: unknown[];
}

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
