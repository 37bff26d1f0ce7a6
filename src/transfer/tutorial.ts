// The tutorial's `agent_outcomes.jsonl` (reference/tutorial.txt): each line a record
// {received_at, event_type, agent_run_id, status, payload} written by its receiver, or a bare payload
// {type, agent_run_id, status, output|result, usage}. Each line becomes a run and a done event
// whose id is derived from the line, so importing the same file twice adds nothing.
import { createHash } from 'node:crypto';
import { emptyRun } from '../runs/state.js';
import type { NewEvent, Run, RunUsage } from '../store/types.js';
import { importTime, MAX_RUN_ID } from './validate.js';

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
  const n = (x: unknown) => {
    if (x === undefined || x === null) return 0;
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || x > Number.MAX_SAFE_INTEGER)
      throw new Error(`usage token counts must be numbers from 0, got ${JSON.stringify(x)}`);
    return x;
  };
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
  if (runId.length > MAX_RUN_ID) throw new Error(`"agent_run_id" must be at most ${MAX_RUN_ID} characters`);
  const status = obj.status ?? payload.status;
  if (typeof status !== 'string' || status.length === 0) throw new Error('no "status" string');
  // The tutorial writes epoch seconds; ISO strings and epoch ms are accepted too. Absent: now.
  const at = obj.received_at === undefined || obj.received_at === null ? now : importTime(obj.received_at);
  if (at === null)
    throw new Error(
      `"received_at" must be a time between 2000 and 2100 (epoch seconds or ms, or ISO), got ${JSON.stringify(obj.received_at)}`,
    );
  for (const [name, v] of [
    ['event_type', obj.event_type],
    ['type', payload.type],
    ['model', payload.model],
  ] as const) {
    if (v !== undefined && v !== null && typeof v !== 'string') throw new Error(`"${name}" must be a string`);
  }
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
