// One upstream event stream per session, shared by everyone watching it: run pages, CLI followers
// through serve, and the --no-webhooks worker. The platform counts every stream against its read
// limits, so ten open pages on one run cost one stream, not ten. The upstream keeps every event it
// has seen in a buffer, so a subscriber that arrives late (or resumes after a reconnect of its own)
// is caught up in order without another listing, and it closes when its last subscriber leaves.
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
  close(): Promise<void>;
}

export interface SessionHubDeps {
  platform: Platform;
  logger: Logger;
  clock: Clock;
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
  buffer: SessionEvent[];
  subscribers: Set<Subscriber>;
  ended: SessionHubEnd | null;
  openedAt: number;
  done: Promise<void>;
}

export function createSessionHub(deps: SessionHubDeps): SessionHub {
  const { platform, logger, clock } = deps;
  const open = new Map<string, Upstream>();
  let closed = false;

  function deliver(up: Upstream, sub: Subscriber): void {
    if (sub.pos === null) return;
    while (sub.pos < up.buffer.length && up.subscribers.has(sub)) {
      const e = up.buffer[sub.pos++];
      try {
        sub.onEvent(e);
      } catch (err) {
        logger.warn({ err, session: up.sessionId }, 'a session event subscriber failed');
      }
    }
    if (up.ended && up.subscribers.has(sub)) end(up, sub, up.ended);
  }

  function end(up: Upstream, sub: Subscriber, reason: SessionHubEnd): void {
    up.subscribers.delete(sub);
    try {
      sub.onEnd?.(reason);
    } catch (err) {
      logger.warn({ err, session: up.sessionId }, 'a session event subscriber failed to end');
    }
  }

  function place(up: Upstream, sub: Subscriber): void {
    if (sub.afterId === null) sub.pos = 0;
    else {
      const at = up.buffer.findIndex((e) => e.id === sub.afterId);
      if (at !== -1) sub.pos = at + 1;
    }
  }

  function start(sessionId: string): Upstream {
    const controller = new AbortController();
    const up: Upstream = {
      sessionId,
      controller,
      buffer: [],
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
          up.buffer.push(e);
          for (const sub of [...up.subscribers]) {
            if (sub.pos === null && e.id === sub.afterId) sub.pos = up.buffer.length;
            deliver(up, sub);
          }
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

  /** An afterId the buffer does not hold yet: wait for it if the session has it, else start from the top. */
  async function locate(up: Upstream, sub: Subscriber): Promise<void> {
    let known = false;
    try {
      for await (const e of platform.listSessionEvents(up.sessionId)) {
        if (e.id === sub.afterId) {
          known = true;
          break;
        }
      }
    } catch (err) {
      logger.warn({ err, session: up.sessionId }, 'could not list session events to place a subscriber');
    }
    sub.locating = false;
    if (!up.subscribers.has(sub) || sub.pos !== null) return;
    if (!known) sub.pos = 0;
    else place(up, sub);
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
    async close() {
      closed = true;
      const all = [...open.values()];
      for (const up of all) up.controller.abort();
      await Promise.all(all.map((up) => up.done));
    },
  };
}
