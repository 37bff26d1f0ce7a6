// Responses built as the SDK's response types: resolved agent configs, networking, session
// resources, budgets as the platform handles them, threads that talk, and deployment runs.
import type Anthropic from '@anthropic-ai/sdk';
import { toFile } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { client, type Receiver, receiver, settle, setup, task, waitFor } from './helpers.js';

let sim: RunningSimulator;
let c: Anthropic;
let rx: Receiver;

beforeAll(async () => {
  rx = await receiver();
  sim = await startSimulator({ seed: 23, timeScale: 0.005, webhooks: [rx.url] });
  c = client(sim.url);
});
afterAll(async () => {
  await sim.close();
  await rx.close();
});

describe('response shapes', () => {
  it('resolves effort, skills, toolsets and rosters on agents and sessions', async () => {
    const helper = await c.beta.agents.create({ name: 'helper', model: 'claude-haiku-4-5' });
    const agent = await c.beta.agents.create({
      name: 'lead',
      model: { id: 'claude-sonnet-4-6', effort: 'high' },
      skills: [{ type: 'anthropic', skill_id: 'xlsx' }],
      tools: [
        {
          type: 'agent_toolset_20260401',
          configs: [{ name: 'bash', permission_policy: { type: 'always_ask' } }],
        },
        { type: 'mcp_toolset', mcp_server_name: 'docs' },
      ],
      mcp_servers: [{ type: 'url', name: 'docs', url: 'https://mcp.example.com' }],
      multiagent: { type: 'coordinator', agents: [helper.id, { type: 'self' }] },
    });
    expect(agent.model.effort).toEqual({ type: 'high' });
    expect(agent.skills).toEqual([{ type: 'anthropic', skill_id: 'xlsx', version: expect.any(String) }]);
    const [toolset, mcp] = agent.tools;
    expect(toolset?.type === 'agent_toolset_20260401' && toolset.configs).toHaveLength(8);
    expect(
      toolset?.type === 'agent_toolset_20260401' && toolset.configs.find((t) => t.name === 'bash'),
    ).toMatchObject({
      enabled: true,
      permission_policy: { type: 'always_ask' },
    });
    expect(toolset?.type === 'agent_toolset_20260401' && toolset.default_config).toEqual({
      enabled: true,
      permission_policy: { type: 'always_allow' },
    });
    expect(mcp?.type === 'mcp_toolset' && mcp.default_config.permission_policy).toEqual({
      type: 'always_ask',
    });
    expect(agent.multiagent).toEqual({
      type: 'coordinator',
      agents: [
        { type: 'agent', id: helper.id, version: 1 },
        { type: 'agent', id: agent.id, version: 1 },
      ],
    });
    const env = await c.beta.environments.create({ name: 'e' });
    const s = await c.beta.sessions.create({ agent: agent.id, environment_id: env.id });
    const roster = s.agent.multiagent?.type === 'coordinator' ? s.agent.multiagent.agents : [];
    expect(roster[0]).toMatchObject({
      type: 'agent',
      id: helper.id,
      name: 'helper',
      model: { id: 'claude-haiku-4-5' },
    });
    const updated = await c.beta.sessions.update(s.id, {
      agent: { tools: [{ type: 'agent_toolset_20260401' }] },
    });
    const tools = updated.agent.tools[0];
    expect(tools?.type === 'agent_toolset_20260401' && tools.configs).toHaveLength(8);
  });

  it('answers limited networking with every allow_* field', async () => {
    const env = await c.beta.environments.create({
      name: 'limited',
      config: { type: 'cloud', networking: { type: 'limited', allowed_hosts: ['example.com'] } },
    });
    expect(env.config.type === 'cloud' && env.config.networking).toEqual({
      type: 'limited',
      allowed_hosts: ['example.com'],
      allow_mcp_servers: false,
      allow_package_managers: false,
    });
  });

  it('keeps resources[] on sessions.create and validates file ids', async () => {
    const { agent, environment } = await setup(c);
    const f = await c.beta.files.upload({
      file: await toFile(Buffer.from('data'), 'data.csv', { type: 'text/csv' }),
    });
    const s = await c.beta.sessions.create({
      agent: agent.id,
      environment_id: environment.id,
      resources: [{ type: 'file', file_id: f.id }],
    });
    expect(s.resources).toEqual([
      expect.objectContaining({ type: 'file', file_id: f.id, mount_path: `/mnt/session/uploads/${f.id}` }),
    ]);
    await expect(
      c.beta.sessions.create({
        agent: agent.id,
        environment_id: environment.id,
        resources: [{ type: 'file', file_id: 'file_missing' }],
      }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('budgets: only a budget stops a session at budget_reached; raising it resumes the session', async () => {
    const { agent, environment } = await setup(c);
    const free = await c.beta.sessions.create({
      agent: agent.id,
      environment_id: environment.id,
      initial_events: [task('no cap')],
    });
    expect(free.budget).toBeNull();
    await settle(c, free.id);
    const stops = await c.beta.sessions.events.list(free.id, { types: ['session.status_idle'] });
    expect(stops.data.map((e) => e.type === 'session.status_idle' && e.stop_reason.type)).toEqual([
      'end_turn',
    ]);
    // The budget_reached scenario plays a session that has a budget: it shows the one it got.
    const scenario = await c.beta.sessions.create({
      agent: agent.id,
      environment_id: environment.id,
      metadata: { sim_scenario: 'budget_reached' },
    });
    expect(scenario.budget).toEqual({ type: 'limit', max_list_cost: { amount: '50', currency: 'USD' } });

    const capped = await c.beta.sessions.create({
      agent: agent.id,
      environment_id: environment.id,
      metadata: { sim_scenario: 'budget_reached' },
      budget: { type: 'limit', max_list_cost: { amount: '50', currency: 'USD' } },
      initial_events: [task('capped')],
    });
    await settle(c, capped.id);
    await expect(c.beta.sessions.events.send(capped.id, { events: [task('more')] })).rejects.toMatchObject({
      status: 400,
    });
    await c.beta.sessions.update(capped.id, {
      budget: { type: 'limit', max_list_cost: { amount: '500', currency: 'USD' } },
    });
    const resumed = await settle(c, capped.id);
    expect(Number(resumed.usage.list_cost?.amount)).toBeLessThan(500);
    const reasons = (
      await c.beta.sessions.events.list(capped.id, { types: ['session.status_idle'] })
    ).data.map((e) => e.type === 'session.status_idle' && e.stop_reason.type);
    expect(reasons).toEqual(['budget_reached', 'end_turn']);
    await c.beta.sessions.events.send(capped.id, { events: [task('accepted again')] });
    await settle(c, capped.id);
    await c.beta.sessions.archive(capped.id);
    await expect(c.beta.sessions.update(capped.id, { budget: null })).rejects.toMatchObject({ status: 400 });
  });

  it('child threads have messages of their own and terminate when the session is archived', async () => {
    const { agent, environment } = await setup(c);
    const s = await c.beta.sessions.create({
      agent: agent.id,
      environment_id: environment.id,
      metadata: { sim_scenario: 'multiagent' },
      initial_events: [task('split the work')],
    });
    await settle(c, s.id);
    const child = (await c.beta.sessions.threads.list(s.id)).data.find((t) => t.parent_thread_id !== null);
    const own = await c.beta.sessions.threads.events.list(child?.id ?? '', { session_id: s.id });
    const types = own.data.map((e) => e.type);
    expect(types).toContain('agent.thread_message_received');
    expect(types).toContain('agent.message');
    await c.beta.sessions.archive(s.id);
    const after = await c.beta.sessions.threads.retrieve(child?.id ?? '', { session_id: s.id });
    expect(after.status).toBe('terminated');
  });

  it('deployment runs create sessions carrying deployment_id, on demand and on the cron schedule', async () => {
    const { agent, environment } = await setup(c);
    const dep = await c.beta.deployments.create({
      name: 'every minute',
      agent: agent.id,
      environment_id: environment.id,
      initial_events: [task('scheduled work')],
      schedule: { type: 'cron', expression: '* * * * *', timezone: 'UTC' },
    });
    expect(dep.schedule?.upcoming_runs_at).toHaveLength(3);
    const run = await c.beta.deployments.run(dep.id);
    expect(run.trigger_context).toEqual({ type: 'manual' });
    const session = await c.beta.sessions.retrieve(run.session_id ?? '');
    expect(session.deployment_id).toBe(dep.id);
    // One simulated minute is 0.3 s at timeScale 0.005.
    const scheduled = await waitFor(async () => {
      const runs = await c.beta.deploymentRuns.list({ deployment_id: dep.id, trigger_type: 'schedule' });
      return runs.data[0];
    }, 'a scheduled run');
    expect(scheduled.trigger_context.type).toBe('schedule');
    await c.beta.deployments.pause(dep.id);
    expect((await c.beta.deployments.retrieve(dep.id)).paused_reason).toEqual({ type: 'manual' });
    await sim.deliveriesIdle();
    const types = sim.deliveries().map((d) => d.type);
    expect(types).toEqual(expect.arrayContaining(['deployment_run.started', 'deployment_run.succeeded']));
  });
});
