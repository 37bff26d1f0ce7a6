// Express (4 and 5) and Connect-style middleware. The signature covers the exact bytes sent, so the
// body must reach agenthooks raw: either express.raw({ type: '*/*' }) ran before (req.body is a
// Buffer), or no body parser ran and the stream is read here. A req.body that is already a parsed
// object means express.json() (or similar) ran first: that is refused with a message naming it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../errors.js';
import type { WebhookCore, WebhookResponse } from '../ingest/receiver.js';
import { reserialisedBody } from './raw-body.js';

/** The parts of Express's req used here (structural, so agenthooks does not depend on express). */
export type ExpressRequestLike = IncomingMessage & { body?: unknown };
export type ExpressMiddleware = (
  req: ExpressRequestLike,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/**
 * Express middleware that receives the webhook and answers it (it never calls next() on success).
 *
 * @example
 * app.post('/webhooks', express.raw({ type: '*\/*' }), hooks.express());
 * // or, with no body parser on this route:
 * app.post('/webhooks', hooks.express());
 */
export function expressMiddleware(
  core: Pick<WebhookCore, 'handle' | 'reject' | 'precheck'>,
  options: { bodyLimit: number },
): ExpressMiddleware {
  return (req, res, next) => {
    const body = req.body;
    const send = (answer: WebhookResponse) => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
      res.end(answer.body);
    };
    const handle = (rawBody: Buffer | string) =>
      core.handle({ rawBody, headers: req.headers }).then(send, next);

    if (Buffer.isBuffer(body)) return void handle(body);
    // express.text() keeps the characters; decoding UTF-8 and encoding again gives the same bytes.
    if (typeof body === 'string') return void handle(body);
    // Express 4's body-parser leaves {} on requests it did not read: the stream is still unread then.
    const untouchedEmpty = isEmptyObject(body) && !req.readableEnded;
    if (body !== undefined && body !== null && !untouchedEmpty) {
      return send(
        core.reject(
          reserialisedBody(
            'an Express body parser (express.json() or similar)',
            "Mount express.raw({ type: '*/*' }) on the webhook route (or no body parser at all), and register the route before app.use(express.json()).",
          ),
        ),
      );
    }
    if (req.readableEnded) {
      // Something consumed the stream and left nothing behind: nothing to verify.
      return send(
        core.reject(
          reserialisedBody(
            'middleware that consumed the request stream',
            'Mount hooks.express() before body-reading middleware.',
          ),
        ),
      );
    }
    // The stream is still unread: bad headers are answered before any of it is, and the
    // connection closed so the unread rest is not read either.
    const early = core.precheck(req.headers);
    if (early) {
      res.setHeader('connection', 'close');
      return send(early);
    }
    readBody(req, options.bodyLimit).then(handle, (err) => send(core.reject(err)));
  };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(
          new AppError(
            'body_too_large',
            `The body has ${size} bytes or more, over the limit of ${limit}: raise bodyLimit if real events are this large.`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}
