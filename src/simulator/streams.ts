// Event streams (reference 2.4): a session's or a thread's events as server-sent events, framed the
// way the SDK's Stream.fromSSEResponse parses them (an `event:` line, else the SDK skips the frame,
// and one JSON `data:` line). An event reaches the stream when it is processed, which is also when
// it takes its place in events.list, so both read in the same order. Each frame carries the event
// id, so a client that reconnects with Last-Event-ID gets what it missed; deltas are never replayed.

import type { ServerResponse } from 'node:http';
import type { BetaManagedAgentsStreamSessionEvents } from '@anthropic-ai/sdk/resources/beta/sessions/events';
import type { BetaManagedAgentsDeltaType } from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import type { BetaManagedAgentsSessionThread } from '@anthropic-ai/sdk/resources/beta/sessions/threads/threads';
import { badRequest } from './api-error.js';
import type { SessionRecord, StoredEvent } from './state.js';
import { type Query, queryArray } from './validate.js';

export interface StreamSink {
  /** The thread whose view this stream shows; the primary thread sees everything. */
  thread: BetaManagedAgentsSessionThread;
  deltas: ReadonlySet<BetaManagedAgentsDeltaType>;
  write(frame: string): void;
  end(): void;
}

const DELTA_TYPES = new Set<string>(['agent.message', 'agent.thinking']);

/** The `event_deltas[]` query (at most 100 values, reference 8). */
export function deltasOf(q: Query): Set<BetaManagedAgentsDeltaType> {
  const values = queryArray(q, 'event_deltas') ?? [];
  if (values.length > 100) throw badRequest('event_deltas: at most 100 values.');
  for (const v of values)
    if (!DELTA_TYPES.has(v))
      throw badRequest(`event_deltas: unknown type "${v}"; use agent.message or agent.thinking.`);
  return new Set(values as BetaManagedAgentsDeltaType[]);
}

/**
 * Whether an event belongs to a thread's view. The primary thread is the session's stream: its own
 * events and what children cross-post (creation and status changes, which name the child). A child
 * sees what it produced and the events that name it.
 */
export function threadSees(thread: BetaManagedAgentsSessionThread, stored: StoredEvent): boolean {
  if (thread.parent_thread_id === null) return stored.thread === undefined;
  const named = 'session_thread_id' in stored.event ? stored.event.session_thread_id : undefined;
  return stored.thread === thread.id || named === thread.id;
}

/** The order of events.list: processed events by when they were processed, queued ones last. */
export function listOrder(a: StoredEvent, b: StoredEvent): number {
  const pa = a.event.processed_at === null ? 1 : 0;
  const pb = b.event.processed_at === null ? 1 : 0;
  return pa - pb || a.seq - b.seq;
}

export function frame(event: BetaManagedAgentsStreamSessionEvents, id?: string): string {
  return `event: ${event.type}\n${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(event)}\n\n`;
}

/** Sends one processed event to every stream of the session that shows it. */
export function publish(rec: SessionRecord, stored: StoredEvent): void {
  const event = stored.event;
  for (const sink of rec.streams) {
    if (!threadSees(sink.thread, stored)) continue;
    if (event.type === 'agent.message' && sink.deltas.has('agent.message')) {
      sink.write(frame({ type: 'event_start', event: { id: event.id, type: 'agent.message' } }));
      event.content.forEach((block, index) => {
        if (block.type !== 'text') return;
        for (const piece of pieces(block.text))
          sink.write(
            frame({
              type: 'event_delta',
              event_id: event.id,
              delta: { type: 'content_delta', index, content: { type: 'text', text: piece } },
            }),
          );
      });
    }
    sink.write(frame(event, event.id));
  }
}

/** Ends every stream of the session, after a last event (session.deleted) when one is given. */
export function closeStreams(rec: SessionRecord, last?: BetaManagedAgentsStreamSessionEvents): void {
  for (const sink of rec.streams) {
    if (last) sink.write(frame(last, 'id' in last ? last.id : undefined));
    sink.end();
  }
  rec.streams.clear();
}

/** Opens a stream on a raw response: headers, the missed events after Last-Event-ID, then live. */
export function openStream(
  rec: SessionRecord,
  raw: ServerResponse,
  opts: {
    thread: BetaManagedAgentsSessionThread;
    deltas: Set<BetaManagedAgentsDeltaType>;
    lastEventId?: string;
    requestId: string;
    /** The stream-drop fault: cut the connection after this many events (0: never). */
    dropAfter?: number;
  },
): StreamSink {
  raw.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'request-id': opts.requestId,
  });
  raw.flushHeaders();
  let sent = 0;
  const sink: StreamSink = {
    thread: opts.thread,
    deltas: opts.deltas,
    write: (f) => {
      if (raw.writableEnded || raw.destroyed) return;
      raw.write(f);
      // A cut connection, not a clean end: the client sees the body fail mid-read, as on a network drop.
      if (opts.dropAfter && f.includes('\nid: ') && ++sent >= opts.dropAfter) {
        rec.streams.delete(sink);
        raw.destroy();
      }
    },
    end: () => {
      if (!raw.writableEnded) raw.end();
    },
  };
  if (opts.lastEventId) {
    const seen = rec.events
      .filter((e) => e.event.processed_at !== null && threadSees(opts.thread, e))
      .sort(listOrder);
    const at = seen.findIndex((e) => e.event.id === opts.lastEventId);
    if (at !== -1) for (const e of seen.slice(at + 1)) sink.write(frame(e.event, e.event.id));
  }
  rec.streams.add(sink);
  raw.on('close', () => rec.streams.delete(sink));
  return sink;
}

/** A text in a few fragments, the way a model streams it. */
function pieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 40) out.push(text.slice(i, i + 40));
  return out;
}
