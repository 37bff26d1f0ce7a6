// Transcripts: a final run's cached session events (thread side; the read also runs on the
// read-only connection).
import { type Row, rowCodec, TRANSCRIPT_COLUMNS, TRANSCRIPT_UPSERT_CONFLICT } from '../columns.js';
import type { StoredTranscript } from '../types.js';
import { sqliteCodec } from './codec.js';
import { type Db, stmt } from './statements.js';

const transcriptRows = rowCodec(TRANSCRIPT_COLUMNS, sqliteCodec);

const UPSERT = `INSERT INTO transcripts (${transcriptRows.names.join(', ')})
  VALUES (${transcriptRows.names.map(() => '?').join(', ')}) ${TRANSCRIPT_UPSERT_CONFLICT}`;

export function saveTranscript(db: Db, t: StoredTranscript): void {
  stmt(db, UPSERT).run(...transcriptRows.values(t));
}

export function getTranscript(db: Db, runId: string): StoredTranscript | null {
  const row = stmt(db, 'SELECT * FROM transcripts WHERE run_id = ?').get(runId) as Row | undefined;
  return row ? transcriptRows.read(row) : null;
}
