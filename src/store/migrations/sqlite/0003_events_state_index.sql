-- Listing events by processing state (`events --state failed`, the dashboard's failure list) walks
-- this index newest first instead of sorting every row with that state.
CREATE INDEX events_state_received ON events (state, received_at, id);
