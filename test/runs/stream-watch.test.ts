// The stream watcher of serve --no-webhooks, its slot rules driven step by step: a scripted hub
// stands in for the session hub (the real one is exercised end to end in test/e2e/no-webhooks), while
// the sessions, the refreshes and the store are real (the simulator over sockets, SQLite).
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import type { SessionEvent } from '../../src/platform/types.js';
import { refreshSession } from '../../src/runs/refresh.js';
import { updateRun } from '../../src/runs/save.js';
import type { SessionHub } from '../../src/runs/session-hub.js';
import { changesRun, StreamWatcher } from '../../src/runs/stream-watch.js';
import { type Env, setup } from '../e2e/helpers.js';
import { until as poll } from '../support/until.js';

/** The shared poll loop with this file's own time limit. */
const until = <T>(fn: () => Promise<T | null | undefined | false>, what: string, ms = 15_000): Promise<T> =>
  poll(fn, what, ms, 20);

let env: Env | null = null;
afterEach(async () => {
  await env?.close();
  env = null;
});

type End = 'terminated' | 'error' | 'closed';
interface Sub {
  sessionId: string;
  afterId: string | null;
  onEvent: (e: SessionEvent) => void;
  onEnd?: (reason: End) => void;
  open: boolean;
}

/** Records subscriptions; the test plays events into them. */
function scriptedHub(): Pick<SessionHub, 'subscribe'> & { subs: Sub[]; open(): Sub[] } {
  const subs: Sub[] = [];
  return {
    subs,
    open: () => subs.filter((s) => s.open),
    subscribe(sessionId, onEvent, options) {
      const sub: Sub = {
        sessionId,
        afterId: options?.afterId ?? null,
        onEvent,
        onEnd: options?.onEnd,
        open: true,
      };
      subs.push(sub);
      return () => {
        sub.open = false;
      };
    },
  };
}

const idleEvent = (id: string) =>
  ({
    type: 'session.status_idle',
    id,
    processed_at: new Date().toISOString(),
    stop_reason: { type: 'end_turn' },
  }) as unknown as SessionEvent;

/** Long-running sessions (a minute of simulated work), each with its run stored as running. */
async function runningSessions(e: Env, n: number): Promise<string[]> {
  const agent = await e.platform.ensureAgent('watch', { model: 'claude-sonnet-4-6' });
  const environment = await e.platform.ensureEnvironment('watch', {});
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = await e.platform.createSession({
      agent: agent.id,
      environment_id: environment.id,
      initial_events: [{ type: 'user.message', content: [{ type: 'text', text: `watch ${i}` }] }],
      metadata: { sim_scenario: 'success' },
    });
    const deps = { store: e.store, platform: e.platform, clock: systemClock, logger: silentLogger };
    await until(
      async () => (await refreshSession(deps, s.id, 'launch')).run.status === 'running',
      `${s.id} to run`,
    );
    ids.push(s.id);
  }
  return ids;
}

function watcher(e: Env, hub: Pick<SessionHub, 'subscribe'>, maxStreams: number): StreamWatcher {
  return new StreamWatcher(
    { store: e.store, platform: e.platform, hub, clock: systemClock, logger: silentLogger },
    { maxStreams, scanIntervalMs: 0, pollMinMs: 60_000, pollMaxMs: 60_000, coalesceMs: 1 },
  );
}

describe('stream watcher', () => {
  it('refreshes on status events only', () => {
    for (const t of [
      'session.status_idle',
      'session.status_running',
      'session.status_terminated',
      'session.status_rescheduled',
      'session.error',
      'session.deleted',
      'span.outcome_evaluation_end',
    ])
      expect(changesRun(t), t).toBe(true);
    for (const t of ['agent.message', 'agent.tool_use', 'session.thread_status_idle', 'user.message'])
      expect(changesRun(t), t).toBe(false);
  });

  it('--max-streams 1: one session streamed, the others polled; a final run frees its slot for a polled one', async () => {
    env = await setup({ timeScale: 1, durationMs: 120_000 });
    const e = env;
    const ids = await runningSessions(e, 3);
    const hub = scriptedHub();
    const w = watcher(e, hub, 1);
    await w.round();
    expect(w.streams()).toBe(1);
    expect(w.polled()).toBe(2);
    expect(hub.open()).toHaveLength(1);
    const first = hub.open()[0]!;
    expect(first.afterId).toBeNull();
    // The polled two were read once at once; the streamed one waits for its stream.
    expect(w.stats.polls).toBe(2);

    // The streamed session ends (interrupted on the platform); its idle event comes down the stream.
    await e.platform.interruptSession(first.sessionId);
    await until(
      async () => (await e.platform.sessionSnapshot(first.sessionId))?.status === 'idle',
      'the interrupted session to idle',
    );
    first.onEvent({ type: 'agent.message', id: 'sevt_msg' } as unknown as SessionEvent);
    first.onEvent(idleEvent('sevt_idle_1'));
    const run = await until(async () => {
      const r = await e.store.getRun(first.sessionId);
      return r?.status === 'cancelled' ? r : null;
    }, 'the streamed run to be final');
    const history = await e.store.runHistory(run.id);
    expect(history.at(-1)?.source).toBe('sevt_idle_1');
    await until(async () => !first.open, 'the final run to leave its stream');

    // Its slot goes to one of the polled sessions.
    await w.round();
    expect(hub.open()).toHaveLength(1);
    const second = hub.open()[0]!;
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(ids).toContain(second.sessionId);
    expect(w.streams()).toBe(1);
    expect(w.polled()).toBe(1);
    await w.stop();
    expect(hub.open()).toHaveLength(0);
  });

  it('a stream that fails leaves its session polled and its slot to another', async () => {
    env = await setup({ timeScale: 1, durationMs: 120_000 });
    const e = env;
    await runningSessions(e, 2);
    const hub = scriptedHub();
    const w = watcher(e, hub, 1);
    await w.round();
    const first = hub.open()[0]!;
    first.onEvent({ type: 'agent.message', id: 'sevt_last_seen' } as unknown as SessionEvent);
    first.onEnd?.('error');
    expect(w.streams()).toBe(0);
    await w.round();
    // The other session takes the slot; the failed one is polled and not streamed again at once.
    const second = hub.open().find((s) => s !== first)!;
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(w.streams()).toBe(1);
    expect(w.polled()).toBe(1);
    await w.stop();
  });

  it('a running session takes the stream of a blocked one when no slot is free', async () => {
    env = await setup({ timeScale: 1, durationMs: 120_000 });
    const e = env;
    const [waiting] = await runningSessions(e, 1);
    // As if it waited on a tool confirmation: blocked runs hold a stream only while none is needed.
    await updateRun(e.store, waiting!, (held) => ({
      run: { ...held!, status: 'blocked' },
      changed: true,
      history: null,
    }));
    const hub = scriptedHub();
    const w = watcher(e, hub, 1);
    await w.round();
    expect(hub.open().map((s) => s.sessionId)).toEqual([waiting]);
    const [running] = await runningSessions(e, 1);
    await w.round();
    expect(hub.open().map((s) => s.sessionId)).toEqual([running]);
    expect(w.streams()).toBe(1);
    expect(w.polled()).toBe(1);
    await w.stop();
  });

  it('--max-streams 0 polls every session until it is final', async () => {
    env = await setup();
    const e = env;
    const agent = await e.platform.ensureAgent('poll', { model: 'claude-sonnet-4-6' });
    const environment = await e.platform.ensureEnvironment('poll', {});
    const deps = { store: e.store, platform: e.platform, clock: systemClock, logger: silentLogger };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await e.platform.createSession({
        agent: agent.id,
        environment_id: environment.id,
        initial_events: [{ type: 'user.message', content: [{ type: 'text', text: `poll ${i}` }] }],
        metadata: { sim_scenario: 'success' },
      });
      await refreshSession(deps, s.id, 'launch');
      ids.push(s.id);
    }
    const hub = scriptedHub();
    const w = new StreamWatcher(
      { ...deps, hub },
      { maxStreams: 0, scanIntervalMs: 50, pollMinMs: 50, pollMaxMs: 200 },
    );
    w.start();
    try {
      await until(async () => {
        for (const id of ids) if ((await e.store.getRun(id))?.status !== 'succeeded') return false;
        return true;
      }, 'every polled run to succeed');
    } finally {
      await w.stop();
    }
    expect(hub.subs).toHaveLength(0);
    for (const id of ids) expect((await e.store.runHistory(id)).at(-1)?.source).toBe('poll');
  });
});
