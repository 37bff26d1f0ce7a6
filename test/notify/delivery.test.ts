// Outcome notifications end to end, through the simulator over real sockets: they reach a receiver
// and verify, survive the receiver being down, give up after the retry window and can be retried;
// the final-run effects see each final run once.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { RunWorker } from '../../src/runs/worker.js';
import type { Run } from '../../src/store/types.js';
import { generateSecret } from '../../src/webhooks/sign.js';
import { createVerifier } from '../../src/webhooks/verify.js';
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
import { Receiver, target } from './helpers.js';

let env: Env | null = null;
let serve: Serving | null = null;
let receiver: Receiver | null = null;

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
