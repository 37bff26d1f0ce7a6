// export -> import round trip, the tutorial's agent_outcomes.jsonl (idempotent, bad lines by
// number), and `rejects` after real rejected deliveries.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyRun } from '../../src/runs/state.js';
import type { Run, Store } from '../../src/store/types.js';
import { generateSecret } from '../../src/webhooks/sign.js';
import {
  cli,
  createStore,
  eventBody,
  eventually,
  makeRun,
  newEventId,
  post,
  saveNewRun,
  startReceiver,
  tempDir,
} from '../cli/helpers.js';

const dir = tempDir();
const db = path.join(dir, 'source.db');
let store: Store;
let receiver: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  store = await createStore(db);
  receiver = await startReceiver(store, db);
  const now = Date.now();
  await saveNewRun(
    store,
    makeRun('sesn_parent', { firstSeenAt: now - 5000, pipeline: 'p', step: 'research' }),
  );
  await saveNewRun(
    store,
    makeRun('sesn_kid', {
      firstSeenAt: now - 1000,
      parentRunId: 'sesn_parent',
      pipeline: 'p',
      step: 'report',
      status: 'running',
      finishedAt: null,
    }),
  );
  // A second history entry on the child.
  const kid = (await store.getRun('sesn_kid'))!;
  await store.saveRun({
    run: { ...kid, status: 'succeeded', finishedAt: now },
    expectedVersion: kid.version,
    history: {
      at: now,
      source: 'evt_x',
      status: 'succeeded',
      sessionStatus: 'idle',
      stopReason: 'end_turn',
      outcomeResult: null,
      turn: 1,
      snapshotKey: 'k2',
      note: 'final',
    },
  });
  for (const [type, s] of [
    ['session.status_idled', 'sesn_kid'],
    ['session.status_run_started', 'sesn_parent'],
    ['agent.created', 'agent_1'],
  ]) {
    expect((await post(receiver.url, eventBody(newEventId(), type, s))).status).toBe(200);
  }
});

afterAll(async () => {
  await receiver.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('export and import', () => {
  it('round-trips runs, history and events into a new database, and a second import adds nothing', async () => {
    const file = path.join(dir, 'export.ndjson');
    const exp = await cli(['export', '--database', db, '--out', file]);
    expect(exp.code).toBe(0);
    expect(exp.stderr).toContain('Exported 2 runs, 3 history entries and 3 events');
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.kind)).toEqual([
      'run',
      'history',
      'history',
      'run',
      'history',
      'event',
      'event',
      'event',
    ]);

    // stdout gives the same lines.
    const toStdout = await cli(['export', '--database', db]);
    expect(toStdout.stdout).toBe(readFileSync(file, 'utf8'));

    const copy = path.join(dir, 'copy', 'agenthooks.db');
    const imp = await cli(['import', file, '--database', copy, '--json']);
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.stdout)).toMatchObject({
      runs: 2,
      runsExisting: 0,
      history: 3,
      events: 3,
      eventsExisting: 0,
      bad: [],
    });
    const again = await cli(['import', file, '--database', copy, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({
      runs: 0,
      runsExisting: 2,
      history: 0,
      events: 0,
      eventsExisting: 3,
    });

    const target = await createStore(copy);
    try {
      for (const id of ['sesn_parent', 'sesn_kid']) {
        const { version: _a, ...orig } = (await store.getRun(id)) as Run;
        const { version: _b, ...copied } = (await target.getRun(id)) as Run;
        expect(copied).toEqual(orig);
        const strip = (h: Awaited<ReturnType<Store['runHistory']>>) =>
          h.map(({ runId, seq, ...rest }) => ({ runId, seq, ...rest }));
        expect(strip(await target.runHistory(id))).toEqual(strip(await store.runHistory(id)));
      }
      for (const e of await store.listEvents({ limit: 10 })) {
        const c = await target.getEvent(e.id);
        expect(c).toMatchObject({
          id: e.id,
          type: e.type,
          raw: e.raw,
          receivedAt: e.receivedAt,
          subjectId: e.subjectId,
          state: e.state,
        });
      }
    } finally {
      await target.close();
    }
    // The copy answers the same queries.
    expect((await cli(['runs', '--database', copy, '--json'])).stdout).toBe(
      (await cli(['runs', '--database', db, '--json'])).stdout,
    );
  });
});

describe('import of lines with fields left out', () => {
  it('fills them in the way a new run starts (emptyRun): turn 1, launched externally', async () => {
    const file = path.join(dir, 'minimal.ndjson');
    const lines = [
      { kind: 'run', id: 'sesn_min', firstSeenAt: 1764200000000, status: 'running' },
      { kind: 'history', runId: 'sesn_min', seq: 1, at: 1764200000000, source: 'old', status: 'running' },
    ];
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const target = path.join(dir, 'minimal', 'agenthooks.db');
    expect((await cli(['import', file, '--database', target])).code).toBe(0);
    const s = await createStore(target);
    try {
      const { version: _v, ...run } = (await s.getRun('sesn_min'))!;
      const { version: _e, ...expected } = emptyRun('sesn_min', 1764200000000);
      expect(run).toEqual({ ...expected, status: 'running' });
      expect(run.turn).toBe(1);
      expect((await s.runHistory('sesn_min'))[0]).toMatchObject({ source: 'old', turn: 1 });
    } finally {
      await s.close();
    }
  });
});

describe("import of the tutorial's agent_outcomes.jsonl", () => {
  const record = (runId: string, status: string, payload: Record<string, unknown>) =>
    JSON.stringify({
      received_at: 1764200000.25,
      event_type: 'agent_run.completed',
      agent_run_id: runId,
      status,
      payload: { agent_run_id: runId, status, ...payload },
    });
  const lines = [
    record('run_sim_001', 'completed', {
      type: 'agent_run.completed',
      output: 'TCP provides reliable, ordered delivery.',
      usage: { input_tokens: 42, output_tokens: 61 },
    }),
    '{"agent_run_id": "run_broken", ',
    record('run_sim_002', 'error', { result: 'Tool call failed' }),
    JSON.stringify({ status: 'completed', output: 'no id' }),
    JSON.stringify({ agent_run_id: 'run_sim_003', status: 'completed', result: 'bare payload line' }),
    '[1, 2]',
  ];

  it('turns each line into a run and a done event, reports bad lines by number, and is idempotent', async () => {
    const file = path.join(dir, 'agent_outcomes.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const target = path.join(dir, 'tutorial', 'agenthooks.db');
    const r = await cli(['import', file, '--database', target]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('3 tutorial lines (0 imported before)');
    expect(r.stderr).toContain('line 2: not valid JSON');
    expect(r.stderr).toContain('line 4: no "agent_run_id" string');
    expect(r.stderr).toContain('line 6: not a JSON object');
    expect(r.stderr).not.toMatch(/line [135]:/);

    const again = await cli(['import', file, '--database', target]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('0 tutorial lines (3 imported before)');

    const s = await createStore(target);
    try {
      expect(await s.countRuns({})).toBe(3);
      expect(await s.countEvents({})).toBe(3);
      expect(await s.getRun('run_sim_001')).toMatchObject({
        status: 'succeeded',
        launchedBy: 'tutorial-import',
        output: 'TCP provides reliable, ordered delivery.',
        usage: { inputTokens: 42, outputTokens: 61 },
        firstSeenAt: 1764200000250,
        turn: emptyRun('run_sim_001', 0).turn,
      });
      expect((await s.runHistory('run_sim_001'))[0]).toMatchObject({ source: 'import', turn: 1 });
      expect(await s.getRun('run_sim_002')).toMatchObject({
        status: 'failed',
        stopReason: 'error',
        output: 'Tool call failed',
      });
      expect(await s.getRun('run_sim_003')).toMatchObject({
        status: 'succeeded',
        output: 'bare payload line',
      });
      const { createHash } = await import('node:crypto');
      const eid = `tutorial_${createHash('sha256').update(lines[0]).digest('hex')}`;
      expect(await s.getEvent(eid)).toMatchObject({ state: 'done', subjectId: 'run_sim_001', raw: lines[0] });
    } finally {
      await s.close();
    }
    const list = await cli(['runs', '--database', target, '--status', 'failed', '--json']);
    expect(JSON.parse(list.stdout).map((x: Run) => x.id)).toEqual(['run_sim_002']);
  });
});

describe('agenthooks rejects', () => {
  it('counts rejected deliveries per code and minute with a hint per code', async () => {
    const body = eventBody(newEventId(), 'session.status_idled', 'sesn_z');
    for (let i = 0; i < 3; i++) expect((await post(receiver.url, body, generateSecret())).status).toBe(401);
    const noHeaders = await fetch(receiver.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(noHeaders.status).toBe(401);
    let json: { total: number; byCode: Array<{ code: string; count: number; hint: string }> } = {
      total: 0,
      byCode: [],
    };
    await eventually(async () => {
      json = JSON.parse((await cli(['rejects', '--database', db, '--json'])).stdout);
      expect(json.total).toBe(4);
    });
    expect(json.byCode[0]).toMatchObject({ code: 'invalid_signature', count: 3 });
    expect(json.byCode[0].hint).toContain('wrong signing secret');
    expect(json.byCode[1]).toMatchObject({ code: 'missing_headers', count: 1 });
    const table = await cli(['rejects', '--database', db, '--since', '10m']);
    expect(table.stdout).toContain('4 rejected webhook requests since');
    expect(table.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d\s+invalid_signature\s+3/);
    expect(table.stdout).toContain('invalid_signature (3): wrong signing secret');
    const bad = await cli(['rejects', '--database', db, '--since', 'soon']);
    expect(bad.code).toBe(2);
  });
});
