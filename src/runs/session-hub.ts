// One upstream event stream per session, shared by everyone watching it: run pages, CLI followers
// through serve, and the --no-webhooks worker. The platform counts every stream against its read
// limits, so ten open pages on one run cost one stream, not ten. The upstream keeps the latest events
// it has seen in a bounded buffer, so a subscriber that arrives late (or resumes after a reconnect of
// its own) is caught up in order from memory; one that needs events older than the buffer is caught
// up from a listing first. The upstream closes when its last subscriber leaves.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Platform, SessionEvent } from '../platform/types.js';

export type SessionHubEnd = 'terminated' | 'error' | 'closed';

export interface SubscribeOptions {
  afterId?: string | null;
  onEnd?: (reason: SessionHubEnd) => void;
}

export interface SessionHub {
  /** onEvent gets every event after afterId (all when null/undefined), in order, exactly once. One upstream per
   *  session, shared by all subscribers; a late subscriber is caught up from the hub's buffer or a listing.
   *  Returns unsubscribe; the upstream closes when the last subscriber leaves. */
  subscribe(sessionId: string, onEvent: (e: SessionEvent) => void, options?: SubscribeOptions): () => void;
  /** Upstream streams open now (also exported on /metrics as agenthooks_session_streams). */
  upstreams(): number;
  /** Events held in memory for late subscribers, over all upstreams (bounded by bufferLimit each). */
  buffered(): number;
  close(): Promise<void>;
}

/** How much of a session's stream one upstream keeps for late subscribers. */
export interface BufferLimit {
  events: number;
  /** Approximate: the events' JSON length. */
  bytes: number;
}

/** A long session (or one with large tool results) watched for hours must not grow without end. */
export const DEFAULT_BUFFER_LIMIT: BufferLimit = { events: 2000, bytes: 8 * 1024 * 1024 };

export interface SessionHubDeps {
  platform: Platform;
  logger: Logger;
  clock: Clock;
  bufferLimit?: BufferLimit;
}

interface Subscriber {
  onEvent: (e: SessionEvent) => void;
  onEnd?: (reason: SessionHubEnd) => void;
  /** Index of the next buffered event to deliver; null while its afterId is not placed yet. */
  pos: number | null;
  afterId: string | null;
  /** A listing is checking whether afterId exists (locate). */
  locating: boolean;
}

interface Upstream {
  sessionId: string;
  controller: AbortController;
  /** The latest events, oldest first; `dropped` older ones were let go. */
  buffer: SessionEvent[];
  sizes: number[];
  bytes: number;
  dropped: number;
  /** Event id -> its position counted from the session's first event (buffer index + dropped). */
  at: Map<string, number>;
  subscribers: Set<Subscriber>;
  ended: SessionHubEnd | null;
  openedAt: number;
  done: Promise<void>;
}

export function createSessionHub(deps: SessionHubDeps): SessionHub {
  const { platform, logger, clock } = deps;
  const limit = deps.bufferLimit ?? DEFAULT_BUFFER_LIMIT;
  const open = new Map<string, Upstream>();
  let closed = false;

  function deliver(up: Upstream, sub: Subscriber): void {
    if (sub.pos === null) return;
    while (sub.pos < up.buffer.length && up.subscribers.has(sub)) send(up, sub, up.buffer[sub.pos++]);
    if (up.ended && up.subscribers.has(sub)) end(up, sub, up.ended);
  }

  function send(up: Upstream, sub: Subscriber, e: SessionEvent): void {
    try {
      sub.onEvent(e);
    } catch (err) {
      logger.warn({ err, session: up.sessionId }, 'a session event subscriber failed');
    }
  }

  /** The buffer index of an event, or -1 when it is not (or no longer) buffered. */
  function indexOf(up: Upstream, id: string): number {
    const at = up.at.get(id);
    return at === undefined ? -1 : at - up.dropped;
  }

  function keep(up: Upstream, e: SessionEvent): void {
    const size = JSON.stringify(e).length;
    up.at.set(e.id, up.dropped + up.buffer.length);
    up.buffer.push(e);
    up.sizes.push(size);
    up.bytes += size;
  }

  /** Lets the oldest events go while over the limit, but never one a placed subscriber still needs. */
  function trim(up: Upstream): void {
    let over = 0;
    let bytes = up.bytes;
    while (over < up.buffer.length - 1 && (up.buffer.length - over > limit.events || bytes > limit.bytes))
      bytes -= up.sizes[over++];
    if (over === 0) return;
    for (const sub of up.subscribers) if (sub.pos !== null) over = Math.min(over, sub.pos);
    if (over === 0) return;
    for (let i = 0; i < over; i++) {
      up.at.delete(up.buffer[i].id);
      up.bytes -= up.sizes[i];
    }
    up.buffer.splice(0, over);
    up.sizes.splice(0, over);
    up.dropped += over;
    for (const sub of up.subscribers) if (sub.pos !== null) sub.pos -= over;
  }

  function end(up: Upstream, sub: Subscriber, reason: SessionHubEnd): void {
    up.subscribers.delete(sub);
    try {
      sub.onEnd?.(reason);
    } catch (err) {
      logger.warn({ err, session: up.sessionId }, 'a session event subscriber failed to end');
    }
  }

  /** Places a subscriber in the buffer when it can: from the top, or after its afterId. */
  function place(up: Upstream, sub: Subscriber): void {
    if (sub.afterId === null) {
      if (up.dropped === 0) sub.pos = 0;
    } else {
      const at = indexOf(up, sub.afterId);
      if (at !== -1) sub.pos = at + 1;
    }
  }

  function start(sessionId: string): Upstream {
    const controller = new AbortController();
    const up: Upstream = {
      sessionId,
      controller,
      buffer: [],
      sizes: [],
      bytes: 0,
      dropped: 0,
      at: new Map(),
      subscribers: new Set(),
      ended: null,
      openedAt: clock.now(),
      done: Promise.resolve(),
    };
    up.done = (async () => {
      let reason: SessionHubEnd = 'terminated';
      try {
        const events = platform.followSessionEvents(sessionId, {
          afterId: null,
          signal: controller.signal,
          onReconnect: (attempt) =>
            logger.info({ session: sessionId, attempt }, 'session stream reconnecting'),
        });
        for await (const e of events) {
          keep(up, e);
          for (const sub of [...up.subscribers]) {
            if (sub.pos === null && e.id === sub.afterId) sub.pos = up.buffer.length;
            deliver(up, sub);
          }
          trim(up);
        }
        if (controller.signal.aborted) reason = 'closed';
      } catch (err) {
        reason = controller.signal.aborted ? 'closed' : 'error';
        if (reason === 'error') logger.warn({ err, session: sessionId }, 'session stream failed');
      }
      if (open.get(sessionId) === up) open.delete(sessionId);
      up.ended = reason;
      logger.debug({ session: sessionId, reason, ms: clock.now() - up.openedAt }, 'session stream closed');
      for (const sub of [...up.subscribers]) if (!sub.locating) deliver(up, sub);
      for (const sub of [...up.subscribers]) if (!sub.locating) end(up, sub, reason);
    })();
    open.set(sessionId, up);
    return up;
  }

  /**
   * A subscriber the buffer cannot place, found by a listing. Its afterId is one the stream has not
   * reached yet (it is placed when it arrives), or one older than the buffer, or it wants every event
   * and some were let go: then the listed events up to the first buffered one are sent first. Each
   * one sent becomes the afterId, so the stream places the subscriber right after it, never twice.
   * An afterId the session does not have starts from the top, as a null one does.
   */
  async function locate(up: Upstream, sub: Subscriber): Promise<void> {
    let after = sub.afterId === null;
    try {
      for await (const e of platform.listSessionEvents(up.sessionId)) {
        if (!up.subscribers.has(sub) || sub.pos !== null) break;
        if (!after) {
          after = e.id === sub.afterId;
          continue;
        }
        const at = indexOf(up, e.id);
        if (at !== -1) {
          sub.pos = at;
          break;
        }
        send(up, sub, e);
        sub.afterId = e.id;
      }
    } catch (err) {
      logger.warn({ err, session: up.sessionId }, 'could not list session events to place a subscriber');
    }
    if (!up.subscribers.has(sub)) return;
    if (sub.pos === null && !after) {
      // Unknown to the session: from the top.
      sub.afterId = null;
      if (up.dropped > 0) return locate(up, sub);
    }
    sub.locating = false;
    if (sub.pos === null) place(up, sub);
    // No listing (it failed) for a subscriber that wants every event: what the buffer still holds.
    if (sub.pos === null && sub.afterId === null) sub.pos = 0;
    if (sub.pos !== null) deliver(up, sub);
    else if (up.ended) end(up, sub, up.ended);
  }

  return {
    subscribe(sessionId, onEvent, options = {}) {
      if (closed) {
        options.onEnd?.('closed');
        return () => {};
      }
      const up = open.get(sessionId) ?? start(sessionId);
      const sub: Subscriber = {
        onEvent,
        onEnd: options.onEnd,
        pos: null,
        afterId: options.afterId ?? null,
        locating: false,
      };
      up.subscribers.add(sub);
      place(up, sub);
      if (sub.pos === null) {
        sub.locating = true;
        void locate(up, sub);
      } else queueMicrotask(() => deliver(up, sub));
      return () => {
        if (!up.subscribers.delete(sub)) return;
        if (up.subscribers.size === 0 && !up.ended) {
          up.controller.abort();
          if (open.get(sessionId) === up) open.delete(sessionId);
        }
      };
    },
    upstreams: () => open.size,
    buffered: () => [...open.values()].reduce((n, up) => n + up.buffer.length, 0),
    async close() {
      closed = true;
      const all = [...open.values()];
      for (const up of all) up.controller.abort();
      await Promise.all(all.map((up) => up.done));
    },
  };
}
