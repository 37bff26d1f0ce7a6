// The HTTP server: Fastify for everything but the webhook hot path, which a raw node:http handler
// takes before Fastify sees the request (measured: see bench/ingest.mjs and docs/operations.md).
// Trailing-slash folding stays off and nothing redirects: a 3xx would disable the endpoint.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { errorAnswer, isServerFault } from './answer.js';
import { WEBHOOK_PATHS, type WebhookHandler, webhookPath } from './webhook.js';

export interface HttpServerOptions {
  logger: Logger;
  webhook: WebhookHandler | null;
}

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const { logger, webhook } = options;
  const server = Fastify({
    // Fastify's per-request logging is off: the hot path must not log per success, and failures
    // are logged once, by the error handler below, on our own logger.
    logger: false,
    // Never fold /webhooks/ into /webhooks (and never redirect): /webhooks/ is a plain 404.
    routerOptions: { ignoreTrailingSlash: false, ignoreDuplicateSlashes: false },
    serverFactory: (fastifyHandler) =>
      createServer((req: IncomingMessage, res: ServerResponse) => {
        if (webhook && webhookPath(req.method, req.url)) webhook.handle(req, res);
        else fastifyHandler(req, res);
      }) as Server,
  });

  // The webhook paths exist only for POST (taken by the raw front above); other methods get 405.
  for (const url of WEBHOOK_PATHS) {
    server.route({
      method: ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', ...(webhook ? [] : ['POST'])] as never,
      url,
      handler: async () => {
        throw new AppError(
          webhook ? 'method_not_allowed' : 'not_found',
          webhook
            ? `${url} only accepts POST (signed webhook deliveries).`
            : `${url} is not served by this process (serve --worker-only receives no webhooks).`,
          { details: { allow: 'POST' } },
        );
      },
    });
  }

  server.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    const hint = WEBHOOK_PATHS.some((p) => path === `${p}/`)
      ? ` Webhooks go to ${path.slice(0, -1)} (no trailing slash).`
      : '';
    return reply
      .code(404)
      .header('cache-control', 'no-store')
      .send(new AppError('not_found', `No route ${req.method} ${path}.${hint}`).toJSON());
  });

  server.setErrorHandler((err, req, reply) => {
    if (isServerFault(err)) logger.error({ err, url: req.url, method: req.method }, 'request failed');
    const answer = errorAnswer(err, 'other');
    return reply
      .code(answer.status)
      .headers(answer.headers)
      .header('cache-control', 'no-store')
      .send(answer.body);
  });

  return server;
}
