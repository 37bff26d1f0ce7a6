// JSON API shapes and filters, over a real socket, on a store filled through the real receiver
// (signed deliveries) and saveRun (as the worker stores runs).
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/store/types.js';
import { deliver, makeRun, type Reply, saveRun, send, startWebServer, type WebServer } from './helpers.js';

let s: WebServer;
const T0 = Date.parse('2026-11-20T10:00:00Z');
const HOUR = 3_600_000;
const get = (path: string): Promise<Reply> => send(s.url, { path });

beforeAll(async () => {
  s = await startWebServer();
  // 12 runs an hour apart: statuses cycle, two agents, one chain (root -> child -> grandchild).
  const statuses = ['succeeded', 'failed', 'running', 'blocked'] as const;
  for (let i = 0; i < 12; i++) {
    await saveRun(
      s.store,
      makeRun(`sesn_api_${String(i).padStart(2, '0')}`, {
        status: statuses[i % 4],
        agentName: i % 2 === 0 ? 'researcher' : 'writer',
        task: i === 5 ? 'Find the 50% discount bug' : `Routine task number ${i}`,
        output: i === 7 ? 'The answer is <b>forty-two</b>' : null,
        firstSeenAt: T0 + i * HOUR,
      }),
    );
  }
  await saveRun(
    s.store,
    makeRun('sesn_api_child', {
      parentRunId: 'sesn_api_00',
      pipeline: 'p',
      step: 'two',
      firstSeenAt: T0 + 20 * HOUR,
    }),
  );
  await saveRun(
    s.store,
    makeRun('sesn_api_grandchild', {
      parentRunId: 'sesn_api_child',
      pipeline: 'p',
      step: 'three',
      firstSeenAt: T0 + 21 * HOUR,
    }),
  );
  await saveRun(
    s.store,
    { ...((await s.store.getRun('sesn_api_00')) as Run), status: 'succeeded', stopReason: 'end_turn' },
    'reconcile',
  );
  await deliver(s.url, 'sesn_api_00', 'session.status_run_started');
  await deliver(s.url, 'sesn_api_00', 'session.status_idled');
  await deliver(s.url, 'sesn_api_01', 'session.status_idled');
  await deliver(s.url, 'sesn_api_01', 'session.some_future_type');
});

afterAll(async () => {
  await s.close();
});

describe('GET /api/runs', () => {
  it('lists newest first with the Run shape', async () => {
    const res = await get('/api/runs');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const { runs, nextCursor } = res.json();
    expect(nextCursor).toBeNull();
    expect(runs).toHaveLength(14);
    expect(runs[0].id).toBe('sesn_api_grandchild');
    expect(Object.keys(runs[0])).toEqual(
      expect.arrayContaining([
        'id',
        'status',
        'task',
        'output',
        'evaluations',
        'usage',
        'parentRunId',
        'firstSeenAt',
      ]),
    );
  });

  it('filters by status (comma list), agent, search, since and until', async () => {
    const ids = async (q: string) => (await get(`/api/runs?${q}`)).json().runs.map((r: Run) => r.id);
    expect(await ids('status=failed')).toEqual(['sesn_api_09', 'sesn_api_05', 'sesn_api_01']);
    expect((await ids('status=failed,blocked')).length).toBe(6);
    expect(await ids('status=failed&agent=writer')).toEqual(['sesn_api_09', 'sesn_api_05', 'sesn_api_01']);
    expect(await ids('agent=researcher&status=running')).toEqual([
      'sesn_api_grandchild',
      'sesn_api_child',
      'sesn_api_10',
      'sesn_api_06',
      'sesn_api_02',
    ]);
    expect(await ids('search=50%25')).toEqual(['sesn_api_05']);
    expect(await ids('search=forty-two')).toEqual(['sesn_api_07']);
    expect(
      await ids(
        `since=${new Date(T0 + 10 * HOUR).toISOString()}&until=${new Date(T0 + 12 * HOUR).toISOString()}`,
      ),
    ).toEqual(['sesn_api_11', 'sesn_api_10']);
    expect(await ids(`since=${T0 + 11 * HOUR}&until=${T0 + 12 * HOUR}`)).toEqual(['sesn_api_11']);
  });

  it('pages with limit and an opaque cursor, without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Reply = await get(
        `/api/runs?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      const body = res.json();
      seen.push(...body.runs.map((r: Run) => r.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(14);
    expect(seen).toEqual((await get('/api/runs?limit=100')).json().runs.map((r: Run) => r.id));
  });

  it('answers 400 with a message naming the bad parameter', async () => {
    for (const [q, word] of [
      ['status=done', 'status'],
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['since=yesterday', 'since'],
      ['cursor=garbage', 'cursor'],
    ] as const) {
      const res = await get(`/api/runs?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.json().error.code).toMatch(/^(bad_request|invalid_time)$/);
      expect(res.json().error.message).toContain(word);
    }
  });
});

describe('GET /api/runs/:id', () => {
  it('has the run, history, events timeline, children and parent', async () => {
    const res = await get('/api/runs/sesn_api_child');
    expect(res.status).toBe(200);
    const d = res.json();
    expect(d.run.id).toBe('sesn_api_child');
    expect(d.parent.id).toBe('sesn_api_00');
    expect(d.children.map((r: Run) => r.id)).toEqual(['sesn_api_grandchild']);
    expect(d.history).toHaveLength(1);

    const root = (await get('/api/runs/sesn_api_00')).json();
    expect(root.parent).toBeNull();
    expect(root.history.map((h: { source: string }) => h.source)).toEqual(['test', 'reconcile']);
    expect(root.events.map((e: { type: string }) => e.type)).toEqual([
      'session.status_run_started',
      'session.status_idled',
    ]);
    expect(root.events[0]).not.toHaveProperty('raw');
    expect(root.events[0].state).toBe('pending');

    const leaf = (await get('/api/runs/sesn_api_grandchild')).json();
    expect(leaf.ancestors.map((r: Run) => r.id)).toEqual(['sesn_api_00']);
  });

  it('answers 404 run_not_found', async () => {
    const res = await get('/api/runs/sesn_nope');
    expect(res.status).toBe(404);
    expect(res.json().error.code).toBe('run_not_found');
  });
});

describe('GET /api/events', () => {
  it('lists events newest first without raw bodies, with filters', async () => {
    const all = (await get('/api/events')).json();
    expect(all.events).toHaveLength(4);
    expect(all.events[0]).not.toHaveProperty('raw');
    const types = async (q: string) =>
      (await get(`/api/events?${q}`)).json().events.map((e: { type: string }) => e.type);
    expect(await types('session=sesn_api_01')).toEqual(['session.some_future_type', 'session.status_idled']);
    expect(await types('type=session.status_idled')).toEqual([
      'session.status_idled',
      'session.status_idled',
    ]);
    expect(await types('state=ignored')).toEqual(['session.some_future_type']);
    expect((await get('/api/events?state=nope')).status).toBe(400);
    const page1 = (await get('/api/events?limit=3')).json();
    expect(page1.events).toHaveLength(3);
    const page2 = (await get(`/api/events?limit=3&cursor=${page1.nextCursor}`)).json();
    expect(page2.events).toHaveLength(1);
    expect(page2.nextCursor).toBeNull();
  });

  it('returns one event with its raw JSON, and 404 event_not_found', async () => {
    const [first] = (await get('/api/events?limit=1')).json().events;
    const res = await get(`/api/events/${first.id}`);
    expect(res.status).toBe(200);
    const { event } = res.json();
    expect(event.id).toBe(first.id);
    expect(typeof event.raw).toBe('string');
    expect(event.payload.id).toBe(first.id);
    expect(event.payload.data.id).toBe(first.subjectId);
    const missing = await get('/api/events/whe_missing');
    expect(missing.status).toBe(404);
    expect(missing.json().error.code).toBe('event_not_found');
  });
});

describe('GET /api/stats', () => {
  it('reports events per minute, rejects by code, backlog, runs, reconciler and last delivery', async () => {
    // A rejected delivery (bad signature) counted by the receiver and flushed on its schedule.
    await send(s.url, {
      method: 'POST',
      path: '/webhooks',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'whe_bad',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,AAAA',
      },
      body: '{}',
    });
    await s.store.addRejects([
      { minute: Math.floor(Date.now() / 60_000) * 60_000, code: 'timestamp_too_old', count: 3 },
    ]);
    await s.store.setMeta('reconciler.last_sweep', JSON.stringify({ at: Date.now() - 5000, refreshed: 1 }));
    const st = (await get('/api/stats')).json();
    expect(st.eventsPerMinute).toHaveLength(60);
    expect(st.eventsLastHour).toBe(4);
    expect(st.eventsPerMinute.reduce((a: number, p: { count: number }) => a + p.count, 0)).toBe(4);
    expect(st.rejects).toContainEqual({ code: 'timestamp_too_old', count: 3 });
    expect(st.backlog).toEqual({ pending: 3, processing: 0, failed: 0 });
    expect(st.runs.running).toBe(5);
    expect(st.runs.succeeded).toBe(3);
    expect(st.lastDeliveryAt).toBeGreaterThan(Date.now() - 60_000);
    expect(st.msSinceLastDelivery).toBeGreaterThanOrEqual(0);
    expect(st.reconciler.lastSweepAt).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('GET /api/stream', () => {
  it('sends hello, then a tick when a new event is stored', async () => {
    const chunks: string[] = [];
    const req = request(`${s.url}/api/stream`, { agent: false });
    const got = new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/text\/event-stream/);
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          chunks.push(c);
          const text = chunks.join('');
          if (text.includes('event: hello') && !text.includes('delivered')) {
            chunks.push('delivered');
            // Give the poller one beat to take its baseline, then store something new.
            setTimeout(() => void deliver(s.url, 'sesn_api_stream').catch(reject), 700);
          }
          if (text.includes('event: tick')) resolve();
        });
      });
      req.on('error', reject);
    });
    req.end();
    await got;
    req.destroy();
    expect(chunks.join('')).toMatch(/event: tick\ndata: \{"marker":"[\w-]+","at":\d+\}/);
  });
});
