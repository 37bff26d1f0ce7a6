-- agenthooks schema, PostgreSQL. Same tables, columns and meaning as migrations/sqlite/0001_init.sql:
-- times are epoch milliseconds (BIGINT, read back as numbers), structured run fields are JSONB,
-- and texts that must round-trip byte for byte (raw bodies, launch requests, payloads) stay TEXT.

CREATE TABLE events (
  id               TEXT PRIMARY KEY,
  type             TEXT NOT NULL,
  created_at       BIGINT NOT NULL,
  received_at      BIGINT NOT NULL,
  subject_id       TEXT,
  thread_id        TEXT,
  raw              TEXT,            -- NULL once pruned; the row stays so dedupe holds forever
  state            TEXT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  BIGINT,
  last_error       TEXT,
  processed_at     BIGINT,
  lease_owner      TEXT,
  lease_expires_at BIGINT
);
-- claimEvents scans only unfinished rows, oldest first; finished rows (the vast majority) are not in it
CREATE INDEX events_active ON events (received_at, id) WHERE state IN ('pending', 'processing');
-- listing newest first with keyset paging, per filter
CREATE INDEX events_received ON events (received_at, id);
CREATE INDEX events_subject ON events (subject_id, received_at, id);
CREATE INDEX events_type ON events (type, received_at, id);
CREATE INDEX events_state ON events (state, received_at, id);

CREATE TABLE runs (
  id                 TEXT PRIMARY KEY,
  agent_id           TEXT,
  agent_name         TEXT,
  agent_version      INTEGER,
  environment_id     TEXT,
  title              TEXT,
  task               TEXT,
  status             TEXT NOT NULL,
  session_status     TEXT,
  stop_reason        TEXT,
  outcome_result     TEXT,
  evaluations        JSONB NOT NULL DEFAULT '[]',
  output             TEXT,
  usage              JSONB,
  error              TEXT,
  archived           BOOLEAN NOT NULL DEFAULT FALSE,
  turn               INTEGER NOT NULL DEFAULT 0,
  snapshot_key       TEXT,
  metadata           JSONB NOT NULL DEFAULT '{}',
  launched_by        TEXT NOT NULL,
  launch_id          TEXT,
  parent_run_id      TEXT,
  pipeline           TEXT,
  step               TEXT,
  session_created_at BIGINT,
  session_updated_at BIGINT,
  first_seen_at      BIGINT NOT NULL,
  finished_at        BIGINT,
  last_checked_at    BIGINT,
  version            INTEGER NOT NULL
);
CREATE INDEX runs_first_seen ON runs (first_seen_at, id);
CREATE INDEX runs_status ON runs (status, first_seen_at, id);
CREATE INDEX runs_agent_name ON runs (agent_name, first_seen_at, id);
CREATE INDEX runs_agent_id ON runs (agent_id, first_seen_at, id);
CREATE INDEX runs_parent ON runs (parent_run_id, first_seen_at, id);
CREATE INDEX runs_pipeline ON runs (pipeline, first_seen_at, id);
-- the reconciler's work list: non-final runs, never checked first, then least recently checked
CREATE INDEX runs_reconcile ON runs (last_checked_at NULLS FIRST, id) WHERE status IN ('pending', 'running', 'blocked');

CREATE TABLE run_history (
  run_id         TEXT NOT NULL,
  seq            INTEGER NOT NULL,
  at             BIGINT NOT NULL,
  source         TEXT NOT NULL,
  status         TEXT NOT NULL,
  session_status TEXT,
  stop_reason    TEXT,
  outcome_result TEXT,
  turn           INTEGER NOT NULL,
  snapshot_key   TEXT,
  note           TEXT,
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE rejects (
  minute BIGINT NOT NULL,
  code   TEXT NOT NULL,
  count  INTEGER NOT NULL,
  PRIMARY KEY (minute, code)
);

CREATE TABLE launches (
  id             TEXT PRIMARY KEY,
  kind           TEXT NOT NULL,
  pipeline       TEXT,
  step           TEXT,
  parent_run_id  TEXT,
  agent_name     TEXT,
  agent_id       TEXT,
  environment_id TEXT,
  task           TEXT NOT NULL,
  request        TEXT NOT NULL,
  state          TEXT NOT NULL,
  session_id     TEXT,
  error          TEXT,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL
);
-- a follow-up run is launched at most once per (parent run, step) (DESIGN.md semantics 6)
CREATE UNIQUE INDEX launches_parent_step ON launches (parent_run_id, step) WHERE parent_run_id IS NOT NULL;
CREATE INDEX launches_state ON launches (state, created_at);

CREATE TABLE outbox (
  id              TEXT PRIMARY KEY,
  target          TEXT NOT NULL,
  url             TEXT NOT NULL,
  payload         TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  state           TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error      TEXT,
  delivered_at    BIGINT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE leases (
  name       TEXT PRIMARY KEY,
  owner      TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
