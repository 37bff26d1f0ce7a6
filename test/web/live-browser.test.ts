import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followRunEvents } from '../../src/cli/transcript-follow.js';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { API_KEY, type Env, emptyConfig, type Serving, setup, startServe } from '../e2e/helpers.js';
import { client, setup as setupAgent, task, waitFor } from '../simulator/helpers.js';
import { launchChromium, skipWithoutBrowser } from '../support/chromium.js';

const skip = skipWithoutBrowser('test/web/live-browser.test.ts');

// Skipped only when Chromium is missing and the run does not require it (AGENTHOOKS_REQUIRE_BROWSER=1,
// set by .ci/run, makes these fail instead); skipWithoutBrowser prints that reason.
describe.skipIf(skip)('live transcript on the run page', () => {
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

  /** The run page; when the page has no transcript list of its own yet, one empty list is added. */
  const openRunPage = async (id: string): Promise<Page> => {
    const page = await browser.newPage();
    await page.route(`${serve.url}/runs/${id}`, async (route) => {
      const res = await route.fetch();
      const body = await res.text();
      const withList = body.includes('id="transcript-events"')
        ? body
        : body.replace('</main>', '<ol class="timeline transcript" id="transcript-events"></ol></main>');
      await route.fulfill({ response: res, body: withList });
    });
    await page.goto(`${serve.url}/runs/${id}`);
    return page;
  };

  const shownIds = (page: Page) =>
    page.$$eval('#transcript-events [data-event-id]', (els) =>
      els.map((el) => (el as HTMLElement).dataset.eventId ?? ''),
    );

  it('two pages and a CLI follower share one upstream; the pages append every event once', async () => {
    const c = client(env.sim.url, API_KEY);
    const made = await setupAgent(c);
    // About three seconds of work, so the pages and the follower are all open while it runs.
    const s = await c.beta.sessions.create({
      agent: made.agent.id,
      environment_id: made.environment.id,
      metadata: { sim_duration_ms: '300000' },
    });
    await c.beta.sessions.events.send(s.id, { events: [task('Summarise the **live** view')] });
    await waitFor(async () => ((await env.store.getRun(s.id)) ? true : undefined), 'serve to store the run');

    const pages = [await openRunPage(s.id), await openRunPage(s.id)];
    const cliRuntime = createRuntime({
      store: env.store,
      platform: null,
      clock: systemClock,
      logger: silentLogger,
      configFile: emptyConfig,
    });
    const stop = new AbortController();
    const cliIds: string[] = [];
    const cli = (async () => {
      for await (const e of followRunEvents(cliRuntime, s.id, { signal: stop.signal })) {
        cliIds.push(e.id);
        if (e.type === 'session.status_idle') stop.abort();
      }
    })();

    for (const page of pages)
      await page.waitForSelector('#transcript-events [data-event-id]', { timeout: 15_000 });
    await waitFor(() => (cliIds.length > 0 ? true : undefined), 'the CLI follower');
    expect(env.sim.openStreams()).toBe(1);

    for (const page of pages)
      await page.waitForSelector('#transcript-events [data-type="session.status_idle"]', { timeout: 30_000 });
    await cli;
    const listed: string[] = [];
    for await (const e of env.platform.listSessionEvents(s.id)) listed.push(e.id);
    for (const page of pages) expect(await shownIds(page)).toEqual(listed);
    expect(cliIds).toEqual(listed);
    // The agent's markdown arrives rendered, never as raw tags.
    expect(await pages[0].locator('#transcript-events').textContent()).toContain('Simulated answer');

    // Once the run is final the region refresh drops the marker and the pages let go of the stream.
    await waitFor(async () => {
      const run = await env.store.getRun(s.id);
      return run?.status === 'succeeded' ? true : undefined;
    }, 'the run to finish');
    for (const page of pages) await page.waitForSelector('#transcript-live', { state: 'detached' });
    await waitFor(() => (env.sim.openStreams() === 0 ? true : undefined), 'the upstream to close', 10_000);
    for (const page of pages) await page.close();
  });
});
