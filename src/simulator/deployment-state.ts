// A deployment as the simulator keeps it: the SDK object and the timer of its next cron fire.
import type { BetaManagedAgentsDeployment } from '@anthropic-ai/sdk/resources/beta/deployments';

export interface DeploymentRecord {
  deployment: BetaManagedAgentsDeployment;
  /** Timer handle of the next scheduled run; null when there is no schedule or it is paused. */
  timer: unknown;
}
