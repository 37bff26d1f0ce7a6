// Every error agenthooks raises on purpose is an AppError with a stable code from this registry.
// The code is what scripts match on and what docs/errors.md documents; the message says what to fix.

export const ERROR_CODES = {
  // webhook answers (DESIGN.md semantics 2), in the order the receiver checks them
  body_too_large: { status: 413, exit: 1, summary: 'The webhook body is larger than --body-limit.' },
  missing_headers: {
    status: 401,
    exit: 1,
    summary: 'webhook-id, webhook-timestamp or webhook-signature is missing.',
  },
  timestamp_too_old: { status: 401, exit: 1, summary: 'webhook-timestamp is more than 300 s in the past.' },
  timestamp_too_new: { status: 401, exit: 1, summary: 'webhook-timestamp is more than 300 s in the future.' },
  invalid_timestamp: { status: 401, exit: 1, summary: 'webhook-timestamp is not a whole number of seconds.' },
  invalid_signature: { status: 401, exit: 1, summary: 'No v1 signature matches any configured signing key.' },
  invalid_json: {
    status: 400,
    exit: 1,
    summary: 'The verified body is not valid JSON (or not UTF-8, or nested deeper than 64 levels).',
  },
  not_an_event: {
    status: 400,
    exit: 1,
    summary: 'The body is not a webhook event envelope {type:"event", id, created_at, data:{type,id}}.',
  },
  id_mismatch: { status: 400, exit: 1, summary: 'The body id differs from the webhook-id header.' },
  store_unavailable: {
    status: 503,
    exit: 1,
    summary: 'The store could not commit; the sender should retry.',
  },
  body_timeout: {
    status: 408,
    exit: 1,
    summary: 'The webhook body did not arrive within --body-timeout; the connection is closed.',
  },
  overloaded: {
    status: 503,
    exit: 1,
    summary: 'More than --max-inflight webhook bodies are being read at once; retry after Retry-After.',
  },
  // library adapters (src/embed): a framework parsed the body before agenthooks could verify it
  raw_body_required: {
    status: 500,
    exit: 2,
    summary:
      'A JSON body parser re-serialised the webhook body before verification; the signed bytes are gone.',
  },
  // access
  token_required: {
    status: 403,
    exit: 1,
    summary: 'A non-loopback request needs AGENTHOOKS_TOKEN, and none is configured.',
  },
  unauthorized: {
    status: 401,
    exit: 1,
    summary: 'The request lacks a valid bearer token or session cookie.',
  },
  host_not_allowed: {
    status: 403,
    exit: 1,
    summary: 'The Host header names neither loopback nor an --allowed-host (DNS rebinding guard).',
  },
  too_many_attempts: {
    status: 429,
    exit: 1,
    summary: 'Ten wrong tokens from this address within a minute; wait for Retry-After.',
  },
  cross_site: {
    status: 403,
    exit: 1,
    summary: 'A state-changing request came from another site (Origin or Sec-Fetch-Site).',
  },
  not_found: { status: 404, exit: 1, summary: 'No such route or record.' },
  method_not_allowed: { status: 405, exit: 1, summary: 'The route exists but not for this HTTP method.' },
  internal_error: {
    status: 500,
    exit: 1,
    summary: 'An unexpected failure inside agenthooks (a bug); the server log has the details.',
  },
  bad_request: { status: 400, exit: 2, summary: 'A query parameter or body field is invalid.' },
  // configuration and usage
  config_invalid: {
    status: 500,
    exit: 2,
    summary: 'A flag, environment variable or agenthooks.yaml value is invalid.',
  },
  signing_key_required: {
    status: 500,
    exit: 2,
    summary: 'serve needs a signing key (or --insecure-skip-verify).',
  },
  invalid_signing_key: { status: 500, exit: 2, summary: 'A signing key is not a whsec_ base64 secret.' },
  api_key_required: {
    status: 500,
    exit: 2,
    summary: 'The command calls the platform API and needs ANTHROPIC_API_KEY.',
  },
  usage: { status: 400, exit: 2, summary: 'The command line is wrong.' },
  invalid_time: {
    status: 400,
    exit: 2,
    summary: 'A --since/--until value is neither an ISO date-time nor a relative age like 30m, 2h or 7d.',
  },
  // store
  store_not_found: {
    status: 500,
    exit: 2,
    summary: 'The database does not exist yet; start `agenthooks serve` first.',
  },
  store_error: { status: 500, exit: 1, summary: 'The database failed.' },
  migration_failed: { status: 500, exit: 1, summary: 'Applying a schema migration failed.' },
  // platform
  platform_error: { status: 502, exit: 1, summary: 'The Managed Agents API answered with an error.' },
  launch_pending: {
    status: 503,
    exit: 1,
    summary: 'A launch kept failing with retryable API errors; its intent is stored and serve finishes it.',
  },
  run_not_found: { status: 404, exit: 1, summary: 'No run with that id is stored.' },
  notification_not_found: {
    status: 404,
    exit: 1,
    summary: 'No notification (outbox row) with that id is stored.',
  },
  event_not_found: { status: 404, exit: 1, summary: 'No event with that id is stored.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly exitCode: number;
  readonly details?: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.exitCode = ERROR_CODES[code].exit;
    this.details = options?.details;
  }

  toJSON(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}
