// The platform's error envelope (reference section 8b), so the SDK maps answers to its own classes
// (BadRequestError, NotFoundError, AuthenticationError, RateLimitError, ...).

export type ApiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'conflict_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

const STATUS: Record<ApiErrorType, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  conflict_error: 409,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly type: ApiErrorType,
    message: string,
    readonly headers: Record<string, string> = {},
    /** `error.details.error_code`: the SDK exposes it as `errorCode` on its error classes. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = STATUS[type];
  }

  envelope(requestId: string): {
    type: 'error';
    error: { type: ApiErrorType; message: string; details?: { error_code: string } };
    request_id: string;
  } {
    const error = { type: this.type, message: this.message };
    return {
      type: 'error',
      error: this.code === undefined ? error : { ...error, details: { error_code: this.code } },
      request_id: requestId,
    };
  }
}

export const badRequest = (message: string): ApiError => new ApiError('invalid_request_error', message);
export const notFound = (what: string, id: string): ApiError =>
  new ApiError('not_found_error', `${what} ${id} not found.`);
/** A 400 with a machine-readable `error_code` (environment_archived, file_not_downloadable, ...). */
export const badRequestCode = (code: string, message: string): ApiError =>
  new ApiError('invalid_request_error', message, {}, code);
