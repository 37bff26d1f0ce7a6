// Intake: the events a client sends (events.send, and a session's initial_events). The whole batch
// is checked before any of it is applied, so a rejected batch changes nothing. Then each event is
// stored and acted on: a message or an outcome starts a turn (or waits for the running one), an
// interrupt stops the turn, a tool confirmation resumes it.
import { badRequest } from './api-error.js';
import type { Emission } from './emission.js';
import type { IdSource } from './ids.js';
import { readSent, type Sent, type SentEvent } from './sent-events.js';
import { isRunning, outcomeDone, type SessionRecord } from './state.js';
import type { Turns } from './turns.js';

export interface IntakeDeps {
  ids: IdSource;
  emit: Emission;
  turns: Turns;
}

export class Intake {
  constructor(private readonly d: IntakeDeps) {}

  accept(rec: SessionRecord, raw: unknown[]): SentEvent[] {
    const parsed = raw.map((e, i) => check(rec, readSent(e, i), i));
    return parsed.map((sent) => this.apply(rec, sent));
  }

  private apply(rec: SessionRecord, sent: Sent): SentEvent {
    const { emit } = this.d;
    const id = emit.eventId(rec);
    const running = isRunning(rec);
    switch (sent.type) {
      case 'user.message': {
        // A message sent while a turn runs waits for it: processed_at stays null until then.
        const event: SentEvent = { ...sent, id, processed_at: running ? null : emit.nowIso() };
        emit.append(rec, event);
        this.startOrQueue(rec, id, 'message', running);
        return event;
      }
      case 'user.define_outcome': {
        const outcomeId = this.d.ids.next('outc', rec.session.id);
        const event: SentEvent = { ...sent, id, outcome_id: outcomeId, processed_at: emit.nowIso() };
        emit.append(rec, event);
        rec.session.outcome_evaluations.push({
          type: 'outcome_evaluation',
          outcome_id: outcomeId,
          description: sent.description,
          result: 'pending',
          explanation: null,
          iteration: 0,
          completed_at: null,
        });
        rec.outcome = {
          outcomeId,
          description: sent.description,
          maxIterations: sent.max_iterations ?? 3,
          index: rec.session.outcome_evaluations.length - 1,
          iteration: 0,
          startEventId: '',
        };
        emit.touch(rec);
        this.startOrQueue(rec, id, 'outcome', running);
        return event;
      }
      case 'user.interrupt': {
        const event: SentEvent = { ...sent, id, processed_at: emit.nowIso() };
        emit.append(rec, event);
        this.interrupt(rec);
        return event;
      }
      default: {
        const event: SentEvent = { ...sent, id, processed_at: emit.nowIso() };
        emit.append(rec, event);
        if (sent.type === 'user.tool_confirmation') {
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
function check(rec: SessionRecord, sent: Sent, i: number): Sent {
  if (sent.type === 'user.message' && rec.budgetReached)
    throw badRequest(
      `Session ${rec.session.id} reached its budget; raise or remove the budget before sending a user.message.`,
    );
  if (sent.type === 'user.define_outcome') {
    const pending = rec.queue.some((q) => q.kind === 'outcome');
    if (!outcomeDone(rec) || pending)
      throw badRequest(
        'Only one outcome can be active at a time; wait for its terminal span.outcome_evaluation_end.',
      );
  }
  if (sent.type === 'user.tool_confirmation' && sent.tool_use_id !== rec.pendingToolUseId)
    throw badRequest(`events[${i}]: no pending tool use ${sent.tool_use_id} awaits confirmation.`);
  return sent;
}
