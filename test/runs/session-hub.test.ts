// The session hub against the simulator: subscribers of one session share one upstream stream (the
// simulator counts its open streams), late subscribers are caught up in order, and the upstream
// closes with its last subscriber.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { createPlatform } from '../../src/platform/client.js';
import type { Platform, SessionEvent } from '../../src/platform/types.js';
import { createSessionHub, type SessionHub, type SessionHubEnd } from '../../src/runs/session-hub.js';
import { type RunningSimulator, type Scenario, startSimulator } from '../../src/simulator/index.js';
import { client, setup, task, waitFor } from '../simulator/helpers.js';

let sim: RunningSimulator;
let platform: Platform;
let hub: SessionHub;
let ids: { agent: string; environment: string };

beforeAll(async () => {
  sim = await startSimulator({ seed: 4, timeScale: 0.05 });
  platform = createPlatform({ apiKey: 'sk-test', baseURL: sim.url, logger: silentLogger });
  hub = createSessionHub({ platform, logger: silentLogger, clock: systemClock });
  const made = await setup(client(sim.url));
  ids = { agent: made.agent.id, environment: made.environment.id };
});
afterAll(async () => {
  await hub.close();
  await sim.close();
});

async function startRun(scenario: Scenario = 'success'): Promise<string> {
  const s = await client(sim.url).beta.sessions.create({
    agent: ids.agent,
    environment_id: ids.environment,
    metadata: { sim_scenario: scenario },
  });
  return s.id;
}

async function listAll(id: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of platform.listSessionEvents(id)) out.push(e.id);
  return out;
}

function collector() {
  const events: SessionEvent[] = [];
  const ends: SessionHubEnd[] = [];
  return {
    events,
    ends,
    onEvent: (e: SessionEvent) => events.push(e),
    onEnd: (r: SessionHubEnd) => ends.push(r),
    idle: () => (events.some((e) => e.type === 'session.status_idle') ? true : undefined),
  };
}

describe('SessionHub', () => {
  it('shares one upstream between subscribers and closes it with the last one', async () => {
    const id = await startRun();
    const a = collector();
    const b = collector();
    const offA = hub.subscribe(id, a.onEvent, { onEnd: a.onEnd });
    const offB = hub.subscribe(id, b.onEvent, { onEnd: b.onEnd });
    await client(sim.url).beta.sessions.events.send(id, { events: [task('shared')] });
    await waitFor(a.idle, 'a to see idle');
    await waitFor(b.idle, 'b to see idle');
    expect(hub.upstreams()).toBe(1);
    expect(sim.openStreams()).toBe(1);
    const listed = await listAll(id);
    expect(a.events.map((e) => e.id)).toEqual(listed);
    expect(b.events.map((e) => e.id)).toEqual(listed);

    // A late subscriber is caught up from the buffer, after its afterId, without a new stream.
    const late = collector();
    const offLate = hub.subscribe(id, late.onEvent, { afterId: listed[1] });
    await waitFor(late.idle, 'the late subscriber to catch up');
    expect(late.events.map((e) => e.id)).toEqual(listed.slice(2));
    expect(sim.openStreams()).toBe(1);

    offA();
    offB();
    expect(hub.upstreams()).toBe(1);
    offLate();
    expect(hub.upstreams()).toBe(0);
    await waitFor(() => (sim.openStreams() === 0 ? true : undefined), 'the upstream to close');
    expect(a.ends).toEqual([]);
  });

  it('ends subscribers with terminated after the terminal event, and restarts for a new subscriber', async () => {
    const id = await startRun('terminated');
    const a = collector();
    hub.subscribe(id, a.onEvent, { onEnd: a.onEnd });
    await client(sim.url).beta.sessions.events.send(id, { events: [task('die')] });
    await waitFor(() => (a.ends.length > 0 ? true : undefined), 'the end');
    expect(a.ends).toEqual(['terminated']);
    expect(a.events.at(-1)?.type).toBe('session.status_terminated');
    expect(hub.upstreams()).toBe(0);

    const again = collector();
    hub.subscribe(id, again.onEvent, { onEnd: again.onEnd });
    await waitFor(() => (again.ends.length > 0 ? true : undefined), 'the second end');
    expect(again.events.map((e) => e.id)).toEqual(a.events.map((e) => e.id));
  });

  it('places an afterId it has not buffered yet by a listing, and an unknown one at the top', async () => {
    const id = await startRun();
    await client(sim.url).beta.sessions.events.send(id, { events: [task('placed')] });
    await waitFor(async () => ((await listAll(id)).length >= 7 ? true : undefined), 'the run');
    const listed = await listAll(id);
    const known = collector();
    const unknown = collector();
    const offKnown = hub.subscribe(id, known.onEvent, { afterId: listed[3] });
    const offUnknown = hub.subscribe(id, unknown.onEvent, { afterId: 'sevt_nope' });
    await waitFor(known.idle, 'known');
    await waitFor(unknown.idle, 'unknown');
    expect(known.events.map((e) => e.id)).toEqual(listed.slice(4));
    expect(unknown.events.map((e) => e.id)).toEqual(listed);
    offKnown();
    offUnknown();
  });

  it('keeps a bounded buffer and catches a late subscriber up from a listing past it', async () => {
    for (const bufferLimit of [
      { events: 3, bytes: 1 << 30 },
      { events: 1000, bytes: 1 },
    ]) {
      const small = createSessionHub({ platform, logger: silentLogger, clock: systemClock, bufferLimit });
      const id = await startRun();
      const first = collector();
      const offFirst = small.subscribe(id, first.onEvent);
      await client(sim.url).beta.sessions.events.send(id, { events: [task('bounded')] });
      await waitFor(first.idle, 'the first subscriber to see idle');
      const listed = await listAll(id);
      expect(listed.length).toBeGreaterThan(bufferLimit.events === 3 ? 3 : 1);
      expect(first.events.map((e) => e.id)).toEqual(listed);
      // Only the latest events stay in memory (at least one, however large).
      expect(small.buffered()).toBe(bufferLimit.events === 3 ? 3 : 1);

      const all = collector();
      const after = collector();
      const unknown = collector();
      const recent = collector();
      const offs = [
        small.subscribe(id, all.onEvent),
        small.subscribe(id, after.onEvent, { afterId: listed[1] }),
        small.subscribe(id, unknown.onEvent, { afterId: 'sevt_nope' }),
        small.subscribe(id, recent.onEvent, { afterId: listed.at(-2) }),
      ];
      for (const c of [all, after, unknown, recent]) await waitFor(c.idle, 'a late subscriber to catch up');
      expect(all.events.map((e) => e.id)).toEqual(listed);
      expect(after.events.map((e) => e.id)).toEqual(listed.slice(2));
      expect(unknown.events.map((e) => e.id)).toEqual(listed);
      expect(recent.events.map((e) => e.id)).toEqual(listed.slice(-1));
      expect(small.upstreams()).toBe(1);
      for (const off of [offFirst, ...offs]) off();
      expect(small.buffered()).toBe(0);
      await small.close();
    }
  });

  it('ends subscribers with error when the session does not exist, and closed on close()', async () => {
    const gone = collector();
    hub.subscribe('sesn_missing', gone.onEvent, { onEnd: gone.onEnd });
    await waitFor(() => (gone.ends.length > 0 ? true : undefined), 'the error');
    expect(gone.ends).toEqual(['error']);

    const own = createSessionHub({ platform, logger: silentLogger, clock: systemClock });
    const id = await startRun();
    const open = collector();
    own.subscribe(id, open.onEvent, { onEnd: open.onEnd });
    await waitFor(() => (own.upstreams() === 1 ? true : undefined), 'the upstream');
    await own.close();
    expect(open.ends).toEqual(['closed']);
    expect(own.upstreams()).toBe(0);
  });
});
