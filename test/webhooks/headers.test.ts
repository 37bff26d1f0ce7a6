import { describe, expect, it } from 'vitest';
import { header, headersToObject } from '../../src/webhooks/headers.js';

describe('header', () => {
  it('reads Node headers, plain objects in any case and Fetch Headers alike', () => {
    expect(header({ 'webhook-id': 'a' }, 'webhook-id')).toBe('a');
    expect(header({ 'WEBHOOK-ID': 'a' }, 'webhook-id')).toBe('a');
    expect(header({ 'Webhook-Id': 'a' }, 'webhook-id')).toBe('a');
    expect(header(new Headers({ 'Webhook-Id': 'a' }), 'webhook-id')).toBe('a');
  });

  it('takes the first value of an array; Fetch Headers join repeats', () => {
    expect(header({ 'webhook-id': ['a', 'b'] }, 'webhook-id')).toBe('a');
    const h = new Headers();
    h.append('webhook-id', 'a');
    h.append('webhook-id', 'b');
    expect(header(h, 'webhook-id')).toBe('a, b');
  });

  it('is undefined when absent, empty, an empty array or undefined', () => {
    expect(header({}, 'webhook-id')).toBeUndefined();
    expect(header({ 'webhook-id': '' }, 'webhook-id')).toBeUndefined();
    expect(header({ 'webhook-id': [] }, 'webhook-id')).toBeUndefined();
    expect(header({ 'webhook-id': [''] }, 'webhook-id')).toBeUndefined();
    expect(header({ 'webhook-id': undefined }, 'webhook-id')).toBeUndefined();
    expect(header(new Headers({ 'webhook-id': '' }), 'webhook-id')).toBeUndefined();
    expect(header(new Headers(), 'webhook-id')).toBeUndefined();
  });

  it('skips an undefined entry and finds the same name in another case', () => {
    expect(header({ 'webhook-id': undefined, 'WEBHOOK-ID': 'a' }, 'webhook-id')).toBe('a');
    expect(header({ 'WEBHOOK-ID': undefined, 'Webhook-Id': 'a' }, 'webhook-id')).toBe('a');
  });

  it('does not match a longer or shorter name', () => {
    expect(header({ 'x-webhook-id': 'a', 'webhook-i': 'b' }, 'webhook-id')).toBeUndefined();
  });
});

describe('headersToObject', () => {
  it('turns Fetch Headers into a plain lower-case object', () => {
    expect(headersToObject(new Headers({ 'Webhook-Id': 'a', 'Content-Type': 'application/json' }))).toEqual({
      'webhook-id': 'a',
      'content-type': 'application/json',
    });
  });
});
