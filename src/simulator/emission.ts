// Emission: everything a session says. Stream events go to the session's own log (what the platform
// stores, reference 2.4, 2.6), webhooks to the deliverer (reference 5; note the names differ: stream
// session.status_idle is webhook session.status_idled). Every change moves the session's updated_at.
import type {
  BetaManagedAgentsSessionEvent,
  BetaManagedAgentsSessionRefusalStopDetails,
  BetaManagedAgentsSessionStatusIdleEvent,
  BetaManagedAgentsSpanModelUsage,
} from '@anthropic-ai/sdk/resources/beta/sessions/events';
import type { BetaManagedAgentsSession } from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import type { Clock } from '../clock.js';
import type { Deliverer, WebhookDetail } from './deliverer.js';
import type { IdSource } from './ids.js';
import { tokenFor, unitFor } from './rng.js';
import { explanationFor, TERMINAL_RESULTS } from './scenarios.js';
import { type ActiveOutcome, iso, type SessionRecord, type SimState, type StoredEvent } from './state.js';
import { publish } from './streams.js';
import { ThreadEmission } from './thread-emission.js';

export interface EmissionDeps {
  state: SimState;
  ids: IdSource;
  clock: Clock;
  seed: number;
  deliverer: Deliverer;
}

export type StopReason = BetaManagedAgentsSessionStatusIdleEvent['stop_reason'];
export type StopDetails = BetaManagedAgentsSessionRefusalStopDetails | null;

/** The stream event and the webhook of each status change that carries nothing else. */
const STATUS_SIGNALS = {
  running: { event: 'session.status_running', webhook: 'session.status_run_started' },
  rescheduling: { event: 'session.status_rescheduled', webhook: 'session.status_rescheduled' },
  terminated: { event: 'session.status_terminated', webhook: 'session.status_terminated' },
} as const;

type EvaluationUsage = { input_tokens: number; output_tokens: number } & Pick<
  BetaManagedAgentsSpanModelUsage,
  'cache_creation_input_tokens' | 'cache_read_input_tokens'
>;

/** What one grading costs; an interrupted evaluation costs nothing. */
const GRADER_USAGE: EvaluationUsage = {
  input_tokens: 2400,
  output_tokens: 350,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 1800,
};
const NO_USAGE: EvaluationUsage = {
  input_tokens: 0,
  output_tokens: 0,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};
const INTERRUPTED = 'A user.interrupt arrived while the outcome was active.';

export class Emission {
  readonly threads: ThreadEmission;

  constructor(private readonly d: EmissionDeps) {
    this.threads = new ThreadEmission(this, d.ids);
  }

  // ---- status -------------------------------------------------------------------------------

  /** Moves the session to `status`, with its stream event and webhook. */
  status(rec: SessionRecord, status: keyof typeof STATUS_SIGNALS): void {
    this.setStatus(rec, status);
    const signal = STATUS_SIGNALS[status];
    this.append(rec, {
      type: signal.event,
      id: this.eventId(rec),
      processed_at: this.nowIso(),
    });
    this.webhook({ type: signal.webhook }, rec);
  }

  idle(rec: SessionRecord, stop_reason: StopReason, stop_details: StopDetails = null): void {
    this.setStatus(rec, 'idle');
    this.append(rec, {
      type: 'session.status_idle',
      id: this.eventId(rec),
      stop_reason,
      stop_details,
      processed_at: this.nowIso(),
    });
    this.webhook({ type: 'session.status_idled' }, rec);
  }

  sessionError(rec: SessionRecord, retry: 'retrying' | 'exhausted' | 'terminal'): void {
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

  // ---- the agent's work ---------------------------------------------------------------------

  /** Starts a model request; the id is what its span.model_request_end refers to. */
  modelRequestStart(rec: SessionRecord): string {
    const id = this.eventId(rec);
    this.append(rec, { type: 'span.model_request_start', id, processed_at: this.nowIso() });
    return id;
  }

  modelRequestEnd(rec: SessionRecord, startId: string, isError: boolean, label: string): void {
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

  /** The agent's deterministic reply: the same seed and task always give the same text. */
  agentMessage(rec: SessionRecord, label: string): void {
    const task = rec.task.trim() || (rec.outcome?.description ?? 'the task');
    const excerpt = task.length > 120 ? `${task.slice(0, 117)}...` : task;
    const digest = tokenFor(this.d.seed, 8, 'reply', task, label);
    const text =
      label === 'acknowledgement'
        ? `Reached the iteration limit for "${excerpt}"; delivering the best version so far. [sim ${digest}]`
        : `Simulated ${label} for: ${excerpt}\n\n1. Restated the task.\n2. Worked through it step by step.\n3. Summarised the result. [sim ${digest}]`;
    this.append(rec, {
      type: 'agent.message',
      id: this.eventId(rec),
      content: [{ type: 'text', text }],
      processed_at: this.nowIso(),
    });
  }

  /** A tool use that needs the user's confirmation; the session waits for it. */
  toolUse(rec: SessionRecord): void {
    const id = this.eventId(rec);
    rec.pendingToolUseId = id;
    this.append(rec, {
      type: 'agent.tool_use',
      id,
      name: 'bash',
      input: { command: 'rm -rf ./build' },
      evaluated_permission: 'ask',
      processed_at: this.nowIso(),
    });
  }

  usage(rec: SessionRecord): void {
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
    });
  }

  /** The turn's deliverable: the last agent.message, as a session-scoped file. */
  outputFile(rec: SessionRecord): void {
    const last = [...rec.events].reverse().find((e) => e.event.type === 'agent.message');
    const content = last && last.event.type === 'agent.message' ? textOf(last.event.content) : '';
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

  // ---- outcome grading ----------------------------------------------------------------------

  evaluationStart(rec: SessionRecord, o: ActiveOutcome, iteration: number): void {
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

  evaluationEnd(rec: SessionRecord, o: ActiveOutcome, result: string): void {
    this.evaluationEnded(rec, o, o.startEventId, result, explanationFor(result, o.description), GRADER_USAGE);
  }

  /** Ends the active outcome as interrupted, whether or not its evaluation had started. */
  evaluationInterrupted(rec: SessionRecord, o: ActiveOutcome): void {
    const started = rec.session.outcome_evaluations[o.index].result === 'evaluating';
    this.evaluationEnded(rec, o, started ? o.startEventId : '', 'interrupted', INTERRUPTED, NO_USAGE);
  }

  private evaluationEnded(
    rec: SessionRecord,
    o: ActiveOutcome,
    startId: string,
    result: string,
    explanation: string,
    usage: EvaluationUsage,
  ): void {
    this.append(rec, {
      type: 'span.outcome_evaluation_end',
      id: this.eventId(rec),
      outcome_evaluation_start_id: startId,
      outcome_id: o.outcomeId,
      iteration: o.iteration,
      result,
      explanation,
      usage,
      processed_at: this.nowIso(),
    });
    const ev = rec.session.outcome_evaluations[o.index];
    // needs_revision is not terminal: the agent works again, so the entry reads "running".
    ev.result = result === 'needs_revision' ? 'running' : result;
    ev.explanation = explanation;
    ev.iteration = o.iteration;
    ev.completed_at = TERMINAL_RESULTS.has(result) ? this.nowIso() : null;
    this.touch(rec);
    this.webhook({ type: 'session.outcome_evaluation_ended' }, rec);
  }

  // ---- the log itself -----------------------------------------------------------------------

  append(rec: SessionRecord, event: BetaManagedAgentsSessionEvent, thread?: string): void {
    const stored: StoredEvent = { event, seq: 0, ms: this.d.clock.now(), ...(thread ? { thread } : {}) };
    rec.events.push(stored);
    if (event.processed_at !== null) this.placed(rec, stored);
    this.touch(rec);
  }

  /** A queued event is processed now: it takes its place in the list and reaches the streams. */
  processQueued(rec: SessionRecord, stored: StoredEvent): void {
    stored.event.processed_at = this.nowIso();
    stored.ms = this.d.clock.now();
    this.placed(rec, stored);
  }

  private placed(rec: SessionRecord, stored: StoredEvent): void {
    rec.lastSeq += 1;
    stored.seq = rec.lastSeq;
    publish(rec, stored);
  }

  /** updated_at moves forward by at least 1 ms on every change, so two snapshots never tie. */
  touch(rec: SessionRecord): void {
    const now = Math.max(this.d.clock.now(), rec.lastUpdatedMs + 1);
    rec.lastUpdatedMs = now;
    rec.session.updated_at = iso(now);
    rec.session.stats.duration_seconds = round3((now - rec.createdMs) / 1000);
  }

  webhook(detail: WebhookDetail, rec: SessionRecord): void {
    this.d.deliverer.emit(detail, rec.session.id);
  }

  eventId(rec: SessionRecord): string {
    return this.d.ids.next('sevt', rec.session.id);
  }

  nowIso(): string {
    return iso(this.d.clock.now());
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
}

/** The text of a message's content blocks, one block a line. */
export function textOf(content: ReadonlyArray<{ type: string; text?: string }>): string {
  return content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
