// The HTTP server: Fastify for everything but the webhook hot path, which a raw node:http handler
// takes before Fastify sees the request (measured: see bench/ingest.mjs and docs/operations.md).
// Trailing-slash folding stays off and nothing redirects: a 3xx would disable the endpoint.
import { createServer, type Server, type ServerOptions } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { errorAnswer, isServerFault } from './answer.js';
import { DEFAULT_BODY_TIMEOUT_MS, WEBHOOK_PATHS, type WebhookHandler, webhookPath } from './webhook.js';

export interface HttpServerOptions {
  logger: Logger;
  webhook: WebhookHandler | null;
  /** Why there is no webhook route, when it is not --worker-only (the 404 says it). */
  webhooksOff?: string;
}

/**
 * node:http's own limits, sized from the webhook body timeout: headers must arrive within it, and a
 * whole request within headers plus body time (node's defaults hold a stalled request 300 s).
 * Checked every second so a limit is enforced close to when it passes.
 */
function serverTimeouts(bodyTimeoutMs: number): ServerOptions {
  return {
    headersTimeout: bodyTimeoutMs,
    requestTimeout: 2 * bodyTimeoutMs,
    connectionsCheckingInterval: 1000,
  };
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
      createServer(serverTimeouts(webhook?.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS), (req, res) => {
        // Every method on a webhook path goes to the raw front, which answers 405 for all but
        // POST before any body is parsed (Fastify would answer 415 to a body it cannot parse).
        if (webhook && webhookPath(req.url)) webhook.handle(req, res);
        else fastifyHandler(req, res);
      }) as Server,
  });

  if (!webhook) {
    for (const url of WEBHOOK_PATHS) {
      server.route({
        method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        url,
        handler: async () => {
          throw new AppError(
            'not_found',
            options.webhooksOff
              ? `${url}: ${options.webhooksOff}.`
              : `${url} is not served by this process (serve --worker-only receives no webhooks).`,
          );
        },
      });
    }
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
    const answer = errorAnswer(err, 'other');
    // A 4xx is the client's doing: one debug line with its code, no stack, so a scan of bad
    // requests cannot flood the log.
    if (isServerFault(err)) logger.error({ err, url: req.url, method: req.method }, 'request failed');
    else
      logger.debug(
        { status: answer.status, code: answer.body.error.code, url: req.url, method: req.method },
        'request refused',
      );
    return reply
      .code(answer.status)
      .headers(answer.headers)
      .header('cache-control', 'no-store')
      .send(answer.body);
  });

  return server;
}
