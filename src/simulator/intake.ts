// Intake: the events a client sends (events.send, and a session's initial_events). The whole batch
// is checked before any of it is applied, so a rejected batch changes nothing. Then each event is
// stored and acted on: a message or an outcome starts a turn (or waits for the running one), an
// interrupt stops the turn, a tool confirmation resumes it.
import type {
  BetaManagedAgentsSessionEvent,
  BetaManagedAgentsTextBlock,
} from '@anthropic-ai/sdk/resources/beta/sessions/events';
import { badRequest } from './api-error.js';
import type { Emission } from './emission.js';
import type { IdSource } from './ids.js';
import { isRunning, outcomeDone, type SessionRecord } from './state.js';
import type { Turns } from './turns.js';
import { asObject, type Json, onlyKeys } from './validate.js';

export interface IntakeDeps {
  ids: IdSource;
  emit: Emission;
  turns: Turns;
}

/** The event types a client may send, with the fields each takes. */
const EVENT_KEYS: Record<string, readonly string[]> = {
  'user.message': ['type', 'content'],
  'user.define_outcome': ['type', 'description', 'rubric', 'max_iterations'],
  'user.interrupt': ['type', 'session_thread_id'],
  'user.tool_confirmation': ['type', 'tool_use_id', 'result', 'deny_message', 'session_thread_id'],
  'user.custom_tool_result': ['type', 'custom_tool_use_id', 'content', 'is_error', 'session_thread_id'],
  'user.tool_result': ['type', 'tool_use_id', 'content', 'is_error', 'session_thread_id'],
  'system.message': ['type', 'content'],
};

export class Intake {
  constructor(private readonly d: IntakeDeps) {}

  accept(rec: SessionRecord, raw: unknown[]): BetaManagedAgentsSessionEvent[] {
    const parsed = raw.map((e, i) => check(rec, e, i));
    return parsed.map(({ obj, type }) => this.apply(rec, obj, type));
  }

  private apply(rec: SessionRecord, obj: Json, type: string): BetaManagedAgentsSessionEvent {
    const { emit } = this.d;
    const id = emit.eventId(rec);
    const running = isRunning(rec);
    switch (type) {
      case 'user.message': {
        const content = obj.content as BetaManagedAgentsTextBlock[];
        // A message sent while a turn runs waits for it: processed_at stays null until then.
        const event = {
          id,
          type: 'user.message',
          content,
          processed_at: running ? null : emit.nowIso(),
        } as BetaManagedAgentsSessionEvent;
        emit.append(rec, event);
        this.startOrQueue(rec, id, 'message', running);
        return event;
      }
      case 'user.define_outcome': {
        const outcomeId = this.d.ids.next('outc', rec.session.id);
        const max = (obj.max_iterations as number | null | undefined) ?? null;
        const description = obj.description as string;
        const event = {
          id,
          type: 'user.define_outcome',
          description,
          rubric: obj.rubric,
          max_iterations: max,
          outcome_id: outcomeId,
          processed_at: emit.nowIso(),
        } as BetaManagedAgentsSessionEvent;
        emit.append(rec, event);
        rec.session.outcome_evaluations.push({
          type: 'outcome_evaluation',
          outcome_id: outcomeId,
          description,
          result: 'pending',
          explanation: null,
          iteration: 0,
          completed_at: null,
        });
        rec.outcome = {
          outcomeId,
          description,
          maxIterations: max ?? 3,
          index: rec.session.outcome_evaluations.length - 1,
          iteration: 0,
          startEventId: '',
        };
        emit.touch(rec);
        this.startOrQueue(rec, id, 'outcome', running);
        return event;
      }
      case 'user.interrupt': {
        const event = {
          id,
          type: 'user.interrupt',
          processed_at: emit.nowIso(),
          ...(obj.session_thread_id ? { session_thread_id: obj.session_thread_id } : {}),
        } as BetaManagedAgentsSessionEvent;
        emit.append(rec, event);
        this.interrupt(rec);
        return event;
      }
      default: {
        const event = { ...obj, id, processed_at: emit.nowIso() } as unknown as BetaManagedAgentsSessionEvent;
        emit.append(rec, event);
        if (type === 'user.tool_confirmation') {
          rec.pendingToolUseId = null;
          // Approving (or denying) the only pending tool use unblocks the session: the turn goes on.
          this.d.turns.start(rec, id, 'success');
        }
        return event;
      }
    }
  }

  private startOrQueue(rec: SessionRecord, id: string, kind: 'message' | 'outcome', running: boolean): void {
    if (running) rec.queue.push({ id, kind });
    else this.d.turns.start(rec, id);
  }

  private interrupt(rec: SessionRecord): void {
    const running = isRunning(rec);
    const o = rec.outcome;
    if (!running && outcomeDone(rec)) return;
    this.d.turns.cancel(rec);
    rec.queue = [];
    if (o && !outcomeDone(rec)) this.d.emit.evaluationInterrupted(rec, o);
    // There is no separate interrupt stop reason: an interrupted turn reports end_turn.
    if (running) this.d.turns.end(rec, { type: 'end_turn' });
  }
}

/** Checks one sent event against the session as it is; throws a 400 for the whole batch. */
function check(rec: SessionRecord, e: unknown, i: number): { obj: Json; type: string } {
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
    if (!outcomeDone(rec) || pending)
      throw badRequest(
        'Only one outcome can be active at a time; wait for its terminal span.outcome_evaluation_end.',
      );
  }
  if (type === 'user.tool_confirmation' && obj.tool_use_id !== rec.pendingToolUseId)
    throw badRequest(`events[${i}]: no pending tool use ${String(obj.tool_use_id)} awaits confirmation.`);
  return { obj, type };
}
