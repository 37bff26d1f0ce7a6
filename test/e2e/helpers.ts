// Shared setup for the runs end-to-end tests: a fresh SQLite file, the simulator on an ephemeral
// port, and the real platform client pointed at it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock } from '../../src/clock.js';
import type { ConfigFile } from '../../src/config-file.js';
import { silentLogger } from '../../src/logger.js';
import { createPlatform } from '../../src/platform/client.js';
import type { Platform } from '../../src/platform/types.js';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/simulator/index.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';

export const API_KEY = 'sk-sim-test';
export const emptyConfig: ConfigFile = { path: null, agents: {}, environments: {}, pipelines: {} };

export interface Env {
  dir: string;
  dbFile: string;
  store: Store;
  sim: RunningSimulator;
  platform: Platform;
  close(): Promise<void>;
}

export async function setup(sim: SimulatorOptions = {}): Promise<Env> {
  const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-runs-'));
  const dbFile = path.join(dir, 'agenthooks.db');
  const store = await openStore(
    { kind: 'sqlite', url: dbFile, display: dbFile, source: 'flag' },
    { create: true, logger: silentLogger },
  );
  const simulator = await startSimulator({ timeScale: 0.01, durationMs: 2_000, apiKeys: [API_KEY], ...sim });
  const platform = createPlatform({ apiKey: API_KEY, baseURL: simulator.url, logger: silentLogger });
  return {
    dir,
    dbFile,
    store,
    sim: simulator,
    platform,
    async close() {
      await simulator.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function deps(env: Env, config: ConfigFile = emptyConfig) {
  return { store: env.store, platform: env.platform, clock: systemClock, logger: silentLogger, config };
}

export interface Serving {
  url: string;
  app: import('../../src/app.js').App;
  close(): Promise<void>;
}

/** serve in-process on the env's store, with the worker and reconciler against the simulator. */
export async function startServe(
  env: Env,
  o: {
    reconcileInterval?: string;
    runs?: import('../../src/runtime.js').RuntimeSettings;
    worker?: boolean;
    /** AGENTHOOKS_TOKEN for the dashboard and /api. */
    token?: string;
    configFile?: import('../../src/config-file.js').ConfigFile;
  } = {},
): Promise<Serving> {
  const { appOver } = await import('../support/app.js');
  const { resolveServeConfig } = await import('../../src/http/serve-config.js');
  const config = resolveServeConfig(
    {
      host: '127.0.0.1',
      port: '0',
      database: env.dbFile,
      signingKey: [env.sim.signingKey],
      reconcileInterval: o.reconcileInterval ?? '60s',
      worker: o.worker !== false,
    },
    {
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: env.sim.url,
      ...(o.token ? { AGENTHOOKS_TOKEN: o.token } : {}),
    },
    env.dir,
  );
  const app = appOver({
    config,
    store: env.store,
    platform: o.worker === false ? null : env.platform,
    settings: { worker: { idleMs: 20 }, ...o.runs },
    configFile: o.configFile,
    heartbeatMs: 1000,
  });
  const url = (await app.listen())!;
  return { url, app, close: () => app.close() };
}

/**
 * Timers that fire strictly in deadline order. Node's own timers do not guarantee that across
 * different durations when the event loop is busy (a step scheduled at 30 ms can run after one
 * at 35 ms), which makes the simulator play a session's steps out of order under load; the
 * simulator takes injected timers, so the heavy suites pass these.
 */
export function orderedTimers(): import('../../src/simulator/index.js').Timers & { pending(): number } {
  interface Entry {
    at: number;
    seq: number;
    fn: () => void;
    cancelled: boolean;
  }
  const queue: Entry[] = [];
  let seq = 0;
  let timer: NodeJS.Timeout | null = null;
  let armedFor = Number.POSITIVE_INFINITY;
  const arm = () => {
    const head = queue[0];
    if (!head) return;
    if (timer && armedFor <= head.at) return;
    if (timer) clearTimeout(timer);
    armedFor = head.at;
    timer = setTimeout(fire, Math.max(0, head.at - performance.now()));
    timer.unref();
  };
  const fire = () => {
    timer = null;
    armedFor = Number.POSITIVE_INFINITY;
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.at <= now) {
      const e = queue.shift()!;
      if (!e.cancelled) e.fn();
    }
    arm();
  };
  return {
    setTimeout(fn, ms) {
      const e: Entry = { at: performance.now() + Math.max(0, ms), seq: seq++, fn, cancelled: false };
      let lo = 0;
      let hi = queue.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const m = queue[mid]!;
        if (m.at < e.at || (m.at === e.at && m.seq < e.seq)) lo = mid + 1;
        else hi = mid;
      }
      queue.splice(lo, 0, e);
      arm();
      return e;
    },
    clearTimeout(handle) {
      (handle as Entry).cancelled = true;
    },
    pending: () => queue.filter((e) => !e.cancelled).length,
  };
}
