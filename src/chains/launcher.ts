// Exactly-once session creation for chain launches (DESIGN.md semantics 6).
//
// The intent row comes first and is unique per (parent run, step). Whoever works on an intent
// holds the store lease `launch:<id>`, renewed while the platform call is in flight, so two
// replicas (or a worker and the sweep) never create for the same intent at once. The first
// launcher takes the lease before the row exists, so nobody can have created a session for it
// and it skips the lookup; every later attempt (after a crash, a lost lease, a retryable error)
// first looks for a session already tagged `metadata.agenthooks_launch = <id>`, through the
// filters sessions.list really has (agent_id, created_at[gte]), and creates one only if none exists.
import type { Clock } from '../clock.js';
import type { ConfigFile } from '../config-file.js';
import type { Logger } from '../logger.js';
import { platformDetails } from '../platform/errors.js';
import type { CreateSessionRequest, Platform, SessionSummary } from '../platform/types.js';
import { completeLaunch, findTaggedSession, LAUNCH_TAG } from '../runs/launch.js';
import type { Launch, Run, Store } from '../store/types.js';
import { crashPoint } from '../test-hooks.js';

export interface LauncherDeps {
  store: Store;
  platform: Platform;
  clock: Clock;
  logger: Logger;
}

export interface LeaseOptions {
  /** Lease owner: one per process (or per CLI invocation). */
  owner: string;
  /** Lease time to live; renewed every third of it while a platform call is in flight. */
  leaseMs: number;
}

export type DriveResult =
  | { outcome: 'created' | 'recovered' | 'already'; launch: Launch; run: Run }
  | { outcome: 'busy' | 'ended'; launch: Launch; run: null };

export function leaseName(launchId: string): string {
  return `launch:${launchId}`;
}

export async function takeLease(deps: LauncherDeps, launchId: string, o: LeaseOptions): Promise<boolean> {
  return deps.store.tryLease(leaseName(launchId), o.owner, deps.clock.now(), o.leaseMs);
}

async function releaseLease(deps: LauncherDeps, launchId: string, o: LeaseOptions): Promise<void> {
  // A zero ttl leaves the row expired: the next taker gets it at once.
  await deps.store.tryLease(leaseName(launchId), o.owner, deps.clock.now(), 0).catch(() => undefined);
}

/** Keeps the lease alive while `fn` runs; reports (and logs) a lease lost to a stall. */
async function withRenewal<T>(
  deps: LauncherDeps,
  launchId: string,
  o: LeaseOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const timer = setInterval(
    () => {
      takeLease(deps, launchId, o)
        .then((held) => {
          if (!held)
            deps.logger.error(
              { launch: launchId },
              'launch lease lost while creating a session (process stalled?)',
            );
        })
        .catch(() => undefined);
    },
    Math.max(50, Math.floor(o.leaseMs / 3)),
  );
  timer.unref();
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

/**
 * How the caller stands towards the intent:
 * - `fresh`: it took the lease before inserting the intent, so no session can exist yet;
 * - `recover`: nothing held; take the lease here, then look for a tagged session;
 * - `{ found }`: it holds the lease and listed sessions after taking it (batch recovery); `found`
 *   is the tagged session, or null when there is none.
 */
export type DriveMode = 'fresh' | 'recover' | { found: SessionSummary | null };

/** Brings an intent to a created session and a run with lineage. Releases the lease at the end. */
export async function driveLaunch(
  deps: LauncherDeps,
  launch: Launch,
  o: LeaseOptions & { mode: DriveMode },
): Promise<DriveResult> {
  if (o.mode === 'recover' && !(await takeLease(deps, launch.id, o)))
    return { outcome: 'busy', launch, run: null };
  try {
    const current = (await deps.store.getLaunch(launch.id)) ?? launch;
    if (current.state === 'skipped' || current.state === 'failed')
      return { outcome: 'ended', launch: current, run: null };
    if (current.state === 'created' && current.sessionId) {
      // Created earlier; make sure the run row and its lineage exist (a crash may have cut that off).
      const linked = await link(deps, current);
      return { outcome: 'already', ...linked };
    }
    let session: SessionSummary | null = null;
    let outcome: 'created' | 'recovered' = 'created';
    if (o.mode !== 'fresh') {
      session =
        o.mode === 'recover'
          ? await findTaggedSession({ ...deps, config: EMPTY_CONFIG }, current)
          : o.mode.found;
      if (session) {
        outcome = 'recovered';
        deps.logger.info(
          { launch: current.id, session: session.id },
          'chain launch found its existing session',
        );
      }
    }
    if (!session) {
      const request = JSON.parse(current.request) as CreateSessionRequest;
      try {
        session = await withRenewal(deps, current.id, o, () => deps.platform.createSession(request));
      } catch (err) {
        const d = platformDetails(err);
        // A clear refusal will not change by retrying: the step ends failed, with the reason.
        // Anything else (network, 5xx, 429) may even have created the session: keep the intent.
        if (d && !d.retryable && d.status !== null) {
          await deps.store.updateLaunch(
            current.id,
            { state: 'failed', error: (err as Error).message },
            deps.clock.now(),
          );
        }
        throw err;
      }
      crashPoint('after-create');
    }
    await deps.store.updateLaunch(current.id, { state: 'created', sessionId: session.id }, deps.clock.now());
    const linked = await link(deps, { ...current, state: 'created', sessionId: session.id });
    return { outcome, ...linked };
  } finally {
    await releaseLease(deps, launch.id, o);
  }
}

const EMPTY_CONFIG: ConfigFile = { path: null, agents: {}, environments: {}, pipelines: {} };

/** Upserts the run for a created launch with launched_by, launch id, parent, pipeline and step. */
async function link(deps: LauncherDeps, launch: Launch): Promise<{ launch: Launch; run: Run }> {
  return completeLaunch({ ...deps, config: EMPTY_CONFIG }, launch, { recover: false });
}

/** Looking back this far before an intent's time covers clock skew between us and the platform. */
export const RECOVERY_SKEW_MS = 10 * 60_000;

/**
 * Recovers many stale intents with one sessions listing per agent instead of one per intent. The
 * leases are taken before listing, so a session created by a previous holder is already visible.
 */
export async function recoverIntents(
  deps: LauncherDeps,
  intents: Launch[],
  o: LeaseOptions,
): Promise<DriveResult[]> {
  const held: Launch[] = [];
  for (const l of intents) if (await takeLease(deps, l.id, o)) held.push(l);
  if (held.length === 0) return [];
  // Renew only what is still waiting: a finished launch released its lease and must stay released.
  const waiting = new Set(held.map((l) => l.id));
  const renew = setInterval(
    () => {
      for (const id of waiting) takeLease(deps, id, o).catch(() => undefined);
    },
    Math.max(50, Math.floor(o.leaseMs / 3)),
  );
  renew.unref();
  const results: DriveResult[] = [];
  try {
    const byAgent = new Map<string, Launch[]>();
    for (const l of held) {
      const key = l.agentId ?? '';
      byAgent.set(key, [...(byAgent.get(key) ?? []), l]);
    }
    for (const [agentId, group] of byAgent) {
      const since = Math.min(...group.map((l) => l.createdAt)) - RECOVERY_SKEW_MS;
      let tagged: Map<string, SessionSummary>;
      try {
        const listed = await deps.platform.listSessions({
          agentId: agentId || undefined,
          createdGte: since,
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
    clearInterval(renew);
  }
  return results;
}
