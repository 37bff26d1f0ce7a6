import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchRun } from '../../src/runs/launch.js';
import { waitForRun } from '../../src/runs/wait.js';
import { renderTranscriptEvent } from '../../src/web/transcript.js';
import { deps, type Env, type Serving, setup, startServe } from '../e2e/helpers.js';
import { launchChromium, skipWithoutBrowser } from '../support/chromium.js';
import { makeRun, saveRun } from './helpers.js';

const skip = skipWithoutBrowser('test/web/transcript-browser.test.ts');

const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script> **bold**';
const LONG_INPUT = Array.from({ length: 40 }, (_, i) => `echo step ${i}`).join('\n');

describe('renderTranscriptEvent', () => {
  it('escapes every field and folds long tool input', () => {
    const li = renderTranscriptEvent({
      type: 'agent.tool_use',
      id: 'sevt_"><x',
      name: '<b>bash</b>',
      input: { command: LONG_INPUT },
      processed_at: '2026-11-30T10:00:00Z',
    } as never);
    expect(li).not.toMatch(/<b>|<x/);
    expect(li).toContain('&lt;b&gt;bash&lt;/b&gt;');
    expect(li).toMatch(/<details class="t-fold"><summary>.*… 34 more lines/s);
  });
});

// Skipped only when Chromium is missing and the run does not require it (AGENTHOOKS_REQUIRE_BROWSER=1,
// set by .ci/run, makes these fail instead); skipWithoutBrowser prints that reason.
describe.skipIf(skip)('the Transcript section in headless Chromium', () => {
  let env: Env;
  let serve: Serving;
  let browser: BrowserContext;
  let chrome: Awaited<ReturnType<typeof launchChromium>> | undefined;

  beforeAll(async () => {
    env = await setup();
    serve = await startServe(env);
    env.sim.addWebhook(`${serve.url}/webhooks`);
    chrome = await launchChromium();
    browser = chrome.browser;
  });

  afterAll(async () => {
    await chrome?.close();
    await serve?.close();
    await env?.close();
  });

  it('a finished run with an outcome: every event, grades visible, listed once then read from the store', async () => {
    const launched = await launchRun(deps(env), {
      task: HOSTILE,
      metadata: { sim_scenario: 'outcome_revise_then_satisfied' },
      outcome: 'A haiku',
      maxIterations: 3,
    });
    const id = launched.run.id;
    await waitForRun(deps(env), id, { timeoutMs: 60_000, storeIntervalMs: 50 });
    await expect
      .poll(async () => (await env.store.getRun(id))?.status, { timeout: 30_000 })
      .toBe('succeeded');
    const page = await browser.newPage();
    await page.goto(`${serve.url}/runs/${id}`);
    const section = page.locator('#run-transcript');
    await section.waitFor();
    const items = section.locator('#transcript-events > li');
    const listed: unknown[] = [];
    for await (const e of env.platform.listSessionEvents(id)) listed.push(e);
    expect(await items.count()).toBe(listed.length);
    expect(await section.locator('.badge.needs_revision').count()).toBe(1);
    expect(await section.locator('.badge.satisfied').count()).toBe(1);
    await expect.poll(() => section.locator('.badge.end_turn').count()).toBeGreaterThan(0);
    // The task is shown as text, never as markup.
    expect(await section.locator('li.t-user').first().textContent()).toContain(
      '<script>window.__pwned=1</script>',
    );
    expect(await section.locator('img, script').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    // Agent messages are rendered markdown (a numbered list).
    expect(await section.locator('li.t-agent ol li').count()).toBeGreaterThan(0);
    expect(await env.store.getTranscript(id)).toMatchObject({ runId: id, eventCount: listed.length });
    await page.close();
  });

  it('a cached transcript with hostile text and long tool input: escaped, folded, no script runs', async () => {
    await saveRun(env.store as never, makeRun('sesn_hostile', { status: 'succeeded', turn: 1 }));
    const events = [
      {
        type: 'user.message',
        id: 'sevt_1',
        content: [{ type: 'text', text: HOSTILE }],
        processed_at: '2026-11-30T10:00:00Z',
      },
      {
        type: 'agent.tool_use',
        id: 'sevt_2',
        name: 'bash',
        input: { command: LONG_INPUT },
        processed_at: '2026-11-30T10:00:01Z',
      },
      {
        type: 'agent.tool_result',
        id: 'sevt_3',
        tool_use_id: 'sevt_2',
        content: [{ type: 'text', text: HOSTILE }],
        is_error: true,
        processed_at: '2026-11-30T10:00:02Z',
      },
      {
        type: 'agent.message',
        id: 'sevt_4',
        content: [{ type: 'text', text: `# Done\n${HOSTILE}` }],
        processed_at: '2026-11-30T10:00:03Z',
      },
      {
        type: 'session.status_idle',
        id: 'sevt_5',
        stop_reason: { type: 'end_turn' },
        stop_details: null,
        processed_at: '2026-11-30T10:00:04Z',
      },
    ];
    await env.store.saveTranscript({
      runId: 'sesn_hostile',
      turn: 1,
      eventsJson: JSON.stringify(events),
      eventCount: events.length,
      truncated: false,
      storedAt: Date.now(),
    });
    const page = await browser.newPage();
    await page.goto(`${serve.url}/runs/sesn_hostile`);
    const section = page.locator('#run-transcript');
    await section.waitFor();
    expect(await section.locator('#transcript-events > li').count()).toBe(5);
    expect(await section.locator('img, script').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await section.textContent()).toContain('<img src=x onerror="window.__pwned=1">');
    const fold = section.locator('li.t-tool_use details.t-fold');
    expect(await fold.count()).toBe(1);
    expect(await fold.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await fold.locator('summary').textContent()).toMatch(/… 34 more lines/);
    expect(await fold.locator('summary').textContent()).not.toContain('echo step 39');
    const whole = fold.locator('pre').last();
    expect(await whole.isVisible()).toBe(false);
    await fold.locator('summary').click();
    expect(await whole.isVisible()).toBe(true);
    expect(await whole.textContent()).toContain('echo step 39');
    expect(await section.locator('li.t-tool_result .badge.failed').count()).toBe(1);
    expect(await section.locator('.hint').textContent()).toMatch(/5 events · stored/);
    await page.close();
  });

  it('a running run: the events listed now, and the container live updates append into', async () => {
    const launched = await launchRun(deps(env), {
      task: 'a slow one',
      metadata: { sim_duration_ms: '600000' },
    });
    const id = launched.run.id;
    await expect.poll(async () => (await env.store.getRun(id))?.status, { timeout: 30_000 }).toBe('running');
    const page = await browser.newPage();
    await page.goto(`${serve.url}/runs/${id}`);
    const list = page.locator('#run-transcript #transcript-events');
    await list.waitFor({ state: 'attached' });
    expect(await list.locator('li.t-user').first().textContent()).toContain('a slow one');
    expect(await page.locator('#run-transcript .hint').textContent()).toMatch(
      /from the platform · still running/,
    );
    expect(await env.store.getTranscript(id)).toBeNull();
    await page.close();
    await env.platform.interruptSession(id);
  });
});
