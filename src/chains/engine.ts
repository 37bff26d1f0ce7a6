// The chains engine: starts pipelines, and when a chain run reaches a final outcome decides each
// child step (launch it, or record it skipped with the reason). Runs as a hook of the worker and
// reconciler and as a periodic sweep, because a hook can be cut off (a crash after the run was
// saved final, a platform error inside the hook) and nothing else would ever call it again.
import type { Clock } from '../clock.js';
import type { ConfigFile } from '../config-file.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { definitionHash } from '../platform/client.js';
import { platformDetails } from '../platform/errors.js';
import type {
  AgentDefinition,
  CreateSessionRequest,
  EnsuredResource,
  EnvironmentDefinition,
  Platform,
} from '../platform/types.js';
import { randomId } from '../runs/ids.js';
import { agentDefinition, ensureAgent, ensureEnvironment, environmentDefinition } from '../runs/resources.js';
import type { Launch, Run, Store } from '../store/types.js';
import { crashPoint } from '../test-hooks.js';
import { driveLaunch, type LeaseOptions, recoverIntents, takeLease } from './launcher.js';
import { newBoundary, renderOutputBlock, renderPrompt } from './output-block.js';
import { childSteps, type PipelineStep } from './pipeline.js';
import {
  buildRecord,
  type ChainRecord,
  pipelineNames,
  RecordCache,
  recordConfig,
  saveRecord,
  TAGS,
} from './record.js';
import { evaluateWhen, isFinal } from './when.js';

export interface ChainDeps {
  store: Store;
  platform: Platform;
  clock: Clock;
  logger: Logger;
}

export interface ChainEngineOptions {
  owner?: string;
  /** Lease on one launch while it is worked on. A crashed holder blocks its launches this long. */
  leaseMs?: number;
  /** Sweep period (stale intents, final runs whose children were never decided). */
  sweepIntervalMs?: number;
  /** An intent without a session older than this is recovered. */
  staleMs?: number;
  /** The sweep looks at final chain runs first seen this far back. */
  lookbackMs?: number;
  /** How long an ensured agent/environment id is reused before asking the platform again. */
  ensureTtlMs?: number;
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

export class ChainEngine {
  readonly owner: string;
  private readonly o: Required<Omit<ChainEngineOptions, 'owner'>>;
  private readonly records: RecordCache;
  private readonly ensured = new Map<string, { at: number; value: EnsuredResource }>();
  /** Final runs whose children are all decided: the sweep skips them. */
  private readonly settled = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<ChainSweepReport> | null = null;
  private stopped = true;
  readonly totals = { launched: 0, skipped: 0, recovered: 0, sweeps: 0 };

  constructor(
    private readonly deps: ChainDeps,
    options: ChainEngineOptions = {},
  ) {
    this.owner = options.owner ?? randomId('chn-owner_', 12);
    this.o = {
      leaseMs: options.leaseMs ?? 15_000,
      sweepIntervalMs: options.sweepIntervalMs ?? 10_000,
      staleMs: options.staleMs ?? 5_000,
      lookbackMs: options.lookbackMs ?? 24 * 3_600_000,
      ensureTtlMs: options.ensureTtlMs ?? 5 * 60_000,
    };
    this.records = new RecordCache(deps.store);
  }

  private lease(): LeaseOptions {
    return { owner: this.owner, leaseMs: this.o.leaseMs };
  }

  /** The worker/reconciler hook: decide the children of a run that just became final. */
  readonly onRunFinal = async (run: Run): Promise<void> => {
    await this.decideChildren(run);
    // Test-only: the children are launched (or recorded skipped) but the event is not marked done yet.
    crashPoint('before-mark-done');
  };

  /** Writes the chain record, then launches the root steps. */
  async startChain(
    config: ConfigFile,
    pipelineName: string,
    task: string,
  ): Promise<{ record: ChainRecord; roots: LaunchedStep[] }> {
    const record = buildRecord(randomId('chn_'), config, pipelineName, task, this.deps.clock.now(), () =>
      randomId('lch_'),
    );
    await saveRecord(this.deps.store, record);
    const roots: LaunchedStep[] = [];
    for (const root of record.roots) {
      const step = record.pipeline.steps.find((s) => s.name === root.step)!;
      let result: LaunchedStep | null;
      try {
        result = await this.launchStep(record, step, null, root.launchId);
      } catch (err) {
        const d = platformDetails(err);
        if (!d?.retryable) throw err;
        // The intent is stored: serve's sweep finishes it (finding the session if it was created).
        throw new AppError(
          'platform_error',
          `${(err as Error).message} Chain ${record.id}: the launch of step ${step.name} is recorded; a running serve completes it without creating a second session.`,
          { cause: err, details: { ...d } },
        );
      }
      if (result) roots.push(result);
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
    if (!chainId || !stepName || !isFinal(run)) return [];
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
    const r = await driveLaunch(this.deps, l, { ...this.lease(), mode: 'recover' });
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
    const result = await this.launchStep(record, child, parent, randomId('lch_'));
    if (!result)
      return { step: child.name, decision: 'pending', launch: null, reason: 'another launcher holds it' };
    return { step: child.name, decision: 'launched', launch: result.launch };
  }

  /**
   * Intent first, under a lease taken before the row exists, then the tagged session. Returns null
   * when another launcher already holds an intent for (parent, step) and is working on it.
   */
  private async launchStep(
    record: ChainRecord,
    step: PipelineStep,
    parent: Run | null,
    launchId: string,
  ): Promise<LaunchedStep | null> {
    const request = await this.buildRequest(record, step, parent, launchId);
    if (!(await takeLease(this.deps, launchId, this.lease())))
      throw new Error(`lease for the new launch ${launchId} is taken; launch ids must be unique`);
    const now = this.deps.clock.now();
    const { launch, created } = await this.deps.store.createLaunch({
      id: launchId,
      kind: 'chain',
      pipeline: record.pipeline.name,
      step: step.name,
      parentRunId: parent?.id ?? null,
      agentName: step.agent,
      agentId: typeof request.agent === 'string' ? request.agent : request.agent.id,
      environmentId: request.environment_id,
      task: promptText(request),
      request: JSON.stringify(request),
      state: 'intent',
      sessionId: null,
      error: null,
      createdAt: now,
      updatedAt: now,
    });
    if (!created) {
      // Someone decided this (parent, step) first: drop our unused lease and look at theirs.
      await this.deps.store.tryLease(`launch:${launchId}`, this.owner, this.deps.clock.now(), 0);
      const d = await this.revisit(launch);
      return d.decision === 'pending' || d.launch === null ? null : { launch: d.launch, run: null };
    }
    // Test-only: the intent is stored, the platform has not been called.
    crashPoint('after-intent');
    const result = await driveLaunch(this.deps, launch, { ...this.lease(), mode: 'fresh' });
    this.totals.launched += 1;
    this.deps.logger.info(
      { chain: record.id, step: step.name, parent: parent?.id ?? null, session: result.run?.id },
      'chain step launched',
    );
    return { launch: result.launch, run: result.run };
  }

  private async buildRequest(
    record: ChainRecord,
    step: PipelineStep,
    parent: Run | null,
    launchId: string,
  ): Promise<CreateSessionRequest> {
    const config = recordConfig(record);
    const envName = step.environment ?? 'default';
    const agent = await this.ensure('agent', step.agent, agentDefinition(config, step.agent, {}), launchId);
    const environment = await this.ensure(
      'environment',
      envName,
      environmentDefinition(config, envName),
      launchId,
    );
    const boundary = newBoundary();
    const prompt = renderPrompt(step.prompt, {
      task: record.task,
      output: () =>
        renderOutputBlock(parent?.output ?? null, {
          boundary,
          cap: record.pipeline.outputCap,
          fromStep: parent?.step ?? parent?.metadata[TAGS.step] ?? '?',
          fromRun: parent?.id ?? '?',
        }),
    });
    const metadata: Record<string, string> = {
      ...step.metadata,
      [TAGS.launch]: launchId,
      [TAGS.chain]: record.id,
      [TAGS.pipeline]: record.pipeline.name,
      [TAGS.step]: step.name,
    };
    if (parent) metadata[TAGS.parent] = parent.id;
    const firstLine = (record.task.trim().split('\n')[0] ?? '').slice(0, 60);
    return {
      agent: agent.version !== null ? { type: 'agent', id: agent.id, version: agent.version } : agent.id,
      environment_id: environment.id,
      initial_events: [{ type: 'user.message', content: [{ type: 'text', text: prompt }] }],
      metadata,
      title: `${record.pipeline.name}/${step.name}: ${firstLine}`,
    };
  }

  /** ensureAgent/ensureEnvironment with a short cache: a burst of chains costs one lookup, not hundreds. */
  private async ensure(
    kind: 'agent' | 'environment',
    name: string,
    def: AgentDefinition | EnvironmentDefinition,
    owner: string,
  ): Promise<EnsuredResource> {
    const key = `${kind}:${name}:${definitionHash(def)}`;
    const hit = this.ensured.get(key);
    const now = this.deps.clock.now();
    if (hit && now - hit.at < this.o.ensureTtlMs) return hit.value;
    const deps = { ...this.deps, config: { path: null, agents: {}, environments: {}, pipelines: {} } };
    const value =
      kind === 'agent'
        ? await ensureAgent(deps, owner, name, def as AgentDefinition)
        : await ensureEnvironment(deps, owner, name, def as EnvironmentDefinition);
    this.ensured.set(key, { at: now, value });
    return value;
  }

  /** Recovers stale chain intents and decides final chain runs whose children were never decided. */
  async sweep(): Promise<ChainSweepReport> {
    const report: ChainSweepReport = { recovered: 0, decided: 0, errors: 0 };
    const { store, clock, logger } = this.deps;
    const now = clock.now();
    const intents = (await store.listLaunches({ state: 'intent', limit: 500 })).filter(
      (l) => l.kind === 'chain' && now - l.createdAt >= this.o.staleMs,
    );
    if (intents.length > 0) {
      const results = await recoverIntents(this.deps, intents, this.lease());
      report.recovered = results.filter((r) => r.outcome === 'recovered' || r.outcome === 'created').length;
      this.totals.recovered += results.filter((r) => r.outcome === 'recovered').length;
    }
    for (const name of await pipelineNames(store)) {
      let before: { firstSeenAt: number; id: string } | undefined;
      for (;;) {
        const page = await store.listRuns({
          pipeline: name,
          status: ['succeeded', 'failed'],
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

  /** Sweeps at once (recovery on startup), then every sweepIntervalMs. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.current = this.sweep()
        .catch((err) => {
          this.deps.logger.error({ err }, 'chain sweep failed');
          return { recovered: 0, decided: 0, errors: 1 };
        })
        .finally(() => {
          this.current = null;
          if (!this.stopped) {
            this.timer = setTimeout(tick, this.o.sweepIntervalMs);
            this.timer.unref();
          }
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.current;
  }
}

/** The rendered prompt: the text of the launch's one user.message. */
function promptText(request: CreateSessionRequest): string {
  const first = request.initial_events?.[0];
  return first?.type === 'user.message' ? first.content.map((c) => c.text).join('') : '';
}

/** The engine as one of serve's background services. */
export function chainService(engine: ChainEngine): {
  name: string;
  start(): void;
  stop(): Promise<void>;
  state(): string;
} {
  return {
    name: 'chains',
    start: () => engine.start(),
    stop: () => engine.stop(),
    state: () => {
      const t = engine.totals;
      return `running (${t.launched} launched, ${t.skipped} skipped, ${t.recovered} recovered, ${t.sweeps} sweeps)`;
    },
  };
}
