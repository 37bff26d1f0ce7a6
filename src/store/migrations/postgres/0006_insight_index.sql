-- The insight figures (/agents, /pipelines, `stats`, GET /api/stats) group a window's runs by
-- day, agent, pipeline, step, status, stop reason and outcome (src/store/insight-cells.ts). This
-- index holds the runs in exactly that order, so the window is one range scan feeding a
-- streaming GroupAggregate: no sort of 100,000 wide rows (which spilled to disk at the default
-- work_mem). Its statistics also give the planner the row count of the day range, which it
-- cannot estimate for an unindexed expression. The day expression must stay written as in
-- insight-cells.ts.
CREATE INDEX runs_insight ON runs (
  (first_seen_at / 86400000), agent_name, agent_id, pipeline, step, status, stop_reason, outcome_result
);
