// The chains engine: starts pipelines, and when a chain run reaches a final outcome decides each
// child step (launch it, or record it skipped with the reason). Runs as a hook of the worker and
// reconciler and as a periodic sweep, because a hook can be cut off (a crash after the run was
// saved final, a platform error inside the hook) and nothing else would ever call it again.
import type { ConfigFile } from '../config-file.js';
import { AppError } from '../errors.js';
import { createLoop, type Loop, LoopService } from '../loop.js';
import { platformDetails } from '../platform/errors.js';
import { randomId } from '../runs/ids.js';
import { type DriveDeps, driveLaunch } from '../runs/launch-drive.js';
import { FINAL_STATUSES, isFinal } from '../runs/state.js';
import type { Launch, Run } from '../store/types.js';
import { noCrash } from '../test-hooks.js';
import { driveNewIntent, type StepLaunchDeps, writeStepIntent } from './launcher.js';
import { childSteps, type PipelineStep } from './pipeline.js';
import { buildRecord, type ChainRecord, pipelineNames, RecordCache, saveRecord, TAGS } from './record.js';
import { evaluateWhen } from './when.js';

export type ChainDeps = DriveDeps;

export interface ChainEngineOptions {
  owner?: string;
  /** Lease on one launch while it is worked on. A crashed holder blocks its launches this long. */
  leaseMs?: number;
  /** Sweep period (final runs whose children were never decided). */
  sweepIntervalMs?: number;
  /** An intent without a session older than this is recovered. */
  staleMs?: number;
  /** The sweep looks at final chain runs first seen this far back. */
  lookbackMs?: number;
  /** How long a launch retries retryable API failures itself (the CLI: 30 s; serve: 0, a sweep retries). */
  retryForMs?: number;
}

export type ChildDecision =
  | { step: string; decision: 'launched' | 'exists'; launch: Launch }
  | { step: string; decision: 'skipped'; launch: Launch; reason: string }
  | { step: string; decision: 'pending'; launch: Launch | null; reason: string };

export interface LaunchedStep {
  launch: Launch;
  /** The child's run; null when another launcher had already decided the step. */
  run: Run | null;
}

export interface ChainSweepReport {
  recovered: number;
  decided: number;
  errors: number;
}

export class ChainEngine extends LoopService {
  readonly owner: string;
  private readonly o: Required<Omit<ChainEngineOptions, 'owner'>>;
  private readonly records: RecordCache;
  /** Final runs whose children are all decided: the sweep skips them. */
  private readonly settled = new Set<string>();
  protected readonly loop: Loop;
  readonly totals = { launched: 0, skipped: 0, recovered: 0, sweeps: 0 };

  constructor(
    private readonly deps: ChainDeps,
    options: ChainEngineOptions = {},
  ) {
    super();
    this.owner = options.owner ?? randomId('chn-owner_', 12);
    this.o = {
      leaseMs: options.leaseMs ?? 15_000,
      sweepIntervalMs: options.sweepIntervalMs ?? 10_000,
      staleMs: options.staleMs ?? 5_000,
      lookbackMs: options.lookbackMs ?? 24 * 3_600_000,
      retryForMs: options.retryForMs ?? 0,
    };
    this.records = new RecordCache(deps.store);
    this.loop = createLoop({
      name: 'chains',
      intervalMs: this.o.sweepIntervalMs,
      logger: deps.logger,
      round: async () => {
        await this.sweep();
        return false;
      },
    });
  }

  private stepDeps(): StepLaunchDeps {
    return {
      ...this.deps,
      lease: { owner: this.owner, leaseMs: this.o.leaseMs },
      retryForMs: this.o.retryForMs,
    };
  }

  /** The worker/reconciler hook: decide the children of a run that just became final. */
  readonly onRunFinal = async (run: Run): Promise<void> => {
    await this.decideChildren(run);
    // Test-only: the children are launched (or recorded skipped) but the event is not marked done yet.
    (this.deps.crash ?? noCrash)('before-mark-done');
  };

  /**
   * Writes the chain record and every root step's intent, then launches them. Nothing calls the
   * platform before all intents are stored, so a fault leaves intents that serve's launch sweep
   * finishes, never a root that no one will launch.
   */
  async startChain(
    config: ConfigFile,
    pipelineName: string,
    task: string,
  ): Promise<{ record: ChainRecord; roots: LaunchedStep[] }> {
    const record = buildRecord(randomId('chn_'), config, pipelineName, task, this.deps.clock.now(), () =>
      randomId('lch_'),
    );
    await saveRecord(this.deps.store, record);
    const intents: Array<{ step: PipelineStep; launch: Launch }> = [];
    for (const root of record.roots) {
      const step = record.pipeline.steps.find((s) => s.name === root.step)!;
      const { launch } = await writeStepIntent(this.stepDeps(), record, step, null, root.launchId);
      intents.push({ step, launch });
    }
    const roots: LaunchedStep[] = [];
    const pending: string[] = [];
    let firstPending: unknown = null;
    for (const { step, launch } of intents) {
      try {
        const result = await driveNewIntent(this.stepDeps(), launch);
        this.totals.launched += 1;
        roots.push({ launch: result.launch, run: result.run });
      } catch (err) {
        if (!platformDetails(err)?.retryable) throw err;
        pending.push(step.name);
        firstPending ??= err;
      }
    }
    if (pending.length > 0) {
      throw new AppError(
        'launch_pending',
        `${(firstPending as Error).message} Chain ${record.id}: the launch of step ${pending.join(', ')} is recorded; a running \`agenthooks serve\` on this database completes it without creating a second session.`,
        { cause: firstPending, details: { chain: record.id, pipeline: record.pipeline.name, pending } },
      );
    }
    return { record, roots };
  }

  async record(chainId: string): Promise<ChainRecord | null> {
    return this.records.get(chainId);
  }

  /** Idempotent: decides every child step of a final chain run that is not decided yet. */
  async decideChildren(run: Run): Promise<ChildDecision[]> {
    const chainId = run.metadata[TAGS.chain];
    const stepName = run.step ?? run.metadata[TAGS.step];
    if (!chainId || !stepName || !isFinal(run.status)) return [];
    const record = await this.records.get(chainId);
    if (!record) {
      this.deps.logger.warn(
        { run: run.id, chain: chainId },
        'chain record not found; cannot decide the next steps',
      );
      return [];
    }
    const children = childSteps(record.pipeline, stepName);
    if (children.length === 0) return [];
    const existing = await this.deps.store.listLaunches({ parentRunId: run.id, limit: 1000 });
    const decisions: ChildDecision[] = [];
    for (const child of children) {
      const found = existing.find((l) => l.step === child.name) ?? null;
      decisions.push(found ? await this.revisit(found) : await this.decideNew(record, child, run));
    }
    return decisions;
  }

  /** A child already has a launch row: finish it when it is a stale intent, else report it. */
  private async revisit(l: Launch): Promise<ChildDecision> {
    if (l.state === 'skipped')
      return { step: l.step!, decision: 'skipped', launch: l, reason: l.error ?? '' };
    if (l.state !== 'intent') return { step: l.step!, decision: 'exists', launch: l };
    if (this.deps.clock.now() - l.createdAt < this.o.staleMs)
      return { step: l.step!, decision: 'pending', launch: l, reason: 'launch in progress' };
    const r = await driveLaunch(this.deps, l, { ...this.stepDeps().lease, mode: 'recover' });
    if (r.outcome === 'recovered') this.totals.recovered += 1;
    if (r.outcome === 'busy')
      return { step: l.step!, decision: 'pending', launch: l, reason: 'another launcher holds it' };
    return { step: l.step!, decision: 'exists', launch: r.launch };
  }

  private async decideNew(record: ChainRecord, child: PipelineStep, parent: Run): Promise<ChildDecision> {
    let reason: string | null = null;
    if (child.depth > record.pipeline.maxDepth)
      reason = `step depth ${child.depth} exceeds max_depth ${record.pipeline.maxDepth}`;
    else {
      const w = evaluateWhen(child.when, parent);
      if (!w.met) reason = w.reason;
    }
    if (reason !== null) {
      const now = this.deps.clock.now();
      const { launch } = await this.deps.store.createLaunch({
        id: randomId('lch_'),
        kind: 'chain',
        pipeline: record.pipeline.name,
        step: child.name,
        parentRunId: parent.id,
        agentName: child.agent,
        agentId: null,
        environmentId: null,
        task: '',
        request: '{}',
        state: 'skipped',
        sessionId: null,
        error: reason,
        createdAt: now,
        updatedAt: now,
      });
      if (launch.state === 'skipped') {
        this.totals.skipped += 1;
        this.deps.logger.info({ run: parent.id, step: child.name, reason }, 'chain step skipped');
        return { step: child.name, decision: 'skipped', launch, reason: launch.error ?? reason };
      }
      return { step: child.name, decision: 'exists', launch };
    }
    const { launch, created } = await writeStepIntent(
      this.stepDeps(),
      record,
      child,
      parent,
      randomId('lch_'),
    );
    if (!created) return this.revisit(launch);
    const result = await driveNewIntent(this.stepDeps(), launch);
    this.totals.launched += 1;
    this.deps.logger.info(
      { chain: record.id, step: child.name, parent: parent.id, session: result.run?.id },
      'chain step launched',
    );
    return { step: child.name, decision: 'launched', launch: result.launch };
  }

  /**
   * Decides final chain runs whose children were never decided (a hook cut off by a crash or a
   * platform error). Stale intents are the launch sweep's (src/runs/launch-sweep.ts).
   */
  async sweep(): Promise<ChainSweepReport> {
    const report: ChainSweepReport = { recovered: 0, decided: 0, errors: 0 };
    const { store, clock, logger } = this.deps;
    const now = clock.now();
    for (const name of await pipelineNames(store)) {
      let before: { firstSeenAt: number; id: string } | undefined;
      for (;;) {
        const page = await store.listRuns({
          pipeline: name,
          status: [...FINAL_STATUSES],
          since: now - this.o.lookbackMs,
          before,
          limit: 200,
        });
        for (const run of page) {
          if (this.settled.has(run.id)) continue;
          try {
            const decisions = await this.decideChildren(run);
            report.decided += decisions.filter(
              (d) => d.decision === 'launched' || d.decision === 'skipped',
            ).length;
            if (decisions.every((d) => d.decision !== 'pending')) this.settled.add(run.id);
          } catch (err) {
            report.errors += 1;
            logger.warn(
              { err: (err as Error).message, run: run.id },
              'deciding chain steps failed; next sweep retries',
            );
          }
        }
        if (page.length < 200) break;
        const last = page[page.length - 1]!;
        before = { firstSeenAt: last.firstSeenAt, id: last.id };
      }
    }
    if (this.settled.size > 100_000) this.settled.clear();
    this.totals.sweeps += 1;
    return report;
  }

  state(): string {
    const t = this.totals;
    return `running (${t.launched} launched, ${t.skipped} skipped, ${t.recovered} recovered, ${t.sweeps} sweeps)`;
  }
}
