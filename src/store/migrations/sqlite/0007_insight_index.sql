-- The insight figures (/agents, /pipelines, `stats`, GET /api/stats) group a window's runs by
-- day, agent, pipeline, step, status, stop reason and outcome (src/store/insight-cells.ts). With
-- this index the window is one range of entries already in that order, and each entry carries
-- the duration, cost and iteration count the figures add up: the query aggregates as it scans,
-- never reads the wide run rows and never sorts. Without it, 100,000 runs cost a table lookup
-- each and a temporary B-tree for the GROUP BY (about 5 times the CPU).
-- The expressions must stay written exactly as in insight-cells.ts and sqlite/insight.ts.
CREATE INDEX runs_insight ON runs (
  first_seen_at / 86400000,
  agent_name, agent_id, pipeline, step, status, stop_reason, outcome_result,
  first_seen_at,
  finished_at - coalesce(session_created_at, first_seen_at),
  json_extract(usage, '$.costCents'),
  CASE WHEN outcome_result IS NULL THEN 0 ELSE json_array_length(evaluations) END
);
