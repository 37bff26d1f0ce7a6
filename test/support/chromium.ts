// The one way the browser tests find and start Chromium (Debian `chromium`, driven by
// playwright-core with the flags DESIGN.md names; without them it hangs on a closed network).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const INSTALL = 'apt-get install -y chromium';

/**
 * Whether `file`'s browser tests must skip: only when Chromium is missing and the run does not
 * require it. The reason is printed so a skip never passes unnoticed; with
 * AGENTHOOKS_REQUIRE_BROWSER=1 (set by .ci/run) the tests run and fail without the browser.
 */
export function skipWithoutBrowser(file: string): boolean {
  if (existsSync(CHROMIUM) || process.env.AGENTHOOKS_REQUIRE_BROWSER === '1') return false;
  process.stderr.write(`${file}: skipped: ${CHROMIUM} is missing; install it with: ${INSTALL}\n`);
  return true;
}

/** A headless Chromium on a fresh profile; close() also removes the profile. */
export async function launchChromium(): Promise<{ browser: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM))
    throw new Error(`AGENTHOOKS_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: ${INSTALL}`);
  const profile = mkdtempSync(path.join(tmpdir(), 'agenthooks-chromium-'));
  // Playwright takes the fresh profile (--user-data-dir) as launchPersistentContext's argument.
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
