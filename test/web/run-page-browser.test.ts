import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail } from '../../src/query/run-detail.js';
import { skipWithoutBrowser } from '../support/chromium.js';
import {
  EVALUATIONS,
  FAIL_REASON,
  fakePlatform,
  IDS,
  launchChromium,
  PENDING,
  SKIP_REASON,
  seedDashboard,
} from './fixture.js';
import { makeRun, saveRun, startWebServer, type WebServer } from './helpers.js';

const skip = skipWithoutBrowser('test/web/run-page-browser.test.ts');
const squash = (s: string | null): string => (s ?? '').replace(/\s+/g, ' ').trim();

// Skipped only when Chromium is missing and the run does not require it (AGENTHOOKS_REQUIRE_BROWSER=1,
// set by .ci/run, makes these fail instead); skipWithoutBrowser prints that reason.
describe.skipIf(skip)('run page and runs page in headless Chromium', () => {
  let web: WebServer;
  let chromium: { browser: BrowserContext; close(): Promise<void> };
  let page: Page;
  const detail = async (id: string): Promise<RunDetail> =>
    (await (await fetch(`${web.url}/api/runs/${id}`)).json()) as RunDetail;

  beforeAll(async () => {
    web = await startWebServer({ platform: fakePlatform() });
    await seedDashboard(web.store, Date.now());
    chromium = await launchChromium();
    page = await chromium.browser.newPage();
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    await web?.close();
  });

  it('lists every evaluation in order, numbered the same in each card and in the API', async () => {
    await page.goto(`${web.url}/runs/${IDS.outcome}`);
    const items = page.locator('#run-outcome ol.evals > li');
    expect(await items.count()).toBe(EVALUATIONS.length);
    const api = (await detail(IDS.outcome)).run.evaluations;
    expect(api.map((e) => [e.iteration, e.result])).toEqual(EVALUATIONS.map((e) => [e.iteration, e.result]));
    for (const [i, e] of api.entries()) {
      const item = items.nth(i);
      expect(squash(await item.locator('.badge').textContent())).toBe(e.result.replace(/_/g, ' '));
      expect(squash(await item.locator('.row').textContent())).toContain(`iteration ${e.iteration + 1}`);
      expect(squash(await item.locator('.explanation').textContent())).toBe(squash(e.explanation));
    }
    // needs_revision first, satisfied last, and the facts strip shows the final grade.
    expect(await items.first().locator('.badge.needs_revision').count()).toBe(1);
    expect(await items.last().locator('.badge.satisfied').count()).toBe(1);
    expect(squash(await page.locator('.fact', { hasText: 'Outcome' }).locator('.v').textContent())).toBe(
      'satisfied',
    );
    // The timeline's history notes count iterations the same way as the list.
    const notes = await page.locator('.timeline .detail').allTextContents();
    expect(notes.map(squash)).toEqual(
      EVALUATIONS.map((e) => `outcome iteration ${e.iteration + 1}: ${e.result}`),
    );
  });

  it('shows the chain card with the skipped and failed steps and their reasons, as the API lists them', async () => {
    await page.goto(`${web.url}/runs/${IDS.root}`);
    const root = await detail(IDS.root);
    const skipped = root.steps.filter((s) => s.state === 'skipped');
    expect(skipped.map((s) => s.step)).toEqual(['review']);
    const item = page.locator('#run-chain ul.steps li[data-state="skipped"]');
    expect(await item.count()).toBe(1);
    expect(squash(await item.locator('.badge').textContent())).toBe('skipped');
    expect(squash(await item.locator('.mono').textContent())).toBe('review');
    expect(squash(await item.locator('.reason').textContent())).toBe(SKIP_REASON);
    // The launched children are in the graph, not in the list of steps without a run.
    expect(await page.locator('#run-chain svg.lineage .node').count()).toBe(3);
    expect(await page.locator('#run-chain ul.steps li').count()).toBe(1);
    expect(squash(await page.locator('#run-chain .card-title .hint').textContent())).toBe(
      'root · 2 follow-ups · 1 step not launched',
    );

    // A chain child: its parent, and its own skipped and failed steps.
    await page.goto(`${web.url}/runs/${IDS.child}`);
    const child = await detail(IDS.child);
    const shown = await page
      .locator('#run-chain ul.steps li')
      .evaluateAll((lis) =>
        lis.map((li) => [
          (li as HTMLElement).dataset.step,
          (li as HTMLElement).dataset.state,
          li.querySelector('.reason')?.textContent ?? null,
        ]),
      );
    expect(shown).toEqual(child.steps.map((s) => [s.step, s.state, s.reason]));
    expect(shown.map((s) => s[2])).toEqual([SKIP_REASON, FAIL_REASON]);
    expect(squash(await page.locator('#run-chain li[data-state="failed"] .badge').textContent())).toBe(
      'launch failed',
    );
    expect(await page.locator(`#run-chain .hint a[href="/runs/${IDS.root}"]`).textContent()).toBe(IDS.root);
  });

  it('says what a blocked run waits for, with the input shortened and the exact respond command', async () => {
    await page.goto(`${web.url}/runs/${IDS.blocked}`);
    const panel = page.locator('#run-waiting');
    const text = squash(await panel.textContent());
    expect(text).toContain('Waiting for confirmation of a tool call; the run has not ended.');
    const tool = PENDING[0];
    expect(await panel.locator('ul.pending code.tool').textContent()).toBe(tool?.name);
    const input = (await panel.locator('ul.pending code.input').textContent()) ?? '';
    expect(input.length).toBe(80);
    expect(input.endsWith('…')).toBe(true);
    expect(JSON.stringify(tool?.input).startsWith(input.slice(0, -1))).toBe(true);
    expect(await panel.locator('code.command').allTextContents()).toEqual([
      `npx agenthooks respond ${IDS.blocked} --allow`,
      `npx agenthooks respond ${IDS.blocked} --deny --message "why"`,
    ]);
    // It is waiting: no card says it ended.
    expect(squash(await page.locator('#run-region').textContent())).not.toContain('ended with');
    expect(await page.locator('.run-head .badge.blocked').count()).toBe(1);
  });

  it('says a cancelled run was ended by an interrupt and starts no follow-up', async () => {
    await page.goto(`${web.url}/runs/${IDS.cancelled}`);
    expect(await page.locator('.run-head .badge.cancelled').count()).toBe(1);
    const note = squash(await page.locator('#run-cancelled').textContent());
    expect(note).toContain('user.interrupt ended this run');
    expect(note).toContain('no follow-up step starts');
    expect(await page.locator('#run-waiting').count()).toBe(0);
    // Its end_turn is not told as a normal finish anywhere on the page.
    expect(squash(await page.locator('.fact', { hasText: 'Outcome' }).locator('.v').textContent())).toBe(
      'interrupted',
    );
    expect(squash(await page.locator('#run-outcome').textContent())).not.toContain('ended with');
  });

  it('updates the status counts without a reload when runs change', async () => {
    await page.goto(`${web.url}/`);
    await page.waitForSelector('[data-live-indicator][data-state="live"]');
    await page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
    const countOf = async (status: string): Promise<number> =>
      Number(
        ((await page.locator(`[data-status-chip="${status}"] .n`).textContent()) ?? '').replace(/,/g, ''),
      );
    const [running, succeeded, all] = [
      await countOf('running'),
      await countOf('succeeded'),
      await countOf('all'),
    ];
    const id = `sesn_${'live0A1b2C3d4E5f6G7h8I9jK'.slice(0, 24)}`;
    const started = await saveRun(web.store, makeRun(id, { status: 'running' }));
    await page.waitForFunction(
      ([n]) => document.querySelector('[data-status-chip="running"] .n')?.textContent === String(n),
      [running + 1],
      { timeout: 10_000 },
    );
    expect(await countOf('all')).toBe(all + 1);
    await saveRun(web.store, {
      ...started,
      status: 'succeeded',
      sessionStatus: 'idle',
      stopReason: 'end_turn',
    });
    await page.waitForFunction(
      ([n]) => document.querySelector('[data-status-chip="succeeded"] .n')?.textContent === String(n),
      [succeeded + 1],
      { timeout: 10_000 },
    );
    expect(await countOf('running')).toBe(running);
    expect(await countOf('all')).toBe(all + 1);
    expect(
      await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
    ).toBe(true);
  });

  it('tells a visitor on the machine itself that no sign-in is needed, never that a proxy is in between', async () => {
    const res = await page.goto(`${web.url}/login`);
    expect(res?.status()).toBe(200);
    const text = squash(await page.locator('main').textContent());
    expect(await page.locator('h1').textContent()).toBe('No sign-in needed');
    expect(text).not.toContain('being reached through');
    expect(text).toContain('on the machine agenthooks runs on');
    expect(await page.locator('input[name="token"]').count()).toBe(0);
    await Promise.all([page.waitForURL(`${web.url}/`), page.click('text=Open the dashboard')]);
    expect(await page.locator('h1').textContent()).toBe('Runs');
  });
});
