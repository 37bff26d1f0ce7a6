-- The insight cells now group runs by agent as the figures name it, its name else its id, instead
-- of by name and id apart (src/store/insight-cells.ts): a name seen under many ids multiplied the
-- cells, to about one per run on a store with 20 names over 20 ids. runs_insight is rebuilt in
-- the new key order, so the window is still one range scan feeding a streaming GroupAggregate
-- with no sort; the id follows the key, so each cell's distinct ids arrive in order too. The
-- expressions must stay written as in insight-cells.ts.
DROP INDEX IF EXISTS runs_insight;
CREATE INDEX runs_insight ON runs (
  (first_seen_at / 86400000), (coalesce(agent_name, agent_id)), pipeline, step, status, stop_reason,
  outcome_result, agent_id
);
