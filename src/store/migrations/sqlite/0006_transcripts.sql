-- A final run's session events, cached once so transcripts stop costing platform reads.
-- One row per run (the latest final turn), the events as a JSON array in text.
CREATE TABLE transcripts (
  run_id      TEXT PRIMARY KEY,
  turn        INTEGER NOT NULL,
  events      TEXT NOT NULL,
  event_count INTEGER NOT NULL,
  truncated   INTEGER NOT NULL,
  stored_at   INTEGER NOT NULL
);
