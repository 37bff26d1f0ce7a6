// The one way this repository starts Chromium, for the browser tests (test/support/chromium.ts)
// and the screenshot scripts: Debian's `chromium`, driven by playwright-core with the flags
// DESIGN.md names (without them it hangs on a closed network), on a profile directory the caller
// owns. Playwright takes the profile (--user-data-dir) as launchPersistentContext's first argument
// and refuses it among the flags.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const INSTALL_CHROMIUM = 'apt-get install -y chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Whether Debian's Chromium is installed where the launch expects it. */
export function hasChromium() {
  return existsSync(CHROMIUM);
}

/** Headless Chromium on `profile`, with playwright's other launch options (viewport, ...). */
export function launchChromiumAt(profile, options = {}) {
  return chromium.launchPersistentContext(profile, { ...options, executablePath: CHROMIUM, args: FLAGS });
}
