-- A leaner event ledger: every event row used to be written into 7 B-trees (the table, the id
-- index and 5 more), two of them overlapping. Each index left on `events` is named with the
-- query that uses it; the rest are gone. The table stays a rowid table, so rows are appended in
-- received order, and the unique id index is the dedupe (INSERT ... ON CONFLICT (id) DO NOTHING).
--
--   sqlite_autoindex_events_1 (id)      dedupe on insert; getEvent; the claim's UPDATE by id
--   events_received (received_at, id)   events newest first + keyset paging; --since/--until;
--                                       per-minute counts (stats); prune by age; --type and
--                                       --state done/ignored walk it newest first and filter
--   events_subject (subject_id, ...)    run detail timeline; events --session
--   events_pending (partial)            the worker's claim of fresh and due events; pending count
--   events_processing (partial, 0001)   abandoned claims; processing count
--   events_failed (partial)             failure list; failed count; events --state failed
--
-- Partial indexes hold only the rows still to do (or failed), so a settled event costs nothing
-- there. Dropped: events_claim and events_state_received (state-first indexes that every event
-- was written into; the partial ones above replace them) and events_type (a filter the received
-- order serves: event types are a handful of values).
DROP INDEX IF EXISTS events_claim;
DROP INDEX IF EXISTS events_state_received;
DROP INDEX IF EXISTS events_type;
CREATE INDEX events_pending ON events (next_attempt_at) WHERE state = 'pending';
CREATE INDEX events_failed ON events (received_at, id) WHERE state = 'failed';
