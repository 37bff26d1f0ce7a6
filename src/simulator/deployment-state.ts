// A deployment as the simulator keeps it: the SDK object, the resource params its runs pass to
// sessions (with any repository token, which the object never shows), and its cron position.
import type { BetaManagedAgentsDeployment } from '@anthropic-ai/sdk/resources/beta/deployments';

export interface DeploymentRecord {
  deployment: BetaManagedAgentsDeployment;
  resourceParams: unknown[];
  /** Timer handle of the next scheduled run; null when there is no schedule or it is paused. */
  timer: unknown;
  /** Simulated time the schedule has reached: the last fire, or when it was (re)started. */
  cursor: number;
}
