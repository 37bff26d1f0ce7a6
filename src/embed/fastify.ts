// A Fastify plugin that mounts the webhook route with a raw-buffer content-type parser scoped to the
// plugin (Fastify encapsulation), so the app's own JSON parsing elsewhere is untouched and this
// route always sees the exact bytes sent.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import type { WebhookCore } from '../ingest/receiver.js';

export interface FastifyPluginOptions {
  /** Route path; default /webhooks. */
  path?: string;
}

export type AgenthooksFastifyPlugin = (
  instance: FastifyInstance,
  options: FastifyPluginOptions,
) => Promise<void>;

/**
 * `await app.register(hooks.fastify, { path: '/webhooks' })`. Register it directly (not wrapped in
 * fastify-plugin): the raw parser must stay inside this plugin's scope.
 */
export function fastifyPlugin(
  core: Pick<WebhookCore, 'handle' | 'reject' | 'precheck'>,
  options: { bodyLimit: number },
): AgenthooksFastifyPlugin {
  return async (instance, opts) => {
    instance.removeAllContentTypeParsers();
    // One byte over the limit lets the core answer body_too_large itself, in agenthooks' shape.
    instance.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: options.bodyLimit + 1 },
      (_req, body, done) => done(null, body),
    );
    instance.setErrorHandler(async (err, _req, reply) => {
      const status = (err as { statusCode?: number }).statusCode;
      const cause =
        status === 413
          ? new AppError(
              'body_too_large',
              `The body is over the limit of ${options.bodyLimit} bytes: raise bodyLimit if real events are this large.`,
            )
          : err;
      const answer = core.reject(cause);
      return reply.code(answer.status).headers(answer.headers).send(answer.body);
    });
    // onRequest runs before the content-type parser: bad headers are answered before any of the
    // body is read, and the connection closed so the unread rest is not read either.
    instance.addHook('onRequest', async (req, reply) => {
      const early = core.precheck(req.headers);
      if (early)
        return reply.code(early.status).headers(early.headers).header('connection', 'close').send(early.body);
    });
    instance.post(opts.path ?? '/webhooks', async (req, reply) => {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const answer = await core.handle({ rawBody, headers: req.headers });
      return reply.code(answer.status).headers(answer.headers).send(answer.body);
    });
  };
}
