-- The insight cells now group runs by agent as the figures name it, its name else its id, instead
-- of by name and id apart (src/store/insight-cells.ts): a name seen under many ids multiplied the
-- cells, to about one per run on a store with 20 names over 20 ids, and GET /api/stats then
-- spent half a second building and reading 50,000 rows. runs_insight is rebuilt in the new key
-- order: the day, the agent expression and the rest of the key lead, so the window is still one
-- range read in grouping order; the id follows (each cell lists its distinct ids), then the name
-- (the --agent filter matches it), then the values the figures add up, so the index still covers
-- the whole statement and the wide run rows are never read.
-- The expressions must stay written exactly as in insight-cells.ts and sqlite/insight.ts.
DROP INDEX IF EXISTS runs_insight;
CREATE INDEX runs_insight ON runs (
  first_seen_at / 86400000,
  coalesce(agent_name, agent_id), pipeline, step, status, stop_reason, outcome_result,
  agent_id, agent_name,
  first_seen_at,
  finished_at - coalesce(session_created_at, first_seen_at),
  json_extract(usage, '$.costCents'),
  CASE WHEN outcome_result IS NULL THEN 0 ELSE json_array_length(evaluations) END
);
