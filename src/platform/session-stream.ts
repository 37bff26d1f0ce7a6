// The live half of the one fetcher of a session's events: the SDK's SSE stream, with the reconnect
// the platform asks for (reference: "on reconnect, reopen the stream and list the event history to
// fill gaps"). Each connection opens the stream first and then lists what came before it, so an
// event processed in between is in one of the two; ids already yielded are skipped, which makes the
// union exactly once and, since the stream and the listing share the processed order, in order.
import { setTimeout as sleep } from 'node:timers/promises';
import type Anthropic from '@anthropic-ai/sdk';
import type { BetaManagedAgentsStreamSessionEvents } from '@anthropic-ai/sdk/resources/beta/sessions/events';
import { platformCall, platformDetails } from './errors.js';
import { listSessionEvents } from './session-events.js';
import type { SessionEvent } from './types.js';

export interface FollowOptions {
  /** Yield only the events after this one (all when null or absent, or when the id is unknown). */
  afterId?: string | null;
  signal: AbortSignal;
  /** Told before each reconnect, counting from 1 since the last connection that delivered. */
  onReconnect?: (attempt: number) => void;
}

/** The events after which a session never produces another. */
export const TERMINAL_EVENT_TYPES: ReadonlySet<string> = new Set([
  'session.status_terminated',
  'session.deleted',
]);

const BACKOFF_MIN_MS = 200;
const BACKOFF_MAX_MS = 5_000;

/**
 * Every event of the session after `afterId` (all when null), in events.list order, exactly once,
 * read from the SDK's `client.beta.sessions.events.stream()`; when the stream drops it reconnects
 * (backoff) and fills the gap with `listSessionEvents({since})`, skipping ids already yielded. Ends
 * when the signal aborts or after the session's terminal event (session.status_terminated /
 * deleted). A failure that retrying cannot fix (404, 401, ...) is thrown as platform_error.
 */
export async function* followSessionEvents(
  client: Anthropic,
  sessionId: string,
  options: FollowOptions,
): AsyncGenerator<SessionEvent> {
  const { signal } = options;
  const seen = new Set<string>();
  // processed_at of the newest event held: where the next gap fill starts (inclusive).
  let since: string | null = null;
  let first = true;
  let attempt = 0;
  while (!signal.aborted) {
    const connection = new AbortController();
    const stop = () => connection.abort();
    signal.addEventListener('abort', stop, { once: true });
    try {
      const queue = await openQueue(client, sessionId, connection.signal);
      if (!queue) return;
      const listed: SessionEvent[] = [];
      // A queued event (not processed yet) takes its place in the order when it is processed; the
      // stream delivers it then.
      for await (const e of listSessionEvents(client, sessionId, { since }))
        if (e.processed_at !== null) listed.push(e);
      let fresh = listed;
      if (first && options.afterId) {
        const at = listed.findIndex((e) => e.id === options.afterId);
        if (at !== -1) {
          for (const e of listed.slice(0, at + 1)) hold(e);
          fresh = listed.slice(at + 1);
        }
      }
      first = false;
      for (const e of fresh) {
        if (seen.has(e.id)) continue;
        hold(e);
        attempt = 0;
        yield e;
        if (TERMINAL_EVENT_TYPES.has(e.type)) return;
      }
      for (;;) {
        const next = await queue.next();
        if (next === null) break;
        if (seen.has(next.id)) continue;
        hold(next);
        attempt = 0;
        yield next;
        if (TERMINAL_EVENT_TYPES.has(next.type)) return;
      }
    } catch (err) {
      if (signal.aborted) return;
      const details = platformDetails(err);
      if (details && !details.retryable) throw err;
    } finally {
      signal.removeEventListener('abort', stop);
      connection.abort();
    }
    if (signal.aborted) return;
    attempt += 1;
    options.onReconnect?.(attempt);
    const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (attempt - 1));
    // An abort ends the wait early (it rejects); the loop condition then ends the follow.
    await sleep(backoff, undefined, { signal }).catch(() => {});
  }

  function hold(e: SessionEvent): void {
    seen.add(e.id);
    if (e.processed_at && (since === null || e.processed_at > since)) since = e.processed_at;
  }
}

/** A connection's events as they arrive; next() is null once the stream ended or failed. */
interface EventQueue {
  next(): Promise<SessionEvent | null>;
}

/** Opens the stream (null when aborted meanwhile) and reads it in the background into a queue. */
async function openQueue(
  client: Anthropic,
  sessionId: string,
  signal: AbortSignal,
): Promise<EventQueue | null> {
  const stream = await platformCall(`stream events of session ${sessionId}`, () =>
    client.beta.sessions.events.stream(sessionId, {}, { signal }),
  ).catch((err: unknown) => {
    if (signal.aborted) return null;
    throw err;
  });
  if (!stream) return null;
  const items: SessionEvent[] = [];
  let done = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  void (async () => {
    try {
      for await (const e of stream) {
        const event = persisted(e);
        if (event) {
          items.push(event);
          notify();
        }
      }
    } catch {
      // A dropped connection: the caller reconnects and lists what it missed.
    } finally {
      done = true;
      notify();
    }
  })();
  return {
    async next() {
      while (items.length === 0 && !done) await new Promise<void>((r) => (wake = r));
      return items.shift() ?? null;
    },
  };
}

/** Previews (event_start / event_delta) are never persisted nor listed; everything with an id is. */
function persisted(e: BetaManagedAgentsStreamSessionEvents): SessionEvent | null {
  if (e.type === 'event_start' || e.type === 'event_delta') return null;
  // The stream's union is the listing's plus a few types only the stream names; they carry ids and
  // processed_at like the rest, so they pass through as the SDK delivered them.
  return e as SessionEvent;
}
