import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutBrowser } from '../support/chromium.js';
import { fakePlatform, IDS, launchChromium, layoutProblems, seedDashboard } from './fixture.js';
import { startWebServer, type WebServer } from './helpers.js';

const skip = skipWithoutBrowser('test/web/layout-browser.test.ts');
const WIDTHS = [360, 768, 1280, 1920];

const PAGES: [string, string][] = [
  ['runs', '/'],
  ['plain run', `/runs/${IDS.plain}`],
  ['chain root', `/runs/${IDS.root}`],
  ['chain child', `/runs/${IDS.child}`],
  ['cancelled run', `/runs/${IDS.cancelled}`],
  ['outcome run', `/runs/${IDS.outcome}`],
  ['blocked run', `/runs/${IDS.blocked}`],
  ['events', '/events'],
  ['health', '/health-view'],
];

// Skipped only when Chromium is missing and the run does not require it (AGENTHOOKS_REQUIRE_BROWSER=1,
// set by .ci/run, makes these fail instead); skipWithoutBrowser prints that reason.
describe.skipIf(skip)('dashboard layout at four widths', () => {
  let web: WebServer;
  let chromium: { browser: BrowserContext; close(): Promise<void> };

  beforeAll(async () => {
    web = await startWebServer({ platform: fakePlatform() });
    await seedDashboard(web.store, Date.now());
    chromium = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    await web?.close();
  });

  for (const width of WIDTHS) {
    it(`has no sideways scroll, spilling or touching cards at ${width} px`, async () => {
      const page = await chromium.browser.newPage();
      await page.setViewportSize({ width, height: 900 });
      const found: string[] = [];
      const event = (await web.store.listEvents({ limit: 1 }))[0]?.id ?? '';
      for (const [label, route] of [...PAGES, ['one event', `/events/${event}`] as [string, string]]) {
        const res = await page.goto(`${web.url}${route}`, { waitUntil: 'load' });
        expect(res?.status(), `${label} ${route}`).toBe(200);
        expect(await page.locator('.card').count(), label).toBeGreaterThan(0);
        for (const p of await layoutProblems(page)) found.push(`${label} @${width}: ${p}`);
      }
      await page.close();
      expect(found).toEqual([]);
    });
  }
});
