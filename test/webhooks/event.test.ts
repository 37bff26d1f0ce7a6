import { describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../../src/errors.js';
import {
  HANDLED_EVENT_TYPES,
  isHandledEventType,
  parseCreatedAt,
  parseEvent,
  RFC3339,
} from '../../src/webhooks/event.js';

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

describe('parseCreatedAt', () => {
  // The reading it must equal on every input: the RFC 3339 pattern, then V8's Date.parse.
  const reference = (text: string) => (RFC3339.test(text) ? Date.parse(text) : Number.NaN);
  const pad = (v: number, len: number) => String(v).padStart(len, '0');

  it('equals the pattern and Date.parse on every day, time edge and fraction of the fast form', () => {
    const texts: string[] = [];
    for (const year of [0, 1, 99, 100, 1969, 1970, 2000, 2024, 2026, 2100, 9999])
      for (let month = 0; month <= 13; month++)
        for (const day of [0, 1, 28, 29, 30, 31, 32])
          texts.push(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T12:00:00Z`);
    for (const time of ['00:00:00', '23:59:59', '24:00:00', '24:00:01', '23:60:00', '23:59:60', '99:99:99'])
      texts.push(`2026-11-30T${time}Z`);
    for (const fraction of ['', '.', '.1', '.12', '.123', '.1239', '.999999999', '.12a', '.-1'])
      texts.push(`2026-11-30T10:14:05${fraction}Z`);
    // The general path's forms, and near misses of the fast one.
    texts.push(
      '2026-11-30t10:14:05z',
      '2026-11-30 10:14:05Z',
      '2026-11-30T10:14:05+02:00',
      '2026-11-30T10:14:05.123456-07:30',
      '2026-11-30T10:14:05',
      '2026-11-30T1a:14:05Z',
      '2026-1a-30T10:14:05Z',
      '-026-11-30T10:14:05Z',
      '+02026-11-30T10:14:05Z',
      '2026-11-30T10:14:05ZZ',
      '2026-11-30T10:14:05.Z',
      ' 2026-11-30T10:14:05Z',
      '2026-11-30T10:14:0５Z',
      '',
      'yesterday',
    );
    expect(texts.length).toBeGreaterThan(1000);
    for (const text of texts) expect([text, parseCreatedAt(text)]).toEqual([text, reference(text)]);
  });

  it('equals them on random mutations of a real timestamp', () => {
    const base = '2026-11-30T10:14:05.123Z';
    const alphabet = '0123456789-:.TtZz +x';
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 20_000; i++) {
      const chars = [...base];
      for (let k = next(3) + 1; k > 0; k--) chars[next(chars.length)] = alphabet[next(alphabet.length)];
      const text = chars.join('');
      expect([text, parseCreatedAt(text)]).toEqual([text, reference(text)]);
    }
  });
});
