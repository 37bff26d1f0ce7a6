// GET /metrics end to end: a real serve's exposition parses as Prometheus text and follows the
// /api access rule.
import { describe, expect, it } from 'vitest';
import { type Env, finalRun, type Serving, session, setup, startServeWithNotify } from '../e2e/serving.js';
import { parsePrometheus } from './prometheus.js';

let env: Env | null = null;
let serve: Serving | null = null;

describe('metrics', () => {
  it('/metrics parses as Prometheus text and follows the /api access rule', async () => {
    env = await setup();
    serve = await startServeWithNotify(env, undefined, { token: 'sekret-token-0123456789abcdef' });
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
      headers: { ...proxied, authorization: 'Bearer sekret-token-0123456789abcdef' },
    });
    expect(authed.status).toBe(200);
    parsePrometheus(await authed.text());
  });
});
