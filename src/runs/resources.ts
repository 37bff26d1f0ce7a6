// Finds or creates the agent and environment a launch needs, under a store lease so that
// concurrent launches (several processes, several replicas) create at most one of each.
import type { Clock } from '../clock.js';
import type { ConfigFile } from '../config-file.js';
import { AppError } from '../errors.js';
import type { AgentDefinition, EnsuredResource, EnvironmentDefinition, Platform } from '../platform/types.js';
import type { Store } from '../store/types.js';

export const DEFAULT_AGENT = 'default';
export const DEFAULT_ENVIRONMENT = 'default';
export const DEFAULT_MODEL = 'claude-sonnet-4-6';

const LOCK_TTL_MS = 30_000;
const LOCK_WAIT_MS = 60_000;

export interface ResourceDeps {
  store: Store;
  platform: Platform;
  clock: Clock;
  /** Waits between lock attempts; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Ensured agents and environments by name and definition, reused for a few minutes: a burst of
 * launches costs one lookup, not hundreds. A changed definition is a different key, so it is
 * ensured (and the agent updated) at once.
 */
export class ResourceCache {
  private readonly entries = new Map<string, { at: number; value: EnsuredResource }>();
  constructor(private readonly ttlMs = 5 * 60_000) {}

  get(key: string, now: number): EnsuredResource | null {
    const hit = this.entries.get(key);
    return hit && now - hit.at < this.ttlMs ? hit.value : null;
  }

  set(key: string, value: EnsuredResource, now: number): void {
    this.entries.set(key, { at: now, value });
  }
}

export function agentDefinition(
  config: ConfigFile,
  name: string,
  flags: { model?: string; system?: string },
): AgentDefinition {
  const configured = config.agents[name];
  if (!configured && name !== DEFAULT_AGENT && flags.model === undefined) {
    const known = Object.keys(config.agents);
    throw new AppError(
      'config_invalid',
      `Agent "${name}" is not defined in ${config.path ?? 'agenthooks.yaml (none found)'}${known.length ? ` (defined: ${known.join(', ')})` : ''}: add it under agents:, or pass --model to define it from flags.`,
    );
  }
  return {
    model: flags.model ?? configured?.model ?? DEFAULT_MODEL,
    system: flags.system ?? configured?.system ?? null,
    description: configured?.description ?? null,
    tools: configured?.tools ?? ['agent_toolset_20260401'],
  };
}

export function environmentDefinition(config: ConfigFile, name: string): EnvironmentDefinition {
  const configured = config.environments[name];
  if (!configured && name !== DEFAULT_ENVIRONMENT) {
    throw new AppError(
      'config_invalid',
      `Environment "${name}" is not defined in ${config.path ?? 'agenthooks.yaml (none found)'}: add it under environments:, or leave --environment out to use "default".`,
    );
  }
  return {
    networking: configured?.networking ?? 'unrestricted',
    allowedHosts: configured?.allowed_hosts,
    description: configured?.description ?? null,
  };
}

/** Runs `fn` while holding the named lease; releases it by renewing with a zero ttl. */
export async function withLease<T>(
  deps: ResourceDeps,
  name: string,
  owner: string,
  fn: () => Promise<T>,
): Promise<T> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = deps.clock.now() + LOCK_WAIT_MS;
  while (!(await deps.store.tryLease(name, owner, deps.clock.now(), LOCK_TTL_MS))) {
    if (deps.clock.now() > deadline) {
      throw new AppError(
        'store_error',
        `Waited ${LOCK_WAIT_MS / 1000} s for the lease ${name}; another launch holds it. Try again.`,
      );
    }
    await sleep(50 + Math.floor(Math.random() * 100));
  }
  try {
    return await fn();
  } finally {
    await deps.store.tryLease(name, owner, deps.clock.now(), 0).catch(() => undefined);
  }
}

export async function ensureAgent(
  deps: ResourceDeps,
  owner: string,
  name: string,
  def: AgentDefinition,
): Promise<EnsuredResource> {
  return withLease(deps, `ensure:agent:${name}`, owner, () => deps.platform.ensureAgent(name, def));
}

export async function ensureEnvironment(
  deps: ResourceDeps,
  owner: string,
  name: string,
  def: EnvironmentDefinition,
): Promise<EnsuredResource> {
  return withLease(deps, `ensure:environment:${name}`, owner, () =>
    deps.platform.ensureEnvironment(name, def),
  );
}
