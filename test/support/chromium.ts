// The browser tests' gate and launch: whether to skip, and a Chromium on a throwaway profile.
// The launch itself (binary, flags) is scripts/chromium.mjs, shared with the screenshot scripts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { CHROMIUM, hasChromium, INSTALL_CHROMIUM, launchChromiumAt } from '../../scripts/chromium.mjs';

export { CHROMIUM };

/**
 * Whether `file`'s browser tests must skip: only when Chromium is missing and the run does not
 * require it. The reason is printed so a skip never passes unnoticed; with
 * AGENTHOOKS_REQUIRE_BROWSER=1 (set by .ci/run) the tests run and fail without the browser.
 */
export function skipWithoutBrowser(file: string): boolean {
  if (hasChromium() || process.env.AGENTHOOKS_REQUIRE_BROWSER === '1') return false;
  process.stderr.write(`${file}: skipped: ${CHROMIUM} is missing; install it with: ${INSTALL_CHROMIUM}\n`);
  return true;
}

/** A headless Chromium on a fresh profile; close() also removes the profile. */
export async function launchChromium(): Promise<{ browser: BrowserContext; close(): Promise<void> }> {
  if (!hasChromium())
    throw new Error(`AGENTHOOKS_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: ${INSTALL_CHROMIUM}`);
  const profile = mkdtempSync(path.join(tmpdir(), 'agenthooks-chromium-'));
  const browser = await launchChromiumAt(profile);
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
