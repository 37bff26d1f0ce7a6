-- A leaner event ledger (the same review as SQLite's 0005). What is left on `events`, by query:
--   events_pkey (id)                    dedupe on insert; getEvent; the claim's UPDATE by id
--   events_received (received_at, id)   events newest first + keyset paging; --since/--until;
--                                       per-minute counts (stats); prune by age; --type and
--                                       --state done/ignored walk it newest first and filter
--   events_subject (subject_id, ...)    run detail timeline; events --session
--   events_active (partial, 0001)       the worker's claim (pending and processing rows, in
--                                       received order); pending and processing counts
--   events_failed (partial)             failure list; failed count; events --state failed
-- Dropped: events_state (every row written into a state-first index; the partial ones serve
-- the states that are looked up) and events_type (a handful of values: the received order
-- serves the filter).
DROP INDEX IF EXISTS events_state;
DROP INDEX IF EXISTS events_type;
CREATE INDEX events_failed ON events (received_at, id) WHERE state = 'failed';
