// The Store contract, checked the same way on every backend: test/store/sqlite.test.ts and the
// PostgreSQL suite both call storeConformance with a factory that returns a fresh, empty store.
// Nothing here knows which backend it talks to.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Launch, NewEvent, Run, RunChange, Store } from '../../src/store/types.js';

const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z: fixed, so tests never depend on the wall clock

export function newEvent(id: string, over: Partial<NewEvent> = {}): NewEvent {
  return {
    id,
    type: 'session.status_idled',
    createdAt: T0,
    receivedAt: T0,
    subjectId: 'sesn_1',
    threadId: null,
    raw: JSON.stringify({
      type: 'event',
      id,
      created_at: '2026-01-01T00:00:00Z',
      data: { type: 'session.status_idled', id: 'sesn_1' },
    }),
    state: 'pending',
    ...over,
  };
}

export function newRun(id: string, over: Partial<Run> = {}): Run {
  return {
    id,
    agentId: 'agent_1',
    agentName: 'researcher',
    agentVersion: 1,
    environmentId: 'env_1',
    title: null,
    task: `task of ${id}`,
    status: 'pending',
    sessionStatus: null,
    stopReason: null,
    outcomeResult: null,
    evaluations: [],
    output: null,
    usage: null,
    error: null,
    archived: false,
    turn: 0,
    snapshotKey: null,
    metadata: {},
    launchedBy: 'agenthooks',
    launchId: null,
    parentRunId: null,
    pipeline: null,
    step: null,
    sessionCreatedAt: null,
    sessionUpdatedAt: null,
    firstSeenAt: T0,
    finishedAt: null,
    lastCheckedAt: null,
    version: 0,
    ...over,
  };
}

export function newLaunch(id: string, over: Partial<Launch> = {}): Launch {
  return {
    id,
    kind: 'launch',
    pipeline: null,
    step: null,
    parentRunId: null,
    agentName: 'researcher',
    agentId: null,
    environmentId: null,
    task: 'do it',
    request: '{"agent":"agent_1"}',
    state: 'intent',
    sessionId: null,
    error: null,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

function history(
  source: string,
  over: Partial<NonNullable<RunChange['history']>> = {},
): RunChange['history'] {
  return {
    at: T0,
    source,
    status: 'running',
    sessionStatus: 'running',
    stopReason: null,
    outcomeResult: null,
    turn: 1,
    snapshotKey: null,
    note: null,
    ...over,
  };
}

export function storeConformance(name: string, open: () => Promise<Store>): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('ping and stats', () => {
      it('ping resolves on a healthy store', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('ingestStats counts transactions, inserts and duplicates', async () => {
        expect(store.ingestStats()).toEqual({ transactions: 0, inserted: 0, duplicates: 0 });
        await store.insertEvents([newEvent('e1'), newEvent('e2')]);
        await store.insertEvents([newEvent('e2')]);
        expect(store.ingestStats()).toEqual({ transactions: 2, inserted: 2, duplicates: 1 });
      });
    });

    describe('insertEvents: dedupe', () => {
      it('stores a new event with every field and reports duplicates by id', async () => {
        const e = newEvent('evt_a', {
          threadId: 'thr_1',
          subjectId: 'sesn_9',
          createdAt: T0 - 5,
          receivedAt: T0 + 7,
        });
        expect(await store.insertEvents([e])).toEqual([{ id: 'evt_a', duplicate: false }]);
        // Same id, different content: still a duplicate, and the first version stays.
        expect(await store.insertEvents([{ ...e, type: 'other', raw: '{}' }])).toEqual([
          { id: 'evt_a', duplicate: true },
        ]);
        const got = await store.getEvent('evt_a');
        expect(got).toMatchObject({
          id: 'evt_a',
          type: 'session.status_idled',
          createdAt: T0 - 5,
          receivedAt: T0 + 7,
          subjectId: 'sesn_9',
          threadId: 'thr_1',
          raw: e.raw,
          state: 'pending',
          attempts: 0,
          nextAttemptAt: null,
          lastError: null,
          leaseOwner: null,
          leaseExpiresAt: null,
        });
        expect(await store.getEvent('nope')).toBeNull();
      });

      it('reports the same id twice in one batch as new then duplicate, in input order', async () => {
        const res = await store.insertEvents([newEvent('x'), newEvent('y'), newEvent('x')]);
        expect(res).toEqual([
          { id: 'x', duplicate: false },
          { id: 'y', duplicate: false },
          { id: 'x', duplicate: true },
        ]);
        expect(await store.countEvents({})).toBe(2);
      });

      it('200 concurrent batches with overlapping ids store each id once and call it new once', async () => {
        const ids = Array.from({ length: 50 }, (_, i) => `evt_${i}`);
        const calls = Array.from({ length: 200 }, (_, c) =>
          store.insertEvents([0, 1, 2].map((k) => newEvent(ids[(c * 3 + k * 7) % ids.length]))),
        );
        const results = (await Promise.all(calls)).flat();
        expect(results).toHaveLength(600);
        const fresh = results.filter((r) => !r.duplicate).map((r) => r.id);
        expect(new Set(fresh).size).toBe(fresh.length);
        expect(new Set(fresh)).toEqual(new Set(results.map((r) => r.id)));
        expect(await store.countEvents({})).toBe(new Set(results.map((r) => r.id)).size);
        const stats = store.ingestStats();
        expect(stats.transactions).toBe(200);
        expect(stats.inserted).toBe(fresh.length);
        expect(stats.duplicates).toBe(600 - fresh.length);
      });

      it('an empty batch returns no results', async () => {
        expect(await store.insertEvents([])).toEqual([]);
      });

      it('ignored and done events are stored but never claimed', async () => {
        await store.insertEvents([newEvent('ig', { state: 'ignored' }), newEvent('dn', { state: 'done' })]);
        expect((await store.getEvent('ig'))?.state).toBe('ignored');
        expect((await store.getEvent('dn'))?.state).toBe('done');
        expect(await store.claimEvents({ owner: 'w', limit: 10, now: T0 + 1000, leaseMs: 1000 })).toEqual([]);
      });
    });

    describe('listEvents and countEvents', () => {
      beforeEach(async () => {
        const batch: NewEvent[] = [];
        for (let i = 0; i < 30; i++) {
          batch.push(
            newEvent(`e${String(i).padStart(2, '0')}`, {
              // pairs share a receivedAt so that paging must break ties on id
              receivedAt: T0 + Math.floor(i / 2) * 1000,
              type: i % 3 === 0 ? 'session.status_running' : 'session.status_idled',
              subjectId: i % 2 === 0 ? 'sesn_even' : 'sesn_odd',
              state: i % 5 === 0 ? 'ignored' : 'pending',
            }),
          );
        }
        await store.insertEvents(batch);
      });

      it('lists newest first by (receivedAt, id) with a default limit', async () => {
        const rows = await store.listEvents({});
        expect(rows).toHaveLength(30);
        expect(rows[0].id).toBe('e29');
        expect(rows[1].id).toBe('e28');
        expect(rows[29].id).toBe('e00');
      });

      it('filters by type, subject, state and time (since inclusive, until exclusive)', async () => {
        const byType = await store.listEvents({ type: 'session.status_running' });
        expect(byType.map((e) => e.id)).toEqual([
          'e27',
          'e24',
          'e21',
          'e18',
          'e15',
          'e12',
          'e09',
          'e06',
          'e03',
          'e00',
        ]);
        expect(await store.countEvents({ type: 'session.status_running' })).toBe(10);
        const odd = await store.listEvents({ subjectId: 'sesn_odd', limit: 3 });
        expect(odd.map((e) => e.id)).toEqual(['e29', 'e27', 'e25']);
        expect(await store.countEvents({ subjectId: 'sesn_odd' })).toBe(15);
        expect(await store.countEvents({ state: 'ignored' })).toBe(6);
        const window = await store.listEvents({ since: T0 + 2000, until: T0 + 4000 });
        expect(window.map((e) => e.id)).toEqual(['e07', 'e06', 'e05', 'e04']);
        expect(await store.countEvents({ since: T0 + 2000, until: T0 + 4000 })).toBe(4);
        expect(await store.countEvents({ type: 'session.status_running', subjectId: 'sesn_even' })).toBe(5);
        expect(
          await store.countEvents({
            type: 'session.status_running',
            subjectId: 'sesn_even',
            state: 'ignored',
          }),
        ).toBe(1);
      });

      it('keyset paging with before visits every row once, newest first', async () => {
        const seen: string[] = [];
        let before: { receivedAt: number; id: string } | undefined;
        for (;;) {
          const page = await store.listEvents({ before, limit: 7 });
          if (page.length === 0) break;
          seen.push(...page.map((e) => e.id));
          const last = page[page.length - 1];
          before = { receivedAt: last.receivedAt, id: last.id };
        }
        expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `e${String(29 - i).padStart(2, '0')}`));
      });

      it('after returns rows strictly after the position, oldest first (follow mode)', async () => {
        const rows = await store.listEvents({ after: { receivedAt: T0 + 13_000, id: 'e26' }, limit: 10 });
        expect(rows.map((e) => e.id)).toEqual(['e27', 'e28', 'e29']);
        expect(await store.listEvents({ after: { receivedAt: T0 + 14_000, id: 'e29' } })).toEqual([]);
      });
    });

    describe('claimEvents and finishEvent', () => {
      it('claims due pending events with a lease and never hands one to two owners', async () => {
        await store.insertEvents(Array.from({ length: 40 }, (_, i) => newEvent(`c${i}`)));
        const now = T0 + 10_000;
        const [a, b] = await Promise.all([
          store.claimEvents({ owner: 'A', limit: 25, now, leaseMs: 30_000 }),
          store.claimEvents({ owner: 'B', limit: 25, now, leaseMs: 30_000 }),
        ]);
        const ids = [...a, ...b].map((e) => e.id);
        expect(ids).toHaveLength(40);
        expect(new Set(ids).size).toBe(40);
        for (const e of a)
          expect(e).toMatchObject({ state: 'processing', leaseOwner: 'A', leaseExpiresAt: now + 30_000 });
        for (const e of b) expect(e).toMatchObject({ state: 'processing', leaseOwner: 'B' });
        expect(await store.claimEvents({ owner: 'C', limit: 10, now: now + 29_999, leaseMs: 1000 })).toEqual(
          [],
        );
        expect(await store.countEvents({ state: 'processing' })).toBe(40);
      });

      it('many concurrent claimers never share an event', async () => {
        await store.insertEvents(Array.from({ length: 60 }, (_, i) => newEvent(`m${i}`)));
        const claims = await Promise.all(
          Array.from({ length: 12 }, (_, w) =>
            store.claimEvents({ owner: `w${w}`, limit: 7, now: T0, leaseMs: 60_000 }),
          ),
        );
        const ids = claims.flat().map((e) => e.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids).toHaveLength(60);
      });

      it('re-claims a processing event once its lease expired, and the stale owner cannot finish it', async () => {
        await store.insertEvents([newEvent('l1')]);
        const [first] = await store.claimEvents({ owner: 'old', limit: 1, now: T0, leaseMs: 1000 });
        expect(first.id).toBe('l1');
        expect(await store.claimEvents({ owner: 'new', limit: 1, now: T0 + 999, leaseMs: 1000 })).toEqual([]);
        const [again] = await store.claimEvents({ owner: 'new', limit: 1, now: T0 + 1000, leaseMs: 1000 });
        expect(again).toMatchObject({
          id: 'l1',
          leaseOwner: 'new',
          leaseExpiresAt: T0 + 2000,
          state: 'processing',
        });
        // The old owner's late finish changes nothing.
        await store.finishEvent('l1', 'old', { state: 'done' }, T0 + 1500);
        expect(await store.getEvent('l1')).toMatchObject({ state: 'processing', leaseOwner: 'new' });
        await store.finishEvent('l1', 'new', { state: 'done' }, T0 + 1600);
        expect(await store.getEvent('l1')).toMatchObject({
          state: 'done',
          processedAt: T0 + 1600,
          leaseOwner: null,
          leaseExpiresAt: null,
        });
        // Finishing a done event again is ignored too.
        await store.finishEvent('l1', 'new', { state: 'failed', error: 'late' }, T0 + 1700);
        expect((await store.getEvent('l1'))?.state).toBe('done');
      });

      it('retry sets pending with the next attempt time, one more attempt and the error', async () => {
        await store.insertEvents([newEvent('r1')]);
        await store.claimEvents({ owner: 'w', limit: 1, now: T0, leaseMs: 1000 });
        await store.finishEvent(
          'r1',
          'w',
          { state: 'retry', error: 'HTTP 500', nextAttemptAt: T0 + 5000 },
          T0 + 10,
        );
        expect(await store.getEvent('r1')).toMatchObject({
          state: 'pending',
          attempts: 1,
          nextAttemptAt: T0 + 5000,
          lastError: 'HTTP 500',
          leaseOwner: null,
        });
        expect(await store.claimEvents({ owner: 'w', limit: 1, now: T0 + 4999, leaseMs: 1000 })).toEqual([]);
        const [due] = await store.claimEvents({ owner: 'w2', limit: 1, now: T0 + 5000, leaseMs: 1000 });
        expect(due).toMatchObject({ id: 'r1', attempts: 1, leaseOwner: 'w2' });
        await store.finishEvent(
          'r1',
          'w2',
          { state: 'retry', error: 'HTTP 502', nextAttemptAt: T0 + 9000 },
          T0 + 5010,
        );
        expect(await store.getEvent('r1')).toMatchObject({ attempts: 2, lastError: 'HTTP 502' });
      });

      it('failed keeps the error and ends processing; ignored and done end it too', async () => {
        await store.insertEvents([newEvent('f1'), newEvent('f2'), newEvent('f3')]);
        await store.claimEvents({ owner: 'w', limit: 3, now: T0, leaseMs: 1000 });
        await store.finishEvent('f1', 'w', { state: 'failed', error: 'bad payload' }, T0 + 1);
        await store.finishEvent('f2', 'w', { state: 'ignored' }, T0 + 2);
        await store.finishEvent('f3', 'w', { state: 'done', error: null }, T0 + 3);
        expect(await store.getEvent('f1')).toMatchObject({
          state: 'failed',
          lastError: 'bad payload',
          processedAt: T0 + 1,
        });
        expect(await store.getEvent('f2')).toMatchObject({ state: 'ignored', processedAt: T0 + 2 });
        expect(await store.getEvent('f3')).toMatchObject({ state: 'done', processedAt: T0 + 3 });
        expect(await store.claimEvents({ owner: 'w', limit: 3, now: T0 + 1_000_000, leaseMs: 1000 })).toEqual(
          [],
        );
      });

      it('claims no more than the limit and leaves the rest pending', async () => {
        await store.insertEvents(Array.from({ length: 5 }, (_, i) => newEvent(`p${i}`)));
        expect(await store.claimEvents({ owner: 'w', limit: 2, now: T0, leaseMs: 1000 })).toHaveLength(2);
        expect(await store.countEvents({ state: 'pending' })).toBe(3);
      });
    });

    describe('requeueEvents', () => {
      it('sets finished events back to pending and returns how many', async () => {
        await store.insertEvents([newEvent('q1'), newEvent('q2'), newEvent('q3', { state: 'ignored' })]);
        await store.claimEvents({ owner: 'w', limit: 2, now: T0, leaseMs: 1000 });
        await store.finishEvent('q1', 'w', { state: 'done' }, T0 + 1);
        await store.finishEvent('q2', 'w', { state: 'failed', error: 'x' }, T0 + 1);
        expect(await store.requeueEvents(['q1', 'q2', 'q3', 'missing'], T0 + 2)).toBe(3);
        for (const id of ['q1', 'q2', 'q3']) {
          expect(await store.getEvent(id)).toMatchObject({ state: 'pending', leaseOwner: null });
        }
        const claimed = await store.claimEvents({ owner: 'w', limit: 10, now: T0 + 3, leaseMs: 1000 });
        expect(claimed.map((e) => e.id).sort()).toEqual(['q1', 'q2', 'q3']);
        expect(await store.requeueEvents([], T0)).toBe(0);
      });
    });

    describe('rejects', () => {
      it('adds counts per (minute, code) and lists them since a minute', async () => {
        const m0 = T0;
        const m1 = T0 + 60_000;
        await store.addRejects([
          { minute: m0, code: 'invalid_signature', count: 2 },
          { minute: m0, code: 'invalid_json', count: 1 },
        ]);
        await store.addRejects([
          { minute: m0, code: 'invalid_signature', count: 3 },
          { minute: m1, code: 'invalid_signature', count: 1 },
        ]);
        await store.addRejects([]);
        const all = await store.listRejects(m0);
        expect(all).toEqual([
          { minute: m0, code: 'invalid_json', count: 1 },
          { minute: m0, code: 'invalid_signature', count: 5 },
          { minute: m1, code: 'invalid_signature', count: 1 },
        ]);
        expect(await store.listRejects(m1)).toEqual([{ minute: m1, code: 'invalid_signature', count: 1 }]);
      });

      it('concurrent adds to the same minute are all counted', async () => {
        await Promise.all(
          Array.from({ length: 20 }, () =>
            store.addRejects([{ minute: T0, code: 'timestamp_too_old', count: 1 }]),
          ),
        );
        expect(await store.listRejects(T0)).toEqual([{ minute: T0, code: 'timestamp_too_old', count: 20 }]);
      });
    });

    describe('runs', () => {
      it('saveRun inserts at version 0 and round-trips every field', async () => {
        const run = newRun('sesn_full', {
          title: 'T',
          status: 'succeeded',
          sessionStatus: 'idle',
          stopReason: 'end_turn',
          outcomeResult: 'satisfied',
          evaluations: [
            {
              outcomeId: 'out_1',
              description: 'rubric',
              result: 'satisfied',
              explanation: 'fine',
              iteration: 2,
              completedAt: '2026-01-01T00:01:00Z',
            },
          ],
          output: 'the answer ✓',
          usage: {
            inputTokens: 10,
            outputTokens: 20,
            cacheReadInputTokens: 3,
            cacheCreationInputTokens: 4,
            costCents: 12,
            activeSeconds: 5.5,
          },
          error: null,
          archived: true,
          turn: 2,
          snapshotKey: '2026-01-01T00:01:00Z|3|1',
          metadata: { agenthooks_launch: 'lch_1', team: 'x' },
          launchedBy: 'external',
          launchId: 'lch_1',
          parentRunId: 'sesn_parent',
          pipeline: 'research-report',
          step: 'report',
          sessionCreatedAt: T0 - 100,
          sessionUpdatedAt: T0 + 100,
          firstSeenAt: T0 + 1,
          finishedAt: T0 + 200,
          lastCheckedAt: T0 + 300,
        });
        expect(await store.saveRun({ run, expectedVersion: 0, history: null })).toBe(true);
        expect(await store.getRun('sesn_full')).toEqual({ ...run, version: 1 });
        expect(await store.getRun('sesn_none')).toBeNull();
      });

      it('saveRun is a compare-and-set on version: a stale writer loses', async () => {
        expect(
          await store.saveRun({ run: newRun('s1'), expectedVersion: 0, history: history('evt_1') }),
        ).toBe(true);
        // A second insert of the same id is a conflict, not an overwrite.
        expect(
          await store.saveRun({ run: newRun('s1', { task: 'other' }), expectedVersion: 0, history: null }),
        ).toBe(false);
        const v1 = await store.getRun('s1');
        expect(v1?.version).toBe(1);
        expect(v1?.task).toBe('task of s1');
        const running = { ...(v1 as Run), status: 'running' as const };
        expect(await store.saveRun({ run: running, expectedVersion: 1, history: history('evt_2') })).toBe(
          true,
        );
        // The loser read version 1 too; its save must fail and leave no history behind.
        const stale = { ...(v1 as Run), status: 'failed' as const };
        expect(
          await store.saveRun({
            run: stale,
            expectedVersion: 1,
            history: history('evt_3', { status: 'failed' }),
            outbox: [
              { id: 'ob_stale', target: 't', url: 'http://127.0.0.1:1/x', payload: '{}', createdAt: T0 },
            ],
          }),
        ).toBe(false);
        expect(await store.getRun('s1')).toMatchObject({ status: 'running', version: 2 });
        expect((await store.runHistory('s1')).map((h) => h.source)).toEqual(['evt_1', 'evt_2']);
        expect(await store.listOutbox({})).toEqual([]);
        // Saving for a run that does not exist with a non-zero version is a conflict as well.
        expect(await store.saveRun({ run: newRun('s_missing'), expectedVersion: 3, history: null })).toBe(
          false,
        );
      });

      it('concurrent saves at the same version: exactly one wins', async () => {
        await store.saveRun({ run: newRun('race'), expectedVersion: 0, history: null });
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.saveRun({
              run: newRun('race', { task: `w${i}` }),
              expectedVersion: 1,
              history: history(`w${i}`),
            }),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.runHistory('race')).toHaveLength(1);
        expect((await store.getRun('race'))?.version).toBe(2);
      });

      it('history keeps every field in sequence order', async () => {
        let version = 0;
        for (let i = 1; i <= 4; i++) {
          const ok = await store.saveRun({
            run: newRun('h1', { turn: i }),
            expectedVersion: version,
            history: history(`evt_${i}`, {
              at: T0 + i,
              turn: i,
              note: i === 4 ? 'final' : null,
              snapshotKey: `k${i}`,
            }),
          });
          expect(ok).toBe(true);
          version += 1;
        }
        // A change without a history entry does not add one.
        expect(await store.saveRun({ run: newRun('h1'), expectedVersion: version, history: null })).toBe(
          true,
        );
        const h = await store.runHistory('h1');
        expect(h.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
        expect(h[3]).toEqual({
          runId: 'h1',
          seq: 4,
          at: T0 + 4,
          source: 'evt_4',
          status: 'running',
          sessionStatus: 'running',
          stopReason: null,
          outcomeResult: null,
          turn: 4,
          snapshotKey: 'k4',
          note: 'final',
        });
        expect(await store.runHistory('nobody')).toEqual([]);
      });

      it('outbox rows commit with the run change', async () => {
        const ok = await store.saveRun({
          run: newRun('o1', { status: 'succeeded' }),
          expectedVersion: 0,
          history: history('evt_1'),
          outbox: [
            { id: 'ob1', target: 'ops', url: 'http://127.0.0.1:9/hook', payload: '{"a":1}', createdAt: T0 },
            {
              id: 'ob2',
              target: 'ops',
              url: 'http://127.0.0.1:9/hook',
              payload: '{"a":2}',
              createdAt: T0 + 1,
            },
          ],
        });
        expect(ok).toBe(true);
        const rows = await store.listOutbox({ state: 'pending' });
        expect(rows.map((r) => r.id)).toEqual(['ob1', 'ob2']);
        expect(rows[0]).toMatchObject({
          target: 'ops',
          url: 'http://127.0.0.1:9/hook',
          payload: '{"a":1}',
          createdAt: T0,
          state: 'pending',
          attempts: 0,
          nextAttemptAt: T0,
          lastError: null,
          deliveredAt: null,
        });
      });

      it('lists newest first by (firstSeenAt, id) with filters, search, keyset and offset paging', async () => {
        const specs: [string, Partial<Run>][] = [
          [
            'sesn_a',
            {
              firstSeenAt: T0 + 1,
              status: 'succeeded',
              agentName: 'writer',
              output: 'Report on 100% coverage',
            },
          ],
          ['sesn_b', { firstSeenAt: T0 + 2, status: 'failed', task: 'find the_bug' }],
          [
            'sesn_c',
            { firstSeenAt: T0 + 2, status: 'running', pipeline: 'p', parentRunId: 'sesn_a', step: 'two' },
          ],
          ['sesn_d', { firstSeenAt: T0 + 3, status: 'blocked', agentId: 'agent_2', agentName: null }],
          ['sesn_e', { firstSeenAt: T0 + 4, status: 'succeeded', title: 'Weekly digest' }],
        ];
        for (const [id, over] of specs)
          await store.saveRun({ run: newRun(id, over), expectedVersion: 0, history: null });
        const ids = async (q: Parameters<Store['listRuns']>[0]) => (await store.listRuns(q)).map((r) => r.id);
        expect(await ids({})).toEqual(['sesn_e', 'sesn_d', 'sesn_c', 'sesn_b', 'sesn_a']);
        expect(await ids({ status: ['succeeded', 'failed'] })).toEqual(['sesn_e', 'sesn_b', 'sesn_a']);
        expect(await ids({ agent: 'writer' })).toEqual(['sesn_a']);
        expect(await ids({ agent: 'agent_2' })).toEqual(['sesn_d']);
        expect(await ids({ since: T0 + 2, until: T0 + 4 })).toEqual(['sesn_d', 'sesn_c', 'sesn_b']);
        expect(await ids({ pipeline: 'p' })).toEqual(['sesn_c']);
        expect(await ids({ parentRunId: 'sesn_a' })).toEqual(['sesn_c']);
        // search: case-insensitive substring of task, output or title; wildcards are literal
        expect(await ids({ search: 'coverage' })).toEqual(['sesn_a']);
        expect(await ids({ search: 'WEEKLY' })).toEqual(['sesn_e']);
        expect(await ids({ search: '100%' })).toEqual(['sesn_a']);
        expect(await ids({ search: 'the_bug' })).toEqual(['sesn_b']);
        expect(await ids({ search: 'e_b' })).toEqual(['sesn_b']);
        expect(await ids({ search: '%' })).toEqual(['sesn_a']);
        expect(await ids({ before: { firstSeenAt: T0 + 2, id: 'sesn_c' } })).toEqual(['sesn_b', 'sesn_a']);
        expect(await ids({ limit: 2, offset: 2 })).toEqual(['sesn_c', 'sesn_b']);
        expect(await store.countRuns({})).toBe(5);
        expect(await store.countRuns({ status: ['succeeded'] })).toBe(2);
        expect(await store.countRuns({ search: 'task of' })).toBe(4);
        expect(await store.countRuns({ status: [] })).toBe(5);
      });

      it('filters by failure reason: the unmet outcome result, else the stop reason, else unknown', async () => {
        const specs: [string, Partial<Run>][] = [
          ['sesn_r1', { status: 'failed', stopReason: 'end_turn', outcomeResult: 'max_iterations_reached' }],
          ['sesn_r2', { status: 'failed', stopReason: 'refusal', outcomeResult: 'satisfied' }],
          ['sesn_r3', { status: 'failed', stopReason: 'refusal', outcomeResult: null }],
          ['sesn_r4', { status: 'failed', stopReason: null, outcomeResult: null }],
          ['sesn_r5', { status: 'succeeded', stopReason: 'end_turn', outcomeResult: 'satisfied' }],
        ];
        for (const [i, [id, over]] of specs.entries())
          await store.saveRun({
            run: newRun(id, { ...over, firstSeenAt: T0 + i }),
            expectedVersion: 0,
            history: null,
          });
        const ids = async (reason: string) => (await store.listRuns({ reason })).map((r) => r.id);
        expect(await ids('max_iterations_reached')).toEqual(['sesn_r1']);
        expect(await ids('refusal')).toEqual(['sesn_r3', 'sesn_r2']);
        expect(await ids('unknown')).toEqual(['sesn_r4']);
        expect(await ids('end_turn')).toEqual(['sesn_r5']);
        expect(await ids('satisfied')).toEqual([]);
        expect(await store.countRuns({ reason: 'refusal', status: ['failed'] })).toBe(2);
      });

      it('search follows changes of the text and handles short and quoted terms', async () => {
        await store.saveRun({
          run: newRun('sesn_s', { output: 'first draft "quoted" ok' }),
          expectedVersion: 0,
          history: null,
        });
        const ids = async (search: string) => (await store.listRuns({ search })).map((r) => r.id);
        expect(await ids('first draft')).toEqual(['sesn_s']);
        expect(await ids('"quoted"')).toEqual(['sesn_s']);
        expect(await ids('ok')).toEqual(['sesn_s']);
        expect(await ids('sesn_s')).toEqual(['sesn_s']);
        await store.saveRun({
          run: newRun('sesn_s', { output: 'final version' }),
          expectedVersion: 1,
          history: null,
        });
        expect(await ids('first draft')).toEqual([]);
        expect(await ids('FINAL VERSION')).toEqual(['sesn_s']);
        expect(await ids('zz')).toEqual([]);
        expect(await store.countRuns({ search: 'final' })).toBe(1);
      });

      it('runsToReconcile lists non-final runs, never-checked first, then least recently checked', async () => {
        const specs: [string, Partial<Run>][] = [
          ['r_done', { status: 'succeeded', lastCheckedAt: null }],
          ['r_old', { status: 'running', lastCheckedAt: T0 + 10 }],
          ['r_new', { status: 'blocked', lastCheckedAt: T0 + 50 }],
          ['r_never', { status: 'pending', lastCheckedAt: null }],
          ['r_fail', { status: 'failed', lastCheckedAt: T0 }],
          ['r_gone', { status: 'deleted', lastCheckedAt: T0 }],
        ];
        for (const [id, over] of specs)
          await store.saveRun({ run: newRun(id, over), expectedVersion: 0, history: null });
        expect((await store.runsToReconcile(10)).map((r) => r.id)).toEqual(['r_never', 'r_old', 'r_new']);
        expect((await store.runsToReconcile(1)).map((r) => r.id)).toEqual(['r_never']);
        await store.markRunChecked('r_never', T0 + 100);
        expect((await store.runsToReconcile(10)).map((r) => r.id)).toEqual(['r_old', 'r_new', 'r_never']);
        // Marking checked is not a run change: the version stays, so it never breaks a CAS.
        const r = await store.getRun('r_never');
        expect(r).toMatchObject({ lastCheckedAt: T0 + 100, version: 1 });
      });
    });

    describe('launches', () => {
      it('creates once per id and returns the stored launch on a repeat', async () => {
        const l = newLaunch('lch_1');
        expect(await store.createLaunch(l)).toEqual({ launch: l, created: true });
        const again = await store.createLaunch({ ...l, task: 'different' });
        expect(again).toEqual({ launch: l, created: false });
        expect(await store.getLaunch('lch_1')).toEqual(l);
        expect(await store.getLaunch('lch_none')).toBeNull();
      });

      it('is unique per (parentRunId, step), also under concurrency', async () => {
        const mk = (i: number) =>
          newLaunch(`lch_c${i}`, {
            kind: 'chain',
            pipeline: 'p',
            step: 'report',
            parentRunId: 'sesn_parent',
          });
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.createLaunch(mk(i))));
        const created = results.filter((r) => r.created);
        expect(created).toHaveLength(1);
        const winner = created[0].launch.id;
        for (const r of results) expect(r.launch.id).toBe(winner);
        // Another step of the same parent, and launches without a parent, are independent.
        expect(
          (await store.createLaunch(newLaunch('lch_s2', { parentRunId: 'sesn_parent', step: 'other' })))
            .created,
        ).toBe(true);
        expect((await store.createLaunch(newLaunch('lch_np1'))).created).toBe(true);
        expect((await store.createLaunch(newLaunch('lch_np2'))).created).toBe(true);
        expect(await store.listLaunches({ parentRunId: 'sesn_parent' })).toHaveLength(2);
      });

      it('updateLaunch patches only the given fields and stamps updatedAt', async () => {
        await store.createLaunch(newLaunch('lch_u', { agentId: 'agent_x' }));
        await store.updateLaunch('lch_u', { state: 'created', sessionId: 'sesn_9' }, T0 + 50);
        expect(await store.getLaunch('lch_u')).toMatchObject({
          state: 'created',
          sessionId: 'sesn_9',
          agentId: 'agent_x',
          error: null,
          createdAt: T0,
          updatedAt: T0 + 50,
        });
        await store.updateLaunch('lch_u', { state: 'failed', error: 'HTTP 400', sessionId: null }, T0 + 60);
        expect(await store.getLaunch('lch_u')).toMatchObject({
          state: 'failed',
          error: 'HTTP 400',
          sessionId: null,
        });
      });

      it('lists by state, oldest first, with a limit', async () => {
        await store.createLaunch(newLaunch('lch_3', { createdAt: T0 + 3 }));
        await store.createLaunch(newLaunch('lch_1', { createdAt: T0 + 1 }));
        await store.createLaunch(newLaunch('lch_2', { createdAt: T0 + 2, state: 'created' }));
        expect((await store.listLaunches({ state: 'intent' })).map((l) => l.id)).toEqual(['lch_1', 'lch_3']);
        expect((await store.listLaunches({ limit: 2 })).map((l) => l.id)).toEqual(['lch_1', 'lch_2']);
      });
    });

    describe('outbox', () => {
      async function seed(n: number): Promise<void> {
        await store.saveRun({
          run: newRun('sesn_ob'),
          expectedVersion: 0,
          history: null,
          outbox: Array.from({ length: n }, (_, i) => ({
            id: `ob_${i}`,
            target: 'ops',
            url: 'http://127.0.0.1:9/hook',
            payload: `{"i":${i}}`,
            createdAt: T0 + i,
          })),
        });
      }

      it('claims due messages once: concurrent claimers never get the same one', async () => {
        await seed(10);
        const [a, b] = await Promise.all([
          store.claimOutbox({ now: T0 + 100, limit: 6 }),
          store.claimOutbox({ now: T0 + 100, limit: 6 }),
        ]);
        const ids = [...a, ...b].map((m) => m.id);
        expect(ids).toHaveLength(10);
        expect(new Set(ids).size).toBe(10);
        expect(await store.claimOutbox({ now: T0 + 100, limit: 10 })).toEqual([]);
        // not yet due
        expect(await store.claimOutbox({ now: T0 - 1, limit: 10 })).toEqual([]);
      });

      it('delivered, retried and failed outcomes', async () => {
        await seed(3);
        const claimed = await store.claimOutbox({ now: T0 + 10, limit: 10 });
        expect(claimed.map((m) => m.id)).toEqual(['ob_0', 'ob_1', 'ob_2']);
        await store.finishOutbox('ob_0', { delivered: true }, T0 + 20);
        await store.finishOutbox(
          'ob_1',
          { delivered: false, error: 'HTTP 503', nextAttemptAt: T0 + 5000 },
          T0 + 20,
        );
        await store.finishOutbox(
          'ob_2',
          { delivered: false, error: 'HTTP 410', nextAttemptAt: null },
          T0 + 20,
        );
        expect((await store.listOutbox({ state: 'delivered' }))[0]).toMatchObject({
          id: 'ob_0',
          deliveredAt: T0 + 20,
        });
        expect((await store.listOutbox({ state: 'failed' }))[0]).toMatchObject({
          id: 'ob_2',
          lastError: 'HTTP 410',
        });
        expect(await store.claimOutbox({ now: T0 + 4999, limit: 10 })).toEqual([]);
        const [retry] = await store.claimOutbox({ now: T0 + 5000, limit: 10 });
        expect(retry).toMatchObject({ id: 'ob_1', lastError: 'HTTP 503', state: 'pending' });
        expect(retry.attempts).toBeGreaterThan(claimed[1].attempts);
        expect(await store.listOutbox({ limit: 2 })).toHaveLength(2);
      });
    });

    describe('outcomes: outbox retry, deployment runs, prune, metric counts (issue 10)', () => {
      it('retryOutbox makes a failed message due now with fresh attempts; delivered ones stay', async () => {
        await store.saveRun({
          run: newRun('sesn_rt'),
          expectedVersion: 0,
          history: null,
          outbox: ['a', 'b'].map((x) => ({
            id: `ob_${x}`,
            target: 'ops',
            url: 'http://127.0.0.1:9/h',
            payload: '{}',
            createdAt: T0,
          })),
        });
        await store.claimOutbox({ now: T0, limit: 10 });
        await store.finishOutbox(
          'ob_a',
          { delivered: false, error: 'HTTP 500', nextAttemptAt: null },
          T0 + 1,
        );
        await store.finishOutbox('ob_b', { delivered: true }, T0 + 1);
        expect(await store.getOutbox('ob_a')).toMatchObject({
          state: 'failed',
          lastError: 'HTTP 500',
          attempts: 1,
        });
        expect(await store.getOutbox('nope')).toBeNull();
        expect(await store.retryOutbox('ob_a', T0 + 50)).toBe(true);
        expect(await store.retryOutbox('ob_b', T0 + 50)).toBe(false);
        expect(await store.retryOutbox('nope', T0 + 50)).toBe(false);
        const [again] = await store.claimOutbox({ now: T0 + 50, limit: 10 });
        expect(again).toMatchObject({ id: 'ob_a', state: 'pending', attempts: 1 });
      });

      it('deployment runs: upsert by id, filter failed and succeeded', async () => {
        const base = { deploymentId: 'depl_1', agentId: 'agent_1', seenAt: T0 };
        await store.saveDeploymentRun({
          ...base,
          id: 'drun_ok',
          sessionId: 'sesn_1',
          errorType: null,
          errorMessage: null,
        });
        await store.saveDeploymentRun({
          ...base,
          id: 'drun_bad',
          sessionId: null,
          errorType: 'x',
          errorMessage: 'first',
          seenAt: T0 + 1,
        });
        await store.saveDeploymentRun({
          ...base,
          id: 'drun_bad',
          sessionId: null,
          errorType: 'quota_exceeded',
          errorMessage: 'no budget',
          seenAt: T0 + 1,
        });
        expect((await store.listDeploymentRuns({})).map((d) => d.id)).toEqual(['drun_bad', 'drun_ok']);
        expect(await store.listDeploymentRuns({ failed: true })).toEqual([
          {
            ...base,
            id: 'drun_bad',
            sessionId: null,
            errorType: 'quota_exceeded',
            errorMessage: 'no budget',
            seenAt: T0 + 1,
          },
        ]);
        expect((await store.listDeploymentRuns({ failed: false })).map((d) => d.id)).toEqual(['drun_ok']);
        expect((await store.metricCounts()).deploymentRuns).toEqual({ succeeded: 1, failed: 1 });
      });

      it('prune clears old settled payloads but keeps ids (dedupe holds), history, outbox and rejects', async () => {
        const DAY = 86_400_000;
        await store.insertEvents([
          newEvent('ev_old', { receivedAt: T0, state: 'done' }),
          newEvent('ev_old_pending', { receivedAt: T0, state: 'pending' }),
          newEvent('ev_new', { receivedAt: T0 + 10 * DAY, state: 'done' }),
        ]);
        await store.saveRun({
          run: newRun('sesn_p'),
          expectedVersion: 0,
          history: {
            at: T0,
            source: 'ev_old',
            status: 'running',
            sessionStatus: 'running',
            stopReason: null,
            outcomeResult: null,
            turn: 1,
            snapshotKey: null,
            note: null,
          },
          outbox: [
            { id: 'ob_old', target: 'ops', url: 'http://127.0.0.1:9/h', payload: '{}', createdAt: T0 },
          ],
        });
        await store.saveRun({
          run: newRun('sesn_p', { status: 'succeeded', version: 1 }),
          expectedVersion: 1,
          history: {
            at: T0 + 10 * DAY,
            source: 'ev_new',
            status: 'succeeded',
            sessionStatus: 'idle',
            stopReason: 'end_turn',
            outcomeResult: null,
            turn: 1,
            snapshotKey: null,
            note: null,
          },
        });
        await store.claimOutbox({ now: T0, limit: 1 });
        await store.finishOutbox('ob_old', { delivered: true }, T0 + 1);
        await store.addRejects([{ minute: T0, code: 'invalid_signature', count: 3 }]);
        const before = T0 + 5 * DAY;
        const dry = await store.prune({ before, dryRun: true });
        expect(dry).toEqual({ payloads: 1, runHistory: 1, outbox: 1, rejects: 1 });
        expect((await store.getEvent('ev_old'))?.raw).not.toBeNull();
        expect(await store.prune({ before, dryRun: false })).toEqual(dry);
        expect((await store.getEvent('ev_old'))?.raw).toBeNull();
        expect((await store.getEvent('ev_old_pending'))?.raw).not.toBeNull();
        expect((await store.getEvent('ev_new'))?.raw).not.toBeNull();
        expect((await store.runHistory('sesn_p')).map((h) => h.source)).toEqual(['ev_new']);
        expect(await store.getRun('sesn_p')).toMatchObject({ status: 'succeeded' });
        expect(await store.listOutbox({})).toEqual([]);
        expect(await store.listRejects(0)).toEqual([]);
        // the id is still there: a re-delivery is a duplicate
        const [again] = await store.insertEvents([newEvent('ev_old', { receivedAt: T0 + 20 * DAY })]);
        expect(again).toEqual({ id: 'ev_old', duplicate: true });
        expect(await store.prune({ before, dryRun: false })).toEqual({
          payloads: 0,
          runHistory: 0,
          outbox: 0,
          rejects: 0,
        });
      });

      it('metricCounts groups events by type and state, runs by status, outbox by state', async () => {
        await store.insertEvents([
          newEvent('e1', { state: 'pending' }),
          newEvent('e2', { state: 'ignored', type: 'agent.created' }),
          newEvent('e3', { state: 'pending' }),
          // A duplicate in the same batch and one of an earlier batch count nothing.
          newEvent('e1', { state: 'pending' }),
        ]);
        await store.insertEvents([newEvent('e2', { state: 'ignored', type: 'agent.created' })]);
        await store.saveRun({
          run: newRun('sesn_m1', { status: 'succeeded' }),
          expectedVersion: 0,
          history: null,
        });
        await store.saveRun({
          run: newRun('sesn_m2', { status: 'running' }),
          expectedVersion: 0,
          history: null,
        });
        const c = await store.metricCounts();
        expect(c.events).toEqual([
          { type: 'agent.created', state: 'ignored', count: 1 },
          { type: 'session.status_idled', state: 'pending', count: 2 },
        ]);
        expect(c.runs).toEqual([
          { status: 'running', count: 1 },
          { status: 'succeeded', count: 1 },
        ]);
        expect(c.outbox).toEqual([]);
        expect(c.deploymentRuns).toEqual({ succeeded: 0, failed: 0 });
      });
    });

    describe('insight reads: runFacts and skippedSteps', () => {
      const evaluation = (iteration: number, result: string) => ({
        outcomeId: 'out_1',
        description: null,
        result,
        explanation: null,
        iteration,
        completedAt: null,
      });
      const usage = (costCents: number | null) => ({
        inputTokens: 1,
        outputTokens: 2,
        cacheReadInputTokens: 0,
        cacheCreationInputTokens: 0,
        costCents,
        activeSeconds: null,
      });

      it('counts the runs first seen in the window by cell, filtered by agent (name or id) and pipeline', async () => {
        const DAY = 86_400_000;
        const failed = {
          status: 'failed' as const,
          stopReason: 'end_turn',
          outcomeResult: 'max_iterations_reached',
          pipeline: 'research',
          step: 'draft',
        };
        const runs = [
          newRun('f1', {
            ...failed,
            evaluations: [evaluation(0, 'needs_revision'), evaluation(1, 'max_iterations_reached')],
            usage: usage(42),
            sessionCreatedAt: T0 - 500,
            finishedAt: T0 + 9_500,
          }),
          newRun('f1b', {
            ...failed,
            evaluations: [evaluation(0, 'max_iterations_reached')],
            usage: usage(8),
            firstSeenAt: T0 + 5,
            finishedAt: T0 + 1005,
          }),
          newRun('f1c', { ...failed, firstSeenAt: T0 + DAY, usage: usage(null) }),
          newRun('f2', { agentName: null, agentId: 'agent_x', usage: usage(null), firstSeenAt: T0 + 1 }),
          newRun('f3', { agentName: 'writer', agentId: 'agent_w', firstSeenAt: T0 + 2, status: 'succeeded' }),
          newRun('f_old', { firstSeenAt: T0 - 1 }),
          newRun('f_late', { firstSeenAt: T0 + 2 * DAY }),
        ];
        for (const run of runs) await store.saveRun({ run, expectedVersion: 0, history: null });
        const cells = await store.runCells({ since: T0, until: T0 + 2 * DAY });
        const key = (c: { agent: string | null; day: number }) => `${c.agent}/${c.day}`;
        const sorted = [...cells]
          .map((c) => ({ ...c, durations: [...c.durations].sort((a, b) => a - b) }))
          .sort((a, b) => key(a).localeCompare(key(b)));
        const cell = {
          agent: 'researcher',
          agentIds: ['agent_1'],
          pipeline: 'research',
          step: 'draft',
          status: 'failed',
          stopReason: 'end_turn',
          outcomeResult: 'max_iterations_reached',
        };
        const plain = {
          pipeline: null,
          step: null,
          day: T0,
          stopReason: null,
          outcomeResult: null,
          runs: 1,
          iterations: 0,
          costCents: 0,
          costedRuns: 0,
          durations: [],
        };
        // A run without an agent name counts under its id.
        expect(sorted).toEqual([
          { ...plain, agent: 'agent_x', agentIds: ['agent_x'], status: 'pending' },
          {
            ...cell,
            day: T0,
            runs: 2,
            iterations: 3,
            costCents: 50,
            costedRuns: 2,
            durations: [1000, 10_000],
          },
          { ...cell, day: T0 + DAY, runs: 1, iterations: 0, costCents: 0, costedRuns: 0, durations: [] },
          { ...plain, agent: 'writer', agentIds: ['agent_w'], status: 'succeeded' },
        ]);
        const runsOf = async (q: { agent?: string; pipeline?: string }) =>
          (await store.runCells({ since: T0, until: T0 + 2 * DAY, ...q })).reduce((n, c) => n + c.runs, 0);
        expect(await runsOf({ agent: 'agent_x' })).toBe(1);
        expect(await runsOf({ agent: 'writer' })).toBe(1);
        expect(await runsOf({ agent: 'agent_1' })).toBe(3);
        expect(await runsOf({ pipeline: 'research' })).toBe(3);
        expect(await store.runCells({ since: T0 + 5 * DAY, until: T0 + 6 * DAY })).toEqual([]);
      });

      it('one agent name under several ids is one cell listing each id once', async () => {
        const DAY = 86_400_000;
        const base = { agentName: 'editor', status: 'succeeded' as const, stopReason: 'end_turn' };
        const runs = [
          newRun('e1', { ...base, agentId: 'agent_e2', firstSeenAt: T0 }),
          newRun('e2', { ...base, agentId: 'agent_e1', firstSeenAt: T0 + 1 }),
          newRun('e3', { ...base, agentId: 'agent_e2', firstSeenAt: T0 + 2 }),
          newRun('e4', { ...base, agentId: null, firstSeenAt: T0 + 3 }),
          newRun('e5', { ...base, agentId: 'agent_e3', firstSeenAt: T0 + DAY }),
        ];
        for (const run of runs) await store.saveRun({ run, expectedVersion: 0, history: null });
        const cells = (await store.runCells({ since: T0, until: T0 + 2 * DAY, agent: 'editor' }))
          .map((c) => ({ day: c.day, agent: c.agent, runs: c.runs, agentIds: [...c.agentIds].sort() }))
          .sort((a, b) => a.day - b.day);
        expect(cells).toEqual([
          { day: T0, agent: 'editor', runs: 4, agentIds: ['agent_e1', 'agent_e2'] },
          { day: T0 + DAY, agent: 'editor', runs: 1, agentIds: ['agent_e3'] },
        ]);
      });

      it('adds up a fractional cost an older version stored, without failing', async () => {
        // Snapshots now round the list cost to whole cents; a run saved before that may hold a
        // fraction, which PostgreSQL's integer cast refused.
        const base = { agentName: 'coster', status: 'succeeded' as const };
        await store.saveRun({
          run: newRun('c1', { ...base, usage: usage(42) }),
          expectedVersion: 0,
          history: null,
        });
        await store.saveRun({
          run: newRun('c2', { ...base, usage: usage(7.5) }),
          expectedVersion: 0,
          history: null,
        });
        const cells = await store.runCells({ since: T0, until: T0 + 86_400_000, agent: 'coster' });
        const total = cells.reduce((n, c) => n + c.costCents, 0);
        // SQLite adds the stored values, PostgreSQL rounds each run's first: 49.5 or 50.
        expect(Math.abs(total - 49.5)).toBeLessThanOrEqual(0.5);
        expect(cells.reduce((n, c) => n + c.costedRuns, 0)).toBe(2);
      });

      it('counts skipped chain steps by pipeline and step within the window', async () => {
        const chain = (id: string, step: string, state: Launch['state'], createdAt = T0) =>
          newLaunch(id, {
            kind: 'chain',
            pipeline: 'research',
            step,
            parentRunId: `p_${id}`,
            state,
            createdAt,
          });
        for (const l of [
          chain('l1', 'report', 'skipped'),
          chain('l2', 'report', 'skipped'),
          chain('l3', 'review', 'skipped'),
          chain('l4', 'report', 'created'),
          chain('l5', 'report', 'skipped', T0 + 5000),
          newLaunch('l6', {
            kind: 'chain',
            pipeline: 'other',
            step: 'x',
            parentRunId: 'p6',
            state: 'skipped',
          }),
        ])
          await store.createLaunch(l);
        expect(await store.skippedSteps({ since: T0, until: T0 + 1000 })).toEqual([
          { pipeline: 'other', step: 'x', count: 1 },
          { pipeline: 'research', step: 'report', count: 2 },
          { pipeline: 'research', step: 'review', count: 1 },
        ]);
        expect(await store.skippedSteps({ since: T0, until: T0 + 1000, pipeline: 'other' })).toEqual([
          { pipeline: 'other', step: 'x', count: 1 },
        ]);
      });
    });

    describe('meta and leases', () => {
      it('getMeta/setMeta: missing is null, set overwrites', async () => {
        expect(await store.getMeta('hb')).toBeNull();
        await store.setMeta('hb', '1');
        await store.setMeta('hb', '2');
        expect(await store.getMeta('hb')).toBe('2');
      });

      it('a lease has one holder until it expires; the holder renews it', async () => {
        expect(await store.tryLease('reconciler', 'A', T0, 1000)).toBe(true);
        expect(await store.tryLease('reconciler', 'B', T0 + 500, 1000)).toBe(false);
        expect(await store.tryLease('reconciler', 'A', T0 + 900, 1000)).toBe(true); // renewed to T0 + 1900
        expect(await store.tryLease('reconciler', 'B', T0 + 1500, 1000)).toBe(false);
        expect(await store.tryLease('reconciler', 'B', T0 + 1900, 1000)).toBe(true); // expired: taken over
        expect(await store.tryLease('reconciler', 'A', T0 + 2000, 1000)).toBe(false);
        expect(await store.tryLease('other', 'A', T0 + 2000, 1000)).toBe(true);
      });

      it('concurrent takers of a free lease: exactly one wins', async () => {
        const wins = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.tryLease('sweep', `owner${i}`, T0, 60_000)),
        );
        expect(wins.filter(Boolean)).toHaveLength(1);
      });
    });
  });
}
