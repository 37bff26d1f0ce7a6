// Types for scripts/chromium.mjs, which the TypeScript tests import.
import type { BrowserContext, chromium } from 'playwright-core';

export declare const CHROMIUM: string;
export declare const INSTALL_CHROMIUM: string;
export declare function hasChromium(): boolean;
export declare function launchChromiumAt(
  profile: string,
  options?: Parameters<typeof chromium.launchPersistentContext>[1],
): Promise<BrowserContext>;
