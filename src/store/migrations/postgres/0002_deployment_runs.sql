-- Scheduled deployment runs resolved from deployment_run.* events: successful ones name
-- their session (a run), failed ones keep the platform's error so they can be shown.
CREATE TABLE deployment_runs (
  id            TEXT PRIMARY KEY,
  deployment_id TEXT NOT NULL,
  agent_id      TEXT,
  session_id    TEXT,
  error_type    TEXT,
  error_message TEXT,
  seen_at       BIGINT NOT NULL
);
CREATE INDEX deployment_runs_seen ON deployment_runs (seen_at, id);
-- prune clears payloads of old settled events: find them by age without a full scan
CREATE INDEX run_history_at ON run_history (at);
