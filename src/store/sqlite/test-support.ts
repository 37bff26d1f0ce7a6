// For tests only: probes of the writer thread's own connection, which no Store caller needs.
// Production code never imports this file; the thread answers the probes (thread.ts).
import type { SqliteStore } from './index.js';

/** `PRAGMA name` as the writer connection sees it (journal_mode, synchronous, busy_timeout, ...). */
export function writerPragma(store: SqliteStore, name: string): Promise<unknown> {
  return store.call('writerPragma', name);
}

/** Blocks the writer thread for `ms`, to show that the event loop stays responsive meanwhile. */
export function stallWriter(store: SqliteStore, ms: number): Promise<void> {
  return store.call('stallWriter', ms);
}
