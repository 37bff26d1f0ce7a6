// The one fetcher of a session's events, against the simulator over real sockets: pages are
// requested lazily (one read a page, none past where the consumer stops), filters and order reach
// the API, and the snapshot scans and pending tool calls that now read through it still agree
// with what the SDK lists, also when a small page size makes the scan span several pages.
import type Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createPlatform } from '../../src/platform/client.js';
import type { SessionEvent } from '../../src/platform/types.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { client, settle, setup, task } from '../simulator/helpers.js';

let sim: RunningSimulator;
let c: Anthropic;
let ids: { agent: string; environment: string };

beforeAll(async () => {
  sim = await startSimulator({ seed: 7, timeScale: 0.005 });
  c = client(sim.url);
  const { agent, environment } = await setup(c);
  ids = { agent: agent.id, environment: environment.id };
});
afterAll(async () => {
  await sim?.close();
});

async function session(scenario: string, text: string): Promise<string> {
  const s = await c.beta.sessions.create({
    agent: ids.agent,
    environment_id: ids.environment,
    metadata: { sim_scenario: scenario },
    initial_events: [
      task(text),
      {
        type: 'user.define_outcome',
        description: 'graded',
        rubric: { type: 'text', content: '- ok' },
        max_iterations: 3,
      },
    ],
  });
  await settle(c, s.id);
  return s.id;
}

async function all(iter: AsyncIterable<SessionEvent>, stopAfter = Number.POSITIVE_INFINITY) {
  const out: SessionEvent[] = [];
  for await (const e of iter) {
    out.push(e);
    if (out.length >= stopAfter) break;
  }
  return out;
}

describe('listSessionEvents', () => {
  it('pages lazily: one read per page, none past where the consumer stops; order and types reach the API', async () => {
    const id = await session('outcome_revise_then_satisfied', 'page me');
    const want: SessionEvent[] = [];
    for await (const e of c.beta.sessions.events.list(id, { limit: 100 })) want.push(e);
    expect(want.length).toBeGreaterThan(12);
    const p = createPlatform({ apiKey: 'sk-test', baseURL: sim.url, logger: silentLogger });
    expect(await all(p.listSessionEvents(id, { pageSize: 5 }))).toEqual(want);
    expect(p.requestCounts().reads).toBe(Math.ceil(want.length / 5));
    const before = p.requestCounts().reads;
    expect(await all(p.listSessionEvents(id, { pageSize: 5 }), 6)).toEqual(want.slice(0, 6));
    expect(p.requestCounts().reads - before).toBe(2);
    const capped = await all(p.listSessionEvents(id, { pageSize: 5, maxPages: 2 }));
    expect(capped).toEqual(want.slice(0, 10));
    const desc = await all(
      p.listSessionEvents(id, { order: 'desc', types: ['span.outcome_evaluation_end'] }),
    );
    expect(desc.map((e) => (e.type === 'span.outcome_evaluation_end' ? e.result : e.type))).toEqual([
      'satisfied',
      'needs_revision',
    ]);
  });

  it('a snapshot read with small pages (a scan of several pages, and the first task) agrees with one read with large pages', async () => {
    const id = await session('outcome_max_iterations', 'the first task');
    // A second turn: the snapshot's scan stops at its user event; the task is the first turn's.
    await c.beta.sessions.events.send(id, { events: [task('second turn')] });
    await settle(c, id);
    const small = createPlatform({
      apiKey: 'sk-test',
      baseURL: sim.url,
      logger: silentLogger,
      eventPageSize: 2,
    });
    const large = createPlatform({ apiKey: 'sk-test', baseURL: sim.url, logger: silentLogger });
    const a = await small.sessionSnapshot(id);
    const b = await large.sessionSnapshot(id);
    expect(a).toEqual(b);
    expect(a?.task).toBe('the first task');
    expect(a?.output).toMatch(/second turn/);
    expect(small.requestCounts().reads).toBeGreaterThan(large.requestCounts().reads);
    expect(await small.sessionSnapshot('sesn_missing')).toBeNull();
  });

  it('pendingToolUses names the tool call a blocked session waits on', async () => {
    const s = await c.beta.sessions.create({
      agent: ids.agent,
      environment_id: ids.environment,
      metadata: { sim_scenario: 'requires_action' },
      initial_events: [task('ask first')],
    });
    await settle(c, s.id);
    const p = createPlatform({ apiKey: 'sk-test', baseURL: sim.url, logger: silentLogger });
    const pending = await p.pendingToolUses(s.id);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ name: 'bash', input: { command: 'rm -rf ./build' } });
    expect(pending[0]?.eventId).toMatch(/^sevt_/);
    // One read for the idle event, one page of tool uses.
    expect(p.requestCounts().reads).toBe(2);
  });
});
