// Maps SDK failures onto one AppError code, platform_error, with what the worker needs to decide:
// retry or not, and how long the platform asked us to wait.
import Anthropic from '@anthropic-ai/sdk';
import { AppError } from '../errors.js';

// A type alias (not an interface) so it fits AppError's open details record both ways.
export type PlatformErrorDetails = {
  status: number | null;
  retryable: boolean;
  retryAfterMs: number | null;
  type: string | null;
};

export function isNotFound(err: unknown): boolean {
  return err instanceof Anthropic.APIError && err.status === 404;
}

/** retry-after-ms wins over retry-after (seconds or an HTTP date), as the SDK itself does. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | null {
  if (!headers) return null;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers.get('retry-after');
  if (raw == null) return null;
  const s = Number.parseFloat(raw);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

/** Runs one platform call; any failure becomes platform_error naming `what`. */
export async function platformCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toPlatformError(err, what);
  }
}

/** As platformCall, but a 404 (the thing does not exist) answers null. */
export async function platformCallOrNull<T>(what: string, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    if (isNotFound(err)) return null;
    throw toPlatformError(err, what);
  }
}

export function toPlatformError(err: unknown, what: string): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof Anthropic.APIConnectionError) {
    // Covers timeouts too (APIConnectionTimeoutError extends it): the request may not have arrived.
    return platformError(
      `${what}: could not reach the platform (${err.message}). Check ANTHROPIC_BASE_URL and the network.`,
      err,
      {
        status: null,
        retryable: true,
        retryAfterMs: null,
        type: 'connection_error',
      },
    );
  }
  if (err instanceof Anthropic.APIError) {
    const status = err.status ?? null;
    const body = err.error as { error?: { type?: string; message?: string } } | undefined;
    const type = body?.error?.type ?? null;
    const retryable =
      status === 408 || status === 409 || status === 429 || (status !== null && status >= 500);
    const hint =
      status === 401
        ? ' Check ANTHROPIC_API_KEY.'
        : status === 403
          ? ' The key lacks permission for Managed Agents in this workspace.'
          : status === 429
            ? ' Rate limited; agenthooks retries after the time the platform asks for.'
            : '';
    const message = body?.error?.message ?? err.message;
    return platformError(
      `${what}: HTTP ${status} ${type ?? ''} ${message}.${hint}`.replace(/\s+/g, ' ').trim(),
      err,
      {
        status,
        retryable,
        retryAfterMs: retryAfterMs(err.headers),
        type,
      },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return platformError(`${what}: ${message}`, err, {
    status: null,
    retryable: false,
    retryAfterMs: null,
    type: null,
  });
}

function platformError(message: string, cause: unknown, details: PlatformErrorDetails): AppError {
  return new AppError('platform_error', message, { cause, details: { ...details } });
}

export function platformDetails(err: unknown): PlatformErrorDetails | null {
  // platformError is the only writer of platform_error details, so their shape is known.
  if (err instanceof AppError && err.code === 'platform_error' && err.details)
    return err.details as PlatformErrorDetails;
  return null;
}
