// GET /api/runs/:id/transcript/stream (docs/api.md): a run's session events as they happen, as
// server-sent events, read from the runtime's session hub so every page and CLI follower of a run
// shares one upstream stream to the platform. `Last-Event-ID` (what EventSource sends on its own
// reconnects) or `?after=` resumes after an event. app.ts registers it inside registerGuarded
// (access.ts), under the same access rule as the rest of /api.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import type { SessionEvent } from '../platform/types.js';
import type { SessionHub } from '../runs/session-hub.js';
import type { Store } from '../store/types.js';
import { renderTranscriptEvent } from '../web/transcript.js';
import { KEEPALIVE_MS, openEventStream, sendEvent } from './event-stream.js';

export interface TranscriptStreamDeps {
  store: Store;
  /** null without a platform (no ANTHROPIC_API_KEY): there is nothing to follow. */
  hub: SessionHub | null;
}

/**
 * One frame per event: `event: session_event` with the SDK event as `data`, or with `?html=1`
 * (the run page) `event: html` with the transcript fragment as a JSON string. Both carry the
 * event id as the SSE id. The stream ends with `event: end` (`terminated`, `error`, `closed`).
 */
export function eventFrame(event: SessionEvent, html: boolean): string {
  const data = html ? JSON.stringify(renderTranscriptEvent(event)) : JSON.stringify(event);
  return `event: ${html ? 'html' : 'session_event'}\nid: ${event.id}\ndata: ${data}\n\n`;
}

/** Registers the route as an encapsulated plugin (loaded when the server gets ready). */
export function registerTranscriptStream(
  server: FastifyInstance,
  deps: TranscriptStreamDeps,
): PromiseLike<unknown> {
  const open = new Set<ServerResponse>();
  return server.register(async (scope) => {
    scope.get('/api/runs/:id/transcript/stream', async (req, reply) => {
      const { id } = req.params as { id: string };
      const q = req.query as Record<string, unknown>;
      const hub = deps.hub;
      if (!hub)
        throw new AppError(
          'api_key_required',
          "Following a run reads the session's event stream: start serve with ANTHROPIC_API_KEY set.",
        );
      if (!(await deps.store.getRun(id)))
        throw new AppError('run_not_found', `No run ${id} is stored. List runs with GET /api/runs.`);
      const header = req.headers['last-event-id'];
      const after =
        typeof header === 'string' && header ? header : typeof q.after === 'string' ? q.after : null;
      const html = q.html === '1' || q.html === 'true';

      const res = openEventStream(reply);
      sendEvent(res, 'retry: 2000\n\n');
      open.add(res);
      const keepalive = setInterval(() => sendEvent(res, ': keepalive\n\n'), KEEPALIVE_MS);
      let unsubscribe: () => void = () => {};
      const done = () => {
        clearInterval(keepalive);
        unsubscribe();
        open.delete(res);
      };
      // A client too far behind is cut off (sendEvent); its EventSource resumes from Last-Event-ID.
      unsubscribe = hub.subscribe(id, (e) => sendEvent(res, eventFrame(e, html)), {
        afterId: after,
        onEnd: (reason) => {
          res.end(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
          done();
        },
      });
      req.raw.on('close', done);
      res.on('close', done);
    });

    // Open streams would keep server.close() waiting: end them first.
    scope.addHook('preClose', async () => {
      for (const res of open) res.end();
      open.clear();
    });
  });
}
