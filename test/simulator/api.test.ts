// The API surface, driven only through the official SDK client.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { client, settle, setup, task } from './helpers.js';

let sim: RunningSimulator;
let c: Anthropic;

beforeAll(async () => {
  sim = await startSimulator({ seed: 7, timeScale: 0.01, apiKeys: ['sk-test'] });
  c = client(sim.url);
});
afterAll(async () => {
  await sim.close();
});

describe('simulator API through the SDK', () => {
  it('runs a task to idle and returns the newest agent message', async () => {
    const { agent, environment } = await setup(c);
    expect(agent.id).toMatch(/^agent_/);
    expect(environment.id).toMatch(/^env_/);
    const session = await c.beta.sessions.create({
      agent: agent.id,
      environment_id: environment.id,
      initial_events: [task('Summarise TCP vs UDP')],
    });
    expect(session.id).toMatch(/^sesn_/);
    expect(session.status).toBe('running');
    expect(session.agent).toMatchObject({ id: agent.id, version: 1, name: 'tester' });
    const done = await settle(c, session.id);
    expect(done.status).toBe('idle');
    expect(Number(done.usage.list_cost?.amount)).toBeGreaterThan(0);
    expect(done.usage.input_tokens).toBeGreaterThan(0);
    const idle = await c.beta.sessions.events.list(session.id, {
      types: ['session.status_idle'],
      order: 'desc',
      limit: 1,
    });
    const last = idle.data[0];
    expect(last?.type === 'session.status_idle' && last.stop_reason.type).toBe('end_turn');
    const msgs = await c.beta.sessions.events.list(session.id, {
      types: ['agent.message'],
      order: 'desc',
      limit: 1,
    });
    const msg = msgs.data[0];
    expect(msg?.type).toBe('agent.message');
    expect(msg?.type === 'agent.message' && msg.content[0]?.type === 'text' && msg.content[0].text).toContain(
      'Summarise TCP vs UDP',
    );
    const all = await c.beta.sessions.events.list(session.id);
    expect(all.data.map((e) => e.type)).toEqual([
      'user.message',
      'session.status_running',
      'span.model_request_start',
      'agent.message',
      'span.model_request_end',
      'session.usage',
      'session.status_idle',
    ]);
    const files = await c.beta.files.list({ scope_id: session.id });
    expect(files.data).toHaveLength(1);
    const content = await (await c.beta.files.download(files.data[0].id)).text();
    expect(content).toContain('Summarise TCP vs UDP');
  });

  it('sends a task later through events.send and echoes it', async () => {
    const { agent, environment } = await setup(c);
    const session = await c.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
    expect(session.status).toBe('idle');
    const sent = await c.beta.sessions.events.send(session.id, { events: [task('hello')] });
    expect(sent.data?.[0]).toMatchObject({ type: 'user.message' });
    expect(sent.data?.[0]?.id).toMatch(/^sevt_/);
    const done = await settle(c, session.id);
    expect(done.status).toBe('idle');
    const types = (await c.beta.sessions.events.list(session.id)).data.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['user.message', 'session.status_running']);
    expect(types.at(-1)).toBe('session.status_idle');
  });

  it('versions agents only when something changed, and retrieves old versions', async () => {
    const { agent } = await setup(c, 'versioned');
    const same = await c.beta.agents.update(agent.id, { system: 'You test.' });
    expect(same.version).toBe(1);
    const changed = await c.beta.agents.update(agent.id, { system: 'You test harder.' });
    expect(changed.version).toBe(2);
    expect(Date.parse(changed.updated_at)).toBeGreaterThan(Date.parse(agent.updated_at));
    expect((await c.beta.agents.retrieve(agent.id, { version: 1 })).system).toBe('You test.');
    expect((await c.beta.agents.retrieve(agent.id)).version).toBe(2);
    const versions = [];
    for await (const v of c.beta.agents.versions.list(agent.id)) versions.push(v.version);
    expect(versions).toEqual([2, 1]);
    const archived = await c.beta.agents.archive(agent.id);
    expect(archived.archived_at).not.toBeNull();
  });

  it('paginates sessions (bidirectional cursor) and events with for await', async () => {
    const { agent, environment } = await setup(c, 'pager');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await c.beta.sessions.create({ agent: agent.id, environment_id: environment.id })).id);
    const seen: string[] = [];
    for await (const s of c.beta.sessions.list({ agent_id: agent.id, limit: 2 })) seen.push(s.id);
    expect(seen).toEqual([...ids].reverse());
    const asc: string[] = [];
    for await (const s of c.beta.sessions.list({ agent_id: agent.id, limit: 2, order: 'asc' }))
      asc.push(s.id);
    expect(asc).toEqual(ids);
    const first = await c.beta.sessions.list({ agent_id: agent.id, limit: 2 });
    expect(first.prev_page).toBeNull();
    expect(first.next_page).toMatch(/^page_/);
    const second = await c.beta.sessions.list({ agent_id: agent.id, limit: 2, page: first.next_page });
    expect(second.data.map((s) => s.id)).toEqual([ids[2], ids[1]]);
    const back = await c.beta.sessions.list({ agent_id: agent.id, limit: 2, page: second.prev_page });
    expect(back.data.map((s) => s.id)).toEqual(first.data.map((s) => s.id));
    await expect(
      c.beta.sessions.list({ agent_id: agent.id, limit: 2, order: 'asc', page: first.next_page }),
    ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    const idle = await c.beta.sessions.list({
      agent_id: agent.id,
      statuses: ['idle'],
      'created_at[gte]': new Date(0).toISOString(),
    });
    expect(idle.data).toHaveLength(5);
    const none = await c.beta.sessions.list({ agent_id: agent.id, statuses: ['running'] });
    expect(none.data).toHaveLength(0);

    const s = await c.beta.sessions.create({
      agent: agent.id,
      environment_id: environment.id,
      initial_events: [task('page me')],
    });
    await settle(c, s.id);
    const types: string[] = [];
    for await (const e of c.beta.sessions.events.list(s.id, { limit: 2 })) types.push(e.type);
    expect(types).toHaveLength(7);
    const desc: string[] = [];
    for await (const e of c.beta.sessions.events.list(s.id, { limit: 3, order: 'desc' })) desc.push(e.type);
    expect(desc).toEqual([...types].reverse());
  });

  it('answers NotFoundError, AuthenticationError and BadRequestError with the real envelope', async () => {
    await expect(c.beta.sessions.retrieve('sesn_missing')).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    const bad = client(sim.url, 'sk-wrong');
    const err = await bad.beta.sessions.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((err as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error' },
    });
    expect((err as InstanceType<typeof Anthropic.AuthenticationError>).requestID).toMatch(/^req_/);
    const unknownQuery = await fetch(`${sim.url}/v1/sessions?colour=red`, {
      headers: { authorization: 'Bearer sk-test', 'anthropic-beta': 'managed-agents-2026-04-01' },
    });
    expect(unknownQuery.status).toBe(400);
    expect(await unknownQuery.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
    });
    // A field the SDK types forbid, sent on purpose.
    const params = { name: 'x', model: 'm', colour: 'red' } as unknown as Parameters<
      typeof c.beta.agents.create
    >[0];
    const unknownField = await c.beta.agents.create(params).catch((e: unknown) => e);
    expect(unknownField).toBeInstanceOf(Anthropic.BadRequestError);
    const noBeta = await fetch(`${sim.url}/v1/sessions`, { headers: { authorization: 'Bearer sk-test' } });
    expect(noBeta.status).toBe(400);
  });

  it('validates initial_events and archives/deletes only when not running', async () => {
    const { agent, environment } = await setup(c, 'rules');
    const outcome = {
      type: 'user.define_outcome' as const,
      description: 'd',
      rubric: { type: 'text' as const, content: 'r' },
    };
    await expect(
      c.beta.sessions.create({
        agent: agent.id,
        environment_id: environment.id,
        initial_events: [outcome, outcome],
      }),
    ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await expect(
      c.beta.sessions.create({
        agent: agent.id,
        environment_id: environment.id,
        initial_events: Array.from({ length: 51 }, () => task('x')),
      }),
    ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    const s = await c.beta.sessions.create({
      agent: agent.id,
      environment_id: environment.id,
      initial_events: [task('long one')],
      metadata: { sim_duration_ms: '100000000' },
    });
    await expect(c.beta.sessions.archive(s.id)).rejects.toBeInstanceOf(Anthropic.ConflictError);
    await expect(c.beta.sessions.delete(s.id)).rejects.toBeInstanceOf(Anthropic.ConflictError);
    await c.beta.sessions.events.send(s.id, { events: [{ type: 'user.interrupt' }] });
    const idle = await c.beta.sessions.retrieve(s.id);
    expect(idle.status).toBe('idle');
    const archived = await c.beta.sessions.archive(s.id);
    expect(archived.status).toBe('terminated');
    expect(archived.archived_at).not.toBeNull();
    expect((await c.beta.sessions.list({ agent_id: agent.id })).data).toHaveLength(0);
    expect((await c.beta.sessions.list({ agent_id: agent.id, include_archived: true })).data).toHaveLength(1);
    const deleted = await c.beta.sessions.delete(s.id);
    expect(deleted).toEqual({ id: s.id, type: 'session_deleted' });
    await expect(c.beta.sessions.retrieve(s.id)).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('moves updated_at forward by at least a millisecond on every change', async () => {
    const { agent, environment } = await setup(c, 'clock');
    const s = await c.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
    const a = await c.beta.sessions.update(s.id, { title: 'one' });
    const b = await c.beta.sessions.update(s.id, { title: 'two' });
    expect(Date.parse(a.updated_at)).toBeGreaterThan(Date.parse(s.updated_at));
    expect(Date.parse(b.updated_at)).toBeGreaterThan(Date.parse(a.updated_at));
    expect(b.updated_at).toMatch(/\.\d{3}Z$/);
  });

  it('counts requests per route at /_simulator/stats without an API key', async () => {
    const stats = await (await fetch(`${sim.url}/_simulator/stats`)).json();
    expect(stats.routes['GET /v1/sessions/:id'].requests).toBeGreaterThan(0);
    expect(stats.routes['GET /v1/sessions/:id'].statuses['404']).toBeGreaterThan(0);
  });
});
