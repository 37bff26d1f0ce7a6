// notify: targets in agenthooks.yaml, the target filters, the retry schedule (at least 24 hours),
// the event shape, and file names that must not escape --out.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config-file.js';
import { isAppError } from '../../src/errors.js';
import { DEFAULT_NOTIFY_RETRY, nextAttemptAt } from '../../src/notify/backoff.js';
import { outboxFor } from '../../src/notify/event.js';
import { type NotifyTarget, targetMatches } from '../../src/notify/targets.js';
import { safeFileName } from '../../src/runs/files.js';
import type { Run } from '../../src/store/types.js';
import { newRun } from '../store/conformance.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function parse(yaml: string) {
  return parseConfigText(yaml, '/x/agenthooks.yaml');
}

function configError(yaml: string): string {
  try {
    parse(yaml);
  } catch (err) {
    if (isAppError(err, 'config_invalid')) return err.message;
    throw err;
  }
  throw new Error('expected config_invalid');
}

describe('notify: in agenthooks.yaml', () => {
  it('parses targets with filters; absent = none', () => {
    expect(parse('agents: {}\n').notify).toEqual([]);
    const c = parse(
      `notify:\n  svc:\n    url: https://example.com/hook\n    secret: ${SECRET}\n    agents: [researcher]\n    statuses: [failed]\n  all:\n    url: http://127.0.0.1:9000/h\n`,
    );
    expect(c.notify).toEqual([
      {
        name: 'svc',
        url: 'https://example.com/hook',
        secret: SECRET,
        agents: ['researcher'],
        pipelines: [],
        statuses: ['failed'],
      },
      { name: 'all', url: 'http://127.0.0.1:9000/h', secret: null, agents: [], pipelines: [], statuses: [] },
    ]);
  });

  it('names the field to fix', () => {
    expect(configError('notify:\n  svc:\n    url: ftp://x/y\n')).toContain('notify.svc.url');
    expect(configError('notify:\n  svc:\n    url: nope\n')).toContain('notify.svc.url');
    expect(configError('notify:\n  svc:\n    url: https://x/y\n    secret: abc\n')).toContain(
      'notify.svc.secret',
    );
    expect(configError('notify:\n  svc:\n    url: https://x/y\n    secret: "whsec_!!"\n')).toContain(
      'notify.svc.secret',
    );
    expect(configError('notify:\n  svc:\n    url: https://x/y\n    statuses: [running]\n')).toContain(
      'notify.svc.statuses',
    );
    expect(configError('notify:\n  svc:\n    url: https://x/y\n    colour: red\n')).toContain('notify.svc');
  });
});

describe('target filters and the run.finished event', () => {
  const t = (over: Partial<NotifyTarget>): NotifyTarget => ({
    name: 't',
    url: 'http://127.0.0.1:1/h',
    secret: null,
    agents: [],
    pipelines: [],
    statuses: [],
    ...over,
  });
  const run: Run = newRun('sesn_f', {
    status: 'failed',
    agentName: 'writer',
    agentId: 'agent_9',
    pipeline: 'report',
    stopReason: 'retries_exhausted',
  });

  it('every given filter must match', () => {
    expect(targetMatches(t({}), run)).toBe(true);
    expect(targetMatches(t({ statuses: ['failed'] }), run)).toBe(true);
    expect(targetMatches(t({ statuses: ['succeeded'] }), run)).toBe(false);
    expect(targetMatches(t({ agents: ['agent_9'] }), run)).toBe(true);
    expect(targetMatches(t({ agents: ['writer', 'x'] }), run)).toBe(true);
    expect(targetMatches(t({ agents: ['researcher'] }), run)).toBe(false);
    expect(targetMatches(t({ pipelines: ['report'], statuses: ['failed'] }), run)).toBe(true);
    expect(targetMatches(t({ pipelines: ['report'] }), { ...run, pipeline: null })).toBe(false);
  });

  it('one row per matching target, each with its own ntf_ id equal to the body id', () => {
    const rows = outboxFor(
      [t({ name: 'a' }), t({ name: 'b', statuses: ['succeeded'] }), t({ name: 'c' })],
      run,
      1_000,
    );
    expect(rows.map((r) => r.target)).toEqual(['a', 'c']);
    expect(new Set(rows.map((r) => r.id)).size).toBe(2);
    for (const r of rows) {
      const body = JSON.parse(r.payload);
      expect(body).toMatchObject({
        type: 'event',
        id: r.id,
        created_at: '1970-01-01T00:00:01.000Z',
        data: {
          type: 'run.finished',
          id: 'sesn_f',
          status: 'failed',
          stop_reason: 'retries_exhausted',
          agent: 'writer',
          pipeline: 'report',
        },
      });
      expect(r.id).toMatch(/^ntf_[0-9a-z]{24}$/);
    }
  });
});

describe('retry schedule', () => {
  it('keeps trying for the whole 24 hours, gaps growing to at most 1 h, then gives up', () => {
    for (const random of [() => 0, () => 0.5, () => 0.999]) {
      const created = 0;
      let now = 0;
      let attempts = 1;
      const gaps: number[] = [];
      for (;;) {
        const next = nextAttemptAt(attempts, created, now, DEFAULT_NOTIFY_RETRY, random);
        if (next === null) break;
        expect(next).toBeGreaterThan(now);
        gaps.push(next - now);
        now = next;
        attempts += 1;
        expect(attempts).toBeLessThan(200);
      }
      expect(now).toBe(24 * 3600_000);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(3600_000);
      expect(gaps[0]).toBeGreaterThanOrEqual(2_500);
      expect(gaps[0]).toBeLessThanOrEqual(5_000);
    }
  });
});

describe('output file names', () => {
  it('never leave the output directory', () => {
    expect(safeFileName('report.md', 'file_1')).toBe('report.md');
    expect(safeFileName('../../etc/passwd', 'file_1')).toBe('passwd');
    expect(safeFileName('/mnt/session/outputs/a.txt', 'file_1')).toBe('a.txt');
    expect(safeFileName('..\\..\\win.ini', 'file_1')).toBe('win.ini');
    expect(safeFileName('..', 'file_1')).toBe('file_1');
    expect(safeFileName('', 'file_1')).toBe('file_1');
    expect(safeFileName('a\u0000b', 'file_1')).toBe('a_b');
  });
});
