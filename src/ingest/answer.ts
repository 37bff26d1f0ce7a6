// What a failure answers: AppError -> its status, { "error": { "code", "message" } } and the
// headers its code implies. On the webhook routes anything else is 503 store_unavailable (the
// platform retries; a 500 there would only hide that the store failed). The receiver core answers
// with this, and the HTTP error handler (src/http/answer.ts) maps AppErrors with it too.
import { AppError, isAppError } from '../errors.js';

/** Seconds a sender should wait after a 503 before retrying. */
export const RETRY_AFTER_S = 5;

export interface Answer {
  status: number;
  body: { error: { code: string; message: string } };
  headers: Record<string, string>;
}

/** The answer for an AppError, with Retry-After for store_unavailable and overloaded, Allow for method_not_allowed. */
export function appErrorAnswer(app: AppError): Answer {
  const headers: Record<string, string> = {};
  if (app.code === 'store_unavailable') headers['retry-after'] = String(RETRY_AFTER_S);
  // A full receiver frees a slot as soon as any body in flight ends.
  if (app.code === 'overloaded') headers['retry-after'] = '1';
  if (app.code === 'method_not_allowed' && typeof app.details?.allow === 'string')
    headers.allow = app.details.allow;
  // Scripts that send no token learn how to authenticate.
  if (app.code === 'unauthorized') headers['www-authenticate'] = 'Bearer realm="agenthooks"';
  return { status: app.status, body: app.toJSON(), headers };
}

/** The answer on a webhook route: an AppError as itself, anything else as store_unavailable. */
export function webhookErrorAnswer(err: unknown): Answer {
  return appErrorAnswer(
    isAppError(err)
      ? err
      : new AppError('store_unavailable', 'The event could not be stored right now; retry later.'),
  );
}
