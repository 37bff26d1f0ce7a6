// Each failure reason on an agent or pipeline page links to exactly the runs counted under it:
// following the link lists those failed runs and no other (not the agent's other failures, not
// another agent's runs with the same reason, not a succeeded run with that stop reason), and the
// runs API answers the same filter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureReason, type Insight } from '../../src/query/insight.js';
import type { Run } from '../../src/store/types.js';
import { makeRun, saveRun, startWebServer, type WebServer } from './helpers.js';

const DAY = 86_400_000;
let s: WebServer;
const runs: Run[] = [];

beforeAll(async () => {
  s = await startWebServer();
  const now = Date.now();
  // [agent, pipeline, status, stop reason, outcome result]
  const shapes: [string, string | null, Run['status'], string | null, string | null][] = [
    ['researcher', 'research', 'failed', 'end_turn', 'max_iterations_reached'],
    ['researcher', 'research', 'failed', 'end_turn', 'max_iterations_reached'],
    ['researcher', null, 'failed', 'retries_exhausted', null],
    ['researcher', 'research', 'failed', 'refusal', 'satisfied'],
    ['researcher', null, 'failed', null, null],
    ['researcher', 'research', 'failed', 'end_turn', 'failed'],
    ['researcher', null, 'succeeded', 'end_turn', 'satisfied'],
    ['researcher', 'research', 'succeeded', 'retries_exhausted', null],
    ['writer', 'research', 'failed', 'retries_exhausted', null],
    ['writer', null, 'failed', 'end_turn', 'max_iterations_reached'],
    ['writer', 'research', 'failed', null, null],
  ];
  for (const [i, [agentName, pipeline, status, stopReason, outcomeResult]] of shapes.entries()) {
    runs.push(
      await saveRun(
        s.store,
        makeRun(`sesn_link${String(i).padStart(2, '0')}`, {
          agentName,
          agentId: `agent_${agentName}`,
          pipeline,
          step: pipeline ? 'draft' : null,
          status,
          stopReason,
          outcomeResult,
          firstSeenAt: now - (i + 1) * 3_600_000,
        }),
      ),
    );
  }
  // Outside the 30-day window the page covers.
  runs.push(
    await saveRun(
      s.store,
      makeRun('sesn_link_old', {
        agentName: 'researcher',
        pipeline: 'research',
        status: 'failed',
        stopReason: 'retries_exhausted',
        firstSeenAt: now - 45 * DAY,
      }),
    ),
  );
});
afterAll(() => s.close());

const text = async (path: string) => {
  const res = await fetch(`${s.url}${path}`);
  expect(res.status, path).toBe(200);
  return res.text();
};
const decodeAmp = (h: string) => h.replace(/&amp;/g, '&');

/** The failure reasons table of a detail page: reason label, link and count per row. */
async function reasonLinks(path: string): Promise<{ href: string; count: number }[]> {
  const body = await text(path);
  const table = /<table class="reasons">([\s\S]*?)<\/table>/.exec(body)?.[1] ?? '';
  return [...table.matchAll(/<a href="([^"]+)">[^<]*<\/a><\/td><td class="num">(\d+)<\/td>/g)].map((m) => ({
    href: decodeAmp(m[1] as string),
    count: Number(m[2]),
  }));
}

/** The run ids the runs page lists. */
async function listedIds(path: string): Promise<string[]> {
  return [...(await text(path)).matchAll(/<span class="run-id">([^<]+)<\/span>/g)].map((m) => m[1] as string);
}

describe('failure reason links', () => {
  for (const [kind, name, of] of [
    ['agents', 'researcher', (r: Run) => r.agentName === 'researcher'],
    ['pipelines', 'research', (r: Run) => r.pipeline === 'research'],
  ] as const) {
    it(`on /${kind}/${name} list exactly the failed runs with that reason`, async () => {
      const links = await reasonLinks(`/${kind}/${name}`);
      const inWindow = runs.filter((r) => r.id !== 'sesn_link_old' && of(r) && r.status === 'failed');
      const reasons = [...new Set(inWindow.map(failureReason))];
      expect(links).toHaveLength(reasons.length);
      expect(reasons.length).toBeGreaterThanOrEqual(3);
      for (const link of links) {
        const reason = new URL(link.href, s.url).searchParams.get('reason') as string;
        const want = inWindow
          .filter((r) => failureReason(r) === reason)
          .map((r) => r.id)
          .sort();
        const got = (await listedIds(link.href)).sort();
        expect(got, link.href).toEqual(want);
        expect(got).toHaveLength(link.count);
      }
    });
  }

  it('the runs page keeps the reason filter visible and removable, without whole-status counts', async () => {
    const body = await text('/?status=failed&reason=retries_exhausted');
    expect(body).toContain('data-filter="reason"');
    expect(body).toContain('<input type="hidden" name="reason" value="retries_exhausted">');
    expect(body).toContain('href="/?status=failed"');
    expect(body).not.toMatch(/data-status-chip="failed"><i><\/i>failed<span class="n">/);
  });

  it('GET /api/runs?reason= answers the same runs, `unknown` for neither outcome nor stop reason', async () => {
    const api = async (q: string) =>
      ((await (await fetch(`${s.url}/api/runs?${q}`)).json()) as { runs: Run[] }).runs
        .map((r) => r.id)
        .sort();
    expect(await api('status=failed&reason=retries_exhausted')).toEqual([
      'sesn_link02',
      'sesn_link08',
      'sesn_link_old',
    ]);
    expect(await api('reason=retries_exhausted&agent=researcher')).toEqual([
      'sesn_link02',
      'sesn_link07',
      'sesn_link_old',
    ]);
    expect(await api('reason=unknown')).toEqual(['sesn_link04', 'sesn_link10']);
    expect(await api('reason=refusal')).toEqual(['sesn_link03']);
    const stats = ((await (await fetch(`${s.url}/api/stats?agent=writer`)).json()) as { insight: Insight })
      .insight;
    const reasons = stats.agents[0]?.failureReasons ?? [];
    expect(reasons.map((r) => r.reason).sort()).toEqual([
      'max_iterations_reached',
      'retries_exhausted',
      'unknown',
    ]);
    for (const r of reasons)
      expect(await api(`status=failed&agent=writer&since=30d&reason=${r.reason}`)).toHaveLength(r.count);
  });
});
