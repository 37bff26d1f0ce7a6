// The one place where failures become HTTP answers: AppError -> its status and
// { "error": { "code", "message" } }; anything else -> 503 store_unavailable on the webhook routes
// (src/ingest/answer.ts, which the receiver core answers with) and a generic 500 elsewhere. Used by
// Fastify's error handler.
import { AppError, isAppError } from '../errors.js';
import { type Answer, appErrorAnswer, webhookErrorAnswer } from '../ingest/answer.js';

export function errorAnswer(err: unknown, where: 'webhook' | 'other'): Answer {
  if (isAppError(err) || where === 'webhook') return webhookErrorAnswer(err);
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
  return appErrorAnswer(
    new AppError('internal_error', 'Unexpected failure inside agenthooks; the server log has the details.'),
  );
}

/** True when `err` is one that errorAnswer would turn into a 5xx the operator should look at. */
export function isServerFault(err: unknown): boolean {
  // Fastify's own client errors (415, malformed JSON) are the client's fault like any 4xx AppError.
  return errorAnswer(err, 'other').status >= 500;
}
