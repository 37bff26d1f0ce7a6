import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DayFigures, Insight } from '../../src/query/insight.js';
import { dayRunsText, dollars, seconds } from '../../src/web/charts.js';
import { launchChromium, skipWithoutBrowser } from '../support/chromium.js';
import { makeRun, startWebServer, type WebServer } from './helpers.js';

const skip = skipWithoutBrowser('test/web/insight-browser.test.ts');
const DAY = 86_400_000;
const EVIL = '<img src=x onerror="window.__pwned=1">evil';

// Skipped only when Chromium is missing and the run does not require it (AGENTHOOKS_REQUIRE_BROWSER=1,
// set by .ci/run, makes these fail instead); skipWithoutBrowser prints that reason.
describe.skipIf(skip)('insight pages in headless Chromium', () => {
  let web: WebServer;
  let browser: BrowserContext;
  let chrome: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let page: Page;
  const api = async (q = ''): Promise<Insight> =>
    ((await (await fetch(`${web.url}/api/stats${q}`)).json()) as { insight: Insight }).insight;

  beforeAll(async () => {
    web = await startWebServer();
    const now = Date.now();
    const statuses = [
      'succeeded',
      'succeeded',
      'failed',
      'running',
      'blocked',
      'pending',
      'deleted',
    ] as const;
    for (let i = 0; i < 70; i++) {
      const at = now - Math.floor((i / 70) * 20 * DAY) - 1000;
      const status = statuses[i % statuses.length] ?? 'succeeded';
      await web.store.saveRun({
        run: makeRun(`sesn_ins${i}`, {
          agentName: i % 5 === 0 ? EVIL : i % 2 ? 'researcher' : 'writer',
          agentId: `agent_${i % 3}`,
          status,
          stopReason: status === 'failed' ? (i % 2 ? 'retries_exhausted' : 'end_turn') : 'end_turn',
          outcomeResult: status === 'failed' && i % 2 === 0 ? 'max_iterations_reached' : null,
          pipeline: i % 2 ? 'research' : null,
          step: i % 2 ? (i % 4 === 1 ? 'collect' : 'report') : null,
          sessionCreatedAt: at - 2000,
          firstSeenAt: at,
          finishedAt: ['succeeded', 'failed', 'deleted'].includes(status) ? at + 1000 * (i + 1) : null,
          usage:
            i % 6 === 0
              ? null
              : {
                  inputTokens: 1,
                  outputTokens: 1,
                  cacheReadInputTokens: 0,
                  cacheCreationInputTokens: 0,
                  costCents: 7 * i,
                  activeSeconds: null,
                },
        }),
        expectedVersion: 0,
        history: null,
      });
    }
    await web.store.createLaunch({
      id: 'lch_skip',
      kind: 'chain',
      pipeline: 'research',
      step: 'report',
      parentRunId: 'sesn_ins1',
      agentName: 'writer',
      agentId: null,
      environmentId: null,
      task: 't',
      request: '{}',
      state: 'skipped',
      sessionId: null,
      error: 'when: success did not hold',
      createdAt: now - DAY,
      updatedAt: now - DAY,
    });
    chrome = await launchChromium();
    browser = chrome.browser;
    page = browser.pages()[0] ?? (await browser.newPage());
  }, 60_000);

  afterAll(async () => {
    await chrome?.close();
    await web?.close();
  });

  const titles = (selector: string) =>
    page.$$eval(`${selector} title`, (els) => els.map((e) => e.textContent ?? ''));

  it('/agents: one row and one sparkline per agent, tooltips equal the API daily runs', async () => {
    const insight = await api();
    await page.goto(`${web.url}/agents`);
    const rows = await page.$$eval('table.insight tbody tr', (trs) =>
      trs.map((tr) => tr.getAttribute('data-name')),
    );
    expect(rows).toEqual(insight.agents.map((a) => a.name));
    for (const [i, a] of insight.agents.entries()) {
      const spark = `table.insight tbody tr:nth-child(${i + 1}) svg.sparkline`;
      const box = await page.locator(spark).boundingBox();
      expect(box?.width).toBeGreaterThan(50);
      expect(await titles(spark)).toEqual(a.daily.map((d) => `${d.day}: ${dayRunsText(d)}`));
      const success = await page
        .locator(`table.insight tbody tr:nth-child(${i + 1}) [data-figure=success]`)
        .textContent();
      expect(success).toBe(
        a.figures.successRate === null ? '–' : `${(a.figures.successRate * 100).toFixed(1)}%`,
      );
    }
    // The hostile name is shown as text, never run as markup.
    expect(await page.getByText(EVIL).count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('/agents/:name: runs, cost and duration charts match the API, with a table behind each', async () => {
    const insight = await api('?agent=researcher');
    await page.goto(`${web.url}/agents/researcher`);
    for (const key of ['runs', 'cost', 'duration']) {
      const box = await page.locator(`figure[data-chart=${key}] svg`).boundingBox();
      expect(box?.height, key).toBeGreaterThan(50);
      expect(await page.locator(`figure[data-chart=${key}] table.sr-only tbody tr`).count()).toBe(
        insight.daily.length,
      );
    }
    const days: DayFigures[] = insight.daily;
    expect(await titles('figure[data-chart=runs]')).toEqual(days.map((d) => `${d.day}: ${dayRunsText(d)}`));
    expect(await titles('figure[data-chart=cost]')).toEqual(
      days.map((d) => `${d.day}: ${dollars(d.costCents)}`),
    );
    const want = days.flatMap((d) => [
      ...(d.durationP95Ms === null ? [] : [`${d.day}: p95 ${seconds(d.durationP95Ms)}`]),
    ]);
    const got = await titles('figure[data-chart=duration]');
    expect(got.filter((t) => t.includes('p95'))).toEqual(want);
    expect(got.filter((t) => t.includes('p50'))).toEqual(
      days.filter((d) => d.durationP50Ms !== null).map((d) => `${d.day}: p50 ${seconds(d.durationP50Ms)}`),
    );
    // Failure reasons link to the matching failed runs of this agent.
    const links = await page.$$eval('table.reasons a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(links.length).toBe(insight.agents[0]?.failureReasons.length);
    for (const l of links) expect(l).toMatch(/^\/\?agent=researcher&status=failed&since=/);
    await page.goto(`${web.url}${links[0]}`);
    const shown = await page.$$eval('a[href^="/runs/"]', (as) => as.length);
    expect(shown).toBeGreaterThan(0);
  });

  it('/pipelines/:name: the step funnel says what the API says', async () => {
    const insight = await api('?pipeline=research');
    await page.goto(`${web.url}/pipelines/research`);
    const steps = insight.pipelines[0]?.steps ?? [];
    expect(steps.find((s) => s.step === 'report')?.skipped).toBe(1);
    const rows = await page.$$eval('table.funnel tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('th, td.num')].map((c) => c.textContent)),
    );
    expect(rows).toEqual(
      steps.map((s) => [
        s.step,
        String(s.launched),
        String(s.succeeded),
        String(s.failed),
        String(s.skipped),
      ]),
    );
  });

  it('dark mode: chart colours come from the theme variables', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${web.url}/agents/researcher`);
    const fill = await page
      .locator('figure[data-chart=runs] rect.s-succeeded')
      .first()
      .evaluate((el) => getComputedStyle(el).fill);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${web.url}/agents/researcher`);
    const light = await page
      .locator('figure[data-chart=runs] rect.s-succeeded')
      .first()
      .evaluate((el) => getComputedStyle(el).fill);
    expect(fill).not.toBe(light);
  });
});
