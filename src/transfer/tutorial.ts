// The tutorial's `agent_outcomes.jsonl` (reference/tutorial.txt): each line a record
// {received_at, event_type, agent_run_id, status, payload} written by its receiver, or a bare payload
// {type, agent_run_id, status, output|result, usage}. Each line becomes a run and a done event
// whose id is derived from the line, so importing the same file twice adds nothing.
import { createHash } from 'node:crypto';
import { emptyRun } from '../runs/state.js';
import type { NewEvent, Run, RunUsage } from '../store/types.js';

export interface TutorialLine {
  run: Run;
  event: NewEvent;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function usageOf(v: unknown): RunUsage | null {
  if (!isRecord(v)) return null;
  const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
  return {
    inputTokens: n(v.input_tokens),
    outputTokens: n(v.output_tokens),
    cacheReadInputTokens: n(v.cache_read_input_tokens),
    cacheCreationInputTokens: n(v.cache_creation_input_tokens),
    costCents: null,
    activeSeconds: null,
  };
}

/** Parses one line; throws an Error whose message says what is wrong with it. */
export function parseTutorialLine(line: string, obj: Record<string, unknown>, now: number): TutorialLine {
  const payload = isRecord(obj.payload) ? obj.payload : obj;
  const runId = obj.agent_run_id ?? payload.agent_run_id;
  if (typeof runId !== 'string' || runId.length === 0) throw new Error('no "agent_run_id" string');
  const status = obj.status ?? payload.status;
  if (typeof status !== 'string' || status.length === 0) throw new Error('no "status" string');
  const receivedAtSec = obj.received_at;
  const at =
    typeof receivedAtSec === 'number' && Number.isFinite(receivedAtSec) && receivedAtSec > 0
      ? Math.round(receivedAtSec * 1000)
      : now;
  const succeeded = status === 'completed';
  const type = text(obj.event_type) ?? text(payload.type) ?? 'tutorial.outcome';
  const run: Run = {
    ...emptyRun(runId, at, 'tutorial-import'),
    task: text(payload.task) ?? text(payload.prompt),
    status: succeeded ? 'succeeded' : 'failed',
    stopReason: succeeded ? 'end_turn' : status,
    output: text(payload.output ?? payload.result),
    usage: usageOf(payload.usage),
    error: succeeded ? null : text(payload.error),
    metadata: typeof payload.model === 'string' ? { model: payload.model } : {},
    finishedAt: at,
  };
  const event: NewEvent = {
    id: `tutorial_${createHash('sha256').update(line).digest('hex')}`,
    type,
    createdAt: at,
    receivedAt: at,
    subjectId: runId,
    threadId: null,
    raw: line,
    state: 'done',
  };
  return { run, event };
}
