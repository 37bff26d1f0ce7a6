// Issue 10 end to end, through the simulator over real sockets: notifications reach a receiver and
// verify, survive the receiver being down, files are listed and downloaded, cancel ends a running
// session, a failed deployment run is visible, prune keeps dedupe, /metrics parses.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { RunWorker } from '../../src/runs/worker.js';
import type { Run } from '../../src/store/types.js';
import { generateSecret, signedHeaders } from '../../src/webhooks/sign.js';
import { createVerifier } from '../../src/webhooks/verify.js';
import { cli } from '../cli/helpers.js';
import {
  API_KEY,
  type Env,
  Receiver,
  type Serving,
  setup,
  startServeWithNotify,
  target,
  until,
} from './helpers.js';
import { parsePrometheus } from './prometheus.js';

let env: Env | null = null;
let serve: Serving | null = null;
let receiver: Receiver | null = null;
afterEach(async () => {
  await serve?.close();
  await receiver?.stop();
  await env?.close();
  serve = null;
  receiver = null;
  env = null;
});

async function session(e: Env, metadata: Record<string, string> = {}): Promise<string> {
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

const finalRun = (e: Env, id: string) =>
  until(async () => {
    const r = await e.store.getRun(id);
    return r && (r.status === 'succeeded' || r.status === 'failed') ? r : null;
  }, `run ${id} to be final`);

const cliEnv = (e: Env) => ({
  ANTHROPIC_API_KEY: API_KEY,
  ANTHROPIC_BASE_URL: e.sim.url,
  DATABASE_URL: e.dbFile,
});

describe('outcome notifications', () => {
  it('a signed run.finished reaches the receiver, verifies, and carries the outcome; filters apply', async () => {
    env = await setup();
    receiver = new Receiver();
    await receiver.start();
    const secret = generateSecret();
    serve = await startServeWithNotify(env, {
      targets: [
        target('svc', receiver.url, { secret, agents: ['notified'] }),
        // asks only for failed runs: gets nothing for a success
        target('failures', receiver.url, { statuses: ['failed'] }),
        target('other-agent', receiver.url, { agents: ['someone-else'] }),
      ],
      secrets: new Map([
        ['svc', secret],
        ['failures', secret],
        ['other-agent', secret],
      ]),
      idleMs: 20,
    });
    env.sim.addWebhook(`${serve.url}/webhooks`);
    const id = await session(env);
    const run = await finalRun(env, id);
    const r = receiver;
    const [d] = await until(async () => (r.deliveries.length > 0 ? r.deliveries : null), 'a notification');
    // The receiver side: agenthooks' own verifier and the standardwebhooks package both accept it.
    const verified = createVerifier({ keys: [secret], clock: systemClock }).verify(
      d!.headers as never,
      d!.body,
    );
    expect(verified.id).toBe(d!.id);
    expect(() => new Webhook(secret).verify(d!.body, d!.headers as Record<string, string>)).not.toThrow();
    expect(() =>
      createVerifier({ keys: [generateSecret()], clock: systemClock }).verify(d!.headers as never, d!.body),
    ).toThrow();
    const event = JSON.parse(d!.body);
    expect(event).toMatchObject({
      type: 'event',
      id: d!.id,
      data: {
        type: 'run.finished',
        id,
        status: 'succeeded',
        stop_reason: 'end_turn',
        output: run.output,
        agent: 'notified',
      },
    });
    expect(d!.id).toMatch(/^ntf_/);
    expect(event.data.usage).toMatchObject({ inputTokens: expect.any(Number) });
    const outbox = await until(async () => {
      const rows = await env!.store.listOutbox({});
      return rows.every((m) => m.state === 'delivered') ? rows : null;
    }, 'the outbox row to be delivered');
    expect(outbox.map((m) => [m.id, m.target])).toEqual([[d!.id, 'svc']]);
    // nothing else arrives
    await new Promise((res) => setTimeout(res, 300));
    expect(receiver.deliveries).toHaveLength(1);
    // the CLI and the API show it
    const list = await cli(['notifications', '--json'], { env: cliEnv(env) });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject([
      { id: d!.id, state: 'delivered', runId: id, runStatus: 'succeeded' },
    ]);
    const api = await (await fetch(`${serve.url}/api/notifications?state=delivered`)).json();
    expect(api.data.map((n: { id: string }) => n.id)).toEqual([d!.id]);
    const health = await (await fetch(`${serve.url}/health-view`)).text();
    expect(health).toMatch(/Notifications[\s\S]*1 delivered/);
  });

  it('the receiver down for a while, then back, gets every notification once per event id', async () => {
    env = await setup();
    receiver = new Receiver();
    await receiver.start();
    const port = receiver.port;
    await receiver.stop(); // connection refused
    const secret = generateSecret();
    serve = await startServeWithNotify(env, {
      targets: [target('svc', `http://127.0.0.1:${port}/hooks/agents`, { secret })],
      secrets: new Map([['svc', secret]]),
      retry: { baseMs: 40, maxMs: 150, retryForMs: 10 * 60_000 },
      idleMs: 20,
    });
    env.sim.addWebhook(`${serve.url}/webhooks`);
    const ids = await Promise.all([session(env), session(env), session(env)]);
    for (const id of ids) await finalRun(env, id);
    const store = env.store;
    // Several failed attempts each while nobody listens.
    await until(async () => {
      const rows = await store.listOutbox({ state: 'pending' });
      return rows.length === 3 && rows.every((m) => m.attempts >= 2 && m.lastError?.includes('ECONNREFUSED'));
    }, 'failed attempts while the receiver is down');
    // Back, but answering 503 for a while (a deploy in progress).
    receiver.answer = 503;
    await receiver.start(port);
    const r = receiver;
    await until(async () => new Set(r.deliveries.map((x) => x.id)).size === 3, 'attempts answered 503');
    expect(r.accepted().size).toBe(0);
    r.answer = 200;
    await until(async () => r.accepted().size === 3, 'every notification accepted');
    await until(async () => (await store.listOutbox({ state: 'delivered' })).length === 3, 'all delivered');
    await new Promise((res) => setTimeout(res, 400));
    const accepted = r.accepted();
    expect([...accepted.values()]).toEqual([1, 1, 1]);
    const runIds = r.deliveries
      .filter((x) => x.answered === 200)
      .map((x) => JSON.parse(x.body).data.id)
      .sort();
    expect(runIds).toEqual([...ids].sort());
    expect(new Set((await store.listOutbox({})).map((m) => m.id))).toEqual(new Set(accepted.keys()));
    const metrics = parsePrometheus(await (await fetch(`${serve.url}/metrics`)).text());
    expect(metrics.value('agenthooks_notification_backlog', {})).toBe(0);
    expect(metrics.value('agenthooks_notifier_attempts_total', { result: 'delivered' })).toBe(3);
    expect(metrics.value('agenthooks_notifier_attempts_total', { result: 'retried' })).toBeGreaterThanOrEqual(
      6,
    );
  });

  it('gives up after the retry window (failed), and `notifications retry ID` sends it again', async () => {
    env = await setup();
    receiver = new Receiver();
    receiver.answer = 500;
    await receiver.start();
    const secret = generateSecret();
    serve = await startServeWithNotify(env, {
      targets: [target('svc', receiver.url, { secret })],
      secrets: new Map([['svc', secret]]),
      retry: { baseMs: 30, maxMs: 60, retryForMs: 400 },
      idleMs: 20,
    });
    env.sim.addWebhook(`${serve.url}/webhooks`);
    const id = await session(env);
    await finalRun(env, id);
    const store = env.store;
    const [failed] = await until(async () => {
      const rows = await store.listOutbox({ state: 'failed' });
      return rows.length === 1 ? rows : null;
    }, 'the notification to fail for good');
    expect(failed!.lastError).toContain('HTTP 500');
    const shown = await cli(['notifications', '--state', 'failed'], { env: cliEnv(env) });
    expect(shown.stdout).toContain(failed!.id);
    expect(shown.stdout).toContain('HTTP 500');
    receiver.answer = 204;
    const retried = await cli(['notifications', 'retry', failed!.id], { env: cliEnv(env) });
    expect(retried.code).toBe(0);
    await until(
      async () => (await store.getOutbox(failed!.id))?.state === 'delivered',
      'the retried notification delivered',
    );
    expect(receiver.accepted().get(failed!.id)).toBe(1);
    const missing = await cli(['notifications', 'retry', 'ntf_nope'], { env: cliEnv(env) });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('notification_not_found');
  });

  it('the final-run effects see each run that becomes final, once', async () => {
    env = await setup();
    const id = await session(env);
    const e = env;
    await until(async () => (await e.platform.getSession(id))?.status === 'idle', 'the session to idle');
    const seen: Run[] = [];
    const worker = new RunWorker({
      store: e.store,
      platform: e.platform,
      clock: systemClock,
      logger: silentLogger,
      effects: { outboxFor: null, onRunFinal: [(run) => void seen.push(run)] },
    });
    await e.store.insertEvents([
      {
        id: 'evt_lib_1',
        type: 'session.status_idled',
        createdAt: Date.now(),
        receivedAt: Date.now(),
        subjectId: id,
        threadId: null,
        raw: '{}',
        state: 'pending',
      },
    ]);
    await until(async () => (await worker.processOnce()) > 0 || null, 'the worker to take the event');
    await until(async () => {
      if ((await e.store.getRun(id))?.status === 'succeeded') return true;
      await worker.processOnce();
      return false;
    }, 'final');
    expect(seen.map((r) => [r.id, r.status])).toEqual([[id, 'succeeded']]);
  });
});

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

describe('retention and metrics', () => {
  it('prune clears old payloads but a re-delivered old event is still a duplicate', async () => {
    env = await setup();
    serve = await startServeWithNotify(env, undefined);
    const id = await session(env);
    await until(async () => (await env!.platform.getSession(id))?.status === 'idle', 'idle');
    const eventId = 'evt_retention_1';
    const body = JSON.stringify({
      type: 'event',
      id: eventId,
      created_at: new Date().toISOString(),
      data: { type: 'session.status_idled', id },
    });
    const deliver = () =>
      fetch(`${serve!.url}/webhooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signedHeaders([env!.sim.signingKey], eventId, Math.floor(Date.now() / 1000), body),
        },
        body,
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect(await deliver()).toEqual({ status: 200, body: { id: eventId, duplicate: false } });
    const store = env.store;
    await until(async () => (await store.getEvent(eventId))?.state === 'done', 'the event processed');
    // Everything is "old" relative to a cutoff just ahead of now.
    const r = await store.prune({ before: Date.now() + 1000, dryRun: false });
    expect(r.payloads).toBeGreaterThanOrEqual(1);
    expect((await store.getEvent(eventId))?.raw).toBeNull();
    expect(await store.runHistory(id)).toEqual([]);
    expect(await deliver()).toEqual({ status: 200, body: { id: eventId, duplicate: true } });
    expect((await store.getRun(id))?.status).toBe('succeeded');
  });

  it('prune CLI: --older-than, --dry-run, and a refusal of a too-short age', async () => {
    env = await setup();
    const old = Date.now() - 100 * 86_400_000;
    await env.store.insertEvents([
      {
        id: 'evt_old',
        type: 'session.status_idled',
        createdAt: old,
        receivedAt: old,
        subjectId: 'sesn_x',
        threadId: null,
        raw: '{"x":1}',
        state: 'done',
      },
      {
        id: 'evt_new',
        type: 'session.status_idled',
        createdAt: Date.now(),
        receivedAt: Date.now(),
        subjectId: 'sesn_x',
        threadId: null,
        raw: '{"x":2}',
        state: 'done',
      },
    ]);
    const dry = await cli(['prune', '--older-than', '90d', '--dry-run', '--json'], { env: cliEnv(env) });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, payloads: 1 });
    expect((await env.store.getEvent('evt_old'))?.raw).toBe('{"x":1}');
    const real = await cli(['prune', '--older-than', '90d'], { env: cliEnv(env) });
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('event payloads removed: 1');
    expect((await env.store.getEvent('evt_old'))?.raw).toBeNull();
    expect((await env.store.getEvent('evt_new'))?.raw).toBe('{"x":2}');
    expect((await cli(['prune', '--older-than', '2h'], { env: cliEnv(env) })).code).toBe(2);
    expect((await cli(['prune'], { env: cliEnv(env) })).code).toBe(2);
  });

  it('/metrics parses as Prometheus text and follows the /api access rule', async () => {
    env = await setup();
    serve = await startServeWithNotify(env, undefined, { token: 'sekret-token' });
    env.sim.addWebhook(`${serve.url}/webhooks`);
    const id = await session(env);
    await finalRun(env, id);
    // a reject, counted by code
    await fetch(`${serve.url}/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await serve.app.rejects.flush();
    const res = await fetch(`${serve.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const m = parsePrometheus(await res.text());
    expect(m.value('agenthooks_runs', { status: 'succeeded' })).toBe(1);
    expect(
      m.value('agenthooks_events_received_total', { type: 'session.status_idled' }),
    ).toBeGreaterThanOrEqual(1);
    expect(m.value('agenthooks_webhook_rejects_total', { code: 'missing_headers' })).toBe(1);
    expect(m.value('agenthooks_worker_backlog', {})).toBeGreaterThanOrEqual(0);
    expect(m.value('agenthooks_reconciler_reads_total', {})).toBeGreaterThanOrEqual(0);
    expect(m.value('agenthooks_worker_failures_total', {})).toBe(0);
    expect(m.types.get('agenthooks_events_received_total')).toBe('counter');
    expect(m.types.get('agenthooks_runs')).toBe('gauge');
    // Not from loopback-as-is (a proxy in front): the token is needed.
    const proxied = { 'x-forwarded-for': '203.0.113.9' };
    expect((await fetch(`${serve.url}/metrics`, { headers: proxied })).status).toBe(401);
    const authed = await fetch(`${serve.url}/metrics`, {
      headers: { ...proxied, authorization: 'Bearer sekret-token' },
    });
    expect(authed.status).toBe(200);
    parsePrometheus(await authed.text());
  });
});
