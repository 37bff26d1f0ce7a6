// The session engine: the session store and its lifecycle (create, update, archive, delete) as the
// routes call it. What a session then does is split by noun: intake takes the events a client sends,
// turns play them, scripts say what each scenario plays, and emission writes the events and webhooks.
import type { BetaManagedAgentsAgent } from '@anthropic-ai/sdk/resources/beta/agents/agents';
import type {
  BetaManagedAgentsBudgetLimit,
  BetaManagedAgentsSession,
  BetaManagedAgentsSessionAgent,
} from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import type { BetaManagedAgentsSessionThread } from '@anthropic-ai/sdk/resources/beta/sessions/threads/threads';
import type { Clock } from '../clock.js';
import { ApiError, badRequest, notFound } from './api-error.js';
import type { Deliverer } from './deliverer.js';
import { Emission } from './emission.js';
import type { IdSource } from './ids.js';
import { Intake } from './intake.js';
import { isScenario, type Scenario, type Timers } from './options.js';
import {
  resolveMcpServers,
  resolveModel,
  resolveSkills,
  resolveTools,
  sessionMultiagent,
} from './resolve.js';
import type { SentEvent } from './sent-events.js';
import { resourceOf } from './session-resources.js';
import { iso, isRunning, type SessionRecord, type SimState } from './state.js';
import { closeStreams } from './streams.js';
import { Turns } from './turns.js';
import { asObject, type Json, newMetadata, onlyKeys, optionalString } from './validate.js';

/** The budget a budget_reached session gets when it is created without one, in cents. */
const SCENARIO_BUDGET_CENTS = '50';

export interface EngineDeps {
  state: SimState;
  ids: IdSource;
  clock: Clock;
  timers: Timers;
  timeScale: number;
  seed: number;
  deliverer: Deliverer;
  defaultScenario: Scenario;
  defaultDurationMs: number;
}

export class SessionEngine {
  private readonly emit: Emission;
  private readonly turns: Turns;
  private readonly intake: Intake;

  constructor(private readonly d: EngineDeps) {
    this.emit = new Emission(d);
    this.turns = new Turns({ ...d, emit: this.emit });
    this.intake = new Intake({ ids: d.ids, emit: this.emit, turns: this.turns });
  }

  /** Creates a session; a deployment run passes its deployment's id. */
  create(body: Json, deploymentId: string | null = null): BetaManagedAgentsSession {
    onlyKeys(
      body,
      ['agent', 'environment_id', 'budget', 'initial_events', 'metadata', 'resources', 'title', 'vault_ids'],
      'session',
    );
    if (body.agent === undefined) throw badRequest('session: "agent" is required.');
    if (typeof body.environment_id !== 'string') throw badRequest('session: "environment_id" is required.');
    const env = this.d.state.environments.get(body.environment_id);
    if (!env) throw notFound('Environment', body.environment_id);
    if (env.archived_at !== null) throw badRequest(`Environment ${env.id} is archived.`);
    const agent = agentSnapshot(this.d.state, body.agent);
    const metadata = newMetadata(body.metadata, 'session');
    const initial = body.initial_events === undefined ? [] : body.initial_events;
    if (!Array.isArray(initial)) throw badRequest('session: "initial_events" must be an array.');
    if (initial.length > 50) throw badRequest('session: "initial_events" takes at most 50 events.');
    let outcomes = 0;
    for (const e of initial) {
      const t = asObject(e, 'initial_events[]').type;
      if (t !== 'user.message' && t !== 'user.define_outcome')
        throw badRequest(
          `initial_events: only user.message and user.define_outcome are allowed, got ${String(t)}.`,
        );
      if (t === 'user.define_outcome') outcomes += 1;
    }
    if (outcomes > 1) throw badRequest('initial_events: at most one user.define_outcome is allowed.');
    const scenarioName = metadata.sim_scenario ?? this.d.defaultScenario;
    if (!isScenario(scenarioName))
      throw badRequest(`metadata.sim_scenario: unknown scenario "${scenarioName}".`);
    // budget_reached plays a session that has a budget: without one, it gets the scenario's own.
    const budget =
      parseBudget(body.budget) ??
      (scenarioName === 'budget_reached'
        ? {
            type: 'limit' as const,
            max_list_cost: { amount: SCENARIO_BUDGET_CENTS, currency: 'USD' as const },
          }
        : null);
    const duration =
      metadata.sim_duration_ms === undefined ? this.d.defaultDurationMs : Number(metadata.sim_duration_ms);
    if (!Number.isFinite(duration) || duration < 0)
      throw badRequest('metadata.sim_duration_ms must be a non-negative number.');

    const now = this.d.clock.now();
    const id = this.d.ids.next('sesn');
    const session: BetaManagedAgentsSession = {
      type: 'session',
      id,
      status: 'idle',
      title: optionalString(body, 'title', 'session') ?? null,
      agent,
      environment_id: env.id,
      deployment_id: deploymentId,
      resources: resourcesOf(this.d.state, this.d.ids, body.resources, iso(now)),
      vault_ids: this.vaultIds(body.vault_ids),
      metadata,
      budget,
      outcome_evaluations: [],
      stats: { active_seconds: 0, duration_seconds: 0 },
      usage: {
        input_tokens: 0,
        output_tokens: 0,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
        active_seconds: 0,
        list_cost: { amount: '0', currency: 'USD' },
        server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
      },
      created_at: iso(now),
      updated_at: iso(now),
      archived_at: null,
    };
    const rec: SessionRecord = {
      session,
      events: [],
      lastSeq: 0,
      streams: new Set(),
      threads: [],
      scenario: scenarioName,
      durationMs: duration,
      createdMs: now,
      lastUpdatedMs: now,
      timers: new Set(),
      turn: 0,
      queue: [],
      outcome: null,
      budgetReached: false,
      pendingToolUseId: null,
      task: '',
      activeSeconds: 0,
      tokens: { input: 0, output: 0, cacheRead: 0, cents: 0 },
    };
    rec.threads.push(this.emit.threads.newThread(rec, null, agent.name));
    this.d.state.sessions.set(id, rec);
    this.d.state.remember(id);
    if (initial.length > 0) this.intake.accept(rec, initial);
    return session;
  }

  get(id: string): SessionRecord {
    const rec = this.d.state.sessions.get(id);
    if (!rec) throw notFound('Session', id);
    return rec;
  }

  update(rec: SessionRecord, body: Json): BetaManagedAgentsSession {
    onlyKeys(body, ['agent', 'budget', 'metadata', 'title', 'vault_ids'], 'session update');
    const s = rec.session;
    if (body.title !== undefined) s.title = optionalString(body, 'title', 'session update') ?? null;
    if (body.metadata !== undefined) {
      if (body.metadata === null) s.metadata = {};
      else {
        for (const [k, v] of Object.entries(asObject(body.metadata, 'metadata'))) {
          if (v === null) delete s.metadata[k];
          else if (typeof v === 'string') s.metadata[k] = v;
          else throw badRequest(`metadata value for "${k}" must be a string or null.`);
        }
      }
    }
    let resume = false;
    if (body.budget !== undefined) {
      if (s.status === 'terminated')
        throw badRequest(`Session ${s.id} is terminated; its budget cannot change.`);
      if (s.budget === null && body.budget !== null)
        throw badRequest('budget_create_only: a budget can only be set when the session is created.');
      const next = body.budget === null ? null : parseBudget(body.budget);
      if (next && Number(next.max_list_cost.amount) <= rec.tokens.cents)
        throw badRequest('budget_not_raised: the new budget must stay above the cost already consumed.');
      s.budget = next;
      // Raising or removing the budget lets a session stopped by it run again; the scenario that
      // spent the budget has played, so later turns play the default success.
      resume = rec.budgetReached && s.status === 'idle';
      if (rec.budgetReached) rec.scenario = 'success';
      rec.budgetReached = false;
    }
    if (body.vault_ids !== undefined) s.vault_ids = this.vaultIds(body.vault_ids);
    if (body.agent !== undefined) {
      const a = asObject(body.agent, 'agent');
      onlyKeys(a, ['tools', 'mcp_servers'], 'agent');
      if (a.tools !== undefined) s.agent.tools = resolveTools(a.tools);
      if (a.mcp_servers !== undefined) s.agent.mcp_servers = resolveMcpServers(a.mcp_servers);
    }
    this.emit.touch(rec);
    this.emit.webhook({ type: 'session.updated' }, rec);
    if (resume) this.turns.start(rec, '');
    return s;
  }

  archive(rec: SessionRecord): BetaManagedAgentsSession {
    mustBeStopped(rec, 'archiving');
    if (rec.session.archived_at !== null) return rec.session;
    this.turns.cancel(rec);
    const now = this.d.clock.now();
    rec.session.archived_at = iso(now);
    for (const t of rec.threads.slice(1))
      if (t.status !== 'terminated') this.emit.threads.threadTerminated(rec, t);
    rec.threads[0].archived_at = iso(now);
    this.emit.status(rec, 'terminated');
    return rec.session;
  }

  /** Archives a child thread (the primary one goes with the session): it terminates. */
  archiveThread(rec: SessionRecord, t: BetaManagedAgentsSessionThread): BetaManagedAgentsSessionThread {
    if (t.parent_thread_id === null)
      throw badRequest('The primary thread is archived with its session; archive the session instead.');
    if (t.status === 'running')
      throw new ApiError('conflict_error', `Thread ${t.id} is running; interrupt it first.`);
    if (t.archived_at === null) this.emit.threads.threadTerminated(rec, t);
    return t;
  }

  delete(rec: SessionRecord): { id: string; type: 'session_deleted' } {
    mustBeStopped(rec, 'deleting');
    this.turns.cancel(rec);
    this.d.state.sessions.delete(rec.session.id);
    closeStreams(rec, {
      type: 'session.deleted',
      id: this.emit.eventId(rec),
      processed_at: this.emit.nowIso(),
    });
    for (const [fid, f] of this.d.state.files)
      if (f.meta.scope?.id === rec.session.id) this.d.state.files.delete(fid);
    this.emit.webhook({ type: 'session.deleted' }, rec);
    return { id: rec.session.id, type: 'session_deleted' };
  }

  /** events.send: validates all first (nothing is applied from a rejected batch), then applies. */
  send(rec: SessionRecord, body: Json): SentEvent[] {
    onlyKeys(body, ['events'], 'events.send');
    if (!Array.isArray(body.events) || body.events.length === 0)
      throw badRequest('"events" must be a non-empty array.');
    if (rec.session.status === 'terminated')
      throw badRequest(`Session ${rec.session.id} is terminated; it accepts no more events.`);
    return this.intake.accept(rec, body.events);
  }

  /** A change made through a sub-resource: updated_at moves and session.updated is sent. */
  changed(rec: SessionRecord): void {
    this.emit.touch(rec);
    this.emit.webhook({ type: 'session.updated' }, rec);
  }

  /** Vault ids must name vaults that exist and are not archived. */
  private vaultIds(value: unknown): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw badRequest('"vault_ids" must be an array of vault ids.');
    return value.map((v) => {
      const vault = typeof v === 'string' ? this.d.state.vaults.get(v) : undefined;
      if (!vault) throw notFound('Vault', String(v));
      if (vault.archived_at !== null) throw badRequest(`Vault ${vault.id} is archived.`);
      return vault.id;
    });
  }

  /** Stops every scheduled step (simulator shutdown). */
  stopAll(): void {
    for (const rec of this.d.state.sessions.values()) {
      this.turns.cancel(rec);
      closeStreams(rec);
    }
  }
}

/** The agent snapshot a session stores, from the three forms `agent` may take (reference 2.3). */
function agentSnapshot(state: SimState, value: unknown): BetaManagedAgentsSessionAgent {
  let id: string;
  let version: number | undefined;
  let overrides: Json = {};
  if (typeof value === 'string') id = value;
  else {
    const obj = asObject(value, 'agent');
    if (obj.type === 'agent') onlyKeys(obj, ['type', 'id', 'version'], 'agent');
    else if (obj.type === 'agent_with_overrides')
      onlyKeys(obj, ['type', 'id', 'version', 'model', 'system', 'tools', 'mcp_servers', 'skills'], 'agent');
    else
      throw badRequest(
        'agent: "type" must be "agent" or "agent_with_overrides" (or pass the agent id as a string).',
      );
    if (typeof obj.id !== 'string') throw badRequest('agent: "id" is required.');
    id = obj.id;
    if (obj.version !== undefined) {
      if (typeof obj.version !== 'number' || !Number.isInteger(obj.version))
        throw badRequest('agent: "version" must be an integer.');
      version = obj.version;
    }
    if (obj.type === 'agent_with_overrides') overrides = obj;
  }
  const versions = state.agents.get(id);
  if (!versions) throw notFound('Agent', id);
  const agent: BetaManagedAgentsAgent | undefined =
    version === undefined ? versions[versions.length - 1] : versions.find((v) => v.version === version);
  if (!agent) throw notFound(`Agent ${id} version`, String(version));
  if (agent.archived_at !== null)
    throw badRequest(`Agent ${id} is archived; sessions cannot be created with it.`);
  const snapshot: BetaManagedAgentsSessionAgent = {
    id: agent.id,
    type: 'agent',
    version: agent.version,
    name: agent.name,
    description: agent.description,
    model: agent.model,
    system: agent.system,
    tools: agent.tools,
    mcp_servers: agent.mcp_servers,
    skills: agent.skills,
    multiagent: sessionMultiagent(state, agent.multiagent),
    execution_identity: agent.execution_identity,
  };
  if (overrides.model !== undefined) snapshot.model = resolveModel(overrides.model);
  if (overrides.system !== undefined) snapshot.system = optionalString(overrides, 'system', 'agent') ?? null;
  if (overrides.tools !== undefined) snapshot.tools = resolveTools(overrides.tools);
  if (overrides.mcp_servers !== undefined) snapshot.mcp_servers = resolveMcpServers(overrides.mcp_servers);
  if (overrides.skills !== undefined) snapshot.skills = resolveSkills(overrides.skills);
  return snapshot;
}
function resourcesOf(state: SimState, ids: IdSource, value: unknown, now: string) {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest('"resources" must be an array.');
  return value.map((r) => resourceOf(state, ids, r, now));
}

/** Archiving or deleting waits for the turn to end: the client interrupts first. */
function mustBeStopped(rec: SessionRecord, doing: string): void {
  if (isRunning(rec))
    throw new ApiError(
      'conflict_error',
      `Session ${rec.session.id} is running; send user.interrupt and wait for idle before ${doing}.`,
    );
}

export function parseBudget(value: unknown): BetaManagedAgentsBudgetLimit | null {
  if (value === undefined || value === null) return null;
  const b = asObject(value, 'budget');
  onlyKeys(b, ['type', 'max_list_cost'], 'budget');
  const cost = asObject(b.max_list_cost, 'budget.max_list_cost');
  onlyKeys(cost, ['amount', 'currency'], 'budget.max_list_cost');
  if (
    b.type !== 'limit' ||
    typeof cost.amount !== 'string' ||
    !/^[1-9][0-9]*$/.test(cost.amount) ||
    (cost.currency ?? 'USD') !== 'USD'
  )
    throw badRequest(
      'budget must be {type:"limit", max_list_cost:{amount:"<whole cents>", currency:"USD"}}.',
    );
  return { type: 'limit', max_list_cost: { amount: cost.amount, currency: 'USD' } };
}
