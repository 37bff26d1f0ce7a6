// Platform failures become platform_error with retryable + retryAfterMs; backoff respects them.
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { platformDetails, retryAfterMs, toPlatformError } from '../../src/platform/errors.js';
import { definitionHash } from '../../src/platform/resources.js';
import { backoffDelay } from '../../src/runs/backoff.js';

const apiError = (status: number, headers: Record<string, string> = {}) =>
  Anthropic.APIError.generate(
    status,
    { type: 'error', error: { type: 'x_error', message: 'boom' } },
    undefined,
    new Headers(headers),
  );

describe('toPlatformError', () => {
  it.each([
    [429, true],
    [500, true],
    [529, true],
    [409, true],
    [400, false],
    [401, false],
    [403, false],
  ])('HTTP %i retryable=%s', (status, retryable) => {
    const e = toPlatformError(apiError(status), 'GET session s');
    expect(e.code).toBe('platform_error');
    expect(platformDetails(e)).toMatchObject({ status, retryable });
    expect(e.message).toContain('GET session s');
  });
  it('401 says to check the key', () => {
    expect(toPlatformError(apiError(401), 'x').message).toContain('ANTHROPIC_API_KEY');
  });
  it('429 carries retry-after', () => {
    expect(platformDetails(toPlatformError(apiError(429, { 'retry-after': '7' }), 'x'))?.retryAfterMs).toBe(
      7000,
    );
  });
  it('a connection error is retryable', () => {
    const e = toPlatformError(new Anthropic.APIConnectionError({ message: 'ECONNREFUSED' }), 'x');
    expect(platformDetails(e)).toMatchObject({ retryable: true, status: null });
  });
});

describe('retryAfterMs', () => {
  it('reads retry-after-ms, seconds and HTTP dates', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250' }))).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4_000)).toBe(6000);
    expect(retryAfterMs(new Headers({}))).toBeNull();
  });
});

describe('backoffDelay', () => {
  const o = { baseMs: 1000, maxMs: 60_000 };
  it('grows, is jittered within [half, full], and is capped', () => {
    expect(backoffDelay(1, null, o, () => 0)).toBe(500);
    expect(backoffDelay(1, null, o, () => 1)).toBe(1000);
    expect(backoffDelay(4, null, o, () => 1)).toBe(8000);
    expect(backoffDelay(30, null, o, () => 1)).toBe(60_000);
  });
  it('never retries sooner than retry-after', () => {
    expect(backoffDelay(1, 30_000, o, () => 0)).toBe(30_000);
  });
});

describe('definitionHash', () => {
  it('ignores key order and undefined/null fields; changes with the definition', () => {
    expect(definitionHash({ model: 'm', system: 's' })).toBe(
      definitionHash({ system: 's', model: 'm', description: null }),
    );
    expect(definitionHash({ model: 'm', system: 's' })).not.toBe(definitionHash({ model: 'm', system: 't' }));
  });
});
