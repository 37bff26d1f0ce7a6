// The head of every server-sent event stream serve answers (/api/stream, a run's transcript
// stream): hijacked from Fastify, never cached, and marked so buffering proxies pass each event on.
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

/** How often an idle event stream gets a comment line, so proxies do not time it out. */
export const KEEPALIVE_MS = 15_000;

/**
 * How much a client may fall behind (written, not yet taken by its connection) before its stream
 * is cut: a client that stops reading would otherwise hold every later event in memory. EventSource
 * reconnects by itself with Last-Event-ID and is caught up in order from there.
 */
export const MAX_BEHIND_BYTES = 4 * 1024 * 1024;

/** Writes one frame; false (and the connection closed) once the client is too far behind. */
export function sendEvent(res: ServerResponse, frame: string, maxBehind = MAX_BEHIND_BYTES): boolean {
  if (res.destroyed) return false;
  if (res.writableLength > maxBehind) {
    res.destroy();
    return false;
  }
  res.write(frame);
  return true;
}

/** Takes the response over from Fastify and writes the event-stream head; the caller writes events. */
export function openEventStream(reply: FastifyReply): ServerResponse {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  return res;
}
