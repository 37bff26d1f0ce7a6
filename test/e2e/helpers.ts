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
  const store = await openStore({ kind: 'sqlite', url: dbFile, display: dbFile, source: 'flag' }, { create: true, logger: silentLogger });
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
