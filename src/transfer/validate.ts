// What an imported line may hold, field by field. An import file comes from elsewhere: a number
// out of range or a string where an object belongs would be stored as is and then break every
// reader (the dashboard, `agenthooks runs`). Each check throws an Error whose message names the
// field; importFile reports it as `line N: reason` and imports nothing from that line.
import { z } from 'zod';
import { EVENT_STATES, RUN_STATUSES } from '../store/types.js';

/** Times must fall in [2000, 2100): anything else is a unit mistake or garbage. */
const MIN_TIME = Date.UTC(2000, 0, 1);
const MAX_TIME = Date.UTC(2100, 0, 1);
/** Epoch numbers below this are seconds (the year 5138 in seconds is 1e11). */
const SECONDS_BELOW = 1e11;
export const MAX_RUN_ID = 200;

/** Epoch ms from an ISO string, epoch seconds or epoch milliseconds; null when not a time in range. */
export function importTime(v: unknown): number | null {
  let ms: number;
  if (typeof v === 'number') ms = Math.abs(v) < SECONDS_BELOW ? v * 1000 : v;
  else if (typeof v === 'string' && v.trim() !== '' && Number.isNaN(Number(v))) ms = Date.parse(v);
  else return null;
  if (!Number.isFinite(ms) || ms < MIN_TIME || ms >= MAX_TIME) return null;
  return Math.round(ms);
}

const time = z.unknown().transform((v, ctx) => {
  const ms = importTime(v);
  if (ms === null) {
    ctx.addIssue({
      code: 'custom',
      message: `must be a time between 2000 and 2100 (ISO, epoch seconds or ms), got ${preview(v)}`,
    });
    return z.NEVER;
  }
  return ms;
});
const count = z.number().finite().min(0).max(Number.MAX_SAFE_INTEGER);
const whole = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const text = z.string();
const maybe = <T extends z.ZodType>(t: T) => t.nullable().optional();
export const runId = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_RUN_ID, `must be at most ${MAX_RUN_ID} characters`);

const evaluation = z.object({
  outcomeId: text,
  description: maybe(text),
  result: text,
  explanation: maybe(text),
  iteration: whole,
  completedAt: maybe(text),
});

const usage = z.object({
  inputTokens: count,
  outputTokens: count,
  cacheReadInputTokens: count,
  cacheCreationInputTokens: count,
  costCents: maybe(count),
  activeSeconds: maybe(count),
});

/** Fields an older export lacks are left out; importFile fills them with a new run's values. */
const run = z.object({
  id: runId,
  status: z.enum(RUN_STATUSES),
  firstSeenAt: time,
  agentId: maybe(text),
  agentName: maybe(text),
  agentVersion: maybe(whole),
  environmentId: maybe(text),
  title: maybe(text),
  task: maybe(text),
  sessionStatus: maybe(text),
  stopReason: maybe(text),
  outcomeResult: maybe(text),
  evaluations: z.array(evaluation).optional(),
  output: maybe(text),
  usage: maybe(usage),
  error: maybe(text),
  archived: z.boolean().optional(),
  turn: whole.min(1).optional(),
  snapshotKey: maybe(text),
  metadata: z.record(z.string(), text).optional(),
  launchedBy: z.enum(['agenthooks', 'external', 'tutorial-import']).optional(),
  launchId: maybe(text),
  parentRunId: maybe(runId),
  pipeline: maybe(text),
  step: maybe(text),
  sessionCreatedAt: maybe(time),
  sessionUpdatedAt: maybe(time),
  finishedAt: maybe(time),
  lastCheckedAt: maybe(time),
  version: whole.optional(),
});

const history = z.object({
  runId,
  seq: whole,
  at: time,
  source: z.string().min(1),
  status: z.enum(RUN_STATUSES),
  sessionStatus: maybe(text),
  stopReason: maybe(text),
  outcomeResult: maybe(text),
  turn: whole.min(1).optional(),
  snapshotKey: maybe(text),
  note: maybe(text),
});

const event = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  createdAt: time,
  receivedAt: time,
  subjectId: maybe(text),
  threadId: maybe(text),
  raw: maybe(text),
  state: z.enum(EVENT_STATES),
});

function preview(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : String(JSON.stringify(v) ?? v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function check<T extends z.ZodType>(schema: T, what: string, o: unknown): z.output<T> {
  const r = schema.safeParse(o);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 3).map((i) => {
    const field = i.path.join('.') || what;
    return `${field} ${i.message}`;
  });
  throw new Error(`${what} line: ${issues.join('; ')}`);
}

export const checkRun = (o: unknown) => check(run, 'a run', o);
export const checkHistory = (o: unknown) => check(history, 'a history', o);
export const checkEvent = (o: unknown) => check(event, 'an event', o);
