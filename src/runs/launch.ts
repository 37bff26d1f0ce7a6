// Launching a run: intent first (store.createLaunch), then the session tagged with
// metadata.agenthooks_launch, then the run. A crash between the two leaves an intent that
// recoverLaunch resolves by finding the tagged session before ever creating a second one.
import type { Clock } from '../clock.js';
import type { ConfigFile } from '../config-file.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { platformDetails } from '../platform/errors.js';
import type {
  CreateSessionRequest,
  EnsuredResource,
  Platform,
  SessionSummary,
  TaskEvent,
} from '../platform/types.js';
import type { Launch, Run, Store } from '../store/types.js';
import { randomId } from './ids.js';
import {
  agentDefinition,
  DEFAULT_AGENT,
  DEFAULT_ENVIRONMENT,
  ensureAgent,
  ensureEnvironment,
  environmentDefinition,
} from './resources.js';
import { updateRun } from './save.js';
import { emptyRun } from './state.js';

export const LAUNCH_TAG = 'agenthooks_launch';
export const MAX_RUBRIC_CHARS = 262_144;
export const DEFAULT_MAX_ITERATIONS = 3;
export const MAX_METADATA_PAIRS = 16;
/** How far before the intent's time recovery looks, for clock skew between us and the platform. */
const RECOVERY_SKEW_MS = 10 * 60_000;

export interface LaunchDeps {
  store: Store;
  platform: Platform;
  clock: Clock;
  logger: Logger;
  config: ConfigFile;
  sleep?: (ms: number) => Promise<void>;
}

export interface LaunchOptions {
  task: string;
  agent?: string;
  environment?: string;
  model?: string;
  system?: string;
  metadata?: Record<string, string>;
  /** A text rubric: the task goes in as user.define_outcome instead of user.message. */
  outcome?: string;
  maxIterations?: number;
  title?: string;
  parentRunId?: string;
  pipeline?: string;
  step?: string;
  /** Use this launch id (chains derive one per (parent, step)); random otherwise. */
  launchId?: string;
}

export interface LaunchResult {
  run: Run;
  launch: Launch;
  /** False when an earlier launch with the same id or (parent, step) already existed. */
  created: boolean;
  agent: EnsuredResource | null;
  environment: EnsuredResource | null;
}

/** Checks everything the platform would reject, before any call. Throws AppError('usage'). */
export function validateLaunch(o: LaunchOptions): void {
  if (typeof o.task !== 'string' || o.task.trim().length === 0)
    throw new AppError(
      'usage',
      'The task is empty: pass the task text, e.g. agenthooks launch "Summarise TCP vs UDP".',
    );
  if (o.outcome !== undefined) {
    if (o.outcome.trim().length === 0)
      throw new AppError(
        'usage',
        'The outcome rubric is empty: give --outcome text or a non-empty --outcome-file.',
      );
    if (o.outcome.length > MAX_RUBRIC_CHARS) {
      throw new AppError(
        'usage',
        `The outcome rubric has ${o.outcome.length} characters; the platform accepts at most ${MAX_RUBRIC_CHARS}. Shorten it.`,
      );
    }
  }
  if (o.maxIterations !== undefined) {
    if (o.outcome === undefined)
      throw new AppError('usage', '--max-iterations only applies with --outcome or --outcome-file.');
    if (!Number.isInteger(o.maxIterations) || o.maxIterations < 1 || o.maxIterations > 20) {
      throw new AppError(
        'usage',
        `--max-iterations must be a whole number from 1 to 20 (got ${o.maxIterations}).`,
      );
    }
  }
  const meta = o.metadata ?? {};
  const keys = Object.keys(meta);
  if (keys.length > MAX_METADATA_PAIRS - 1) {
    throw new AppError(
      'usage',
      `At most ${MAX_METADATA_PAIRS - 1} --metadata pairs (the platform allows ${MAX_METADATA_PAIRS}; agenthooks uses one for ${LAUNCH_TAG}).`,
    );
  }
  for (const k of keys) {
    if (k.length === 0 || k.length > 64)
      throw new AppError('usage', `Metadata key "${k}" must be 1 to 64 characters.`);
    if (k === LAUNCH_TAG)
      throw new AppError('usage', `Metadata key ${LAUNCH_TAG} is reserved for agenthooks.`);
    if ((meta[k] ?? '').length > 512)
      throw new AppError('usage', `Metadata value of "${k}" is longer than 512 characters.`);
  }
}

export function taskEvent(o: Pick<LaunchOptions, 'task' | 'outcome' | 'maxIterations'>): TaskEvent {
  if (o.outcome === undefined) return { type: 'user.message', content: [{ type: 'text', text: o.task }] };
  return {
    type: 'user.define_outcome',
    description: o.task,
    rubric: { type: 'text', content: o.outcome },
    max_iterations: o.maxIterations ?? DEFAULT_MAX_ITERATIONS,
  };
}

export async function launchRun(deps: LaunchDeps, o: LaunchOptions): Promise<LaunchResult> {
  validateLaunch(o);
  const launchId = o.launchId ?? randomId('lch_');
  const agentName = o.agent ?? DEFAULT_AGENT;
  const envName = o.environment ?? DEFAULT_ENVIRONMENT;
  const agentDef = agentDefinition(deps.config, agentName, { model: o.model, system: o.system });
  const envDef = environmentDefinition(deps.config, envName);
  const agent = await ensureAgent(deps, launchId, agentName, agentDef);
  const environment = await ensureEnvironment(deps, launchId, envName, envDef);
  const request: CreateSessionRequest = {
    agent: agent.version !== null ? { type: 'agent', id: agent.id, version: agent.version } : agent.id,
    environment_id: environment.id,
    initial_events: [taskEvent(o)],
    metadata: { ...(o.metadata ?? {}), [LAUNCH_TAG]: launchId },
    title: o.title ?? titleOf(o.task),
  };
  const now = deps.clock.now();
  const { launch, created } = await deps.store.createLaunch({
    id: launchId,
    kind: o.pipeline ? 'chain' : 'launch',
    pipeline: o.pipeline ?? null,
    step: o.step ?? null,
    parentRunId: o.parentRunId ?? null,
    agentName,
    agentId: agent.id,
    environmentId: environment.id,
    task: o.task,
    request: JSON.stringify(request),
    state: 'intent',
    sessionId: null,
    error: null,
    createdAt: now,
    updatedAt: now,
  });
  // A launch stored just now cannot have a session yet: skip the recovery listing (a read).
  const result = await completeLaunch(deps, launch, { recover: !created });
  return { ...result, created, agent, environment };
}

/**
 * Brings a stored launch to a session and a run: nothing to do when it has one; otherwise looks
 * for a session already tagged with its id (a crash after the create call) and creates one only
 * when none exists.
 */
export async function completeLaunch(
  deps: LaunchDeps,
  launch: Launch,
  options: { recover?: boolean } = {},
): Promise<{ run: Run; launch: Launch }> {
  if (launch.state === 'failed' || launch.state === 'skipped') {
    throw new AppError(
      'platform_error',
      `Launch ${launch.id} ended ${launch.state}${launch.error ? `: ${launch.error}` : ''}.`,
    );
  }
  const request = JSON.parse(launch.request) as CreateSessionRequest;
  let sessionId = launch.sessionId;
  let session: SessionSummary | null = null;
  if (sessionId === null) {
    if (options.recover !== false) session = await findTaggedSession(deps, launch);
    if (session)
      deps.logger.info({ launch: launch.id, session: session.id }, 'launch recovered an existing session');
    if (!session) {
      try {
        session = await deps.platform.createSession(request);
      } catch (err) {
        // A connection failure may have created the session: keep the intent for recovery.
        // A clear refusal (4xx other than 409/429) will not change by retrying: record it.
        const d = platformDetails(err);
        if (d && !d.retryable && d.status !== null) {
          await deps.store.updateLaunch(
            launch.id,
            { state: 'failed', error: (err as Error).message },
            deps.clock.now(),
          );
        }
        throw err;
      }
    }
    sessionId = session.id;
    await deps.store.updateLaunch(launch.id, { state: 'created', sessionId }, deps.clock.now());
  }
  const now = deps.clock.now();
  const id = sessionId;
  const saved = await updateRun(deps.store, id, (held) => {
    const base = held ?? emptyRun(id, now, 'agenthooks');
    const run: Run = {
      ...base,
      launchedBy: 'agenthooks',
      launchId: launch.id,
      parentRunId: launch.parentRunId ?? base.parentRunId,
      pipeline: launch.pipeline ?? base.pipeline,
      step: launch.step ?? base.step,
      agentName: launch.agentName ?? base.agentName,
      agentId: base.agentId ?? launch.agentId,
      environmentId: base.environmentId ?? launch.environmentId,
      task: base.task ?? launch.task,
      title: base.title ?? request.title ?? null,
      metadata: held ? base.metadata : { ...(request.metadata ?? {}) },
      sessionStatus: base.sessionStatus ?? session?.status ?? null,
      status: held ? base.status : session?.status === 'running' ? 'running' : 'pending',
      sessionCreatedAt: base.sessionCreatedAt ?? (session ? Date.parse(session.createdAt) || null : null),
    };
    const same =
      held !== null &&
      held.launchedBy === 'agenthooks' &&
      held.launchId === launch.id &&
      held.parentRunId === run.parentRunId &&
      held.pipeline === run.pipeline &&
      held.step === run.step &&
      held.agentName === run.agentName &&
      held.task === run.task;
    return {
      run,
      changed: !same,
      history: held
        ? null
        : {
            at: now,
            source: 'launch',
            status: run.status,
            sessionStatus: run.sessionStatus,
            stopReason: null,
            outcomeResult: null,
            turn: run.turn,
            snapshotKey: null,
            note: `launched (${launch.id})`,
          },
    };
  });
  const stored = (await deps.store.getLaunch(launch.id)) ?? launch;
  return { run: saved.run, launch: stored };
}

/** semantics 6: the filters sessions.list really has (agent_id, created_at[gte]) + the metadata tag. */
export async function findTaggedSession(deps: LaunchDeps, launch: Launch): Promise<SessionSummary | null> {
  const listed = await deps.platform.listSessions({
    agentId: launch.agentId ?? undefined,
    createdGte: launch.createdAt - RECOVERY_SKEW_MS,
    includeArchived: true,
    limit: 100,
  });
  return listed.sessions.find((s) => s.metadata[LAUNCH_TAG] === launch.id) ?? null;
}

function titleOf(task: string): string {
  const line = task.trim().split('\n')[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
