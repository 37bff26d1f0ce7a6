// What the platform returns for an agent's configuration: never the request echoed, but the
// resolved objects of the SDK's response types (reference 2.1). `model.effort` becomes `{type}`,
// skills are pinned to a version, toolsets carry their full `configs` and `default_config`, and a
// coordinator roster names agent versions.
import type {
  BetaManagedAgentsAgent,
  BetaManagedAgentsAgentReference,
  BetaManagedAgentsAgentToolConfig,
  BetaManagedAgentsAgentToolset20260401,
  BetaManagedAgentsAlwaysAllowPolicy,
  BetaManagedAgentsAlwaysAskPolicy,
  BetaManagedAgentsAutoPolicy,
  BetaManagedAgentsCustomTool,
  BetaManagedAgentsExecutionIdentity,
  BetaManagedAgentsMCPServerURLDefinition,
  BetaManagedAgentsMCPToolset,
  BetaManagedAgentsModelConfig,
  BetaManagedAgentsMultiagentInlineAgents,
  BetaManagedAgentsMultiagentSubagents,
  BetaManagedAgentsMultiagentWorkflows,
  BetaManagedAgentsSessionThreadAgent,
} from '@anthropic-ai/sdk/resources/beta/agents/agents';
import type {
  BetaManagedAgentsMultiagent,
  BetaManagedAgentsSessionMultiagent,
} from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import { badRequest, notFound } from './api-error.js';
import type { SimState } from './state.js';
import { asObject, type Json } from './validate.js';

type Policy =
  | BetaManagedAgentsAlwaysAllowPolicy
  | BetaManagedAgentsAlwaysAskPolicy
  | BetaManagedAgentsAutoPolicy;
type Tool = BetaManagedAgentsAgent['tools'][number];
type Skill = BetaManagedAgentsAgent['skills'][number];

const EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;
const TOOL_NAMES = ['bash', 'edit', 'read', 'write', 'glob', 'grep', 'web_fetch', 'web_search'] as const;
/** One typed constructor per built-in tool, so each config keeps its own literal name and type. */
const TOOL_CONFIG: {
  [N in (typeof TOOL_NAMES)[number]]: (enabled: boolean, p: Policy) => BetaManagedAgentsAgentToolConfig;
} = {
  bash: (enabled, permission_policy) => ({ type: 'bash', name: 'bash', enabled, permission_policy }),
  edit: (enabled, permission_policy) => ({ type: 'edit', name: 'edit', enabled, permission_policy }),
  read: (enabled, permission_policy) => ({ type: 'read', name: 'read', enabled, permission_policy }),
  write: (enabled, permission_policy) => ({ type: 'write', name: 'write', enabled, permission_policy }),
  glob: (enabled, permission_policy) => ({ type: 'glob', name: 'glob', enabled, permission_policy }),
  grep: (enabled, permission_policy) => ({ type: 'grep', name: 'grep', enabled, permission_policy }),
  web_fetch: (enabled, permission_policy) => ({
    type: 'web_fetch',
    name: 'web_fetch',
    enabled,
    permission_policy,
    url_sources: null,
  }),
  web_search: (enabled, permission_policy) => ({
    type: 'web_search',
    name: 'web_search',
    enabled,
    permission_policy,
  }),
};
/** The version "latest" resolves to when a skill is pinned at create time. */
export const PINNED_SKILL_VERSION = '20260401';

export function resolveModel(value: unknown): BetaManagedAgentsModelConfig {
  if (typeof value === 'string' && value.length > 0) return { id: value };
  const m = asObject(value, 'model');
  if (typeof m.id !== 'string' || m.id === '')
    throw badRequest('"model" must be a model id string or {id, effort?, speed?, inference_geo?}.');
  const out: BetaManagedAgentsModelConfig = { id: m.id };
  if (m.effort !== undefined && m.effort !== null) {
    const raw = typeof m.effort === 'string' ? m.effort : asObject(m.effort, 'model.effort').type;
    const effort = EFFORTS.find((e) => e === raw);
    if (!effort) throw badRequest(`model.effort must be one of ${EFFORTS.join(', ')}.`);
    out.effort = { type: effort };
  }
  if (m.speed !== undefined && m.speed !== null) {
    if (m.speed !== 'standard' && m.speed !== 'fast')
      throw badRequest('model.speed must be standard or fast.');
    out.speed = m.speed;
  }
  if (typeof m.inference_geo === 'string') out.inference_geo = m.inference_geo;
  return out;
}

function policy(value: unknown, fallback: Policy, where: string): Policy {
  if (value === undefined || value === null) return fallback;
  const t = asObject(value, where).type;
  if (t === 'always_allow' || t === 'always_ask' || t === 'auto') return { type: t };
  throw badRequest(`${where}: "type" must be always_allow, always_ask or auto.`);
}

function agentToolset(tool: Json): BetaManagedAgentsAgentToolset20260401 {
  const d =
    tool.default_config === undefined || tool.default_config === null
      ? {}
      : asObject(tool.default_config, 'default_config');
  const enabled = typeof d.enabled === 'boolean' ? d.enabled : true;
  const fallback = policy(d.permission_policy, { type: 'always_allow' }, 'default_config.permission_policy');
  const given = new Map<string, Json>();
  for (const c of Array.isArray(tool.configs) ? tool.configs : []) {
    const cfg = asObject(c, 'configs[]');
    const name = TOOL_NAMES.find((n) => n === cfg.name);
    if (!name)
      throw badRequest(`configs[]: unknown tool "${String(cfg.name)}"; tools are ${TOOL_NAMES.join(', ')}.`);
    given.set(name, cfg);
  }
  const configs = TOOL_NAMES.map((name) => {
    const cfg = given.get(name) ?? {};
    return TOOL_CONFIG[name](
      typeof cfg.enabled === 'boolean' ? cfg.enabled : enabled,
      policy(cfg.permission_policy, fallback, `configs[${name}].permission_policy`),
    );
  });
  return {
    type: 'agent_toolset_20260401',
    configs,
    default_config: { enabled, permission_policy: fallback },
  };
}

function mcpToolset(tool: Json): BetaManagedAgentsMCPToolset {
  if (typeof tool.mcp_server_name !== 'string')
    throw badRequest('mcp_toolset: "mcp_server_name" is required.');
  const d =
    tool.default_config === undefined || tool.default_config === null
      ? {}
      : asObject(tool.default_config, 'default_config');
  const enabled = typeof d.enabled === 'boolean' ? d.enabled : true;
  const fallback = policy(d.permission_policy, { type: 'always_ask' }, 'default_config.permission_policy');
  const configs = (Array.isArray(tool.configs) ? tool.configs : []).map((c) => {
    const cfg = asObject(c, 'configs[]');
    if (typeof cfg.name !== 'string') throw badRequest('mcp_toolset configs[]: "name" is required.');
    return {
      name: cfg.name,
      enabled: typeof cfg.enabled === 'boolean' ? cfg.enabled : enabled,
      permission_policy: policy(cfg.permission_policy, fallback, 'configs[].permission_policy'),
    };
  });
  return {
    type: 'mcp_toolset',
    mcp_server_name: tool.mcp_server_name,
    configs,
    default_config: { enabled, permission_policy: fallback },
  };
}

function customTool(tool: Json): BetaManagedAgentsCustomTool {
  if (typeof tool.name !== 'string' || typeof tool.description !== 'string')
    throw badRequest('custom tool: "name" and "description" are required.');
  const schema = asObject(tool.input_schema, 'custom tool input_schema');
  if (schema.type !== 'object') throw badRequest('custom tool: input_schema.type must be "object".');
  return {
    type: 'custom',
    name: tool.name,
    description: tool.description,
    input_schema: { ...schema, type: 'object' },
  };
}

export function resolveTools(value: unknown): Tool[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest('"tools" must be an array.');
  if (value.length > 256) throw badRequest('"tools" takes at most 256 tools.');
  return value.map((t): Tool => {
    const tool = asObject(t, 'tools[]');
    if (tool.type === 'agent_toolset_20260401') return agentToolset(tool);
    if (tool.type === 'mcp_toolset') return mcpToolset(tool);
    if (tool.type === 'custom') return customTool(tool);
    throw badRequest('tools[]: "type" must be agent_toolset_20260401, mcp_toolset or custom.');
  });
}

export function resolveSkills(value: unknown): Skill[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest('"skills" must be an array.');
  if (value.length > 64) throw badRequest('"skills" takes at most 64 entries.');
  return value.map((s): Skill => {
    const skill = asObject(s, 'skills[]');
    if (typeof skill.skill_id !== 'string') throw badRequest('skills[]: "skill_id" is required.');
    const version =
      typeof skill.version === 'string' && skill.version !== 'latest' ? skill.version : PINNED_SKILL_VERSION;
    return { type: skill.type === 'custom' ? 'custom' : 'anthropic', skill_id: skill.skill_id, version };
  });
}

function reference(
  state: SimState,
  entry: unknown,
  self: BetaManagedAgentsAgentReference,
): BetaManagedAgentsAgentReference {
  if (typeof entry === 'string') return latestReference(state, entry);
  const e = asObject(entry, 'roster entry');
  if (e.type === 'self') return self;
  if (e.type !== 'agent' || typeof e.id !== 'string')
    throw badRequest('roster entry: an agent id, {type:"agent", id, version?} or {type:"self"}.');
  if (e.version === undefined || e.version === null) return latestReference(state, e.id);
  const versions = state.agents.get(e.id);
  if (!versions?.some((v) => v.version === e.version))
    throw notFound(`Agent ${e.id} version`, String(e.version));
  return { type: 'agent', id: e.id, version: Number(e.version) };
}

function latestReference(state: SimState, id: string): BetaManagedAgentsAgentReference {
  const versions = state.agents.get(id);
  const last = versions?.[versions.length - 1];
  if (!last) throw notFound('Agent', id);
  if (last.multiagent !== null)
    throw badRequest(`Agent ${id} is itself multiagent; rosters are one level deep.`);
  return { type: 'agent', id, version: last.version };
}

function enabledOrNot(value: unknown, state: SimState, self: BetaManagedAgentsAgentReference) {
  const v = value === undefined || value === null ? { type: 'disabled' } : asObject(value, 'multiagent');
  if (v.type !== 'enabled') return { type: 'disabled' as const };
  const inline: BetaManagedAgentsMultiagentInlineAgents =
    v.inline_agents && asObject(v.inline_agents, 'inline_agents').type === 'enabled'
      ? { type: 'enabled' }
      : { type: 'disabled' };
  const predefined = Array.isArray(v.predefined_agents)
    ? v.predefined_agents.map((p) => reference(state, p, self))
    : [];
  return { type: 'enabled' as const, inline_agents: inline, predefined_agents: predefined };
}

export function resolveMultiagent(
  state: SimState,
  value: unknown,
  self: BetaManagedAgentsAgentReference,
): BetaManagedAgentsMultiagent | null {
  if (value === undefined || value === null) return null;
  const m = asObject(value, 'multiagent');
  if (m.type === 'coordinator') {
    if (!Array.isArray(m.agents) || m.agents.length < 1 || m.agents.length > 20)
      throw badRequest('multiagent.agents takes 1 to 20 roster entries.');
    return {
      type: 'coordinator',
      agents: m.agents.map((a) => {
        if (typeof a === 'object' && a !== null && (a as Json).type === 'advisor') {
          const model = (a as Json).model;
          if (typeof model !== 'string') throw badRequest('advisor roster entry: "model" is required.');
          return { type: 'advisor' as const, model };
        }
        return reference(state, a, self);
      }),
    };
  }
  if (m.type === 'multiagent_20261001') {
    const advisor =
      m.advisor === undefined || m.advisor === null ? { type: 'disabled' } : asObject(m.advisor, 'advisor');
    return {
      type: 'multiagent_20261001',
      advisor:
        advisor.type === 'enabled' && typeof advisor.model === 'string'
          ? { type: 'enabled', model: advisor.model }
          : { type: 'disabled' },
      subagents: enabledOrNot(m.subagents, state, self),
      workflows: enabledOrNot(m.workflows, state, self),
    };
  }
  throw badRequest('multiagent: "type" must be coordinator or multiagent_20261001.');
}

/** The session's copy of a roster: each referenced agent version as a full thread agent. */
export function sessionMultiagent(
  state: SimState,
  m: BetaManagedAgentsMultiagent | null,
): BetaManagedAgentsSessionMultiagent | null {
  if (m === null) return null;
  const expand = (r: BetaManagedAgentsAgentReference): BetaManagedAgentsSessionThreadAgent => {
    const a = state.agents.get(r.id)?.find((v) => v.version === r.version);
    if (!a) throw notFound(`Agent ${r.id} version`, String(r.version));
    const { multiagent: _m, metadata: _md, created_at: _c, updated_at: _u, archived_at: _a, ...agent } = a;
    return agent;
  };
  if (m.type === 'coordinator')
    return { type: 'coordinator', agents: m.agents.map((a) => (a.type === 'advisor' ? a : expand(a))) };
  const side = (x: BetaManagedAgentsMultiagentSubagents | BetaManagedAgentsMultiagentWorkflows) =>
    x.type === 'enabled'
      ? {
          type: 'enabled' as const,
          inline_agents: x.inline_agents,
          predefined_agents: x.predefined_agents.map(expand),
        }
      : { type: 'disabled' as const };
  return { type: m.type, advisor: m.advisor, subagents: side(m.subagents), workflows: side(m.workflows) };
}

export function resolveMcpServers(value: unknown): BetaManagedAgentsMCPServerURLDefinition[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest('"mcp_servers" must be an array.');
  if (value.length > 20) throw badRequest('"mcp_servers" takes at most 20 entries.');
  return value.map((v) => {
    const m = asObject(v, 'mcp_servers[]');
    if (m.type !== 'url' || typeof m.name !== 'string' || typeof m.url !== 'string')
      throw badRequest('mcp_servers[]: {type:"url", name, url}.');
    return { type: 'url', name: m.name, url: m.url };
  });
}

export function resolveIdentity(value: unknown): BetaManagedAgentsExecutionIdentity {
  if (value === undefined || value === null) return { type: 'service_account' };
  const e = asObject(value, 'execution_identity');
  if (e.type === 'service_account') return { type: 'service_account' };
  if (e.type === 'aws_role' && typeof e.role_arn === 'string')
    return { type: 'aws_role', role_arn: e.role_arn };
  throw badRequest('execution_identity: {type:"service_account"} or {type:"aws_role", role_arn}.');
}
