// serve in-process (createApp) over the runs E2E environment (SQLite, simulator, real SDK client),
// with optional notify targets, and the waits and sessions the suites that drive it share. The
// environment and the server started here are closed when the test that started them ends.
import { onTestFinished } from 'vitest';
import type { NotifyRetryOptions } from '../../src/notify/backoff.js';
import type { NotifyTarget } from '../../src/notify/targets.js';
import { NO_CONFIG } from '../support/app.js';
import { until } from '../support/until.js';
import { API_KEY, type Env, type Serving, setup as setupEnv, startServe } from './helpers.js';

export { API_KEY, type Env, type Serving } from './helpers.js';
export { until };

/** Notify targets, the secret each is signed with, and the notifier's timing. */
export interface NotifySettings {
  targets: NotifyTarget[];
  secrets: ReadonlyMap<string, string>;
  retry?: Partial<NotifyRetryOptions>;
  idleMs?: number;
}

/** The runs E2E environment, closed when the current test ends. */
export async function setup(): Promise<Env> {
  const env = await setupEnv();
  onTestFinished(() => env.close());
  return env;
}

/** serve's app in-process on an ephemeral port, with `notify` targets when given; closed when the
 * current test ends, before its environment. */
export async function startServeWithNotify(
  env: Env,
  notify: NotifySettings | undefined,
  o: { token?: string } = {},
): Promise<Serving> {
  const serving = await startServe(env, {
    token: o.token,
    runs: { notify: { retry: notify?.retry, idleMs: notify?.idleMs } },
    // The runtime resolves each target's secret: give every target the one the test chose.
    configFile: {
      ...NO_CONFIG,
      notify: notify?.targets.map((t) => ({ ...t, secret: notify.secrets.get(t.name) ?? t.secret })),
    },
  });
  onTestFinished(() => serving.close());
  return serving;
}

/** A session of the simulator's `success` scenario (or as `metadata` says) for agent `notified`. */
export async function session(e: Env, metadata: Record<string, string> = {}): Promise<string> {
  const agent = await e.platform.ensureAgent('notified', { model: 'claude-sonnet-4-6' });
  const environment = await e.platform.ensureEnvironment('notified-env', {});
  const s = await e.platform.createSession({
    agent: agent.id,
    environment_id: environment.id,
    initial_events: [{ type: 'user.message', content: [{ type: 'text', text: 'write the report' }] }],
    metadata: { sim_scenario: 'success', ...metadata },
  });
  return s.id;
}

/** Waits until the run is stored as succeeded or failed. */
export const finalRun = (e: Env, id: string) =>
  until(async () => {
    const r = await e.store.getRun(id);
    return r && (r.status === 'succeeded' || r.status === 'failed') ? r : null;
  }, `run ${id} to be final`);

/** The environment a CLI command needs to reach this store and simulator. */
export const cliEnv = (e: Env) => ({
  ANTHROPIC_API_KEY: API_KEY,
  ANTHROPIC_BASE_URL: e.sim.url,
  DATABASE_URL: e.dbFile,
});
