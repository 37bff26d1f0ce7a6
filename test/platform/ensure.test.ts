// Agents and environments are created once, found again by metadata.agenthooks_name, updated to a
// new version when the definition changes, and concurrent launches create at most one.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchRun } from '../../src/runs/launch.js';
import { API_KEY, deps, type Env, setup } from '../e2e/helpers.js';

let env: Env;
beforeAll(async () => {
  env = await setup();
});
afterAll(async () => env?.close());

async function agentsNamed(name: string) {
  const sdk = new Anthropic({ apiKey: API_KEY, baseURL: env.sim.url, maxRetries: 0 });
  const out = [];
  for await (const a of sdk.beta.agents.list({ limit: 100 }))
    if (a.metadata?.agenthooks_name === name) out.push(a);
  return out;
}

describe('ensureAgent / ensureEnvironment', () => {
  it('eight concurrent launches create one agent and one environment', async () => {
    const d = deps(env);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        launchRun(d, { task: `t${i}`, agent: 'racer', model: 'claude-sonnet-4-6', environment: 'default' }),
      ),
    );
    expect(new Set(results.map((r) => r.agent?.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.environment?.id)).size).toBe(1);
    expect(results.filter((r) => r.agent?.action === 'created')).toHaveLength(1);
    expect(await agentsNamed('racer')).toHaveLength(1);
  });

  it('a changed definition updates the agent to a new version instead of creating another', async () => {
    const a1 = await env.platform.ensureAgent('versioned', { model: 'claude-sonnet-4-6', system: 'one' });
    const again = await env.platform.ensureAgent('versioned', { model: 'claude-sonnet-4-6', system: 'one' });
    const a2 = await env.platform.ensureAgent('versioned', { model: 'claude-sonnet-4-6', system: 'two' });
    expect(a1.action).toBe('created');
    expect(again).toMatchObject({ id: a1.id, action: 'found', version: a1.version });
    expect(a2).toMatchObject({ id: a1.id, action: 'updated' });
    expect(a2.version).toBeGreaterThan(a1.version ?? 0);
    const found = await agentsNamed('versioned');
    expect(found).toHaveLength(1);
    expect(found[0]?.system).toBe('two');
  });
});
