// `import` checks every field of every line: a bad line is reported as `line N: reason` and
// nothing of it is stored; the good lines are imported; the exit code is 1. Afterwards every
// reader (runs, runs show, the dashboard's queries) works on what was imported.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importTime } from '../../src/transfer/validate.js';
import { cli, createStore, tempDir } from '../cli/helpers.js';

const T = Date.UTC(2026, 0, 2, 3, 4, 5);
const run = (id: string, over: Record<string, unknown> = {}) =>
  JSON.stringify({ kind: 'run', id, status: 'succeeded', firstSeenAt: T, ...over });
const event = (id: string, over: Record<string, unknown> = {}) =>
  JSON.stringify({
    kind: 'event',
    id,
    type: 'session.status_idled',
    createdAt: T,
    receivedAt: T,
    subjectId: 'sesn_good',
    raw: '{}',
    state: 'done',
    ...over,
  });
const history = (runId: string, over: Record<string, unknown> = {}) =>
  JSON.stringify({ kind: 'history', runId, seq: 1, at: T, source: 'test', status: 'succeeded', ...over });
const tutorial = (over: Record<string, unknown>) =>
  JSON.stringify({ received_at: 1764200000, agent_run_id: 'run_t', status: 'completed', ...over });

describe('import validates every field', () => {
  it('reports each bad line, imports the good ones, exits 1', async () => {
    const dir = tempDir();
    const cases: Array<[string, RegExp | null]> = [
      [run('sesn_good'), null],
      [run('sesn_bad_time', { firstSeenAt: 1e300 }), /firstSeenAt must be a time between 2000 and 2100/],
      [run('sesn_bad_1999', { firstSeenAt: '1999-12-31T23:59:59Z' }), /firstSeenAt must be a time/],
      [run('sesn_bad_status', { status: 'winning' }), /status/],
      [run(''), /id must not be empty/],
      [run('x'.repeat(201)), /id must be at most 200 characters/],
      [run('sesn_bad_output', { output: { nested: true } }), /output/],
      [run('sesn_bad_usage', { usage: { inputTokens: -1 } }), /usage/],
      [run('sesn_bad_meta', { metadata: { a: 1 } }), /metadata/],
      [run('sesn_bad_finished', { finishedAt: 'yesterday' }), /finishedAt must be a time/],
      [run('sesn_iso', { firstSeenAt: '2026-01-02T03:04:05Z', finishedAt: 1767323045 }), null],
      [event('evt_good'), null],
      [event('evt_bad_time', { receivedAt: 4102444800000 }), /receivedAt must be a time/],
      [event('evt_bad_state', { state: 'exploded' }), /state/],
      [event('evt_bad_subject', { subjectId: 42 }), /subjectId/],
      [history('sesn_good'), null],
      [history('sesn_good', { seq: 2, status: 'bogus' }), /status/],
      [history('sesn_good', { seq: Number.NaN }), /seq/],
      [tutorial({}), null],
      [tutorial({ agent_run_id: 'run_big', received_at: 1e300 }), /"received_at" must be a time/],
      [tutorial({ agent_run_id: 'run_neg', received_at: -5 }), /"received_at" must be a time/],
      [tutorial({ agent_run_id: 'r'.repeat(201) }), /at most 200 characters/],
      [tutorial({ agent_run_id: 'run_type', event_type: { x: 1 } }), /"event_type" must be a string/],
      [tutorial({ agent_run_id: 'run_usage', usage: { input_tokens: Number.POSITIVE_INFINITY } }), null],
    ];
    // JSON has no Infinity (JSON.stringify writes null, a count of 0): that line is fine. A count
    // that is not a number is written by hand instead.
    const lines = cases.map(([l]) => l);
    lines.push('{"agent_run_id":"run_inf","status":"completed","usage":{"input_tokens":"12"}}');
    cases.push(['', /usage token counts must be numbers/]);
    const file = path.join(dir, 'in.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const db = path.join(dir, 'agenthooks.db');
    const r = await cli(['import', file, '--database', db]);
    expect(r.code).toBe(1);
    cases.forEach(([, reason], i) => {
      const n = i + 1;
      const line = r.stderr.split('\n').find((l) => l.startsWith(`line ${n}:`));
      if (reason === null) expect(line, `line ${n}`).toBeUndefined();
      else expect(line, `line ${n}`).toMatch(reason);
    });

    const store = await createStore(db);
    try {
      const runs = (await store.listRuns({ limit: 100 })).map((x) => x.id).sort();
      expect(runs).toEqual(['run_t', 'run_usage', 'sesn_good', 'sesn_iso']);
      const iso = await store.getRun('sesn_iso');
      expect(iso?.firstSeenAt).toBe(T);
      expect(iso?.finishedAt).toBe(1767323045000);
      expect(await store.getEvent('evt_bad_time')).toBeNull();
      expect(await store.getEvent('evt_good')).not.toBeNull();
    } finally {
      await store.close();
    }
    // The readers work on what was imported.
    expect((await cli(['runs', '--database', db])).code).toBe(0);
    expect((await cli(['runs', 'show', 'sesn_good', '--database', db])).code).toBe(0);
  });
});

describe('importTime', () => {
  it('takes ISO strings, epoch seconds and ms between 2000 and 2100', () => {
    expect(importTime('2026-01-02T03:04:05Z')).toBe(T);
    expect(importTime(T / 1000)).toBe(T);
    expect(importTime(T)).toBe(T);
    for (const bad of [1e300, -1, 0, Number.NaN, '1e12', '', null, {}, '2100-01-01T00:00:00Z', 946684799999])
      expect(importTime(bad), String(bad)).toBeNull();
  });
});
