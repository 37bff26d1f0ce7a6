// The session engine: plays a scripted, seeded turn for every user.message / user.define_outcome,
// emitting the stream events the platform stores (reference 2.4, 2.6) and the webhooks it sends
// (reference 5; note the names differ: stream session.status_idle is webhook session.status_idled).
// Time comes from the injected clock and timers; every simulated delay is multiplied by timeScale.
import type { BetaManagedAgentsAgent } from '@anthropic-ai/sdk/resources/beta/agents/agents';
import type {
  BetaManagedAgentsSessionEvent,
  BetaManagedAgentsSessionRefusalStopDetails,
  BetaManagedAgentsSessionStatusIdleEvent,
  BetaManagedAgentsSpanModelUsage,
  BetaManagedAgentsTextBlock,
} from '@anthropic-ai/sdk/resources/beta/sessions/events';
import type {
  BetaManagedAgentsBudgetLimit,
  BetaManagedAgentsSession,
  BetaManagedAgentsSessionAgent,
} from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import type { BetaManagedAgentsSessionThread } from '@anthropic-ai/sdk/resources/beta/sessions/threads/threads';
import type { Clock } from '../clock.js';
import { ApiError, badRequest, notFound } from './api-error.js';
import type { Deliverer } from './deliverer.js';
import type { IdSource } from './ids.js';
import { isScenario, type Scenario, type Timers } from './options.js';
import { tokenFor, unitFor } from './rng.js';
import { evaluationResults, TERMINAL_RESULTS } from './scenarios.js';
import { type ActiveOutcome, iso, type SessionRecord, type SimState } from './state.js';
import { asObject, type Json, onlyKeys, optionalString } from './validate.js';

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

type Step = () => void;
type StopReason = BetaManagedAgentsSessionStatusIdleEvent['stop_reason'];

const EVENT_KEYS: Record<string, readonly string[]> = {
  'user.message': ['type', 'content'],
  'user.define_outcome': ['type', 'description', 'rubric', 'max_iterations'],
  'user.interrupt': ['type', 'session_thread_id'],
  'user.tool_confirmation': ['type', 'tool_use_id', 'result', 'deny_message', 'session_thread_id'],
  'user.custom_tool_result': ['type', 'custom_tool_use_id', 'content', 'is_error', 'session_thread_id'],
  'user.tool_result': ['type', 'tool_use_id', 'content', 'is_error', 'session_thread_id'],
  'system.message': ['type', 'content'],
};

export class SessionEngine {
  constructor(private readonly d: EngineDeps) {}

  // ---- agents -------------------------------------------------------------------------------

  /** The agent snapshot a session stores, from the three forms `agent` may take (reference 2.3). */
  resolveAgent(value: unknown): BetaManagedAgentsSessionAgent {
    let id: string;
    let version: number | undefined;
    let overrides: Json = {};
    if (typeof value === 'string') id = value;
    else {
      const obj = asObject(value, 'agent');
      if (obj.type === 'agent') onlyKeys(obj, ['type', 'id', 'version'], 'agent');
      else if (obj.type === 'agent_with_overrides')
        onlyKeys(
          obj,
          ['type', 'id', 'version', 'model', 'system', 'tools', 'mcp_servers', 'skills'],
          'agent',
        );
      else
        throw badRequest(
          'agent: "type" must be "agent" or "agent_with_overrides" (or pass the agent id as a string).',
        );
      if (typeof obj.id !== 'string') throw badRequest('agent: "id" is required.');
      id = obj.id;
      if (obj.version !== undefined) {
        if (!Number.isInteger(obj.version)) throw badRequest('agent: "version" must be an integer.');
        version = obj.version as number;
      }
      if (obj.type === 'agent_with_overrides') overrides = obj;
    }
    const versions = this.d.state.agents.get(id);
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
      multiagent: agent.multiagent as BetaManagedAgentsSessionAgent['multiagent'],
      execution_identity: agent.execution_identity,
    };
    if (overrides.model !== undefined)
      snapshot.model =
        typeof overrides.model === 'string'
          ? { id: overrides.model }
          : (overrides.model as typeof snapshot.model);
    if (overrides.system !== undefined) snapshot.system = overrides.system as string | null;
    if (overrides.tools !== undefined) snapshot.tools = overrides.tools as typeof snapshot.tools;
    if (overrides.mcp_servers !== undefined)
      snapshot.mcp_servers = overrides.mcp_servers as typeof snapshot.mcp_servers;
    if (overrides.skills !== undefined) snapshot.skills = overrides.skills as typeof snapshot.skills;
    return snapshot;
  }

  // ---- sessions -----------------------------------------------------------------------------

  create(body: Json): BetaManagedAgentsSession {
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
    const agent = this.resolveAgent(body.agent);
    const metadata = metadataStrings(body.metadata);
    const budget = parseBudget(body.budget);
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
      deployment_id: null,
      resources: [],
      vault_ids: Array.isArray(body.vault_ids) ? (body.vault_ids as string[]) : [],
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
    rec.threads.push(this.newThread(rec, null, agent.name));
    this.d.state.sessions.set(id, rec);
    this.d.state.remember(id);
    if (initial.length > 0) this.accept(rec, initial);
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
    if (body.budget !== undefined) {
      if (s.budget === null && body.budget !== null)
        throw badRequest('budget_create_only: a budget can only be set when the session is created.');
      const next = body.budget === null ? null : parseBudget(body.budget);
      if (next && Number(next.max_list_cost.amount) <= rec.tokens.cents)
        throw badRequest('budget_not_raised: the new budget must stay above the cost already consumed.');
      s.budget = next;
      rec.budgetReached = false;
    }
    if (body.vault_ids !== undefined) s.vault_ids = body.vault_ids as string[];
    if (body.agent !== undefined) {
      const a = asObject(body.agent, 'agent');
      onlyKeys(a, ['tools', 'mcp_servers'], 'agent');
      if (a.tools !== undefined) s.agent.tools = a.tools as typeof s.agent.tools;
      if (a.mcp_servers !== undefined) s.agent.mcp_servers = a.mcp_servers as typeof s.agent.mcp_servers;
    }
    this.touch(rec);
    this.webhook('session.updated', rec);
    return s;
  }

  archive(rec: SessionRecord): BetaManagedAgentsSession {
    if (rec.session.status === 'running' || rec.session.status === 'rescheduling')
      throw new ApiError(
        'conflict_error',
        `Session ${rec.session.id} is running; send user.interrupt and wait for idle before archiving.`,
      );
    if (rec.session.archived_at !== null) return rec.session;
    this.cancelTurn(rec);
    const now = this.d.clock.now();
    rec.session.archived_at = iso(now);
    for (const t of rec.threads) t.archived_at = iso(now);
    this.setStatus(rec, 'terminated');
    this.append(rec, {
      type: 'session.status_terminated',
      id: this.eventId(rec),
      processed_at: this.nowIso(),
    });
    this.webhook('session.status_terminated', rec);
    return rec.session;
  }

  delete(rec: SessionRecord): { id: string; type: 'session_deleted' } {
    if (rec.session.status === 'running' || rec.session.status === 'rescheduling')
      throw new ApiError(
        'conflict_error',
        `Session ${rec.session.id} is running; send user.interrupt and wait for idle before deleting.`,
      );
    this.cancelTurn(rec);
    this.d.state.sessions.delete(rec.session.id);
    for (const [fid, f] of this.d.state.files)
      if (f.meta.scope?.id === rec.session.id) this.d.state.files.delete(fid);
    this.webhook('session.deleted', rec);
    return { id: rec.session.id, type: 'session_deleted' };
  }

  /** events.send: validates all first (nothing is applied from a rejected batch), then applies. */
  send(rec: SessionRecord, body: Json): BetaManagedAgentsSessionEvent[] {
    onlyKeys(body, ['events'], 'events.send');
    if (!Array.isArray(body.events) || body.events.length === 0)
      throw badRequest('"events" must be a non-empty array.');
    if (rec.session.status === 'terminated')
      throw badRequest(`Session ${rec.session.id} is terminated; it accepts no more events.`);
    return this.accept(rec, body.events);
  }

  private accept(rec: SessionRecord, raw: unknown[]): BetaManagedAgentsSessionEvent[] {
    const parsed = raw.map((e, i) => {
      const obj = asObject(e, `events[${i}]`);
      const type = String(obj.type);
      const keys = EVENT_KEYS[type];
      if (!keys)
        throw badRequest(
          `events[${i}]: "${type}" cannot be sent. Sendable types: ${Object.keys(EVENT_KEYS).join(', ')}.`,
        );
      onlyKeys(obj, keys, `events[${i}] (${type})`);
      if (type === 'user.message' || type === 'system.message') {
        if (!Array.isArray(obj.content) || obj.content.length === 0)
          throw badRequest(`events[${i}]: "content" must be a non-empty array.`);
        if (type === 'user.message' && rec.budgetReached)
          throw badRequest(
            `Session ${rec.session.id} reached its budget; raise or remove the budget before sending a user.message.`,
          );
      }
      if (type === 'user.define_outcome') {
        if (typeof obj.description !== 'string') throw badRequest(`events[${i}]: "description" is required.`);
        const rubric = asObject(obj.rubric, 'rubric');
        if (rubric.type !== 'text' && rubric.type !== 'file')
          throw badRequest(
            `events[${i}]: "rubric" is required ({type:"text", content} or {type:"file", file_id}).`,
          );
        if (rubric.type === 'text' && (typeof rubric.content !== 'string' || rubric.content.length > 262_144))
          throw badRequest(`events[${i}]: a text rubric needs "content" of at most 262,144 characters.`);
        const max = obj.max_iterations;
        if (
          max !== undefined &&
          max !== null &&
          (!Number.isInteger(max) || (max as number) < 1 || (max as number) > 20)
        )
          throw badRequest(`events[${i}]: "max_iterations" must be an integer from 1 to 20.`);
        const pending = rec.queue.some((q) => q.kind === 'outcome');
        if ((rec.outcome && !this.outcomeDone(rec)) || pending)
          throw badRequest(
            'Only one outcome can be active at a time; wait for its terminal span.outcome_evaluation_end.',
          );
      }
      if (type === 'user.tool_confirmation' && obj.tool_use_id !== rec.pendingToolUseId)
        throw badRequest(`events[${i}]: no pending tool use ${String(obj.tool_use_id)} awaits confirmation.`);
      return { obj, type };
    });
    const echoed: BetaManagedAgentsSessionEvent[] = [];
    for (const { obj, type } of parsed) echoed.push(this.apply(rec, obj, type));
    return echoed;
  }

  private apply(rec: SessionRecord, obj: Json, type: string): BetaManagedAgentsSessionEvent {
    const id = this.eventId(rec);
    const running = rec.session.status === 'running' || rec.session.status === 'rescheduling';
    switch (type) {
      case 'user.message': {
        const content = obj.content as BetaManagedAgentsTextBlock[];
        // A message sent while a turn runs waits for it: processed_at stays null until then.
        const event = {
          id,
          type: 'user.message',
          content,
          processed_at: running ? null : this.nowIso(),
        } as BetaManagedAgentsSessionEvent;
        this.append(rec, event);
        if (running) rec.queue.push({ id, kind: 'message' });
        else this.startTurn(rec, id);
        return event;
      }
      case 'user.define_outcome': {
        const outcomeId = this.d.ids.next('outc', rec.session.id);
        const max = (obj.max_iterations as number | null | undefined) ?? null;
        const event = {
          id,
          type: 'user.define_outcome',
          description: obj.description as string,
          rubric: obj.rubric,
          max_iterations: max,
          outcome_id: outcomeId,
          processed_at: this.nowIso(),
        } as BetaManagedAgentsSessionEvent;
        this.append(rec, event);
        rec.session.outcome_evaluations.push({
          type: 'outcome_evaluation',
          outcome_id: outcomeId,
          description: obj.description as string,
          result: 'pending',
          explanation: null,
          iteration: 0,
          completed_at: null,
        });
        rec.outcome = {
          outcomeId,
          description: obj.description as string,
          maxIterations: max ?? 3,
          index: rec.session.outcome_evaluations.length - 1,
          iteration: 0,
          startEventId: '',
          results: [],
        };
        this.touch(rec);
        if (running) rec.queue.push({ id, kind: 'outcome' });
        else this.startTurn(rec, id);
        return event;
      }
      case 'user.interrupt': {
        const event = {
          id,
          type: 'user.interrupt',
          processed_at: this.nowIso(),
          ...(obj.session_thread_id ? { session_thread_id: obj.session_thread_id } : {}),
        } as BetaManagedAgentsSessionEvent;
        this.append(rec, event);
        this.interrupt(rec);
        return event;
      }
      case 'user.tool_confirmation': {
        const event = { ...obj, id, processed_at: this.nowIso() } as unknown as BetaManagedAgentsSessionEvent;
        this.append(rec, event);
        rec.pendingToolUseId = null;
        // Approving (or denying) the only pending tool use unblocks the session: the turn goes on.
        this.startTurn(rec, id, 'success');
        return event;
      }
      default: {
        const event = { ...obj, id, processed_at: this.nowIso() } as unknown as BetaManagedAgentsSessionEvent;
        this.append(rec, event);
        return event;
      }
    }
  }

  private outcomeDone(rec: SessionRecord): boolean {
    const o = rec.outcome;
    return o === null || TERMINAL_RESULTS.has(rec.session.outcome_evaluations[o.index].result);
  }

  // ---- turns --------------------------------------------------------------------------------

  private startTurn(rec: SessionRecord, triggerId: string, scenarioOverride?: Scenario): void {
    rec.turn += 1;
    const turn = rec.turn;
    const trigger = rec.events.find((e) => e.event.id === triggerId)?.event;
    if (trigger?.type === 'user.message') {
      rec.task = trigger.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
    }
    this.setStatus(rec, 'running');
    this.append(rec, { type: 'session.status_running', id: this.eventId(rec), processed_at: this.nowIso() });
    this.webhook('session.status_run_started', rec);
    if (rec.outcome && rec.session.outcome_evaluations[rec.outcome.index].result === 'pending') {
      rec.session.outcome_evaluations[rec.outcome.index].result = 'running';
      this.touch(rec);
    }
    const steps = this.script(rec, scenarioOverride ?? rec.scenario);
    const gap = (rec.durationMs * this.d.timeScale) / steps.length;
    // Each step schedules the next one: timers of different lengths can fire out of order on a
    // loaded event loop, and a session's events must keep the platform's order.
    const runFrom = (i: number): void => {
      if (i >= steps.length) return;
      const handle = this.d.timers.setTimeout(() => {
        rec.timers.delete(handle);
        // A stale step (interrupted turn, deleted session) must not touch the new state.
        if (rec.turn !== turn || !this.d.state.sessions.has(rec.session.id)) return;
        steps[i]();
        runFrom(i + 1);
      }, gap);
      rec.timers.add(handle);
    };
    runFrom(0);
  }

  private script(rec: SessionRecord, scenario: Scenario): Step[] {
    const steps: Step[] = [];
    const work = (label: string) => {
      let startId = '';
      steps.push(() => {
        startId = this.eventId(rec);
        this.append(rec, { type: 'span.model_request_start', id: startId, processed_at: this.nowIso() });
      });
      steps.push(() => this.agentMessage(rec, this.reply(rec, label)));
      steps.push(() => this.modelRequestEnd(rec, startId, false, label));
    };
    switch (scenario) {
      case 'terminated': {
        steps.push(() =>
          this.append(rec, {
            type: 'span.model_request_start',
            id: this.eventId(rec),
            processed_at: this.nowIso(),
          }),
        );
        steps.push(() => this.sessionError(rec, 'terminal'));
        steps.push(() => this.terminate(rec));
        return steps;
      }
      case 'retries_exhausted': {
        let startId = '';
        steps.push(() => {
          startId = this.eventId(rec);
          this.append(rec, { type: 'span.model_request_start', id: startId, processed_at: this.nowIso() });
        });
        steps.push(() => {
          this.sessionError(rec, 'retrying');
          this.setStatus(rec, 'rescheduling');
          this.append(rec, {
            type: 'session.status_rescheduled',
            id: this.eventId(rec),
            processed_at: this.nowIso(),
          });
          this.webhook('session.status_rescheduled', rec);
        });
        steps.push(() => {
          this.setStatus(rec, 'running');
          this.append(rec, {
            type: 'session.status_running',
            id: this.eventId(rec),
            processed_at: this.nowIso(),
          });
          this.webhook('session.status_run_started', rec);
        });
        steps.push(() => this.sessionError(rec, 'exhausted'));
        steps.push(() => this.modelRequestEnd(rec, startId, true, 'error'));
        steps.push(() => this.usage(rec));
        steps.push(() => this.idle(rec, { type: 'retries_exhausted' }));
        return steps;
      }
      case 'refusal': {
        let startId = '';
        steps.push(() => {
          startId = this.eventId(rec);
          this.append(rec, { type: 'span.model_request_start', id: startId, processed_at: this.nowIso() });
        });
        steps.push(() => this.modelRequestEnd(rec, startId, false, 'refusal'));
        steps.push(() => this.usage(rec));
        steps.push(() =>
          this.idle(
            rec,
            { type: 'refusal' },
            {
              type: 'refusal',
              category: 'general_harms',
              explanation: 'The simulated model declined this request (sim_scenario=refusal).',
            },
          ),
        );
        return steps;
      }
      case 'budget_reached': {
        work('partial');
        steps.push(() => {
          const cap = rec.session.budget ? Number(rec.session.budget.max_list_cost.amount) : 0;
          rec.tokens.cents = Math.max(rec.tokens.cents, cap);
          this.usage(rec);
        });
        steps.push(() => {
          rec.budgetReached = true;
          this.webhook('session.budget_reached', rec);
          this.idle(rec, { type: 'budget_reached' });
        });
        return steps;
      }
      case 'requires_action': {
        let startId = '';
        steps.push(() => {
          startId = this.eventId(rec);
          this.append(rec, { type: 'span.model_request_start', id: startId, processed_at: this.nowIso() });
        });
        steps.push(() => {
          const toolId = this.eventId(rec);
          rec.pendingToolUseId = toolId;
          this.append(rec, {
            type: 'agent.tool_use',
            id: toolId,
            name: 'bash',
            input: { command: 'rm -rf ./build' },
            evaluated_permission: 'ask',
            processed_at: this.nowIso(),
          } as BetaManagedAgentsSessionEvent);
        });
        steps.push(() => this.modelRequestEnd(rec, startId, false, 'tool'));
        steps.push(() => this.usage(rec));
        steps.push(() =>
          this.idle(rec, { type: 'requires_action', event_ids: [rec.pendingToolUseId ?? ''] }),
        );
        return steps;
      }
      case 'multiagent': {
        const names = ['researcher', 'reviewer'];
        const threadIds: string[] = [];
        for (const name of names) {
          steps.push(() => {
            const primary = rec.threads[0];
            const t = this.newThread(rec, primary.id, name);
            t.status = 'running';
            rec.threads.push(t);
            threadIds.push(t.id);
            this.append(rec, {
              type: 'session.thread_created',
              id: this.eventId(rec),
              agent_name: name,
              session_thread_id: t.id,
              workflow_run_id: null,
              processed_at: this.nowIso(),
            });
            this.webhook('session.thread_created', rec, t.id);
            this.append(rec, {
              type: 'session.thread_status_running',
              id: this.eventId(rec),
              agent_name: name,
              session_thread_id: t.id,
              processed_at: this.nowIso(),
            });
          });
        }
        names.forEach((name, i) => {
          steps.push(() => {
            const t = rec.threads.find((x) => x.id === threadIds[i]);
            if (!t) return;
            t.status = 'idle';
            t.updated_at = this.nowIso();
            this.append(rec, {
              type: 'session.thread_status_idle',
              id: this.eventId(rec),
              agent_name: name,
              session_thread_id: t.id,
              stop_reason: { type: 'end_turn' },
              stop_details: null,
              processed_at: this.nowIso(),
            });
            this.webhook('session.thread_idled', rec, t.id);
          });
        });
        this.deliverable(rec, steps, work);
        return steps;
      }
      default:
        this.deliverable(rec, steps, work);
        return steps;
    }
  }

  /** The work-and-grade loop of the successful scenarios; with an outcome, one grading per iteration. */
  private deliverable(rec: SessionRecord, steps: Step[], work: (label: string) => void): void {
    const outcome = rec.outcome && !this.outcomeDone(rec) ? rec.outcome : null;
    if (!outcome) {
      work('answer');
      steps.push(() => this.usage(rec));
      steps.push(() => this.finishSuccess(rec));
      return;
    }
    const results = evaluationResults(rec.scenario, outcome.maxIterations);
    results.forEach((result, iteration) => {
      work(iteration === 0 ? 'draft' : `revision ${iteration}`);
      steps.push(() => this.evaluationStart(rec, outcome, iteration));
      steps.push(() => this.evaluationEnd(rec, outcome, iteration, result));
    });
    if (results[results.length - 1] === 'max_iterations_reached') work('acknowledgement');
    steps.push(() => this.usage(rec));
    steps.push(() => this.finishSuccess(rec));
  }

  private finishSuccess(rec: SessionRecord): void {
    this.writeOutputFile(rec);
    this.idle(rec, { type: 'end_turn' });
  }

  private evaluationStart(rec: SessionRecord, o: ActiveOutcome, iteration: number): void {
    o.iteration = iteration;
    o.startEventId = this.eventId(rec);
    this.append(rec, {
      type: 'span.outcome_evaluation_start',
      id: o.startEventId,
      outcome_id: o.outcomeId,
      iteration,
      processed_at: this.nowIso(),
    });
    const ev = rec.session.outcome_evaluations[o.index];
    ev.result = 'evaluating';
    ev.iteration = iteration;
    this.touch(rec);
  }

  private evaluationEnd(rec: SessionRecord, o: ActiveOutcome, iteration: number, result: string): void {
    const explanation = explanationFor(result, o.description);
    this.append(rec, {
      type: 'span.outcome_evaluation_end',
      id: this.eventId(rec),
      outcome_evaluation_start_id: o.startEventId,
      outcome_id: o.outcomeId,
      iteration,
      result,
      explanation,
      usage: {
        input_tokens: 2400,
        output_tokens: 350,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 1800,
      },
      processed_at: this.nowIso(),
    });
    o.results.push(result);
    const ev = rec.session.outcome_evaluations[o.index];
    // needs_revision is not terminal: the agent works again, so the entry reads "running".
    ev.result = result === 'needs_revision' ? 'running' : result;
    ev.explanation = explanation;
    ev.iteration = iteration;
    ev.completed_at = TERMINAL_RESULTS.has(result) ? this.nowIso() : null;
    this.touch(rec);
    this.webhook('session.outcome_evaluation_ended', rec);
  }

  private interrupt(rec: SessionRecord): void {
    const running = rec.session.status === 'running' || rec.session.status === 'rescheduling';
    const o = rec.outcome;
    if (!running && (o === null || this.outcomeDone(rec))) return;
    this.cancelTurn(rec);
    rec.queue = [];
    if (o && !this.outcomeDone(rec)) {
      const ev = rec.session.outcome_evaluations[o.index];
      const started = ev.result === 'evaluating';
      this.append(rec, {
        type: 'span.outcome_evaluation_end',
        id: this.eventId(rec),
        outcome_evaluation_start_id: started ? o.startEventId : '',
        outcome_id: o.outcomeId,
        iteration: o.iteration,
        result: 'interrupted',
        explanation: 'A user.interrupt arrived while the outcome was active.',
        usage: {
          input_tokens: 0,
          output_tokens: 0,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
        },
        processed_at: this.nowIso(),
      });
      ev.result = 'interrupted';
      ev.explanation = 'A user.interrupt arrived while the outcome was active.';
      ev.completed_at = this.nowIso();
      this.touch(rec);
      this.webhook('session.outcome_evaluation_ended', rec);
    }
    // There is no separate interrupt stop reason: an interrupted turn reports end_turn.
    if (running) this.idle(rec, { type: 'end_turn' });
  }

  private cancelTurn(rec: SessionRecord): void {
    rec.turn += 1;
    for (const h of rec.timers) this.d.timers.clearTimeout(h);
    rec.timers.clear();
  }

  /** Stops every scheduled step (simulator shutdown). */
  stopAll(): void {
    for (const rec of this.d.state.sessions.values()) this.cancelTurn(rec);
  }

  // ---- event helpers ------------------------------------------------------------------------

  private idle(
    rec: SessionRecord,
    stop_reason: StopReason,
    stop_details: BetaManagedAgentsSessionRefusalStopDetails | null = null,
  ): void {
    this.setStatus(rec, 'idle');
    this.append(rec, {
      type: 'session.status_idle',
      id: this.eventId(rec),
      stop_reason,
      stop_details,
      processed_at: this.nowIso(),
    });
    this.webhook('session.status_idled', rec);
    const next = rec.queue.shift();
    if (next) {
      const stored = rec.events.find((e) => e.event.id === next.id);
      if (stored && stored.event.type === 'user.message') stored.event.processed_at = this.nowIso();
      this.startTurn(rec, next.id);
    }
  }

  private terminate(rec: SessionRecord): void {
    this.setStatus(rec, 'terminated');
    for (const t of rec.threads) t.status = 'terminated';
    this.append(rec, {
      type: 'session.status_terminated',
      id: this.eventId(rec),
      processed_at: this.nowIso(),
    });
    this.webhook('session.status_terminated', rec);
  }

  private sessionError(rec: SessionRecord, retry: 'retrying' | 'exhausted' | 'terminal'): void {
    this.append(rec, {
      type: 'session.error',
      id: this.eventId(rec),
      error:
        retry === 'terminal'
          ? {
              type: 'unknown_error',
              message: 'The simulated sandbox failed unrecoverably (sim_scenario=terminated).',
              retry_status: { type: 'terminal' },
            }
          : {
              type: 'model_overloaded_error',
              message: 'The simulated model is overloaded.',
              retry_status: { type: retry },
            },
      processed_at: this.nowIso(),
    });
  }

  private agentMessage(rec: SessionRecord, text: string): void {
    this.append(rec, {
      type: 'agent.message',
      id: this.eventId(rec),
      content: [{ type: 'text', text }],
      processed_at: this.nowIso(),
    });
  }

  private modelRequestEnd(rec: SessionRecord, startId: string, isError: boolean, label: string): void {
    const usage: BetaManagedAgentsSpanModelUsage = {
      input_tokens:
        200 +
        Math.round(rec.task.length / 4) +
        Math.floor(unitFor(this.d.seed, 'in', rec.session.id, label, rec.events.length) * 800),
      output_tokens: isError
        ? 0
        : 80 + Math.floor(unitFor(this.d.seed, 'out', rec.session.id, label, rec.events.length) * 400),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 100,
    };
    rec.tokens.input += usage.input_tokens;
    rec.tokens.output += usage.output_tokens;
    rec.tokens.cacheRead += usage.cache_read_input_tokens;
    // List price of a Sonnet-class model: $3 / MTok in, $15 / MTok out, in whole cents (at least 1).
    rec.tokens.cents += Math.max(1, Math.ceil((usage.input_tokens * 3 + usage.output_tokens * 15) / 10_000));
    rec.activeSeconds += rec.durationMs / 1000 / 4;
    this.append(rec, {
      type: 'span.model_request_end',
      id: this.eventId(rec),
      model_request_start_id: startId,
      is_error: isError,
      model_usage: usage,
      processed_at: this.nowIso(),
    });
  }

  private usage(rec: SessionRecord): void {
    const u = rec.session.usage;
    u.input_tokens = rec.tokens.input;
    u.output_tokens = rec.tokens.output;
    u.cache_read_input_tokens = rec.tokens.cacheRead;
    u.active_seconds = round3(rec.activeSeconds);
    u.list_cost = { amount: String(rec.tokens.cents), currency: 'USD' };
    rec.session.stats.active_seconds = round3(rec.activeSeconds);
    this.append(rec, {
      type: 'session.usage',
      id: this.eventId(rec),
      usage: {
        input_tokens: u.input_tokens,
        output_tokens: u.output_tokens,
        cache_read_input_tokens: u.cache_read_input_tokens,
        active_seconds: u.active_seconds,
        list_cost: { amount: String(rec.tokens.cents), currency: 'USD' },
      },
      ...(rec.session.budget ? { budget: rec.session.budget } : {}),
      processed_at: this.nowIso(),
    } as BetaManagedAgentsSessionEvent);
  }

  /** Deterministic reply: the same seed and task always give the same text. */
  reply(rec: SessionRecord, label: string): string {
    const task = rec.task.trim() || (rec.outcome?.description ?? 'the task');
    const excerpt = task.length > 120 ? `${task.slice(0, 117)}...` : task;
    const digest = tokenFor(this.d.seed, 8, 'reply', task, label);
    if (label === 'acknowledgement')
      return `Reached the iteration limit for "${excerpt}"; delivering the best version so far. [sim ${digest}]`;
    return `Simulated ${label} for: ${excerpt}\n\n1. Restated the task.\n2. Worked through it step by step.\n3. Summarised the result. [sim ${digest}]`;
  }

  private writeOutputFile(rec: SessionRecord): void {
    const last = [...rec.events].reverse().find((e) => e.event.type === 'agent.message');
    const content =
      last && last.event.type === 'agent.message'
        ? last.event.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n')
        : '';
    const id = this.d.ids.next('file', rec.session.id);
    this.d.state.files.set(id, {
      content,
      meta: {
        id,
        type: 'file',
        filename: `output-${rec.turn}.md`,
        mime_type: 'text/markdown',
        size_bytes: Buffer.byteLength(content),
        created_at: this.nowIso(),
        downloadable: true,
        scope: { id: rec.session.id, type: 'session' },
      },
    });
    this.d.state.remember(id);
  }

  private newThread(rec: SessionRecord, parent: string | null, name: string): BetaManagedAgentsSessionThread {
    const { multiagent: _m, ...agent } = rec.session.agent;
    const now = this.nowIso();
    return {
      id: this.d.ids.next('sthr', rec.session.id),
      type: 'session_thread',
      session_id: rec.session.id,
      parent_thread_id: parent,
      agent: { ...agent, name },
      status: 'idle',
      stats: null,
      usage: null,
      workflow_run_id: null,
      created_at: now,
      updated_at: now,
      archived_at: null,
    };
  }

  private setStatus(rec: SessionRecord, status: BetaManagedAgentsSession['status']): void {
    rec.session.status = status;
    const primary = rec.threads[0];
    if (primary) {
      primary.status = status;
      primary.updated_at = this.nowIso();
    }
    this.touch(rec);
  }

  private append(rec: SessionRecord, event: BetaManagedAgentsSessionEvent): void {
    rec.events.push({ event, seq: rec.events.length + 1, ms: this.d.clock.now() });
    this.touch(rec);
  }

  /** updated_at moves forward by at least 1 ms on every change, so two snapshots never tie. */
  private touch(rec: SessionRecord): void {
    const now = Math.max(this.d.clock.now(), rec.lastUpdatedMs + 1);
    rec.lastUpdatedMs = now;
    rec.session.updated_at = iso(now);
    rec.session.stats.duration_seconds = round3((now - rec.createdMs) / 1000);
  }

  private eventId(rec: SessionRecord): string {
    return this.d.ids.next('sevt', rec.session.id);
  }

  private nowIso(): string {
    return iso(this.d.clock.now());
  }

  private webhook(type: string, rec: SessionRecord, threadId?: string): void {
    this.d.deliverer.emit(type, rec.session.id, threadId ? { session_thread_id: threadId } : {});
  }
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function explanationFor(result: string, description: string): string {
  switch (result) {
    case 'satisfied':
      return `All rubric criteria for "${description}" are met.`;
    case 'needs_revision':
      return 'Some rubric criteria are not met yet; revising.';
    case 'max_iterations_reached':
      return 'The iteration limit was reached before every criterion was met.';
    case 'failed':
      return 'The rubric does not apply to the deliverables produced.';
    default:
      return result;
  }
}

function metadataStrings(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  const obj = asObject(value, 'metadata');
  const entries = Object.entries(obj);
  if (entries.length > 16) throw badRequest('metadata: at most 16 pairs.');
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (typeof v !== 'string') throw badRequest(`metadata value for "${k}" must be a string.`);
    if (k.length > 64 || v.length > 512)
      throw badRequest(`metadata "${k}": keys are at most 64 and values at most 512 characters.`);
    out[k] = v;
  }
  return out;
}

function parseBudget(value: unknown): BetaManagedAgentsBudgetLimit | null {
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
