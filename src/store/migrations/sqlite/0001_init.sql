-- agenthooks schema, SQLite. Times are epoch milliseconds (INTEGER), booleans 0/1,
-- structured fields JSON text. Index choices follow the queries in src/store/sqlite/*.ts.

CREATE TABLE events (
  id               TEXT PRIMARY KEY,
  type             TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  received_at      INTEGER NOT NULL,
  subject_id       TEXT,
  thread_id        TEXT,
  raw              TEXT,            -- NULL once pruned; the row stays so dedupe holds forever
  state            TEXT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER,
  last_error       TEXT,
  processed_at     INTEGER,
  lease_owner      TEXT,
  lease_expires_at INTEGER
);
-- claimEvents: due pending rows and expired processing rows
CREATE INDEX events_claim ON events (state, next_attempt_at);
CREATE INDEX events_processing ON events (lease_expires_at) WHERE state = 'processing';
-- listing newest first with keyset paging, per filter
CREATE INDEX events_received ON events (received_at, id);
CREATE INDEX events_subject ON events (subject_id, received_at, id);
CREATE INDEX events_type ON events (type, received_at, id);

CREATE TABLE runs (
  -- An explicit integer key (stable through VACUUM, unlike an implicit rowid) for the search index.
  pk                INTEGER PRIMARY KEY,
  id                TEXT NOT NULL UNIQUE,
  agent_id          TEXT,
  agent_name        TEXT,
  agent_version     INTEGER,
  environment_id    TEXT,
  title             TEXT,
  task              TEXT,
  status            TEXT NOT NULL,
  session_status    TEXT,
  stop_reason       TEXT,
  outcome_result    TEXT,
  evaluations       TEXT NOT NULL DEFAULT '[]',
  output            TEXT,
  usage             TEXT,
  error             TEXT,
  archived          INTEGER NOT NULL DEFAULT 0,
  turn              INTEGER NOT NULL DEFAULT 0,
  snapshot_key      TEXT,
  metadata          TEXT NOT NULL DEFAULT '{}',
  launched_by       TEXT NOT NULL,
  launch_id         TEXT,
  parent_run_id     TEXT,
  pipeline          TEXT,
  step              TEXT,
  session_created_at INTEGER,
  session_updated_at INTEGER,
  first_seen_at     INTEGER NOT NULL,
  finished_at       INTEGER,
  last_checked_at   INTEGER,
  version           INTEGER NOT NULL
);
CREATE INDEX runs_first_seen ON runs (first_seen_at, id);
CREATE INDEX runs_status ON runs (status, first_seen_at, id);
CREATE INDEX runs_agent_name ON runs (agent_name, first_seen_at, id);
CREATE INDEX runs_agent_id ON runs (agent_id, first_seen_at, id);
CREATE INDEX runs_parent ON runs (parent_run_id, first_seen_at, id);
CREATE INDEX runs_pipeline ON runs (pipeline, first_seen_at, id);
-- the reconciler's work list: non-final runs, least recently checked first
CREATE INDEX runs_reconcile ON runs (last_checked_at, id) WHERE status IN ('pending', 'running', 'blocked');

-- Substring search over task, output and title (runs --search, the dashboard): a trigram index,
-- because LIKE '%x%' over 100,000 outputs is a full scan. External content: the text lives once,
-- in runs; the triggers keep the index in step and skip updates that leave the text unchanged.
CREATE VIRTUAL TABLE runs_search USING fts5 (
  task, output, title, content = 'runs', content_rowid = 'pk', tokenize = 'trigram'
);
CREATE TRIGGER runs_search_insert AFTER INSERT ON runs BEGIN
  INSERT INTO runs_search (rowid, task, output, title) VALUES (new.pk, new.task, new.output, new.title);
END;
CREATE TRIGGER runs_search_delete AFTER DELETE ON runs BEGIN
  INSERT INTO runs_search (runs_search, rowid, task, output, title) VALUES ('delete', old.pk, old.task, old.output, old.title);
END;
CREATE TRIGGER runs_search_update AFTER UPDATE OF task, output, title ON runs
WHEN old.task IS NOT new.task OR old.output IS NOT new.output OR old.title IS NOT new.title BEGIN
  INSERT INTO runs_search (runs_search, rowid, task, output, title) VALUES ('delete', old.pk, old.task, old.output, old.title);
  INSERT INTO runs_search (rowid, task, output, title) VALUES (new.pk, new.task, new.output, new.title);
END;

CREATE TABLE run_history (
  run_id         TEXT NOT NULL,
  seq            INTEGER NOT NULL,
  at             INTEGER NOT NULL,
  source         TEXT NOT NULL,
  status         TEXT NOT NULL,
  session_status TEXT,
  stop_reason    TEXT,
  outcome_result TEXT,
  turn           INTEGER NOT NULL,
  snapshot_key   TEXT,
  note           TEXT,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

CREATE TABLE rejects (
  minute INTEGER NOT NULL,
  code   TEXT NOT NULL,
  count  INTEGER NOT NULL,
  PRIMARY KEY (minute, code)
) WITHOUT ROWID;

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
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);
-- a follow-up run is launched at most once per (parent run, step) (DESIGN.md semantics 6)
CREATE UNIQUE INDEX launches_parent_step ON launches (parent_run_id, step) WHERE parent_run_id IS NOT NULL;
CREATE INDEX launches_state ON launches (state, created_at);

CREATE TABLE outbox (
  id              TEXT PRIMARY KEY,
  target          TEXT NOT NULL,
  url             TEXT NOT NULL,
  payload         TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  state           TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  delivered_at    INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE leases (
  name       TEXT PRIMARY KEY,
  owner      TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
