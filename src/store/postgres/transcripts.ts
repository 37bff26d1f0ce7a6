// Transcripts: a final run's cached session events, shared by every replica.
import { type Row, rowCodec, TRANSCRIPT_COLUMNS, TRANSCRIPT_UPSERT_CONFLICT } from '../columns.js';
import type { StoredTranscript } from '../types.js';
import { placeholders, postgresCodec } from './codec.js';
import type { Db } from './db.js';

const transcriptRows = rowCodec(TRANSCRIPT_COLUMNS, postgresCodec);

const UPSERT = `INSERT INTO transcripts (${transcriptRows.names.join(', ')})
  VALUES (${placeholders(transcriptRows.columns).join(', ')}) ${TRANSCRIPT_UPSERT_CONFLICT}`;

export async function saveTranscript(db: Db, t: StoredTranscript): Promise<void> {
  await db.query(UPSERT, transcriptRows.values(t));
}

export async function getTranscript(db: Db, runId: string): Promise<StoredTranscript | null> {
  const res = await db.query<Row>('SELECT * FROM transcripts WHERE run_id = $1', [runId]);
  return res.rows[0] ? transcriptRows.read(res.rows[0]) : null;
}
