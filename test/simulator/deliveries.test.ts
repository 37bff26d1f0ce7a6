// The webhook deliverer: payloads verified by the SDK's own unwrap, the retry rule, auto-disable,
// and every fault (counted, and reproducible with the same seed).
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BACKOFF_MAX_S,
  BACKOFF_MIN_S,
  type DeliveryRecord,
  type RunningSimulator,
  type SimulatorOptions,
  startSimulator,
} from '../../src/simulator/index.js';
import { generateSecret } from '../../src/webhooks/sign.js';
import { client, type Receiver, receiver, settle, setup, task, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function world(options: SimulatorOptions, answer?: Parameters<typeof receiver>[0]) {
  const rx = await receiver(answer);
  const sim = await startSimulator({
    seed: 11,
    timeScale: 0.001,
    durationMs: 2000,
    ...options,
    webhooks: [rx.url],
  });
  cleanups.push(
    () => rx.close(),
    () => sim.close(),
  );
  return { rx, sim, c: client(sim.url) };
}

/** Runs one session to idle and waits until every delivery settled. */
async function oneSession(sim: RunningSimulator, c: Anthropic, text = 'deliver me') {
  const { agent, environment } = await setup(c);
  const s = await c.beta.sessions.create({
    agent: agent.id,
    environment_id: environment.id,
    initial_events: [task(text)],
  });
  await settle(c, s.id);
  await sim.deliveriesIdle();
  return s;
}

const unwrapper = (key: string) =>
  new Anthropic({ apiKey: 'x', baseURL: 'http://127.0.0.1:9', webhookKey: key, maxRetries: 0 });

function plainHeaders(rx: Receiver, i: number): Record<string, string> {
  return Object.fromEntries(Object.entries(rx.received[i].headers).map(([k, v]) => [k, String(v)]));
}

describe('webhook deliveries', () => {
  it('sends thin BetaWebhookEvent payloads that the SDK unwrap verifies', async () => {
    const { rx, sim, c } = await world({});
    const s = await oneSession(sim, c);
    const wh = unwrapper(sim.signingKey);
    const events = rx.received.map((r, i) =>
      wh.beta.webhooks.unwrap(r.body, { headers: plainHeaders(rx, i) }),
    );
    const sessionEvents = events.filter((e) => e.data.id === s.id);
    // Arrival order is not guaranteed (as on the platform), so compare as a set.
    expect(sessionEvents.map((e) => e.data.type).sort()).toEqual([
      'session.status_idled',
      'session.status_run_started',
    ]);
    for (const [i, e] of events.entries()) {
      expect(Object.keys(e).sort()).toEqual(['created_at', 'data', 'id', 'type']);
      expect(e.type).toBe('event');
      expect(e.id).toMatch(/^whe_/);
      expect(e.id).toBe(rx.received[i].headers['webhook-id']);
      expect(Object.keys(e.data).sort()).toEqual(['id', 'organization_id', 'type', 'workspace_id']);
    }
    // Agent and environment lifecycle events come too (agent.created, environment.created).
    expect(events.map((e) => e.data.type)).toContain('agent.created');
    expect(() =>
      unwrapper(generateSecret()).beta.webhooks.unwrap(rx.received[0].body, { headers: plainHeaders(rx, 0) }),
    ).toThrow();
  });

  it('subscribed types filter what an endpoint gets; thread events carry session_thread_id', async () => {
    const rx = await receiver();
    const sim = await startSimulator({
      seed: 2,
      timeScale: 0.001,
      webhooks: [{ url: rx.url, types: ['session.thread_created', 'session.thread_idled'] }],
    });
    cleanups.push(
      () => rx.close(),
      () => sim.close(),
    );
    const c = client(sim.url);
    const { agent, environment } = await setup(c);
    const s = await c.beta.sessions.create({
      agent: agent.id,
      environment_id: environment.id,
      metadata: { sim_scenario: 'multiagent' },
      initial_events: [task('fan out')],
    });
    await settle(c, s.id);
    await sim.deliveriesIdle();
    const bodies = rx.received.map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => b.data.type).sort()).toEqual([
      'session.thread_created',
      'session.thread_created',
      'session.thread_idled',
      'session.thread_idled',
    ]);
    for (const b of bodies) {
      expect(b.data.session_thread_id).toMatch(/^sthr_/);
      const t = await c.beta.sessions.threads.retrieve(b.data.session_thread_id, { session_id: s.id });
      expect(t.parent_thread_id).not.toBeNull();
    }
  });

  it('retries failures 3 times with 5-120 s jittered backoff (scaled), then drops', async () => {
    const { rx, sim, c } = await world({}, () => 500);
    const s = await oneSession(sim, c);
    const log = sim.deliveries().filter((r) => r.type === 'session.status_idled');
    expect(log.map((r) => [r.attempt, r.status, r.outcome])).toEqual([
      [1, 500, 'retry'],
      [2, 500, 'retry'],
      [3, 500, 'dropped'],
    ]);
    for (const r of log.slice(1)) {
      expect(r.wait_ms).toBeGreaterThanOrEqual(BACKOFF_MIN_S * 1000);
      expect(r.wait_ms).toBeLessThanOrEqual(BACKOFF_MAX_S * 1000);
    }
    expect(log[2].wait_ms).toBeGreaterThan(log[1].wait_ms);
    const got = rx.received.filter(
      (r) => JSON.parse(r.body).data.id === s.id && JSON.parse(r.body).data.type === 'session.status_idled',
    );
    expect(got).toHaveLength(3);
    // Same event id every attempt; the timestamp is re-stamped per attempt.
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(sim.stats().deliveries.dropped_after_retries).toBeGreaterThan(0);
  });

  it('a 3xx answer disables the endpoint at once: no retry, nothing sent afterwards', async () => {
    const rx = await receiver(() => 302);
    const sim = await startSimulator({ seed: 11, timeScale: 0.001 });
    cleanups.push(
      () => rx.close(),
      () => sim.close(),
    );
    const c = client(sim.url);
    const { agent, environment } = await setup(c);
    const s = await c.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
    // Added after setup so that only what follows reaches it: first one session.updated...
    sim.addWebhook(rx.url);
    await c.beta.sessions.update(s.id, { title: 'redirect me' });
    await sim.deliveriesIdle();
    // ...which disabled the endpoint, so the turn's events are never sent.
    await c.beta.sessions.events.send(s.id, { events: [task('redirected')] });
    await settle(c, s.id);
    await sim.deliveriesIdle();
    expect(rx.received).toHaveLength(1);
    const log = sim.deliveries();
    expect(log.map((r) => [r.type, r.attempt, r.status, r.outcome, r.fault])).toEqual([
      ['session.updated', 1, 302, 'disabled', null],
      ['session.status_run_started', 0, null, 'not_sent', 'endpoint_disabled'],
      ['session.status_idled', 0, null, 'not_sent', 'endpoint_disabled'],
    ]);
    expect(sim.stats().endpoints[0]).toMatchObject({
      state: 'disabled',
      disabled_reason: 'auto-disabled: endpoint URL returned a redirect (3xx)',
    });
    expect(sim.stats().deliveries.auto_disabled).toBe(1);
  });

  it('drop-rate 1 sends nothing and counts each drop', async () => {
    const { rx, sim, c } = await world({ faults: { dropRate: 1 } });
    await oneSession(sim, c);
    expect(rx.received).toHaveLength(0);
    const st = sim.stats().deliveries;
    expect(st.faults.drop).toBe(st.emitted);
    expect(sim.deliveries().every((r) => r.fault === 'dropped' && r.outcome === 'not_sent')).toBe(true);
  });

  it('duplicate-rate 1 delivers every event twice with the same id', async () => {
    const { rx, sim, c } = await world({ faults: { duplicateRate: 1 } });
    await oneSession(sim, c);
    const st = sim.stats().deliveries;
    expect(rx.received).toHaveLength(st.emitted * 2);
    expect(st.faults.duplicate).toBe(st.emitted);
    const ids = rx.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(st.emitted);
  });

  it('attempt-failure-rate 1 loses every attempt: 3 attempts, none received, then dropped', async () => {
    const { rx, sim, c } = await world({ faults: { attemptFailureRate: 1 } });
    await oneSession(sim, c);
    expect(rx.received).toHaveLength(0);
    const st = sim.stats().deliveries;
    expect(st.faults.attempt_failure).toBe(st.emitted * 3);
    expect(st.dropped_after_retries).toBe(st.emitted);
  });

  it('bad-signature-rate 1 signs with a wrong key: unwrap rejects every attempt', async () => {
    const { rx, sim, c } = await world({ faults: { badSignatureRate: 1 } }, () => 401);
    await oneSession(sim, c);
    const wh = unwrapper(sim.signingKey);
    expect(rx.received.length).toBeGreaterThan(0);
    for (const [i, r] of rx.received.entries())
      expect(() => wh.beta.webhooks.unwrap(r.body, { headers: plainHeaders(rx, i) })).toThrow(/signature/i);
    expect(sim.stats().deliveries.faults.bad_signature).toBe(rx.received.length);
  });

  it('clock-skew-s shifts webhook-timestamp so that unwrap rejects it as too old', async () => {
    const { rx, sim, c } = await world({ faults: { clockSkewS: -600 } });
    await oneSession(sim, c);
    const ts = Number(rx.received[0].headers['webhook-timestamp']);
    expect(Math.abs(ts - (Math.floor(rx.received[0].at / 1000) - 600))).toBeLessThanOrEqual(2);
    expect(() =>
      unwrapper(sim.signingKey).beta.webhooks.unwrap(rx.received[0].body, { headers: plainHeaders(rx, 0) }),
    ).toThrow(/too old/i);
    expect(sim.stats().deliveries.faults.clock_skew).toBe(rx.received.length);
  });

  it('rotate-signing-key sends two signatures: the old and the new key both verify', async () => {
    const next = generateSecret();
    const { rx, sim, c } = await world({ rotateSigningKey: next });
    await oneSession(sim, c);
    const h = plainHeaders(rx, 0);
    expect(h['webhook-signature'].split(' ')).toHaveLength(2);
    expect(unwrapper(sim.signingKey).beta.webhooks.unwrap(rx.received[0].body, { headers: h }).id).toBe(
      h['webhook-id'],
    );
    expect(unwrapper(next).beta.webhooks.unwrap(rx.received[0].body, { headers: h }).id).toBe(
      h['webhook-id'],
    );
    expect(sim.stats().deliveries.faults.rotation).toBe(rx.received.length);
  });

  it('delay-ms and reorder hold events back by the (unscaled) amounts recorded in the log', async () => {
    const { sim, c } = await world({ faults: { delayMs: 3000, reorderRate: 1, reorderWindowMs: 10_000 } });
    await oneSession(sim, c);
    const st = sim.stats().deliveries;
    expect(st.faults.delay).toBe(st.emitted);
    expect(st.faults.reorder).toBe(st.emitted);
    for (const r of sim.deliveries()) {
      expect(r.wait_ms).toBeGreaterThanOrEqual(3000);
      expect(r.wait_ms).toBeLessThanOrEqual(13_000);
    }
    expect(new Set(sim.deliveries().map((r) => r.wait_ms)).size).toBeGreaterThan(1);
  });

  it('the same seed gives the same delivery log; another seed a different one', async () => {
    const faults = {
      dropRate: 0.3,
      duplicateRate: 0.3,
      attemptFailureRate: 0.3,
      badSignatureRate: 0.2,
      reorderRate: 0.5,
      reorderWindowMs: 2000,
    };
    const run = async (seed: number) => {
      const { sim, c } = await world({ seed, faults }, (r) => (r.body.length % 3 === 0 ? 503 : 200));
      for (let i = 0; i < 3; i++) await oneSession(sim, c, `task ${i}`);
      await waitFor(() => (sim.deliveries().length > 0 ? true : undefined), 'log');
      return sim
        .deliveries()
        .map(({ at: _at, endpoint: _e, error: _err, ...rest }: DeliveryRecord) => JSON.stringify(rest))
        .sort();
    };
    const a = await run(5);
    const b = await run(5);
    const other = await run(6);
    expect(a).toEqual(b);
    expect(a.some((r) => r.includes('"fault":"dropped"') || r.includes('"fault":"attempt_lost"'))).toBe(true);
    expect(other).not.toEqual(a);
  });

  it('deployment runs: the test route creates one, the SDK retrieves it, webhooks announce it', async () => {
    const { rx, sim, c } = await world({});
    const { agent, environment } = await setup(c);
    const s = await c.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
    const ok = await (
      await fetch(`${sim.url}/_simulator/deployment_runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ session_id: s.id }),
      })
    ).json();
    const failed = await (
      await fetch(`${sim.url}/_simulator/deployment_runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ error: { type: 'session_rate_limited_error', message: 'slow down' } }),
      })
    ).json();
    expect(ok.id).toMatch(/^drun_/);
    const run = await c.beta.deploymentRuns.retrieve(ok.id);
    expect(run).toMatchObject({ session_id: s.id, error: null, type: 'deployment_run' });
    expect((await c.beta.deploymentRuns.retrieve(failed.id)).error?.type).toBe('session_rate_limited_error');
    await sim.deliveriesIdle();
    const types = rx.received
      .map((r) => JSON.parse(r.body).data)
      .filter((d) => d.id.startsWith('drun_'))
      .map((d) => `${d.id === ok.id ? 'ok' : 'bad'} ${d.type}`);
    expect(types.sort()).toEqual([
      'bad deployment_run.failed',
      'bad deployment_run.started',
      'ok deployment_run.started',
      'ok deployment_run.succeeded',
    ]);
  });
});
