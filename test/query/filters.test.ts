// The one filter model: command-line flags and URL query parameters go through the same parser, so
// they accept the same values and fail alike (only the parameter's name, the error code and the
// page size cap differ), and one cursor codec serves both.
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { decodeCursor, encodeCursor } from '../../src/query/cursor.js';
import {
  DEFAULT_LIMIT,
  eventQuery,
  FLAGS,
  PARAMS,
  parseEventFilters,
  parseRunFilters,
  runQuery,
  type Surface,
} from '../../src/query/filters.js';
import { parseTime } from '../../src/query/time.js';

const NOW = Date.parse('2026-11-27T12:00:00Z');

function failure(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (isAppError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('cursor', () => {
  it('round-trips (time, id), ids with colons included', () => {
    const c = encodeCursor(1_795_773_540_120, 'sesn_01:x');
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c)).toEqual({ at: 1_795_773_540_120, id: 'sesn_01:x' });
  });

  it('is null for anything it did not write', () => {
    for (const bad of [
      'garbage',
      '',
      Buffer.from('[1]').toString('base64url'),
      Buffer.from('"x"').toString('base64url'),
    ])
      expect(decodeCursor(bad), bad).toBeNull();
  });
});

describe('parseTime', () => {
  it('takes ages, ISO times (UTC without a zone), now and epoch milliseconds', () => {
    expect(parseTime('2h', NOW, 'since')).toBe(NOW - 7_200_000);
    expect(parseTime('2026-11-27', NOW, 'since')).toBe(Date.parse('2026-11-27T00:00:00Z'));
    expect(parseTime('2026-11-27 03:00', NOW, 'since')).toBe(Date.parse('2026-11-27T03:00:00Z'));
    expect(parseTime('now', NOW, 'since')).toBe(NOW);
    expect(parseTime('1795773540120', NOW, 'since')).toBe(1_795_773_540_120);
  });
});

describe('run filters', () => {
  const both: [string, Surface][] = [
    ['flags', FLAGS],
    ['params', PARAMS],
  ];

  it.each(both)('parse the same values from %s', (_name, surface) => {
    const cursor = encodeCursor(NOW - 1000, 'sesn_last');
    const f = parseRunFilters(
      {
        status: ' Failed,running,failed ',
        agent: 'writer',
        since: '1d',
        until: 'now',
        search: 'x',
        limit: '5',
        cursor,
      },
      NOW,
      surface,
    );
    expect(f).toMatchObject({
      status: ['failed', 'running'],
      agent: 'writer',
      since: NOW - 86_400_000,
      until: NOW,
      search: 'x',
      limit: 5,
      cursor: { at: NOW - 1000, id: 'sesn_last' },
    });
    expect(runQuery(f)).toEqual({
      status: ['failed', 'running'],
      agent: 'writer',
      since: NOW - 86_400_000,
      until: NOW,
      search: 'x',
    });
  });

  it('leave out empty values and default the limit', () => {
    const f = parseRunFilters({ status: '', search: '  ', agent: ['a', 'b'] }, NOW, PARAMS);
    expect(f.limit).toBe(DEFAULT_LIMIT);
    expect(runQuery(f)).toEqual({ agent: 'b' });
    expect(f.raw).toEqual({ agent: 'b' });
  });

  it('fail with the same messages, named and coded per surface', () => {
    const cases: [Record<string, string>, string][] = [
      [{ status: 'done' }, 'must be a comma list of pending, running'],
      [{ limit: '0' }, 'must be a whole number from 1 to'],
      [{ cursor: 'garbage' }, 'must be a cursor from an earlier page'],
    ];
    for (const [input, text] of cases) {
      const param = Object.keys(input)[0];
      const cli = failure(() => parseRunFilters(input, NOW, FLAGS));
      const url = failure(() => parseRunFilters(input, NOW, PARAMS));
      expect(cli.code).toBe('usage');
      expect(url.code).toBe('bad_request');
      expect(cli.message.startsWith(`--${param} must be`)).toBe(true);
      expect(url.message.startsWith(`${param} must be`)).toBe(true);
      expect(cli.message).toContain(text);
      expect(url.message).toContain(text);
    }
  });

  it('cap the page size per surface', () => {
    expect(parseRunFilters({ limit: '10000' }, NOW, FLAGS).limit).toBe(10_000);
    expect(failure(() => parseRunFilters({ limit: '501' }, NOW, PARAMS)).message).toContain('1 to 500');
  });

  it('reject bad times and an empty range as invalid_time on both surfaces', () => {
    for (const surface of [FLAGS, PARAMS]) {
      expect(failure(() => parseRunFilters({ since: 'yesterday' }, NOW, surface)).code).toBe('invalid_time');
      const range = failure(() => parseRunFilters({ since: '1h', until: '2h' }, NOW, surface));
      expect(range.code).toBe('invalid_time');
      expect(range.message).toContain(`${surface.name('since')} must be before ${surface.name('until')}`);
    }
  });
});

describe('event filters', () => {
  it('parse type, session and state (any case) into a store query', () => {
    for (const surface of [FLAGS, PARAMS]) {
      const f = parseEventFilters(
        { type: 'session.status_idled', session: 'sesn_1', state: 'FAILED' },
        NOW,
        surface,
      );
      expect(eventQuery(f)).toEqual({ type: 'session.status_idled', subjectId: 'sesn_1', state: 'failed' });
    }
  });

  it('reject an unknown state with the list of states', () => {
    const cli = failure(() => parseEventFilters({ state: 'lost' }, NOW, FLAGS));
    const url = failure(() => parseEventFilters({ state: 'lost' }, NOW, PARAMS));
    expect([cli.code, url.code]).toEqual(['usage', 'bad_request']);
    for (const m of [cli.message, url.message])
      expect(m).toContain('state must be one of pending, processing, done, failed, ignored (got "lost")');
  });
});
