// API-side faults and the per-minute limits: answered the way the SDK expects, counted per route,
// reproducible with the same seed.
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { type SimulatorOptions, startSimulator } from '../../src/simulator/index.js';
import { client } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function sim(options: SimulatorOptions) {
  const s = await startSimulator({ seed: 4, timeScale: 0.001, ...options });
  cleanups.push(() => s.close());
  return s;
}

async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof Anthropic.APIError && err.status !== undefined) return err.status;
    throw err;
  }
}

describe('API faults and limits', () => {
  it('enforces --read-rpm with 429 rate_limit_error and retry-after, per minute window', async () => {
    let now = Date.parse('2026-11-27T10:00:00.000Z');
    const clock: Clock = { now: () => now };
    const s = await sim({ api: { readRpm: 3, createRpm: 2 }, clock });
    const c = client(s.url);
    for (let i = 0; i < 3; i++) await c.beta.sessions.list();
    const err = await c.beta.sessions.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    const rl = err as InstanceType<typeof Anthropic.RateLimitError>;
    expect(rl.headers?.get('retry-after')).toBe('60');
    expect(rl.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    // Writes have their own budget.
    await c.beta.environments.create({ name: 'a' });
    await c.beta.environments.create({ name: 'b' });
    await expect(c.beta.environments.create({ name: 'c' })).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    now += 60_000;
    await expect(c.beta.sessions.list()).resolves.toBeDefined();
    const stats = s.stats().routes;
    expect(stats['GET /v1/sessions'].faults.rate_limited).toBe(1);
    expect(stats['GET /v1/sessions'].statuses['429']).toBe(1);
    expect(stats['POST /v1/environments'].faults.rate_limited).toBe(1);
  });

  it('--api-429-rate and --api-error-rate answer 429 / 500 that the SDK maps to its classes', async () => {
    const a = await sim({ api: { rate429: 1 } });
    await expect(client(a.url).beta.agents.list()).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    expect(a.stats().routes['GET /v1/agents'].faults.api_429).toBe(1);
    const b = await sim({ api: { errorRate: 1 } });
    const err = await client(b.url)
      .beta.agents.list()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.InternalServerError);
    expect((err as InstanceType<typeof Anthropic.InternalServerError>).error).toMatchObject({
      error: { type: 'api_error' },
    });
    expect(b.stats().routes['GET /v1/agents'].faults.api_error).toBe(1);
  });

  it('the same seed fails the same requests; --api-latency-ms is counted', async () => {
    const pattern = async (seed: number) => {
      const s = await sim({ seed, api: { errorRate: 0.3, rate429: 0.2, latencyMs: 1 } });
      const c = client(s.url);
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push(await statusOf(c.beta.environments.list()));
      expect(s.stats().routes['GET /v1/environments'].faults.latency).toBe(30);
      return out;
    };
    const a = await pattern(8);
    expect(a).toEqual(await pattern(8));
    expect(a).toContain(500);
    expect(a).toContain(429);
    expect(a).toContain(200);
    expect(await pattern(9)).not.toEqual(a);
  });

  it('--api-key restricts the accepted keys; x-api-key works as well as Bearer', async () => {
    const s = await sim({ apiKeys: ['k1', 'k2'] });
    await expect(client(s.url, 'k2').beta.agents.list()).resolves.toBeDefined();
    await expect(client(s.url, 'k3').beta.agents.list()).rejects.toBeInstanceOf(
      Anthropic.AuthenticationError,
    );
    const res = await fetch(`${s.url}/v1/agents`, {
      headers: { 'x-api-key': 'k1', 'anthropic-beta': 'managed-agents-2026-04-01' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const none = await fetch(`${s.url}/v1/agents`, {
      headers: { 'anthropic-beta': 'managed-agents-2026-04-01' },
    });
    expect(none.status).toBe(401);
  });
});
