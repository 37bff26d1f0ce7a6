// GET /api/stats keeps the health fields and adds `insight`, narrowed by since, agent and
// pipeline; the agents and pipelines pages answer, escape names and 400 on a bad since.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Insight } from '../../src/query/insight.js';
import { makeRun, saveRun, startWebServer, type WebServer } from './helpers.js';

let s: WebServer;
beforeAll(async () => {
  s = await startWebServer();
  const now = Date.now();
  await saveRun(
    s.store,
    makeRun('sesn_a', { agentName: 'a<b>', status: 'succeeded', firstSeenAt: now - 1000 }),
  );
  await saveRun(
    s.store,
    makeRun('sesn_b', {
      agentName: 'a<b>',
      status: 'failed',
      stopReason: 'refusal',
      firstSeenAt: now - 2 * 86_400_000,
    }),
  );
  await saveRun(
    s.store,
    makeRun('sesn_c', {
      agentName: 'other',
      pipeline: 'p1',
      step: 's1',
      status: 'succeeded',
      firstSeenAt: now - 40 * 86_400_000,
    }),
  );
});
afterAll(() => s.close());

const get = (path: string) => fetch(`${s.url}${path}`);

describe('GET /api/stats insight', () => {
  it('keeps the health fields and adds the figures of the last 30 days', async () => {
    const st = (await (await get('/api/stats')).json()) as Record<string, unknown> & { insight: Insight };
    for (const k of [
      'now',
      'eventsPerMinute',
      'backlog',
      'runs',
      'reconciler',
      'heartbeat',
      'recentFailures',
    ])
      expect(st).toHaveProperty(k);
    expect(st.insight.until - st.insight.since).toBe(30 * 86_400_000);
    expect(st.insight.totals.runs).toBe(2);
    expect(st.insight.agents.map((a) => [a.name, a.figures.successRate])).toEqual([['a<b>', 0.5]]);
    expect(st.insight.agents[0]?.failureReasons).toEqual([{ reason: 'refusal', count: 1 }]);
  });

  it('since, agent and pipeline narrow it; a bad since is 400 invalid_time', async () => {
    const day = ((await (await get('/api/stats?since=1d')).json()) as { insight: Insight }).insight;
    expect(day.totals.runs).toBe(1);
    const p = ((await (await get('/api/stats?since=60d&pipeline=p1')).json()) as { insight: Insight })
      .insight;
    expect(p.pipelines.map((x) => [x.name, x.steps?.map((st) => st.step)])).toEqual([['p1', ['s1']]]);
    const bad = await get('/api/stats?since=soon');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_time');
  });

  it('the pages answer and escape names', async () => {
    const list = await get('/agents');
    expect(list.status).toBe(200);
    const body = await list.text();
    expect(body).toContain('a&lt;b&gt;');
    expect(body).not.toContain('a<b>');
    expect(body).toContain('href="/agents/a%3Cb%3E?since=30d"');
    const detail = await get('/agents/a%3Cb%3E?since=7d');
    expect(detail.status).toBe(200);
    expect(await detail.text()).toContain('href="/?agent=a%3Cb%3E&amp;status=failed&amp;since=');
    expect((await get('/pipelines/p1?since=60d')).status).toBe(200);
    expect((await get('/pipelines?since=nope')).status).toBe(400);
  });
});
