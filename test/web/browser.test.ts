import { networkInterfaces } from 'node:os';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchRun } from '../../src/runs/launch.js';
import { waitForRun } from '../../src/runs/wait.js';
import { deps, type Env, type Serving, setup, startServe } from '../e2e/helpers.js';
import { launchChromium, skipWithoutBrowser } from '../support/chromium.js';
import { startWebServer, type WebServer } from './helpers.js';

const skip = skipWithoutBrowser('test/web/browser.test.ts');
const TOKEN = 'tok_browser_test_91c2_7e4a0f3b';

function externalAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

// Skipped only when Chromium is missing and the run does not require it (AGENTHOOKS_REQUIRE_BROWSER=1,
// set by .ci/run, makes these fail instead); skipWithoutBrowser prints that reason.
describe.skipIf(skip)('dashboard in headless Chromium', () => {
  let env: Env;
  let serve: Serving;
  let guarded: WebServer;
  let browser: BrowserContext;
  let chrome: Awaited<ReturnType<typeof launchChromium>> | undefined;

  beforeAll(async () => {
    env = await setup();
    serve = await startServe(env);
    env.sim.addWebhook(`${serve.url}/webhooks`);
    const ip = externalAddress();
    guarded = await startWebServer({ token: TOKEN, host: '0.0.0.0', allowedHost: ip ? [ip] : [] });
    chrome = await launchChromium();
    browser = chrome.browser;
  });

  afterAll(async () => {
    await chrome?.close();
    await guarded?.close();
    await serve?.close();
    await env?.close();
  });

  const openPage = async (url: string): Promise<Page> => {
    const page = await browser.newPage();
    await page.goto(url);
    return page;
  };

  const launch = (task: string, metadata: Record<string, string>, outcome?: string) =>
    launchRun(deps(env), { task, metadata, ...(outcome ? { outcome, maxIterations: 3 } : {}) });

  it('shows a launched run and updates it live (SSE) when it finishes', async () => {
    const page = await openPage(`${serve.url}/`);
    await page.waitForSelector('[data-live-indicator][data-state="live"]');
    // Survives only if the page is never reloaded.
    await page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
    // sim_duration_ms is scaled by the simulator's time scale (0.01): about 4 s of real time.
    const { run } = await launch('Summarise the live update test', {
      sim_scenario: 'success',
      sim_duration_ms: '400000',
    });
    const row = `tr[data-run-id="${run.id}"]`;
    await page.waitForSelector(row, { timeout: 20_000 });
    const firstStatus = await page.locator(`${row} .badge`).first().textContent();
    expect(['pending', 'running']).toContain(firstStatus?.trim());
    await page.waitForSelector(`${row} .badge.succeeded`, { timeout: 40_000 });
    expect(
      await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
    ).toBe(true);
    expect(await page.locator(`${row} .run-title`).textContent()).toContain('Summarise the live update test');
    await page.close();
  });

  it('filters by status chip and search, and keeps the filter through live updates', async () => {
    const d = deps(env);
    const refused = await launch('Please refuse this one', { sim_scenario: 'refusal' });
    const ok = await launch('A plain successful errand', { sim_scenario: 'success' });
    await waitForRun(d, refused.run.id, { timeoutMs: 30_000, storeIntervalMs: 50 });
    await waitForRun(d, ok.run.id, { timeoutMs: 30_000, storeIntervalMs: 50 });

    const page = await openPage(`${serve.url}/`);
    await page.click('[data-status-chip="failed"]');
    await page.waitForURL(/status=failed/);
    await page.waitForSelector(`tr[data-run-id="${refused.run.id}"]`);
    expect(await page.locator(`tr[data-run-id="${ok.run.id}"]`).count()).toBe(0);
    const statuses = await page.locator('tbody tr .badge').allTextContents();
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses.map((s) => s.trim()))).toEqual(new Set(['failed']));

    // Live update under the filter: a new failure shows up, a new success does not.
    await page.waitForSelector('[data-live-indicator][data-state="live"]');
    const refused2 = await launch('Refuse again, please', { sim_scenario: 'refusal' });
    const ok2 = await launch('Another plain errand', { sim_scenario: 'success' });
    await waitForRun(d, ok2.run.id, { timeoutMs: 30_000, storeIntervalMs: 50 });
    await page.waitForSelector(`tr[data-run-id="${refused2.run.id}"] .badge.failed`, { timeout: 30_000 });
    expect(await page.locator(`tr[data-run-id="${ok2.run.id}"]`).count()).toBe(0);
    expect(page.url()).toContain('status=failed');

    // Search (clear the status filter first through its chip).
    await page.click('[data-status-chip="failed"]');
    await page.waitForURL((u) => !u.search.includes('status='));
    await page.fill('input[name="search"]', 'plain successful');
    await page.press('input[name="search"]', 'Enter');
    await page.waitForURL(/search=plain/);
    const ids = await page
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.runId));
    expect(ids).toEqual([ok.run.id]);
    await page.close();
  });

  it('shows the output and the outcome evaluations on the run page', async () => {
    const { run } = await launch(
      'Write a haiku about retries',
      { sim_scenario: 'outcome_revise_then_satisfied' },
      '# Rubric\n- exactly three lines',
    );
    const w = await waitForRun(deps(env), run.id, { timeoutMs: 30_000, storeIntervalMs: 50 });
    expect(w.run?.status).toBe('succeeded');
    const stored = await env.store.getRun(run.id);
    expect(stored?.output).toBeTruthy();

    const page = await openPage(`${serve.url}/runs/${run.id}`);
    expect(await page.locator('h1').first().textContent()).toContain('Write a haiku about retries');
    const output = ((await page.locator('#run-output').textContent()) ?? '').replace(/\s+/g, ' ');
    const firstLine = (stored?.output ?? '').split('\n').find((l) => l.trim().length > 0) ?? '';
    expect(output).toContain(firstLine.replace(/[*`#]/g, '').trim().slice(0, 30));
    const outcome = (await page.locator('#run-outcome').textContent()) ?? '';
    expect(outcome).toContain('satisfied');
    // The evaluation graded after one revision: its 0-based iteration 1 shows as "iteration 2".
    const evaluation = stored?.evaluations.find((e) => e.result === 'satisfied');
    expect(evaluation?.iteration).toBe(1);
    expect(outcome).toContain('iteration 2');
    expect(evaluation?.explanation).toBeTruthy();
    expect(outcome.replace(/\s+/g, ' ')).toContain((evaluation?.explanation ?? '').replace(/\s+/g, ' '));
    expect(await page.locator('.timeline li').count()).toBeGreaterThan(2);
    await page.close();
  });

  it('refuses a forwarded request when no token is configured', async () => {
    const page = await browser.newPage();
    await page.setExtraHTTPHeaders({ 'x-forwarded-for': '203.0.113.50' });
    const res = await page.goto(`${serve.url}/`);
    expect(res?.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toContain('Token required');
    const api = await page.evaluate(async () => {
      const r = await fetch('/api/runs');
      return { status: r.status, body: await r.json() };
    });
    expect(api.status).toBe(403);
    expect(api.body.error.code).toBe('token_required');
    await page.close();
  });

  it('logs in through the form with an HttpOnly, SameSite=Strict cookie', async () => {
    // A real non-loopback socket when the machine has one, else a forwarding proxy's header.
    const ip = externalAddress();
    const base = ip ? `http://${ip}:${guarded.port}` : guarded.url;
    const page = await browser.newPage();
    if (!ip) await page.setExtraHTTPHeaders({ 'x-forwarded-for': '203.0.113.51' });
    const first = await page.goto(`${base}/events`);
    expect(first?.status()).toBe(401);
    await page.fill('input[name="token"]', 'not-the-token');
    await Promise.all([page.waitForLoadState('load'), page.click('button[type="submit"]')]);
    expect(await page.locator('[role="alert"]').textContent()).toContain('does not match');

    await page.fill('input[name="token"]', TOKEN);
    await Promise.all([page.waitForURL(`${base}/events`), page.click('button[type="submit"]')]);
    expect(await page.locator('h1').textContent()).toBe('Events');
    const cookies = await browser.cookies(base);
    const session = cookies.find((c) => c.name === 'agenthooks_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
    expect(session?.value).not.toContain(TOKEN);
    expect(await page.evaluate(() => document.cookie)).not.toContain('agenthooks_session');
    // The cookie also opens the API and the live stream.
    expect(await page.evaluate(async () => (await fetch('/api/runs')).status)).toBe(200);
    await page.goto(`${base}/`);
    await page.waitForSelector('[data-live-indicator][data-state="live"]');
    // Logging out ends it.
    await Promise.all([page.waitForURL(/\/login/), page.click('text=Log out')]);
    expect((await page.goto(`${base}/`))?.status()).toBe(401);
    await page.close();
  });
});
