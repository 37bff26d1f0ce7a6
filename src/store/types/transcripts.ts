// Transcripts: a final run's session events, kept so that reading them again costs the platform
// nothing (a final turn's events no longer change).

/** One run's cached events. */
export interface StoredTranscript {
  runId: string;
  /** The run's turn the events cover: a later turn (`send`) needs a newer transcript. */
  turn: number;
  /** The events, oldest first, as one JSON array text exactly as the platform sent them (text,
   * not a JSON column, so PostgreSQL keeps each event's key order). */
  eventsJson: string;
  /** Events the platform listed; more than the array holds when the cache cut it. */
  eventCount: number;
  /** Events were left out or shortened to bound the row's size. */
  truncated: boolean;
  /** When it was stored (epoch ms). */
  storedAt: number;
}

export interface TranscriptStore {
  /** Stores the run's transcript; one already stored for a later turn stays. */
  saveTranscript(transcript: StoredTranscript): Promise<void>;
  getTranscript(runId: string): Promise<StoredTranscript | null>;
}
