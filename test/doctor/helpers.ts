// What the doctor tests that run every check need: a simulator that knows the API key `sk-good`
// and an empty store, started before the tests of the calling describe block and removed after.
import { afterAll, beforeAll } from 'vitest';
import { resolveDatabase } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { openStore } from '../../src/store/open.js';
import { tempDir } from '../embed/helpers.js';

const API_KEY = 'sk-good';

export function doctorFixture(): { tmp: ReturnType<typeof tempDir>; simUrl(): string } {
  const tmp = tempDir();
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKeys: [API_KEY] });
    await (
      await openStore(resolveDatabase(tmp.db, {}, tmp.dir), { create: true, logger: silentLogger })
    ).close();
  });
  afterAll(async () => {
    await sim.close();
    tmp.remove();
  });
  return { tmp, simUrl: () => sim.url };
}
