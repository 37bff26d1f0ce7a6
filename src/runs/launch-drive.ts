// Exactly-once session creation for every launch: plain `launch`, chain roots and chain children
// (DESIGN.md semantics 6).
//
// The intent row comes first (src/runs/launch.ts, src/chains/launcher.ts). Whoever works on an
// intent holds the store lease `launch:<id>`, renewed while it works, so two replicas, a CLI
// retrying and a sweep never create for the same intent at once. The first launcher takes the
// lease before the row exists, so nobody can have created a session for it and it skips the
// lookup; every later attempt (after a crash, a lost lease, a retryable error) first looks for a
// session already tagged `metadata.agenthooks_launch = <id>`, through the filters sessions.list
// really has (agent_id, created_at[gte]), and creates one only if none exists. An intent whose
// agent was never resolved cannot have a session: its lookup is skipped.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { platformDetails } from '../platform/errors.js';
import type { CreateSessionRequest, EnsuredResource, Platform, SessionSummary } from '../platform/types.js';
import type { Launch, Run, Store } from '../store/types.js';
import { type CrashHook, noCrash } from '../test-hooks.js';
import { type BackoffOptions, backoffDelay } from './backoff.js';
import { randomId } from './ids.js';
import { linkRun } from './launch-link.js';
import { decodeRequest, LAUNCH_TAG, type LaunchSpec, sessionRequest } from './launch-spec.js';
import { ensureAgent, ensureEnvironment, type ResourceCache } from './resources.js';

export interface DriveDeps {
  store: Store;
  platform: Platform;
  clock: Clock;
  logger: Logger;
  /** Test-only crash points (src/test-hooks.ts); none by default. */
  crash?: CrashHook;
  /** Ensured agents and environments, shared by the launches of one process. */
  resources?: ResourceCache;
  sleep?: (ms: number) => Promise<void>;
  /** Told before each retry of a retryable failure (the CLI shows it: a retry can take 30 s). */
  onRetry?: (retry: LaunchRetry) => void;
}

export interface LaunchRetry {
  launch: string;
  attempt: number;
  delayMs: number;
  error: string;
}

export interface LeaseOptions {
  /** Lease owner: one per process (or per CLI invocation). */
  owner: string;
  /** Lease time to live; renewed every third of it while the launch is worked on. */
  leaseMs: number;
}

/**
 * How the caller stands towards the intent:
 * - `fresh`: it took the lease before inserting the intent, so no session can exist yet;
 * - `recover`: nothing held; take the lease here, then look for a tagged session;
 * - `{ found }`: it holds the lease and listed sessions after taking it (batch recovery); `found`
 *   is the tagged session, or null when there is none.
 */
export type DriveMode = 'fresh' | 'recover' | { found: SessionSummary | null };

export interface DriveOptions extends LeaseOptions {
  mode: DriveMode;
  /** Retry retryable failures (429, 5xx, connection) for this long; 0: one attempt, a sweep retries. */
  retryForMs?: number;
}

export type DriveResult =
  | {
      outcome: 'created' | 'recovered' | 'already';
      launch: Launch;
      run: Run;
      /** The agent and environment, when this drive resolved them. */
      agent: EnsuredResource | null;
      environment: EnsuredResource | null;
    }
  | { outcome: 'busy' | 'ended'; launch: Launch; run: null };

/** Retries inside one drive: short, since a CLI user is waiting; retry-after always wins. */
const DRIVE_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 8_000 };
/** Looking back this far before an intent's time covers clock skew between us and the platform. */
export const RECOVERY_SKEW_MS = 10 * 60_000;

/**
 * A lease owner for one piece of work on launches. Leases are re-entrant for their owner, so two
 * activities of one process (the launch sweep and a chain decision, say) must not share an owner,
 * or both would "hold" the same intent and both create a session.
 */
export function activityLease(o: LeaseOptions, tag = randomId('', 8)): LeaseOptions {
  return { ...o, owner: `${o.owner}#${tag}` };
}

export function leaseName(launchId: string): string {
  return `launch:${launchId}`;
}

export async function takeLease(deps: DriveDeps, launchId: string, o: LeaseOptions): Promise<boolean> {
  return deps.store.tryLease(leaseName(launchId), o.owner, deps.clock.now(), o.leaseMs);
}

export async function releaseLease(deps: DriveDeps, launchId: string, o: LeaseOptions): Promise<void> {
  // A zero ttl leaves the row expired: the next taker gets it at once.
  await deps.store.tryLease(leaseName(launchId), o.owner, deps.clock.now(), 0).catch(() => undefined);
}

/** Renews the leases of `ids()` every third of the ttl until the returned stop is called. */
function keepLeased(deps: DriveDeps, ids: () => Iterable<string>, o: LeaseOptions): () => void {
  const timer = setInterval(
    () => {
      for (const id of ids())
        takeLease(deps, id, o)
          .then((held) => {
            if (!held)
              deps.logger.error({ launch: id }, 'launch lease lost while working on it (process stalled?)');
          })
          .catch(() => undefined);
    },
    Math.max(50, Math.floor(o.leaseMs / 3)),
  );
  timer.unref();
  return () => clearInterval(timer);
}

/** Brings an intent to a created session and a run with lineage. Releases the lease at the end. */
export async function driveLaunch(
  deps: DriveDeps,
  launch: Launch,
  given: DriveOptions,
): Promise<DriveResult> {
  // Taking the lease here: as a fresh activity, never as whoever else in this process holds it.
  const o = given.mode === 'recover' ? { ...given, ...activityLease(given) } : given;
  if (o.mode === 'recover' && !(await takeLease(deps, launch.id, o)))
    return { outcome: 'busy', launch, run: null };
  const stop = keepLeased(deps, () => [launch.id], o);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = deps.clock.now();
  let mode = o.mode;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await driveOnce(deps, launch, mode);
      } catch (err) {
        const d = platformDetails(err);
        const delay = backoffDelay(attempt, d?.retryAfterMs ?? null, DRIVE_BACKOFF);
        if (!d?.retryable || deps.clock.now() + delay - started > (o.retryForMs ?? 0)) throw err;
        const retry = { launch: launch.id, attempt, delayMs: delay, error: (err as Error).message };
        deps.logger.debug(retry, 'launch failed with a retryable error; retrying');
        deps.onRetry?.(retry);
        await sleep(delay);
        // The failed call may still have created the session: look before creating from now on.
        mode = 'recover';
      }
    }
  } finally {
    stop();
    await releaseLease(deps, launch.id, o);
  }
}

async function driveOnce(deps: DriveDeps, launch: Launch, mode: DriveMode): Promise<DriveResult> {
  let current = (await deps.store.getLaunch(launch.id)) ?? launch;
  if (current.state === 'skipped' || current.state === 'failed')
    return { outcome: 'ended', launch: current, run: null };
  if (current.state === 'created' && current.sessionId) {
    // Created earlier; make sure the run row and its lineage exist (a crash may have cut that off).
    return { outcome: 'already', ...(await linkRun(deps, current, null)), agent: null, environment: null };
  }
  let session: SessionSummary | null = null;
  let outcome: 'created' | 'recovered' = 'created';
  if (mode !== 'fresh' && current.agentId !== null) {
    session = mode === 'recover' ? await findTaggedSession(deps, current) : mode.found;
    if (session) {
      outcome = 'recovered';
      deps.logger.info({ launch: current.id, session: session.id }, 'launch found its existing session');
    }
  }
  let agent: EnsuredResource | null = null;
  let environment: EnsuredResource | null = null;
  if (!session) {
    const stored = decodeRequest(current.request);
    let request: CreateSessionRequest;
    if (stored.kind === 'resolved') request = stored.request;
    else {
      const { spec } = stored;
      const owner = current.id;
      ({ agent, environment } = await failOnRefusal(deps, current, () =>
        resolveResources(deps, spec, owner),
      ));
      request = sessionRequest(stored.spec, agent, environment);
      // Recorded before the create call: recovery lists sessions by this agent.
      if (current.agentId !== agent.id || current.environmentId !== environment.id) {
        await deps.store.updateLaunch(
          current.id,
          { agentId: agent.id, environmentId: environment.id },
          deps.clock.now(),
        );
        current = { ...current, agentId: agent.id, environmentId: environment.id };
      }
    }
    session = await failOnRefusal(deps, current, () => deps.platform.createSession(request));
    // Test-only: the session exists on the platform, the launch does not record it yet.
    (deps.crash ?? noCrash)('after-create');
  }
  await deps.store.updateLaunch(current.id, { state: 'created', sessionId: session.id }, deps.clock.now());
  const linked = await linkRun(deps, { ...current, state: 'created', sessionId: session.id }, session);
  return { outcome, ...linked, agent, environment };
}

/** The spec's agent and environment by name and definition, ensured under locks owned by `owner`. */
async function resolveResources(
  deps: DriveDeps,
  spec: LaunchSpec,
  owner: string,
): Promise<{ agent: EnsuredResource; environment: EnsuredResource }> {
  const cached = async (key: string, make: () => Promise<EnsuredResource>) => {
    const hit = deps.resources?.get(key, deps.clock.now());
    if (hit) return hit;
    const value = await make();
    deps.resources?.set(key, value, deps.clock.now());
    return value;
  };
  const agent = await cached(`agent:${spec.agent.name}:${JSON.stringify(spec.agent.definition)}`, () =>
    ensureAgent(deps, owner, spec.agent.name, spec.agent.definition),
  );
  const environment = await cached(
    `environment:${spec.environment.name}:${JSON.stringify(spec.environment.definition)}`,
    () => ensureEnvironment(deps, owner, spec.environment.name, spec.environment.definition),
  );
  return { agent, environment };
}

/**
 * Runs a platform call for a launch. A clear refusal (a 4xx other than 408/409/429) will not change
 * by retrying: the launch ends failed, with the reason. Anything else (network, 5xx, 429) keeps the
 * intent, since a create may even have gone through.
 */
async function failOnRefusal<T>(deps: DriveDeps, launch: Launch, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const d = platformDetails(err);
    if (d && !d.retryable && d.status !== null)
      await deps.store.updateLaunch(
        launch.id,
        { state: 'failed', error: (err as Error).message },
        deps.clock.now(),
      );
    throw err;
  }
}

/** semantics 6: the filters sessions.list really has (agent_id, created_at[gte]) + the metadata tag. */
export async function findTaggedSession(deps: DriveDeps, launch: Launch): Promise<SessionSummary | null> {
  const listed = await deps.platform.listSessions({
    agentId: launch.agentId ?? undefined,
    createdGte: launch.createdAt - RECOVERY_SKEW_MS,
    includeArchived: true,
    limit: 100,
  });
  return listed.sessions.find((s) => s.metadata[LAUNCH_TAG] === launch.id) ?? null;
}

/**
 * Recovers many stale intents with one sessions listing per agent instead of one per intent. The
 * leases are taken before listing, so a session created by a previous holder is already visible.
 */
export async function recoverIntents(
  deps: DriveDeps,
  intents: Launch[],
  lease: LeaseOptions,
): Promise<DriveResult[]> {
  const o = activityLease(lease);
  const held: Launch[] = [];
  for (const l of intents) if (await takeLease(deps, l.id, o)) held.push(l);
  if (held.length === 0) return [];
  // Renew only what is still waiting: a finished launch released its lease and must stay released.
  const waiting = new Set(held.map((l) => l.id));
  const stop = keepLeased(deps, () => waiting, o);
  const results: DriveResult[] = [];
  try {
    const byAgent = new Map<string | null, Launch[]>();
    for (const l of held) byAgent.set(l.agentId, [...(byAgent.get(l.agentId) ?? []), l]);
    for (const [agentId, group] of byAgent) {
      let tagged = new Map<string, SessionSummary>();
      // Never resolved means never created: nothing to list for.
      if (agentId !== null) {
        try {
          const listed = await deps.platform.listSessions({
            agentId,
            createdGte: Math.min(...group.map((l) => l.createdAt)) - RECOVERY_SKEW_MS,
            includeArchived: true,
            limit: 100,
          });
          tagged = new Map(
            listed.sessions.flatMap((s) =>
              s.metadata[LAUNCH_TAG] ? [[s.metadata[LAUNCH_TAG], s] as const] : [],
            ),
          );
        } catch (err) {
          deps.logger.warn(
            { err: (err as Error).message, agent: agentId },
            'listing sessions for launch recovery failed; next sweep retries',
          );
          for (const l of group) {
            waiting.delete(l.id);
            await releaseLease(deps, l.id, o);
          }
          continue;
        }
      }
      for (const l of group) {
        waiting.delete(l.id);
        try {
          results.push(await driveLaunch(deps, l, { ...o, mode: { found: tagged.get(l.id) ?? null } }));
        } catch (err) {
          deps.logger.warn(
            { err: (err as Error).message, launch: l.id },
            'launch recovery failed; next sweep retries',
          );
        }
      }
    }
  } finally {
    stop();
  }
  return results;
}
