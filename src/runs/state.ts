// The run-state machine (DESIGN.md semantics 4 and 5). Pure: no I/O, no clock; the worker, the
// reconciler and `launch --wait` all apply fetched snapshots through these functions, so a late,
// duplicated or reordered delivery can never move a run backwards.
import type { SessionSnapshot } from '../platform/types.js';
import type { LaunchedBy, OutcomeEvaluation, Run, RunHistoryEntry, RunStatus } from '../store/types.js';

export const TERMINAL_EVALUATION_RESULTS: ReadonlySet<string> = new Set([
  'satisfied',
  'max_iterations_reached',
  'failed',
  'interrupted',
]);

/** Status rank for snapshots with the same updated_at: later lifecycle states order after. */
const STATUS_RANK: Record<string, number> = { rescheduling: 1, running: 1, idle: 2, terminated: 3 };

/** Held by a run once its session was deleted: sorts after every snapshot key, so nothing applies. */
export const DELETED_KEY = '~deleted';

/** The outcomes a run keeps once reached; what one causes is src/runtime.ts's. */
export const FINAL_STATUSES = ['succeeded', 'failed', 'cancelled'] as const satisfies readonly RunStatus[];

export function isFinal(status: RunStatus): boolean {
  return (FINAL_STATUSES as readonly RunStatus[]).includes(status);
}

/** How people are told an evaluation's iteration: counted from 1 (the platform counts from 0). */
export function iterationNumber(e: Pick<OutcomeEvaluation, 'iteration'>): number {
  return e.iteration + 1;
}

/**
 * The ordering key (updated_at, status rank, number of terminal evaluations), fixed-width so that
 * plain string comparison orders it; after `#` the newest user event id, which detects a new turn
 * but never takes part in ordering.
 */
export function snapshotKey(
  s: Pick<SessionSnapshot, 'updatedAt' | 'status' | 'evaluations' | 'lastUserEventId'>,
): string {
  const ms = Date.parse(s.updatedAt);
  const t = Number.isFinite(ms) ? ms : 0;
  const rank = STATUS_RANK[s.status] ?? 0;
  const terminal = s.evaluations.filter((e) => TERMINAL_EVALUATION_RESULTS.has(e.result)).length;
  return `${String(t).padStart(15, '0')}.${rank}.${String(terminal).padStart(3, '0')}#${s.lastUserEventId ?? ''}`;
}

/** The ordering part of a key (before `#`). */
export function orderingOf(key: string): string {
  const i = key.indexOf('#');
  return i < 0 ? key : key.slice(0, i);
}

function turnMarkerOf(key: string | null): string | null {
  if (!key) return null;
  const i = key.indexOf('#');
  return i < 0 ? null : key.slice(i + 1) || null;
}

/** -1, 0 or 1 by the ordering part only; null (nothing held) orders before everything. */
export function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const x = orderingOf(a);
  const y = orderingOf(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export interface Derived {
  status: RunStatus;
  stopReason: string | null;
  outcomeResult: string | null;
  error: string | null;
}

/** What a snapshot means on its own (semantics 5). */
export function deriveOutcome(s: SessionSnapshot): Derived {
  const last = s.evaluations.length > 0 ? s.evaluations[s.evaluations.length - 1]! : null;
  const terminalResult = last && TERMINAL_EVALUATION_RESULTS.has(last.result) ? last.result : null;
  if (s.status === 'terminated') {
    // Only an idle session can be archived, so an archived one ended its turn the way its last idle
    // event says: judge that turn (an archive alone is not a failure), as if the snapshot were idle.
    if (s.archivedAt !== null && s.stopReason !== null) {
      const asIdle = deriveOutcome({ ...s, status: 'idle', archivedAt: null });
      if (isFinal(asIdle.status)) return asIdle;
      return { ...asIdle, status: 'failed', error: `The session was archived while ${asIdle.status}.` };
    }
    return {
      status: 'failed',
      stopReason: 'terminated',
      outcomeResult: terminalResult,
      error: s.error ?? 'The session was terminated.',
    };
  }
  if (s.status !== 'idle') return { status: 'running', stopReason: null, outcomeResult: null, error: null };
  if (!s.started) return { status: 'pending', stopReason: null, outcomeResult: null, error: null };
  const stop = s.stopReason;
  // Idle but the turn's idle event is not readable yet: not an outcome, the next read settles it.
  if (stop === null) return { status: 'running', stopReason: null, outcomeResult: null, error: null };
  if (stop === 'requires_action')
    return { status: 'blocked', stopReason: stop, outcomeResult: null, error: null };
  if (stop === 'end_turn') {
    // A user.interrupt ends the turn with end_turn too; an interrupted outcome says so as well.
    if (s.interrupted || terminalResult === 'interrupted')
      return { status: 'cancelled', stopReason: stop, outcomeResult: terminalResult, error: null };
    if (last === null) return { status: 'succeeded', stopReason: stop, outcomeResult: null, error: null };
    // An outcome was defined: only a terminal evaluation settles it (it may be graded after idle).
    if (terminalResult === null)
      return { status: 'running', stopReason: stop, outcomeResult: null, error: null };
    if (terminalResult === 'satisfied')
      return { status: 'succeeded', stopReason: stop, outcomeResult: terminalResult, error: null };
    return {
      status: 'failed',
      stopReason: stop,
      outcomeResult: terminalResult,
      error: `Outcome evaluation ended ${terminalResult}${last?.explanation ? `: ${last.explanation}` : '.'}`,
    };
  }
  return {
    status: 'failed',
    stopReason: stop,
    outcomeResult: terminalResult,
    error: s.error ?? `The session stopped with ${stop}.`,
  };
}

export interface ApplyContext {
  now: number;
  /** When the snapshot's fetch started (lastCheckedAt); defaults to now. */
  checkedAt?: number;
  /** An event id, `launch`, `reconcile`, `poll`. */
  source: string;
  /** For a run seen here first. */
  launchedBy?: LaunchedBy;
}

export type HistoryDraft = Omit<RunHistoryEntry, 'runId' | 'seq'>;

export interface ApplyResult {
  run: Run;
  /** The run must be saved (something, at least the key, moved). */
  changed: boolean;
  history: HistoryDraft | null;
}

export function emptyRun(id: string, now: number, launchedBy: LaunchedBy = 'external'): Run {
  return {
    id,
    agentId: null,
    agentName: null,
    agentVersion: null,
    environmentId: null,
    title: null,
    task: null,
    status: 'pending',
    sessionStatus: null,
    stopReason: null,
    outcomeResult: null,
    evaluations: [],
    output: null,
    usage: null,
    error: null,
    archived: false,
    turn: 1,
    snapshotKey: null,
    metadata: {},
    launchedBy,
    launchId: null,
    parentRunId: null,
    pipeline: null,
    step: null,
    sessionCreatedAt: null,
    sessionUpdatedAt: null,
    firstSeenAt: now,
    finishedAt: null,
    lastCheckedAt: null,
    version: 0,
  };
}

export function applySnapshot(held: Run | null, s: SessionSnapshot, ctx: ApplyContext): ApplyResult {
  const key = snapshotKey(s);
  if (held && compareKeys(key, held.snapshotKey) <= 0) return { run: held, changed: false, history: null };
  const base = held ?? emptyRun(s.id, ctx.now, ctx.launchedBy);
  const d = deriveOutcome(s);
  const next: Run = {
    ...base,
    agentId: s.agentId ?? base.agentId,
    agentName: s.agentName ?? base.agentName,
    agentVersion: s.agentVersion ?? base.agentVersion,
    environmentId: s.environmentId ?? base.environmentId,
    title: s.title ?? base.title,
    task: s.task ?? base.task,
    sessionStatus: s.status,
    evaluations: mergeEvaluations(base.evaluations, s.evaluations),
    usage: s.usage ?? base.usage,
    archived: base.archived || s.archivedAt !== null,
    snapshotKey: key,
    metadata: { ...s.metadata },
    sessionCreatedAt: parseTime(s.createdAt) ?? base.sessionCreatedAt,
    sessionUpdatedAt: parseTime(s.updatedAt) ?? base.sessionUpdatedAt,
    lastCheckedAt: ctx.checkedAt ?? ctx.now,
  };
  const notes: string[] = [];
  const heldFinal = held !== null && isFinal(held.status);
  const heldTurnMarker = turnMarkerOf(held?.snapshotKey ?? null);
  // A new turn starts with a new user event. Without a marker to compare (older keys), any later
  // running snapshot counts; with one, an agent-only continuation (the acknowledgement turn after
  // max_iterations_reached) keeps the outcome instead of opening a turn.
  const newTurn =
    heldFinal &&
    (heldTurnMarker === null || s.lastUserEventId === null
      ? s.status === 'running' || s.status === 'rescheduling'
      : s.lastUserEventId !== heldTurnMarker);
  if (heldFinal && !newTurn) {
    // Once final, a run keeps its outcome (semantics 4); later snapshots only add facts.
    if (s.archivedAt !== null && !held.archived) notes.push('archived after its outcome');
    else if (s.status === 'terminated' && held.sessionStatus !== 'terminated')
      notes.push('terminated after its outcome');
  } else {
    if (newTurn) {
      next.turn = base.turn + 1;
      notes.push(`turn ${next.turn} started; turn ${base.turn} ended ${base.status}`);
    }
    next.status = d.status;
    next.stopReason = d.stopReason;
    next.outcomeResult = d.outcomeResult;
    next.error = d.error;
    next.output = s.output ?? (newTurn ? null : base.output);
    next.finishedAt = isFinal(d.status) ? (newTurn || !heldFinal ? ctx.now : base.finishedAt) : null;
    for (const e of next.evaluations) {
      const seen = base.evaluations.some((h) => sameIteration(h, e) && h.result === e.result);
      if (!seen) notes.push(`outcome iteration ${iterationNumber(e)}: ${e.result}`);
    }
  }
  const visible =
    held === null ||
    next.status !== held.status ||
    next.sessionStatus !== held.sessionStatus ||
    next.stopReason !== held.stopReason ||
    next.outcomeResult !== held.outcomeResult ||
    next.turn !== held.turn ||
    next.archived !== held.archived ||
    notes.length > 0;
  return { run: next, changed: true, history: visible ? historyOf(next, ctx, notes) : null };
}

function sameIteration(a: OutcomeEvaluation, b: OutcomeEvaluation): boolean {
  return a.outcomeId === b.outcomeId && a.iteration === b.iteration;
}

/**
 * The held history with the fresh one laid over it: a snapshot reads only the current turn's span
 * events, so iterations graded in earlier turns stay as held. Outcomes in first-seen order, each
 * oldest iteration first.
 */
export function mergeEvaluations(
  held: readonly OutcomeEvaluation[],
  fresh: readonly OutcomeEvaluation[],
): OutcomeEvaluation[] {
  const kept = held.filter((h) => !fresh.some((f) => sameIteration(f, h)));
  const all = [...kept, ...fresh.map((e) => ({ ...e }))];
  const order = [...new Set(all.map((e) => e.outcomeId))];
  return order.flatMap((id) =>
    all.filter((e) => e.outcomeId === id).sort((a, b) => a.iteration - b.iteration),
  );
}

/** A 404 on GET, or a session.deleted event. */
export function applyDeleted(held: Run | null, id: string, ctx: ApplyContext): ApplyResult {
  if (held && held.snapshotKey === DELETED_KEY) return { run: held, changed: false, history: null };
  const base = held ?? emptyRun(id, ctx.now, ctx.launchedBy);
  const next: Run = { ...base, snapshotKey: DELETED_KEY, lastCheckedAt: ctx.checkedAt ?? ctx.now };
  let note: string;
  if (isFinal(base.status)) {
    note = `session deleted; the ${base.status} outcome is kept`;
  } else {
    next.status = 'deleted';
    next.finishedAt = ctx.now;
    note = 'session deleted before a final outcome';
  }
  return { run: next, changed: true, history: historyOf(next, ctx, [note]) };
}

function historyOf(run: Run, ctx: ApplyContext, notes: string[]): HistoryDraft {
  return {
    at: ctx.now,
    source: ctx.source,
    status: run.status,
    sessionStatus: run.sessionStatus,
    stopReason: run.stopReason,
    outcomeResult: run.outcomeResult,
    turn: run.turn,
    snapshotKey: run.snapshotKey,
    note: notes.length > 0 ? notes.join('; ') : null,
  };
}

function parseTime(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}
