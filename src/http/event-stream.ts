// The head of every server-sent event stream serve answers (/api/stream, a run's transcript
// stream): hijacked from Fastify, never cached, and marked so buffering proxies pass each event on.
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

/** How often an idle event stream gets a comment line, so proxies do not time it out. */
export const KEEPALIVE_MS = 15_000;

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
