-- A final run's session events, cached once so transcripts stop costing platform reads.
-- One row per run (the latest final turn), the events as a JSON array in TEXT (not JSONB, which
-- would reorder each event's keys).
CREATE TABLE transcripts (
  run_id      TEXT PRIMARY KEY,
  turn        INTEGER NOT NULL,
  events      TEXT NOT NULL,
  event_count INTEGER NOT NULL,
  truncated   BOOLEAN NOT NULL,
  stored_at   BIGINT NOT NULL
);
