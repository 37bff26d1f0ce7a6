// The narrow per-run reads behind the insight figures (agents, pipelines, `stats`): a few columns of
// every run in a time window, and the chain steps skipped in it. src/query/insight.ts aggregates
// them, so both adapters only filter and project, and the figures mean the same on either.
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

/** What the figures need of one run. */
export interface RunFact {
  agentName: string | null;
  agentId: string | null;
  pipeline: string | null;
  step: string | null;
  status: RunStatus;
  stopReason: string | null;
  outcomeResult: string | null;
  /** Outcome evaluations kept with the run (one per iteration); 0 without an outcome. */
  iterations: number;
  costCents: number | null;
  firstSeenAt: number;
  /** The session's creation time, else when agenthooks first saw the run. */
  startedAt: number;
  finishedAt: number | null;
}

/** Chain steps recorded skipped (a `when` that did not hold), by pipeline and step. */
export interface SkippedStepCount {
  pipeline: string;
  step: string;
  count: number;
}

export interface InsightStore {
  runFacts(query: InsightQuery): Promise<RunFact[]>;
  /** Launch intents in state `skipped` created in [since, until). */
  skippedSteps(query: Omit<InsightQuery, 'agent'>): Promise<SkippedStepCount[]>;
}
