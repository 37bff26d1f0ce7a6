// Deployment runs: deployment_run.* events the worker resolved through the platform.

/** A scheduled deployment's run, resolved through GET /v1/deployment_runs/{id}. */
export interface DeploymentRunRecord {
  /** `drun_...` */
  id: string;
  deploymentId: string;
  agentId: string | null;
  /** The session it created (its run), or null when it failed. */
  sessionId: string | null;
  errorType: string | null;
  errorMessage: string | null;
  /** When agenthooks resolved it (epoch ms). */
  seenAt: number;
}

export interface DeploymentRunStore {
  /** Inserts or replaces by id. */
  saveDeploymentRun(run: DeploymentRunRecord): Promise<void>;
  listDeploymentRuns(query: { failed?: boolean; limit?: number }): Promise<DeploymentRunRecord[]>;
}
