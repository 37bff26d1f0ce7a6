// A run's output files (CLI, API, dashboard), `cancel` of a running session, and deployment runs
// resolved by the worker, end to end through the simulator over real sockets.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Run } from '../../src/store/types.js';
import { cli } from '../cli/helpers.js';
import {
  cliEnv,
  type Env,
  finalRun,
  type Serving,
  session,
  setup,
  startServeWithNotify,
  until,
} from '../e2e/serving.js';
import { parsePrometheus } from '../http/prometheus.js';

let env: Env | null = null;
let serve: Serving | null = null;

describe('output files, cancel, deployment runs', () => {
  it('files are listed (CLI, API) and downloaded with --out', async () => {
    env = await setup();
    serve = await startServeWithNotify(env, undefined);
    env.sim.addWebhook(`${serve.url}/webhooks`);
    const id = await session(env);
    await finalRun(env, id);
    const e = env;
    const files = await until(async () => {
      const f = await e.platform.listFiles(id);
      return f.length > 0 ? f : null;
    }, 'output files to appear');
    const out = mkdtempSync(path.join(tmpdir(), 'agenthooks-files-'));
    const res = await cli(['files', id, '--out', out, '--json'], { env: cliEnv(env) });
    expect(res.code).toBe(0);
    const saved = JSON.parse(res.stdout) as Array<{ id: string; path: string; sizeBytes: number }>;
    expect(saved.map((s) => s.id).sort()).toEqual(files.map((f) => f.id).sort());
    expect(readdirSync(out).length).toBe(files.length);
    for (const s of saved) {
      const bytes = readFileSync(s.path);
      expect(bytes.length).toBe(s.sizeBytes);
      expect(bytes.equals(await e.platform.downloadFile(s.id))).toBe(true);
      expect(path.dirname(s.path)).toBe(out);
    }
    const table = await cli(['files', id], { env: cliEnv(env) });
    expect(table.stdout).toContain(files[0]!.filename);
    const api = await (await fetch(`${serve.url}/api/runs/${id}/files`)).json();
    expect(api.data.map((f: { id: string }) => f.id).sort()).toEqual(files.map((f) => f.id).sort());
    expect((await fetch(`${serve.url}/api/runs/sesn_unknown/files`)).status).toBe(404);
    const page = await (await fetch(`${serve.url}/runs/${id}`)).text();
    expect(page).toContain('Output files');
    expect(page).toContain(files[0]!.id);
    const shown = await cli(['runs', 'show', id], { env: cliEnv(env) });
    expect(shown.stdout).toContain(files[0]!.filename);
  });

  it('cancel sends user.interrupt and follows a running session to its final state', async () => {
    env = await setup();
    serve = await startServeWithNotify(env, undefined);
    env.sim.addWebhook(`${serve.url}/webhooks`);
    // 3,000,000 simulated ms at time scale 0.01: 30 s of real running time, far beyond the test.
    const id = await session(env, { sim_duration_ms: '3000000' });
    const e = env;
    await until(async () => (await e.store.getRun(id))?.sessionStatus === 'running', 'the run to be running');
    const res = await cli(['cancel', id, '--timeout', '20s', '--json'], { env: cliEnv(env) });
    expect(res.stderr).toContain('sent user.interrupt');
    expect(res.code).toBe(0);
    const run = JSON.parse(res.stdout) as Run;
    expect(run).toMatchObject({ id, sessionStatus: 'idle', stopReason: 'end_turn' });
    expect((await e.platform.getSession(id))?.status).toBe('idle');
    // Once it is over there is nothing to interrupt.
    const again = await cli(['cancel', id], { env: cliEnv(env) });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('not running');
    const unknown = await cli(['cancel', 'sesn_doesnotexist'], { env: cliEnv(env) });
    expect(unknown.code).toBe(1);
  });

  it('deployment runs: a failed one is stored with its error, a successful one links to its run', async () => {
    env = await setup();
    serve = await startServeWithNotify(env, undefined);
    env.sim.addWebhook(`${serve.url}/webhooks`);
    const id = await session(env);
    const post = (body: object) =>
      fetch(`${env!.sim.url}/_simulator/deployment_runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ id: string }>);
    const bad = await post({
      error: { type: 'environment_unavailable', message: 'The environment was archived.' },
      deployment_id: 'depl_nightly',
    });
    const good = await post({ session_id: id, deployment_id: 'depl_nightly' });
    const e = env;
    const rows = await until(async () => {
      const l = await e.store.listDeploymentRuns({});
      return l.length === 2 ? l : null;
    }, 'both deployment runs resolved');
    expect(rows.find((d) => d.id === bad.id)).toMatchObject({
      deploymentId: 'depl_nightly',
      sessionId: null,
      errorType: 'environment_unavailable',
      errorMessage: 'The environment was archived.',
    });
    expect(rows.find((d) => d.id === good.id)).toMatchObject({ sessionId: id, errorType: null });
    // the successful one's session is a run like any other
    await until(async () => e.store.getRun(id), 'the linked run');
    const api = await (await fetch(`${serve.url}/api/deployment-runs?failed=true`)).json();
    expect(api.data).toMatchObject([{ id: bad.id, errorMessage: 'The environment was archived.' }]);
    const metrics = parsePrometheus(await (await fetch(`${serve.url}/metrics`)).text());
    expect(metrics.value('agenthooks_deployment_runs', { result: 'failed' })).toBe(1);
    const health = await (await fetch(`${serve.url}/health-view`)).text();
    expect(health).toContain('Failed deployment runs');
    expect(health).toContain('The environment was archived.');
    expect(health).toContain(bad.id);
  });
});
