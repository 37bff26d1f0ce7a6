// What one session event says, for people: the transcript view model shared by the terminal view
// (cli/transcript.ts) and the run page (web/transcript.ts). Pure. Events come from the platform or
// from the store's cache, so every field is read defensively: an event of a type this build does
// not know, or one missing a field, still becomes an entry and never throws. The text in an entry
// is untrusted (agent and tool output); the views escape it or make its control characters visible.
import type { SessionEvent } from '../platform/types.js';

export type TranscriptKind =
  | 'user'
  | 'agent'
  | 'thinking'
  | 'tool_use'
  | 'tool_result'
  | 'confirmation'
  | 'thread'
  | 'outcome'
  | 'error'
  | 'idle'
  | 'status'
  | 'span'
  | 'usage'
  | 'other';

export interface TranscriptEntry {
  id: string;
  /** The SDK's event type, e.g. `agent.tool_use`. */
  type: string;
  kind: TranscriptKind;
  /** Who acted: user, agent, a thread's agent name, session, evaluator. */
  who: string;
  /** processed_at (ISO), or null while queued. */
  time: string | null;
  /** Message, thinking or note text; markdown when `markdown` is set. */
  text: string | null;
  /** The text is agent-written markdown (the page renders it). */
  markdown: boolean;
  tool: { name: string; input: unknown; server: string | null } | null;
  result: { text: string; isError: boolean; toolUseId: string | null } | null;
  thread: { id: string | null; agent: string | null } | null;
  outcome: { grade: string | null; iteration: number | null; explanation: string | null } | null;
  error: string | null;
  /** The idle event's stop reason (also a thread's idle). */
  stopReason: string | null;
  /** A short extra fact: refusal details, pending tool ids, tokens of a model request. */
  detail: string | null;
}

type Loose = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Loose | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : null;

/** Content blocks as text: text blocks as they are, other blocks as a bracketed label. */
export function blocksText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const parts = content.map((raw) => {
    const b = obj(raw);
    if (!b) return '';
    if (b.type === 'text') return str(b.text) ?? '';
    const title = str(b.title);
    return `[${str(b.type) ?? 'block'}${title ? `: ${title}` : ''}]`;
  });
  return parts.length > 0 ? parts.join('\n') : null;
}

function entry(
  e: Loose,
  kind: TranscriptKind,
  who: string,
  over: Partial<TranscriptEntry> = {},
): TranscriptEntry {
  return {
    id: str(e.id) ?? '',
    type: str(e.type) ?? 'unknown',
    kind,
    who,
    time: str(e.processed_at),
    text: null,
    markdown: false,
    tool: null,
    result: null,
    thread: null,
    outcome: null,
    error: null,
    stopReason: null,
    detail: null,
    ...over,
  };
}

function stopOf(e: Loose): { stopReason: string | null; detail: string | null } {
  const reason = obj(e.stop_reason);
  const type = str(reason?.type);
  const details = obj(e.stop_details);
  const ids = Array.isArray(reason?.event_ids) ? reason.event_ids.filter((x) => typeof x === 'string') : [];
  const detail =
    type === 'requires_action' && ids.length > 0
      ? `waiting on ${ids.join(', ')}`
      : details
        ? [str(details.category), str(details.explanation)].filter(Boolean).join(': ') || null
        : null;
  return { stopReason: type, detail };
}

function errorText(e: Loose): string {
  const err = obj(e.error);
  const retry = str(obj(err?.retry_status)?.type);
  const text = [str(err?.type), str(err?.message)].filter(Boolean).join(': ') || 'session error';
  return retry ? `${text} (${retry})` : text;
}

function threadOf(e: Loose, agentKey: string, idKey: string): TranscriptEntry['thread'] {
  return { id: str(e[idKey]), agent: str(e[agentKey]) };
}

/** A message between threads: sent `to` another thread, or received `from` one. */
function threadMessage(e: Loose, direction: 'to' | 'from'): TranscriptEntry {
  const agent = str(e[`${direction}_agent_name`]);
  const id = str(e[`${direction}_session_thread_id`]);
  return entry(e, 'thread', 'agent', {
    text: blocksText(e.content),
    markdown: true,
    detail: `message ${direction} ${agent ?? id ?? 'a thread'}`,
    thread: { id, agent },
  });
}

/** The entry for one event, whatever its type. */
export function transcriptEntry(event: SessionEvent | Loose): TranscriptEntry {
  const e = event as Loose;
  const type = str(e.type) ?? 'unknown';
  const thread = str(e.session_thread_id) ? { id: str(e.session_thread_id), agent: null } : null;
  switch (type) {
    case 'user.message':
      return entry(e, 'user', 'user', { text: blocksText(e.content), thread });
    case 'user.define_outcome': {
      const rubric = obj(e.rubric);
      const max = num(e.max_iterations);
      return entry(e, 'user', 'user', {
        text: str(e.description),
        detail: [
          'defines the outcome',
          max !== null ? `max ${max} iterations` : null,
          // A short fact on one line: the rubric's own line breaks become spaces.
          str(rubric?.content) ? `rubric: ${str(rubric?.content)?.replace(/\s+/g, ' ')}` : null,
        ]
          .filter(Boolean)
          .join('; '),
      });
    }
    case 'user.interrupt':
      return entry(e, 'user', 'user', { text: 'interrupt', thread });
    case 'user.tool_confirmation':
      return entry(e, 'confirmation', 'user', {
        text: e.result === 'deny' ? `deny${str(e.deny_message) ? `: ${str(e.deny_message)}` : ''}` : 'allow',
        result: null,
        detail: str(e.tool_use_id) ? `for ${str(e.tool_use_id)}` : null,
        thread,
      });
    case 'user.custom_tool_result':
    case 'user.tool_result':
    case 'agent.tool_result':
    case 'agent.mcp_tool_result':
      return entry(e, 'tool_result', type.startsWith('user.') ? 'user' : 'tool', {
        result: {
          text: blocksText(e.content) ?? '',
          isError: e.is_error === true,
          toolUseId: str(e.tool_use_id) ?? str(e.mcp_tool_use_id) ?? str(e.custom_tool_use_id),
        },
        thread,
      });
    case 'agent.message':
      return entry(e, 'agent', 'agent', { text: blocksText(e.content), markdown: true, thread });
    case 'agent.thinking':
      return entry(e, 'thinking', 'agent', { text: 'thinking', thread });
    case 'agent.tool_use':
    case 'agent.mcp_tool_use':
    case 'agent.custom_tool_use':
      return entry(e, 'tool_use', 'agent', {
        tool: { name: str(e.name) ?? '?', input: e.input ?? null, server: str(e.mcp_server_name) },
        detail: str(e.evaluated_permission) === 'ask' ? 'needs confirmation' : null,
        thread,
      });
    case 'agent.thread_message_sent':
      return threadMessage(e, 'to');
    case 'agent.thread_message_received':
      return threadMessage(e, 'from');
    case 'agent.thread_context_compacted':
      return entry(e, 'thread', 'agent', { text: 'context compacted', thread });
    case 'session.thread_created':
    case 'session.thread_status_running':
    case 'session.thread_status_rescheduled':
    case 'session.thread_status_terminated':
    case 'session.thread_status_idle':
      return entry(e, 'thread', str(e.agent_name) ?? 'thread', {
        text: type.slice('session.thread_'.length).replace('status_', ''),
        thread: threadOf(e, 'agent_name', 'session_thread_id'),
        ...(type === 'session.thread_status_idle' ? stopOf(e) : {}),
      });
    case 'span.outcome_evaluation_start':
    case 'span.outcome_evaluation_ongoing':
      return entry(e, 'outcome', 'evaluator', {
        text: type === 'span.outcome_evaluation_start' ? 'evaluation started' : 'evaluating',
        outcome: { grade: null, iteration: num(e.iteration), explanation: null },
      });
    case 'span.outcome_evaluation_end':
      return entry(e, 'outcome', 'evaluator', {
        outcome: { grade: str(e.result), iteration: num(e.iteration), explanation: str(e.explanation) },
      });
    case 'span.model_request_start':
      return entry(e, 'span', 'model', { text: 'request started' });
    case 'span.model_request_end': {
      const u = obj(e.model_usage);
      const tokens = u ? `${num(u.input_tokens) ?? 0} in / ${num(u.output_tokens) ?? 0} out tokens` : null;
      return entry(e, 'span', 'model', {
        text: e.is_error === true ? 'request failed' : 'request ended',
        detail: tokens,
      });
    }
    case 'session.error':
      return entry(e, 'error', 'session', { error: errorText(e) });
    case 'session.status_idle':
      return entry(e, 'idle', 'session', { text: 'idle', ...stopOf(e) });
    case 'session.status_running':
    case 'session.status_rescheduled':
    case 'session.status_terminated':
      return entry(e, 'status', 'session', { text: type.slice('session.status_'.length) });
    case 'session.usage': {
      const u = obj(e.usage);
      const cost = str(obj(u?.list_cost)?.amount);
      return entry(e, 'usage', 'session', {
        detail: u
          ? `${num(u.input_tokens) ?? 0} in / ${num(u.output_tokens) ?? 0} out tokens${cost ? `, cost ${cost}` : ''}`
          : null,
      });
    }
    case 'system.message':
      return entry(e, 'user', 'system', { text: blocksText(e.content) });
    default:
      return entry(e, 'other', type.split('.')[0] ?? 'session', { text: type });
  }
}

/** A long text's first `keep` lines and how many more it has (0 when it fits in `max`). */
export function foldLines(text: string, max: number, keep: number): { lines: string[]; more: number } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.length <= max) return { lines, more: 0 };
  return { lines: lines.slice(0, keep), more: lines.length - keep };
}

/** A tool's input as people read it: a lone string as is, anything else as indented JSON. */
export function toolInputText(input: unknown): string {
  if (typeof input === 'string') return input;
  const o = obj(input);
  // Most shell-like tools take one command string: `command: ls -la` reads better than its JSON.
  const [only, ...rest] = o ? Object.entries(o) : [];
  if (only && rest.length === 0 && typeof only[1] === 'string') return `${only[0]}: ${only[1]}`;
  return JSON.stringify(input ?? null, null, 2) ?? 'null';
}
