// What threads say (reference 2.5): a child thread is created running, talks with the primary
// thread (agent.thread_message_sent on one side, agent.thread_message_received on the other),
// replies on its own stream, goes idle, and terminates when archived or with its session.
import type { BetaManagedAgentsSessionThread } from '@anthropic-ai/sdk/resources/beta/sessions/threads/threads';
import type { Emission } from './emission.js';
import type { IdSource } from './ids.js';
import type { SessionRecord } from './state.js';

/** A thread agent's name (an advisor has only a model). */
function nameOf(agent: BetaManagedAgentsSessionThread['agent']): string {
  return 'name' in agent ? agent.name : 'advisor';
}

export class ThreadEmission {
  constructor(
    private readonly emit: Emission,
    private readonly ids: IdSource,
  ) {}

  newThread(rec: SessionRecord, parent: string | null, name: string): BetaManagedAgentsSessionThread {
    const { multiagent: _m, ...agent } = rec.session.agent;
    const now = this.emit.nowIso();
    return {
      id: this.ids.next('sthr', rec.session.id),
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

  /** A running sub-agent thread under the primary one; returns its id. */
  threadCreated(rec: SessionRecord, name: string): string {
    const t = this.newThread(rec, rec.threads[0].id, name);
    t.status = 'running';
    rec.threads.push(t);
    this.emit.append(rec, {
      type: 'session.thread_created',
      id: this.emit.eventId(rec),
      agent_name: name,
      session_thread_id: t.id,
      workflow_run_id: null,
      processed_at: this.emit.nowIso(),
    });
    this.emit.webhook({ type: 'session.thread_created', session_thread_id: t.id }, rec);
    this.emit.append(rec, {
      type: 'session.thread_status_running',
      id: this.emit.eventId(rec),
      agent_name: name,
      session_thread_id: t.id,
      processed_at: this.emit.nowIso(),
    });
    this.threadMessage(rec, null, t.id, name, `Please help with: ${rec.task || 'the task'}`);
    return t.id;
  }

  /** One agent-to-agent message: sent on one thread's stream, received on the other's. */
  threadMessage(
    rec: SessionRecord,
    from: string | null,
    to: string | null,
    name: string,
    text: string,
  ): void {
    const primary = rec.threads[0];
    const content = [{ type: 'text' as const, text }];
    this.emit.append(
      rec,
      {
        type: 'agent.thread_message_sent',
        id: this.emit.eventId(rec),
        content,
        to_session_thread_id: to ?? primary.id,
        to_agent_name: to === null ? nameOf(primary.agent) : name,
        processed_at: this.emit.nowIso(),
      },
      from ?? undefined,
    );
    this.emit.append(
      rec,
      {
        type: 'agent.thread_message_received',
        id: this.emit.eventId(rec),
        content,
        from_session_thread_id: from ?? primary.id,
        from_agent_name: from === null ? nameOf(primary.agent) : name,
        processed_at: this.emit.nowIso(),
      },
      to ?? undefined,
    );
  }

  threadIdled(rec: SessionRecord, threadId: string, name: string): void {
    const t = rec.threads.find((x) => x.id === threadId);
    if (!t || t.status === 'terminated') return;
    this.emit.append(
      rec,
      {
        type: 'agent.message',
        id: this.emit.eventId(rec),
        content: [{ type: 'text', text: `Simulated ${name} notes for: ${rec.task || 'the task'}` }],
        processed_at: this.emit.nowIso(),
      },
      t.id,
    );
    this.threadMessage(rec, t.id, null, name, `${name} is done.`);
    t.status = 'idle';
    t.updated_at = this.emit.nowIso();
    this.emit.append(rec, {
      type: 'session.thread_status_idle',
      id: this.emit.eventId(rec),
      agent_name: name,
      session_thread_id: t.id,
      stop_reason: { type: 'end_turn' },
      stop_details: null,
      processed_at: this.emit.nowIso(),
    });
    this.emit.webhook({ type: 'session.thread_idled', session_thread_id: t.id }, rec);
  }

  /** A child thread ends: its own terminated status, cross-posted, and the webhook. */
  threadTerminated(rec: SessionRecord, t: BetaManagedAgentsSessionThread): void {
    const now = this.emit.nowIso();
    t.status = 'terminated';
    t.updated_at = now;
    if (t.archived_at === null) t.archived_at = now;
    this.emit.append(rec, {
      type: 'session.thread_status_terminated',
      id: this.emit.eventId(rec),
      agent_name: nameOf(t.agent),
      session_thread_id: t.id,
      processed_at: now,
    });
    this.emit.webhook({ type: 'session.thread_terminated', session_thread_id: t.id }, rec);
  }
}
