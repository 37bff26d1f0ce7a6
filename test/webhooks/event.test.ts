import { describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../../src/errors.js';
import { HANDLED_EVENT_TYPES, isHandledEventType, parseEvent } from '../../src/webhooks/event.js';

const event = (
  data: Record<string, unknown> = { type: 'session.status_idled', id: 'sesn_01' },
  extra: Record<string, unknown> = {},
) => JSON.stringify({ type: 'event', id: 'whe_01', created_at: '2026-11-20T10:14:05Z', data, ...extra });

function codeOf(raw: string, id = 'whe_01'): ErrorCode | 'ok' {
  try {
    parseEvent(raw, id, 5);
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).code;
  }
}

describe('parseEvent', () => {
  it('builds the NewEvent row, keeping the raw body unchanged', () => {
    const raw = `  ${event({ type: 'session.thread_created', id: 'sesn_01', session_thread_id: 'sthr_9', organization_id: 'o' })}\n`;
    expect(parseEvent(raw, 'whe_01', 1234)).toEqual({
      id: 'whe_01',
      type: 'session.thread_created',
      createdAt: Date.parse('2026-11-20T10:14:05Z'),
      receivedAt: 1234,
      subjectId: 'sesn_01',
      threadId: 'sthr_9',
      raw,
      state: 'pending',
    });
    expect(parseEvent(event(), 'whe_01', 1).threadId).toBeNull();
  });

  it('pending for session.* and deployment_run.* types, ignored for the rest and unknown ones', () => {
    for (const type of HANDLED_EVENT_TYPES)
      expect(parseEvent(event({ type, id: 'x' }), 'whe_01', 1).state).toBe('pending');
    expect(HANDLED_EVENT_TYPES).toHaveLength(20);
    for (const type of [
      'vault.created',
      'agent.updated',
      'deployment.paused',
      'environment.deleted',
      'memory_store.created',
      'external_key.failed',
      'user_profile.program_status_updated',
      'session.status_scheduled',
      'session.future_thing',
      'webhook.test',
      'constructor',
      '__proto__',
      'toString',
    ]) {
      expect(parseEvent(event({ type, id: 'x' }), 'whe_01', 1).state, type).toBe('ignored');
    }
    expect(isHandledEventType('session.status_idled')).toBe(true);
    expect(isHandledEventType('hasOwnProperty')).toBe(false);
  });

  it('invalid_json', () => {
    for (const raw of ['', '{', '{"type":"event",}', 'undefined', "{'a':1}", '\u0000', `${event()}x`]) {
      expect(codeOf(raw), JSON.stringify(raw)).toBe('invalid_json');
    }
  });

  it('not_an_event for every broken envelope', () => {
    const bad = [
      'null',
      '[]',
      '1',
      '"event"',
      'true',
      '1e999',
      `[${event()}]`,
      event(undefined, { type: 'events' }),
      event(undefined, { type: undefined }),
      event(undefined, { id: 5 }),
      event(undefined, { id: '' }),
      event(undefined, { id: null }),
      event(undefined, { created_at: 'yesterday' }),
      event(undefined, { created_at: '1' }),
      event(undefined, { created_at: 1790000000 }),
      event(undefined, { created_at: '2026-13-45T99:99:99Z' }),
      event(undefined, { created_at: null }),
      event(undefined, { data: null }),
      event(undefined, { data: [] }),
      event(undefined, { data: 'session' }),
      event({ id: 'sesn_01' }),
      event({ type: 7, id: 'sesn_01' }),
      event({ type: '', id: 'sesn_01' }),
      event({ type: 'session.updated' }),
      event({ type: 'session.updated', id: 12 }),
      event({ type: 'session.updated', id: { x: 1 } }),
      '{"__proto__":{"type":"event","id":"whe_01","created_at":"2026-11-20T10:14:05Z","data":{"type":"a","id":"b"}}}',
      '{"type":"event","id":"whe_01","created_at":"2026-11-20T10:14:05Z","__proto__":{"data":{"type":"a","id":"b"}}}',
    ];
    for (const raw of bad) expect(codeOf(raw), raw).toBe('not_an_event');
  });

  it('id_mismatch when the body id is not webhook-id (checked after the envelope)', () => {
    expect(codeOf(event(), 'whe_02')).toBe('id_mismatch');
    expect(codeOf(event(), 'WHE_01')).toBe('id_mismatch');
    expect(codeOf(event({ id: 'x' }), 'whe_02')).toBe('not_an_event');
  });

  it('garbage inputs never throw anything but AppError', () => {
    // A seeded generator of JSON-ish noise and mutated events.
    let s = 42;
    const rnd = () => {
      s = (s * 1103515245 + 12345) >>> 0;
      return s / 2 ** 32;
    };
    const pieces = [
      '{',
      '}',
      '[',
      ']',
      '"',
      ':',
      ',',
      'null',
      '"__proto__"',
      '"type"',
      '"event"',
      '"data"',
      '"id"',
      '1e400',
      '-0',
      '\\u0000',
      ' ',
      'true',
      '"constructor"',
    ];
    const base = event({ type: 'session.updated', id: 'sesn_1', session_thread_id: 5 });
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      let raw: string;
      if (i % 2 === 0) {
        raw = Array.from(
          { length: 1 + Math.floor(rnd() * 12) },
          () => pieces[Math.floor(rnd() * pieces.length)],
        ).join('');
      } else {
        const at = Math.floor(rnd() * base.length);
        raw =
          base.slice(0, at) +
          pieces[Math.floor(rnd() * pieces.length)] +
          base.slice(at + Math.floor(rnd() * 3));
      }
      seen.add(codeOf(raw));
    }
    expect(seen.has('invalid_json')).toBe(true);
    expect(seen.has('not_an_event')).toBe(true);
  });

  it('odd but valid envelopes', () => {
    const big = event({
      type: 'session.updated',
      id: 'sesn_1',
      n: 1e308,
      huge: 0,
      session_thread_id: 7,
    }).replace('"huge":0', '"huge":123456789012345678901234567890e999');
    const e = parseEvent(big, 'whe_01', 1);
    expect(e.threadId).toBeNull(); // not a string
    expect(
      parseEvent(event(undefined, { created_at: '2026-11-20T10:14:05.123456+02:00' }), 'whe_01', 1).createdAt,
    ).toBe(Date.parse('2026-11-20T08:14:05.123Z'));
    const proto =
      '{"type":"event","id":"whe_01","created_at":"2026-11-20T10:14:05Z","data":{"type":"x","id":"y","__proto__":{"session_thread_id":"t"}},"__proto__":null}';
    expect(parseEvent(proto, 'whe_01', 1)).toMatchObject({
      type: 'x',
      subjectId: 'y',
      threadId: null,
      state: 'ignored',
    });
  });
});
