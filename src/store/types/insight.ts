// The grouped reads behind the insight figures (agents, pipelines, `stats`): the runs of a
// time window counted by cell, and the chain steps skipped in it. src/query/insight.ts aggregates
// them, so both adapters only filter and count, and the figures mean the same on either.
import type { RunStatus } from './runs.js';

export interface InsightQuery {
  /** first_seen_at >= since (epoch ms). */
  since: number;
  /** first_seen_at < until (epoch ms). */
  until: number;
  /** Matches the agent's name or id, like the runs list's agent filter. */
  agent?: string;
  pipeline?: string;
}

/**
 * The runs of one cell: same agent, pipeline, step, UTC day (of first sight), status, stop reason
 * and outcome result. Grouping in the database keeps a window of 100,000 runs to a few thousand
 * rows; only the durations come per run, for exact percentiles.
 */
export interface RunCell {
  /** The agent's name, else its id: the insight figures group agents by it (null: neither known). */
  agent: string | null;
  /** The distinct agent ids among the cell's runs, in no order (a name may cover several ids). */
  agentIds: string[];
  pipeline: string | null;
  step: string | null;
  /** UTC midnight (epoch ms) of the day the runs were first seen. */
  day: number;
  status: RunStatus;
  stopReason: string | null;
  outcomeResult: string | null;
  runs: number;
  /** Outcome evaluations (one per iteration) summed over the cell's runs. */
  iterations: number;
  /** Summed over the runs that report a cost. */
  costCents: number;
  costedRuns: number;
  /** Per finished run: session creation (else first sight) to finish, in ms, in no order. */
  durations: number[];
}

/** Chain steps recorded skipped (a `when` that did not hold), by pipeline and step. */
export interface SkippedStepCount {
  pipeline: string;
  step: string;
  count: number;
}

export interface InsightStore {
  runCells(query: InsightQuery): Promise<RunCell[]>;
  /** Launch intents in state `skipped` created in [since, until). */
  skippedSteps(query: Omit<InsightQuery, 'agent'>): Promise<SkippedStepCount[]>;
}
