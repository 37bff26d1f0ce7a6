// Launching a run: the intent first, holding the whole request as given (src/runs/launch-spec.ts),
// before any platform call; then, under the intent's lease, the agent and environment are resolved
// and the session tagged with metadata.agenthooks_launch is created (src/runs/launch-drive.ts).
// Every step after the intent can fail and be retried: the CLI retries for a while itself, and
// serve's launch sweep finishes whatever is left, finding an already-created session by its tag.
import type { ConfigFile } from '../config-file.js';
import { AppError } from '../errors.js';
import { platformDetails } from '../platform/errors.js';
import type { EnsuredResource, TaskEvent } from '../platform/types.js';
import type { Launch, Run } from '../store/types.js';
import { noCrash } from '../test-hooks.js';
import { randomId } from './ids.js';
import {
  activityLease,
  type DriveDeps,
  driveLaunch,
  type LeaseOptions,
  releaseLease,
  takeLease,
} from './launch-drive.js';
import { intentRow, LAUNCH_TAG, type LaunchSpec, titleOf } from './launch-spec.js';
import { agentDefinition, DEFAULT_AGENT, DEFAULT_ENVIRONMENT, environmentDefinition } from './resources.js';

export { LAUNCH_TAG } from './launch-spec.js';
export const MAX_RUBRIC_CHARS = 262_144;
export const DEFAULT_MAX_ITERATIONS = 3;
export const MAX_METADATA_PAIRS = 16;
/** How long a launch retries retryable API failures itself before leaving the intent to serve. */
export const LAUNCH_RETRY_MS = 30_000;

export interface LaunchDeps extends DriveDeps {
  config: ConfigFile;
  /** Lease owner and ttl for the intent (the runtime's; --chain-lease); default a fresh owner, 15 s. */
  lease?: LeaseOptions;
  /** Default LAUNCH_RETRY_MS. */
  retryForMs?: number;
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
  // Config errors (an unknown agent, say) stop here, before anything is written.
  const spec: LaunchSpec = {
    v: 2,
    agent: { name: agentName, definition: agentDefinition(deps.config, agentName, o) },
    environment: { name: envName, definition: environmentDefinition(deps.config, envName) },
    initialEvents: [taskEvent(o)],
    metadata: { ...(o.metadata ?? {}), [LAUNCH_TAG]: launchId },
    title: o.title ?? titleOf(o.task),
  };
  const lease = activityLease(deps.lease ?? { owner: randomId('own_', 12), leaseMs: 15_000 }, launchId);
  // The lease comes before the row: nobody else can have created a session for a new intent.
  const fresh = await takeLease(deps, launchId, lease);
  const { launch, created } = await deps.store.createLaunch(
    intentRow({
      id: launchId,
      kind: o.pipeline ? 'chain' : 'launch',
      pipeline: o.pipeline ?? null,
      step: o.step ?? null,
      parentRunId: o.parentRunId ?? null,
      agentName,
      task: o.task,
      spec,
      now: deps.clock.now(),
    }),
  );
  if (created) (deps.crash ?? noCrash)('after-intent');
  else if (fresh) await releaseLease(deps, launchId, lease);
  let result: Awaited<ReturnType<typeof driveLaunch>>;
  try {
    result = await driveLaunch(deps, launch, {
      ...lease,
      mode: created && fresh ? 'fresh' : 'recover',
      retryForMs: deps.retryForMs ?? LAUNCH_RETRY_MS,
    });
  } catch (err) {
    throw pendingError(err, launch);
  }
  if (result.run === null) {
    if (result.outcome === 'busy')
      throw new AppError(
        'launch_pending',
        `Launch ${launch.id} is being completed by another process (a serve sweep); it creates the session once.`,
        { details: { launch: launch.id } },
      );
    throw new AppError(
      'platform_error',
      `Launch ${launch.id} ended ${result.launch.state}${result.launch.error ? `: ${result.launch.error}` : ''}.`,
    );
  }
  return {
    run: result.run,
    launch: result.launch,
    created,
    agent: result.agent,
    environment: result.environment,
  };
}

/** A retryable failure that outlasted the retries: the intent stays, and serve's sweep finishes it. */
function pendingError(err: unknown, launch: Launch): unknown {
  const d = platformDetails(err);
  if (!d?.retryable) return err;
  return new AppError(
    'launch_pending',
    `${(err as Error).message} The launch ${launch.id} is recorded: a running \`agenthooks serve\` on this database finishes it (its launch sweep runs every --chain-sweep-interval) without creating a second session.`,
    { cause: err, details: { ...d, launch: launch.id } },
  );
}
