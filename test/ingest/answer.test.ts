import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { errorAnswer } from '../../src/http/answer.js';
import { RETRY_AFTER_S, webhookErrorAnswer } from '../../src/ingest/answer.js';

describe('webhookErrorAnswer', () => {
  it('answers an AppError with its status and code', () => {
    const a = webhookErrorAnswer(new AppError('invalid_signature', 'no match'));
    expect(a).toEqual({
      status: 401,
      body: { error: { code: 'invalid_signature', message: 'no match' } },
      headers: {},
    });
  });

  it('answers anything else as 503 store_unavailable with Retry-After', () => {
    const a = webhookErrorAnswer(new Error('SQLITE_BUSY'));
    expect(a.status).toBe(503);
    expect(a.body.error.code).toBe('store_unavailable');
    expect(a.body.error.message).not.toContain('SQLITE_BUSY');
    expect(a.headers).toEqual({ 'retry-after': String(RETRY_AFTER_S) });
  });
});

describe('errorAnswer (the HTTP error handler)', () => {
  it('maps AppErrors as the webhook routes do', () => {
    const err = new AppError('method_not_allowed', 'POST only', { details: { allow: 'POST' } });
    expect(errorAnswer(err, 'other')).toEqual(webhookErrorAnswer(err));
    expect(errorAnswer(err, 'other').headers).toEqual({ allow: 'POST' });
  });

  it("keeps Fastify's client errors 4xx and hides anything else behind internal_error", () => {
    const notFound = Object.assign(new Error('Route not found'), { statusCode: 404 });
    expect(errorAnswer(notFound, 'other')).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'Route not found' } },
      headers: {},
    });
    const bad = Object.assign(new Error('Body is not JSON'), { statusCode: 400 });
    expect(errorAnswer(bad, 'other').body.error.code).toBe('bad_request');
    const crash = errorAnswer(new Error('boom'), 'other');
    expect(crash.status).toBe(500);
    expect(crash.body.error.code).toBe('internal_error');
    expect(crash.body.error.message).not.toContain('boom');
    expect(errorAnswer(new Error('boom'), 'webhook').body.error.code).toBe('store_unavailable');
  });
});
