// The launch sweep: a background service of serve that finishes every launch intent left behind
// (plain `launch`, chain roots and chain children alike): a CLI that gave up after its retries, a
// process killed between the intent and the session, a platform fault while resolving an agent.
// It takes each intent's lease, lists sessions once per agent for the agenthooks_launch tag, and
// creates a session only for intents that have none (src/runs/launch-drive.ts).
import { createLoop, type Loop, LoopService } from '../loop.js';
import { type DriveDeps, type LeaseOptions, recoverIntents } from './launch-drive.js';

export interface LaunchSweepOptions extends LeaseOptions {
  intervalMs: number;
  /** Intents younger than this are left to the process that wrote them. */
  staleMs?: number;
  /** Intents looked at per sweep. */
  batch?: number;
}

export class LaunchSweeper extends LoopService {
  protected readonly loop: Loop;
  readonly totals = { sweeps: 0, created: 0, recovered: 0 };

  constructor(
    private readonly deps: DriveDeps,
    private readonly o: LaunchSweepOptions,
  ) {
    super();
    this.loop = createLoop({
      name: 'launches',
      intervalMs: o.intervalMs,
      logger: deps.logger,
      round: () => this.sweep(),
    });
  }

  /** One sweep. Always waits for the interval after: an intent that failed again waits too. */
  async sweep(): Promise<boolean> {
    const batch = this.o.batch ?? 200;
    const now = this.deps.clock.now();
    const intents = (await this.deps.store.listLaunches({ state: 'intent', limit: batch })).filter(
      (l) => now - l.createdAt >= (this.o.staleMs ?? 5_000),
    );
    this.totals.sweeps += 1;
    if (intents.length === 0) return false;
    const results = await recoverIntents(this.deps, intents, this.o);
    for (const r of results) {
      if (r.outcome === 'created') this.totals.created += 1;
      if (r.outcome === 'recovered') this.totals.recovered += 1;
    }
    if (results.length > 0)
      this.deps.logger.info(
        { created: this.totals.created, recovered: this.totals.recovered },
        'launch sweep finished intents left behind',
      );
    return false;
  }

  state(): string {
    const t = this.totals;
    return `running (${t.created} created, ${t.recovered} recovered, ${t.sweeps} sweeps)`;
  }
}
