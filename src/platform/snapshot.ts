// Builds a SessionSnapshot from a fetched session and its newest events. Pure: the client does the
// fetching, this decides what the events mean (DESIGN.md semantics 4/5 read these fields).
import type {
  BetaManagedAgentsAgentMessageEvent,
  BetaManagedAgentsSessionEvent,
  BetaManagedAgentsSessionEventType,
  BetaManagedAgentsSpanOutcomeEvaluationEndEvent,
  BetaManagedAgentsUserDefineOutcomeEvent,
  BetaManagedAgentsUserMessageEvent,
} from '@anthropic-ai/sdk/resources/beta/sessions/events';
import type { BetaManagedAgentsSession } from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import type { OutcomeEvaluationSnapshot, SessionSnapshot, SessionSummary } from './types.js';

type UserEvent = BetaManagedAgentsUserMessageEvent | BetaManagedAgentsUserDefineOutcomeEvent;

export const USER_EVENT_TYPES: readonly BetaManagedAgentsSessionEventType[] = [
  'user.message',
  'user.define_outcome',
];
export const SNAPSHOT_EVENT_TYPES: readonly BetaManagedAgentsSessionEventType[] = [
  ...USER_EVENT_TYPES,
  'agent.message',
  'session.status_idle',
  'session.error',
  // Each iteration's grade lives only in these (the session keeps the latest per outcome).
  'span.outcome_evaluation_end',
  // An interrupted turn ends with end_turn like any other; only this event tells them apart.
  'user.interrupt',
];

export function isUserEvent(e: BetaManagedAgentsSessionEvent): e is UserEvent {
  return e.type === 'user.message' || e.type === 'user.define_outcome';
}

export function userEventText(e: UserEvent): string | null {
  if (e.type === 'user.define_outcome') return e.description;
  return textOf(e);
}

/** The text blocks of a message joined; null when it has none. */
function textOf(e: BetaManagedAgentsUserMessageEvent | BetaManagedAgentsAgentMessageEvent): string | null {
  const parts = e.content.flatMap((b) => (b.type === 'text' ? [b.text] : []));
  return parts.length > 0 ? parts.join('') : null;
}

export function summarize(s: BetaManagedAgentsSession): SessionSummary {
  return {
    id: s.id,
    status: s.status,
    createdAt: s.created_at,
    updatedAt: s.updated_at,
    agentId: s.agent?.id ?? null,
    metadata: { ...(s.metadata ?? {}) },
  };
}

/**
 * `newestFirst` holds the snapshot event types newest first, down to and including the newest user
 * event (or all of them when there is none). `task` is the first user event's text when known.
 */
export function buildSnapshot(
  s: BetaManagedAgentsSession,
  newestFirst: readonly BetaManagedAgentsSessionEvent[],
  task: string | null,
): SessionSnapshot {
  const outputs: string[] = [];
  let stopReason: string | null = null;
  let error: string | null = null;
  let lastUser: UserEvent | null = null;
  let interrupted = false;
  const ends: BetaManagedAgentsSpanOutcomeEvaluationEndEvent[] = [];
  for (const e of newestFirst) {
    if (isUserEvent(e)) {
      lastUser = e;
      break;
    }
    if (e.type === 'agent.message') {
      const t = textOf(e);
      if (t !== null) outputs.push(t);
    } else if (e.type === 'session.status_idle') {
      stopReason ??= e.stop_reason?.type ?? null;
    } else if (e.type === 'session.error') {
      error ??= [e.error?.type, e.error?.message].filter(Boolean).join(': ') || 'session error';
    } else if (e.type === 'span.outcome_evaluation_end') {
      ends.push(e);
    } else if (e.type === 'user.interrupt') {
      // Only an interrupt before the turn's idle event ended the turn; one sent to an idle
      // session (after its idle event, so seen before it here) changed nothing.
      if (stopReason !== null) interrupted = true;
    }
  }
  outputs.reverse();
  const latest: OutcomeEvaluationSnapshot[] = (s.outcome_evaluations ?? []).map((o) => ({
    outcomeId: o.outcome_id ?? '',
    description: o.description ?? null,
    result: o.result ?? 'pending',
    explanation: o.explanation ?? null,
    iteration: o.iteration ?? 0,
    completedAt: o.completed_at ?? null,
  }));
  const evaluations = evaluationHistory(latest, ends.reverse());
  const u = s.usage;
  const cost = u?.list_cost?.amount;
  // `amount` is a string of whole cents (reference: budgets); a fraction is rounded here, so both
  // engines add up the same integers and PostgreSQL's cast in insight never meets one.
  const costCents =
    cost !== undefined && cost !== null && Number.isFinite(Number(cost)) ? Math.round(Number(cost)) : null;
  const cacheCreation = Object.values(u?.cache_creation ?? {}).reduce<number>(
    (a, b) => a + (typeof b === 'number' ? b : 0),
    0,
  );
  return {
    id: s.id,
    status: s.status,
    createdAt: s.created_at,
    updatedAt: s.updated_at,
    archivedAt: s.archived_at ?? null,
    title: s.title ?? null,
    agentId: s.agent?.id ?? null,
    agentName: s.agent?.name ?? null,
    agentVersion: s.agent?.version ?? null,
    environmentId: s.environment_id ?? null,
    deploymentId: s.deployment_id ?? null,
    metadata: { ...(s.metadata ?? {}) },
    evaluations,
    usage: u
      ? {
          inputTokens: u.input_tokens ?? 0,
          outputTokens: u.output_tokens ?? 0,
          cacheReadInputTokens: u.cache_read_input_tokens ?? 0,
          cacheCreationInputTokens: cacheCreation,
          costCents,
          activeSeconds: u.active_seconds ?? s.stats?.active_seconds ?? null,
        }
      : null,
    stopReason,
    error,
    output: outputs.length > 0 ? outputs.join('\n\n') : null,
    task,
    started: lastUser !== null,
    lastUserEventId: lastUser?.id ?? null,
    interrupted,
  };
}

/**
 * Every graded iteration, oldest first: each outcome's span.outcome_evaluation_end events, then the
 * session's own entry for it when its iteration has no end event among them (still evaluating, or
 * the end event is older than the events read). Iterations keep the platform's 0-based numbers.
 */
export function evaluationHistory(
  latest: readonly OutcomeEvaluationSnapshot[],
  oldestFirstEnds: readonly BetaManagedAgentsSpanOutcomeEvaluationEndEvent[],
): OutcomeEvaluationSnapshot[] {
  const out: OutcomeEvaluationSnapshot[] = [];
  const outcomes = [
    ...new Set([...latest.map((o) => o.outcomeId), ...oldestFirstEnds.map((e) => e.outcome_id)]),
  ];
  for (const id of outcomes) {
    const current = latest.find((o) => o.outcomeId === id);
    const graded = oldestFirstEnds
      .filter((e) => e.outcome_id === id)
      .map((e) => ({
        outcomeId: id,
        description: current?.description ?? null,
        result: e.result,
        explanation: e.explanation || null,
        iteration: e.iteration,
        completedAt: e.processed_at ?? null,
      }))
      .sort((a, b) => a.iteration - b.iteration);
    out.push(...graded);
    // An end event is that iteration's final word, even when the session object read lags behind.
    if (current && !graded.some((g) => g.iteration === current.iteration)) out.push(current);
  }
  return out;
}
