// Deployments (reference 2, D-dep): an agent, an environment and initial events that run as a new
// session on demand (`run`) or on a cron schedule on the simulator's clock. Every run is a
// deployment run: started, then succeeded with the session (which carries deployment_id) or failed
// with an error; a scheduled run that fails pauses the deployment with that error.
import type { BetaManagedAgentsDeploymentRun } from '@anthropic-ai/sdk/resources/beta/deployment-runs';
import type {
  BetaManagedAgentsDeployment,
  BetaManagedAgentsDeploymentPausedReasonErrorObject,
} from '@anthropic-ai/sdk/resources/beta/deployments';
import type { Clock } from '../clock.js';
import { ApiError } from './api-error.js';
import { nextFire, parseCron } from './cron.js';
import type { Deliverer } from './deliverer.js';
import type { DeploymentRecord } from './deployment-state.js';
import type { IdSource } from './ids.js';
import type { Timers } from './options.js';
import type { SessionEngine } from './sessions.js';
import { iso, type SimState } from './state.js';

export interface DeploymentDeps {
  state: SimState;
  ids: IdSource;
  clock: Clock;
  timers: Timers;
  timeScale: number;
  engine: SessionEngine;
  deliverer: Deliverer;
}

type RunError = NonNullable<BetaManagedAgentsDeploymentRun['error']>;
type Trigger = BetaManagedAgentsDeploymentRun['trigger_context'];

/** How many upcoming fires a schedule lists. */
const UPCOMING = 3;

export class Deployments {
  constructor(private readonly d: DeploymentDeps) {}

  /** Starts one run now: a session from the deployment's settings, or the reason it could not start. */
  run(rec: DeploymentRecord, trigger: Trigger): BetaManagedAgentsDeploymentRun {
    const dep = rec.deployment;
    const now = this.d.clock.now();
    const run: BetaManagedAgentsDeploymentRun = {
      id: this.d.ids.next('drun'),
      type: 'deployment_run',
      deployment_id: dep.id,
      agent: dep.agent,
      session_id: null,
      error: null,
      trigger_context: trigger,
      created_at: iso(now),
    };
    this.d.state.deploymentRuns.set(run.id, run);
    this.d.state.remember(run.id);
    this.d.deliverer.emit({ type: 'deployment_run.started' }, run.id);
    try {
      const session = this.d.engine.create(
        {
          agent: { type: 'agent', id: dep.agent.id, version: dep.agent.version },
          environment_id: dep.environment_id,
          // A session takes user events at create; the deployment's system messages are not replayed.
          initial_events: dep.initial_events.filter((e) => e.type !== 'system.message'),
          resources: rec.resourceParams,
          vault_ids: dep.vault_ids,
          ...(dep.budget ? { budget: dep.budget } : {}),
        },
        dep.id,
      );
      run.session_id = session.id;
      this.d.deliverer.emit({ type: 'deployment_run.succeeded' }, run.id);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      run.error = this.errorOf(dep, err.message);
      this.d.deliverer.emit({ type: 'deployment_run.failed' }, run.id);
      if (trigger.type === 'schedule') this.pause(rec, { type: 'error', error: pausedError(run.error) });
    }
    if (dep.schedule) dep.schedule.last_run_at = iso(now);
    return run;
  }

  /** Why a run could not create its session, as the run error types name it. */
  private errorOf(dep: BetaManagedAgentsDeployment, message: string): RunError {
    const env = this.d.state.environments.get(dep.environment_id);
    const agent = this.d.state.agents.get(dep.agent.id)?.at(-1);
    if (!env) return { type: 'environment_not_found_error', message };
    if (env.archived_at !== null) return { type: 'environment_archived_error', message };
    if (agent?.archived_at) return { type: 'agent_archived_error', message };
    for (const v of dep.vault_ids) {
      const vault = this.d.state.vaults.get(v);
      if (!vault) return { type: 'vault_not_found_error', message };
      if (vault.archived_at !== null) return { type: 'vault_archived_error', message };
    }
    return { type: 'session_creation_rejected_error', message };
  }

  pause(rec: DeploymentRecord, reason: BetaManagedAgentsDeployment['paused_reason']): void {
    const dep = rec.deployment;
    if (dep.status === 'paused') return;
    dep.status = 'paused';
    dep.paused_reason = reason;
    this.unschedule(rec);
    this.touch(dep);
    this.d.deliverer.emit({ type: 'deployment.paused' }, dep.id);
  }

  unpause(rec: DeploymentRecord): void {
    const dep = rec.deployment;
    if (dep.status === 'active') return;
    dep.status = 'active';
    dep.paused_reason = null;
    this.touch(dep);
    this.schedule(rec);
    this.d.deliverer.emit({ type: 'deployment.unpaused' }, dep.id);
  }

  /** (Re)plans the cron fires from now on the simulator's clock. */
  schedule(rec: DeploymentRecord): void {
    this.unschedule(rec);
    const dep = rec.deployment;
    const s = dep.schedule;
    if (!s || dep.status !== 'active' || dep.archived_at !== null) return;
    rec.cursor = Math.max(rec.cursor, this.d.clock.now());
    this.plan(rec);
  }

  private plan(rec: DeploymentRecord): void {
    const s = rec.deployment.schedule;
    if (!s) return;
    const cron = parseCron(s.expression);
    const upcoming: number[] = [];
    for (let at = rec.cursor; upcoming.length < UPCOMING; ) {
      at = nextFire(cron, s.timezone, at);
      upcoming.push(at);
    }
    s.upcoming_runs_at = upcoming.map(iso);
    const next = upcoming[0];
    // Simulated minutes pass timeScale times faster; a floor keeps timeScale 0 from spinning.
    const wait = Math.max(10, (next - rec.cursor) * this.d.timeScale);
    rec.timer = this.d.timers.setTimeout(() => {
      rec.timer = null;
      rec.cursor = next;
      this.run(rec, { type: 'schedule', scheduled_at: iso(next) });
      if (rec.deployment.status === 'active') this.plan(rec);
    }, wait);
  }

  unschedule(rec: DeploymentRecord): void {
    if (rec.timer !== null) this.d.timers.clearTimeout(rec.timer);
    rec.timer = null;
    if (rec.deployment.schedule) rec.deployment.schedule.upcoming_runs_at = [];
  }

  touch(dep: BetaManagedAgentsDeployment): void {
    dep.updated_at = iso(Math.max(this.d.clock.now(), Date.parse(dep.updated_at) + 1));
  }

  stopAll(): void {
    for (const rec of this.d.state.deployments.values())
      if (rec.timer !== null) this.d.timers.clearTimeout(rec.timer);
  }
}

/** The pause reason a failed scheduled run leaves (the session-level failures have no own type). */
function pausedError(e: RunError): BetaManagedAgentsDeploymentPausedReasonErrorObject {
  return e.type === 'session_rate_limited_error' || e.type === 'session_creation_rejected_error'
    ? { type: 'unknown_error' }
    : { type: e.type };
}
