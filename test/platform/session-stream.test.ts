// followSessionEvents against the simulator's SSE streams, read through the SDK's own stream(): the
// stream is cut mid-run (the simulator's stream-drop fault) and the follower must still yield every
// event exactly once, in the listing's order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createPlatform } from '../../src/platform/client.js';
import type { Platform, SessionEvent } from '../../src/platform/types.js';
import { type RunningSimulator, type Scenario, startSimulator } from '../../src/simulator/index.js';
import { client, setup, task } from '../simulator/helpers.js';

let sim: RunningSimulator;
let platform: Platform;
let ids: { agent: string; environment: string };

beforeAll(async () => {
  // Every stream is cut after two events, so a run of ~10 events reconnects several times, and the
  // reconnect backoff (200 ms and up) is longer than the run's steps, so events land in the gaps.
  sim = await startSimulator({ seed: 3, timeScale: 0.02, api: { streamDropAfter: 2 } });
  platform = createPlatform({ apiKey: 'sk-test', baseURL: sim.url, logger: silentLogger });
  const made = await setup(client(sim.url));
  ids = { agent: made.agent.id, environment: made.environment.id };
});
afterAll(async () => {
  await sim.close();
});

async function startRun(scenario: Scenario): Promise<string> {
  const c = client(sim.url);
  const s = await c.beta.sessions.create({
    agent: ids.agent,
    environment_id: ids.environment,
    metadata: { sim_scenario: scenario },
  });
  return s.id;
}

async function listAll(id: string): Promise<SessionEvent[]> {
  const out: SessionEvent[] = [];
  for await (const e of platform.listSessionEvents(id)) out.push(e);
  return out;
}

/** Follows until `stop` says so (that event included), counting reconnects. */
async function follow(
  id: string,
  stop: (e: SessionEvent) => boolean,
  afterId: string | null = null,
): Promise<{ events: SessionEvent[]; reconnects: number }> {
  const controller = new AbortController();
  const events: SessionEvent[] = [];
  let reconnects = 0;
  for await (const e of platform.followSessionEvents(id, {
    afterId,
    signal: controller.signal,
    onReconnect: () => reconnects++,
  })) {
    events.push(e);
    if (stop(e)) controller.abort();
  }
  return { events, reconnects };
}

const idle = (e: SessionEvent) => e.type === 'session.status_idle';

describe('followSessionEvents', () => {
  it('follows a run whose stream drops mid-run: no gap, no duplicate, listing order', async () => {
    const id = await startRun('success');
    const following = follow(id, idle);
    await client(sim.url).beta.sessions.events.send(id, { events: [task('follow me')] });
    const { events, reconnects } = await following;
    expect(reconnects).toBeGreaterThan(0);
    const listed = await listAll(id);
    expect(events.map((e) => e.id)).toEqual(listed.map((e) => e.id));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events).toEqual(listed);
  });

  it('follows a multiagent run with threads and several drops', async () => {
    const id = await startRun('multiagent');
    const following = follow(id, idle);
    await client(sim.url).beta.sessions.events.send(id, { events: [task('split the work')] });
    const { events, reconnects } = await following;
    expect(reconnects).toBeGreaterThan(0);
    expect(events.map((e) => e.id)).toEqual((await listAll(id)).map((e) => e.id));
  });

  it('ends by itself after the terminal event', async () => {
    const id = await startRun('terminated');
    await client(sim.url).beta.sessions.events.send(id, { events: [task('fail hard')] });
    const { events } = await follow(id, () => false);
    expect(events.at(-1)?.type).toBe('session.status_terminated');
    expect(events.map((e) => e.id)).toEqual((await listAll(id)).map((e) => e.id));
  });

  it('starts after afterId, and from the top for an id the session does not have', async () => {
    const id = await startRun('success');
    await client(sim.url).beta.sessions.events.send(id, { events: [task('resume me')] });
    const first = await follow(id, idle);
    const listed = await listAll(id);
    const cut = listed[2].id;
    const rest = await follow(id, idle, cut);
    expect(rest.events.map((e) => e.id)).toEqual(listed.slice(3).map((e) => e.id));
    const all = await follow(id, idle, 'sevt_unknown');
    expect(all.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
  });

  it('throws platform_error for a session that does not exist', async () => {
    await expect(follow('sesn_missing', () => true)).rejects.toMatchObject({ code: 'platform_error' });
  });
});
