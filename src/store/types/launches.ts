// Launches: intents written before the platform call (DESIGN.md semantics 6), so a crash between
// the call and its answer is recovered without launching twice.

export type LaunchState = 'intent' | 'created' | 'failed' | 'skipped';

export interface Launch {
  /** `lch_...`; also the session's `metadata.agenthooks_launch`. */
  id: string;
  kind: 'launch' | 'chain';
  pipeline: string | null;
  step: string | null;
  parentRunId: string | null;
  agentName: string | null;
  agentId: string | null;
  environmentId: string | null;
  task: string;
  /** The full request for sessions.create, as JSON, so recovery can repeat it exactly. */
  request: string;
  state: LaunchState;
  sessionId: string | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

/** The fields of a launch that change after its intent is written; the rest are fixed. */
export type LaunchPatch = Partial<
  Pick<Launch, 'state' | 'sessionId' | 'error' | 'agentId' | 'environmentId'>
>;

export interface LaunchStore {
  /** Inserts unless a launch with the same id, or the same (parentRunId, step), exists; returns the stored one. */
  createLaunch(launch: Launch): Promise<{ launch: Launch; created: boolean }>;
  updateLaunch(id: string, patch: LaunchPatch, now: number): Promise<void>;
  getLaunch(id: string): Promise<Launch | null>;
  listLaunches(query: { state?: LaunchState; parentRunId?: string; limit?: number }): Promise<Launch[]>;
}
