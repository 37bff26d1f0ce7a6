// Event streams, read with the SDK's own stream(): the same events in the same order as events.list,
// queued messages in their processed place, deltas on request, thread views and reconnects.
import type Anthropic from '@anthropic-ai/sdk';
import type { BetaManagedAgentsStreamSessionEvents } from '@anthropic-ai/sdk/resources/beta/sessions/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { client, ManualTimers, setup, task } from './helpers.js';

let sim: RunningSimulator;
let c: Anthropic;
let ids: { agent: string; environment: string };

beforeAll(async () => {
  sim = await startSimulator({ seed: 11, timeScale: 0.01 });
  c = client(sim.url);
  const { agent, environment } = await setup(c);
  ids = { agent: agent.id, environment: environment.id };
});
afterAll(async () => {
  await sim.close();
});

/** Reads a stream until `until` says stop (that event included). */
async function collect(
  stream: AsyncIterable<BetaManagedAgentsStreamSessionEvents>,
  until: (e: BetaManagedAgentsStreamSessionEvents, seen: BetaManagedAgentsStreamSessionEvents[]) => boolean,
): Promise<BetaManagedAgentsStreamSessionEvents[]> {
  const seen: BetaManagedAgentsStreamSessionEvents[] = [];
  for await (const e of stream) {
    seen.push(e);
    if (until(e, seen)) break;
  }
  return seen;
}

const idles = (n: number) => (_e: unknown, seen: BetaManagedAgentsStreamSessionEvents[]) =>
  seen.filter((x) => x.type === 'session.status_idle').length >= n;

describe('event streams through the SDK', () => {
  it('streams a turn in the order events.list gives', async () => {
    const s = await c.beta.sessions.create({ agent: ids.agent, environment_id: ids.environment });
    const stream = await c.beta.sessions.events.stream(s.id);
    await c.beta.sessions.events.send(s.id, { events: [task('Explain SSE')] });
    const seen = await collect(stream, idles(1));
    const listed = await c.beta.sessions.events.list(s.id, { limit: 100 });
    expect(seen.map((e) => e.type)).toEqual([
      'user.message',
      'session.status_running',
      'span.model_request_start',
      'agent.message',
      'span.model_request_end',
      'session.usage',
      'session.status_idle',
    ]);
    expect(seen).toEqual(listed.data);
    const reply = seen.find((e) => e.type === 'agent.message');
    expect(
      reply?.type === 'agent.message' && reply.content[0]?.type === 'text' && reply.content[0].text,
    ).toMatch(/^Simulated answer for: Explain SSE/);
  });

  it('lists and streams a message queued during a turn after that turn', async () => {
    const timers = new ManualTimers();
    const manual = await startSimulator({ seed: 5, timers });
    try {
      const mc = client(manual.url);
      const { agent, environment } = await setup(mc);
      const s = await mc.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
      const stream = await mc.beta.sessions.events.stream(s.id);
      await mc.beta.sessions.events.send(s.id, { events: [task('first')] });
      await mc.beta.sessions.events.send(s.id, { events: [task('second')] });
      const queued = await mc.beta.sessions.events.list(s.id, { limit: 100 });
      expect(queued.data.at(-1)).toMatchObject({ type: 'user.message', processed_at: null });
      timers.runAll();
      const seen = await collect(stream, idles(2));
      const listed = (await mc.beta.sessions.events.list(s.id, { limit: 100 })).data;
      expect(seen).toEqual(listed);
      const types = listed.map((e) => e.type);
      const firstIdle = types.indexOf('session.status_idle');
      const secondMessage = types.lastIndexOf('user.message');
      expect(secondMessage).toBe(firstIdle + 1);
      const desc = (await mc.beta.sessions.events.list(s.id, { limit: 100, order: 'desc' })).data;
      expect(desc).toEqual([...listed].reverse());
    } finally {
      await manual.close();
    }
  });

  it('sends event_start and event_delta before agent.message when asked, never in the history', async () => {
    const s = await c.beta.sessions.create({ agent: ids.agent, environment_id: ids.environment });
    const stream = await c.beta.sessions.events.stream(s.id, { event_deltas: ['agent.message'] });
    await c.beta.sessions.events.send(s.id, { events: [task('Stream me')] });
    const seen = await collect(stream, idles(1));
    const start = seen.findIndex((e) => e.type === 'event_start');
    const message = seen.findIndex((e) => e.type === 'agent.message');
    expect(start).toBeGreaterThan(-1);
    expect(start).toBeLessThan(message);
    const msg = seen[message];
    const text = seen
      .filter((e) => e.type === 'event_delta')
      .map((e) => (e.type === 'event_delta' && e.delta.content.type === 'text' ? e.delta.content.text : ''))
      .join('');
    expect(msg?.type === 'agent.message' && msg.content[0]?.type === 'text' && msg.content[0].text).toBe(
      text,
    );
    const listed = await c.beta.sessions.events.list(s.id, { limit: 100 });
    expect(listed.data.some((e) => (e.type as string).startsWith('event_'))).toBe(false);
    await expect(
      c.beta.sessions.events.stream(s.id, { event_deltas: ['nope' as 'agent.message'] }),
    ).rejects.toThrow(/event_deltas/);
  });

  it('reconnects with Last-Event-ID and gets what it missed', async () => {
    const s = await c.beta.sessions.create({ agent: ids.agent, environment_id: ids.environment });
    const first = await c.beta.sessions.events.stream(s.id);
    await c.beta.sessions.events.send(s.id, { events: [task('reconnect')] });
    const before = await collect(first, (e) => e.type === 'session.status_running');
    const lastId = before.at(-1) && 'id' in before.at(-1)! ? (before.at(-1) as { id: string }).id : '';
    const again = await c.beta.sessions.events.stream(s.id, {}, { headers: { 'last-event-id': lastId } });
    const after = await collect(again, idles(1));
    const listed = await c.beta.sessions.events.list(s.id, { limit: 100 });
    expect([...before, ...after]).toEqual(listed.data);
  });

  it('streams a child thread its own events, and the session stream ends when the session is deleted', async () => {
    const s = await c.beta.sessions.create({
      agent: ids.agent,
      environment_id: ids.environment,
      metadata: { sim_scenario: 'multiagent' },
    });
    const session = await c.beta.sessions.events.stream(s.id);
    await c.beta.sessions.events.send(s.id, { events: [task('delegate')] });
    const all = await collect(session, idles(1));
    const created = all.find((e) => e.type === 'session.thread_created');
    expect(created?.type).toBe('session.thread_created');
    const threadId = created?.type === 'session.thread_created' ? created.session_thread_id : '';
    const thread = await c.beta.sessions.threads.events.stream(threadId, { session_id: s.id });
    const listed = await c.beta.sessions.threads.events.list(threadId, { session_id: s.id, limit: 100 });
    expect(listed.data.length).toBeGreaterThan(0);
    const tail = await c.beta.sessions.events.stream(s.id);
    await c.beta.sessions.delete(s.id);
    const last = await collect(tail, () => false);
    expect(last.map((e) => e.type)).toEqual(['session.deleted']);
    expect((await collect(thread, () => false)).map((e) => e.type)).toEqual(['session.deleted']);
  });
});
