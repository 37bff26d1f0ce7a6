// serve's app over a runtime, for tests that run serve in-process: the same composition as
// `agenthooks serve` (src/runtime.ts + src/app.ts), with test-friendly settings.
import { type App, createApp } from '../../src/app.js';
import { type Clock, systemClock } from '../../src/clock.js';
import type { ConfigFile } from '../../src/config-file.js';
import type { ServeConfig } from '../../src/http/serve-config.js';
import { type Logger, silentLogger } from '../../src/logger.js';
import type { Platform } from '../../src/platform/types.js';
import type { RunFinalHook } from '../../src/runs/refresh.js';
import { createRuntime, type RuntimeSettings } from '../../src/runtime.js';
import type { Store } from '../../src/store/types.js';

export const NO_CONFIG: ConfigFile = { path: null, agents: {}, environments: {}, pipelines: {} };

export function appOver(o: {
  config: ServeConfig;
  store: Store;
  platform: Platform | null;
  clock?: Clock;
  logger?: Logger;
  settings?: RuntimeSettings;
  configFile?: ConfigFile;
  onOutcome?: RunFinalHook[];
  heartbeatMs?: number;
  rejectFlushMs?: number;
}): App {
  const runtime = createRuntime({
    settings: { reconcileIntervalMs: o.config.reconcileIntervalMs, ...o.settings },
    store: o.store,
    platform: o.platform,
    clock: o.clock ?? systemClock,
    logger: o.logger ?? silentLogger,
    configFile: o.configFile ?? NO_CONFIG,
    onOutcome: o.onOutcome,
  });
  return createApp({
    config: o.config,
    runtime,
    heartbeatMs: o.heartbeatMs,
    rejectFlushMs: o.rejectFlushMs,
  });
}
