// The one place where failures become HTTP answers: AppError -> its status and
// { "error": { "code", "message" } }; anything else -> 503 store_unavailable on the webhook routes
// (the platform retries; a 500 there would only hide that the store failed) and a generic 500
// elsewhere. Used by the raw webhook front and by Fastify's error handler alike.
import { AppError, isAppError } from '../errors.js';

/** Seconds a sender should wait after a 503 before retrying. */
export const RETRY_AFTER_S = 5;

export interface Answer {
  status: number;
  body: { error: { code: string; message: string } };
  headers: Record<string, string>;
}

export function errorAnswer(err: unknown, where: 'webhook' | 'other'): Answer {
  let app: AppError;
  if (isAppError(err)) app = err;
  else if (where === 'webhook') {
    app = new AppError('store_unavailable', 'The event could not be stored right now; retry later.');
  } else {
    const status = (err as { statusCode?: unknown })?.statusCode;
    // Fastify's own client errors (bad content type, malformed JSON, ...) stay 4xx.
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message = err instanceof Error ? err.message : 'The request is invalid.';
      return {
        status,
        body: { error: { code: status === 404 ? 'not_found' : 'bad_request', message } },
        headers: {},
      };
    }
    app = new AppError(
      'internal_error',
      'Unexpected failure inside agenthooks; the server log has the details.',
    );
  }
  const headers: Record<string, string> = {};
  if (app.code === 'store_unavailable') headers['retry-after'] = String(RETRY_AFTER_S);
  if (app.code === 'method_not_allowed' && typeof app.details?.allow === 'string')
    headers.allow = app.details.allow;
  if (app.code === 'unauthorized') headers['www-authenticate'] = 'Bearer realm="agenthooks"';
  return { status: app.status, body: app.toJSON(), headers };
}

/** True when `err` is one that errorAnswer would turn into a 5xx the operator should look at. */
export function isServerFault(err: unknown): boolean {
  return !isAppError(err) || err.status >= 500;
}
