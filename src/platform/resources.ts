// Agents and environments agenthooks manages: found by metadata name, created when missing, updated
// when their definition (hashed into metadata) changed.
import { createHash } from 'node:crypto';
import type Anthropic from '@anthropic-ai/sdk';
import type {
  AgentCreateParams,
  BetaManagedAgentsAgent,
  BetaManagedAgentsAgentToolset20260401Params,
} from '@anthropic-ai/sdk/resources/beta/agents/agents';
import type {
  BetaEnvironment,
  BetaLimitedNetworkParams,
  BetaUnrestrictedNetwork,
  EnvironmentCreateParams,
} from '@anthropic-ai/sdk/resources/beta/environments/environments';
import { platformCall } from './errors.js';
import type { AgentDefinition, EnsuredResource, EnvironmentDefinition } from './types.js';

/** metadata key that names an agent or environment agenthooks manages. */
export const NAME_KEY = 'agenthooks_name';
/** metadata key holding a hash of the definition, to see whether it changed. */
export const HASH_KEY = 'agenthooks_definition';

type Metadata = Record<string, string>;

export async function ensureAgent(
  client: Anthropic,
  name: string,
  definition: AgentDefinition,
): Promise<EnsuredResource> {
  const body = {
    name,
    model: definition.model,
    system: definition.system ?? null,
    description: definition.description ?? null,
    tools: (definition.tools ?? []).map(toolset),
  } satisfies AgentCreateParams;
  const { resource, action } = await ensure('agent', name, definition, {
    list: () => client.beta.agents.list({ limit: 100 }),
    create: (metadata) => client.beta.agents.create({ ...body, metadata }),
    // `version` makes the update an optimistic-concurrency check: a racing update fails with 409.
    update: (existing, metadata) =>
      client.beta.agents.update(existing.id, { ...body, version: existing.version, metadata }),
  });
  return { id: resource.id, name, version: resource.version, action };
}

/**
 * A toolset named in the config, sent as `{type}` alone. The cast is on the name only: the config
 * may name a toolset newer than the SDK's union, and the API, not tsc, is the judge of the names.
 */
function toolset(type: string): BetaManagedAgentsAgentToolset20260401Params {
  return { type: type as BetaManagedAgentsAgentToolset20260401Params['type'] };
}

export async function ensureEnvironment(
  client: Anthropic,
  name: string,
  definition: EnvironmentDefinition,
): Promise<EnsuredResource> {
  const networking: BetaLimitedNetworkParams | BetaUnrestrictedNetwork =
    definition.networking === 'limited'
      ? { type: 'limited', allowed_hosts: definition.allowedHosts ?? [] }
      : { type: 'unrestricted' };
  const body = {
    name,
    description: definition.description ?? null,
    config: { type: 'cloud', networking },
  } satisfies EnvironmentCreateParams;
  const { resource, action } = await ensure('environment', name, definition, {
    list: () => client.beta.environments.list({ limit: 100 }),
    create: (metadata) => client.beta.environments.create({ ...body, metadata }),
    update: (existing, metadata) => client.beta.environments.update(existing.id, { ...body, metadata }),
  });
  return { id: resource.id, name, version: null, action };
}

/**
 * The live agent or environment agenthooks manages under `name` (metadata NAME_KEY, not archived):
 * found as is when its definition hash matches, updated when it changed, created when missing.
 */
async function ensure<R extends BetaManagedAgentsAgent | BetaEnvironment>(
  kind: 'agent' | 'environment',
  name: string,
  definition: object,
  api: {
    list: () => AsyncIterable<R>;
    create: (metadata: Metadata) => Promise<R>;
    update: (existing: R, metadata: Metadata) => Promise<R>;
  },
): Promise<{ resource: R; action: EnsuredResource['action'] }> {
  const hash = definitionHash(definition);
  const metadata = { [NAME_KEY]: name, [HASH_KEY]: hash };
  const existing = await platformCall(`list ${kind}s`, async () => {
    for await (const r of api.list()) if (r.metadata[NAME_KEY] === name && !r.archived_at) return r;
    return null;
  });
  if (!existing) {
    const created = await platformCall(`create ${kind} ${name}`, () => api.create(metadata));
    return { resource: created, action: 'created' };
  }
  if (existing.metadata[HASH_KEY] === hash) return { resource: existing, action: 'found' };
  const updated = await platformCall(`update ${kind} ${name}`, () => api.update(existing, metadata));
  return { resource: updated, action: 'updated' };
}

/** A stable hash of a definition (keys sorted), kept in metadata to detect changed definitions. */
export function definitionHash(definition: object): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .filter(([, x]) => x !== undefined && x !== null)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, canon(x)]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canon(definition)))
    .digest('hex')
    .slice(0, 32);
}
