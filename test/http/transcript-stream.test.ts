// GET /api/runs/:id/transcript/stream on a real serve over the simulator: two page clients (one
// asking for HTML fragments) and a CLI follower (with no API key of its own, so it can only read
// through serve) share ONE upstream stream to the platform, and each gets every event once, in the
// listing's order. Resuming with Last-Event-ID or ?after= starts after that event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followRunEvents } from '../../src/cli/transcript-follow.js';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import type { SessionEvent } from '../../src/platform/types.js';
import { createRuntime } from '../../src/runtime.js';
import { API_KEY, type Env, emptyConfig, type Serving, setup, startServe } from '../e2e/helpers.js';
import { client, setup as setupAgent, task, waitFor } from '../simulator/helpers.js';

let env: Env;
let serve: Serving;
let ids: { agent: string; environment: string };

beforeAll(async () => {
  env = await setup();
  serve = await startServe(env);
  env.sim.addWebhook(`${serve.url}/webhooks`);
  const made = await setupAgent(client(env.sim.url, API_KEY));
  ids = { agent: made.agent.id, environment: made.environment.id };
});
afterAll(async () => {
  await serve?.close();
  await env?.close();
});

interface Frame {
  event: string;
  id: string | null;
  data: string;
}

/** An SSE client on fetch, as a page's EventSource reads the endpoint. */
function sse(path: string, headers: Record<string, string> = {}) {
  const frames: Frame[] = [];
  const controller = new AbortController();
  const done = (async () => {
    const res = await fetch(`${serve.url}${path}`, { headers, signal: controller.signal });
    const status = res.status;
    if (status !== 200 || !res.body) return { status, body: await res.text() };
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let cut = buffer.indexOf('\n\n'); cut !== -1; cut = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const f: Frame = { event: 'message', id: null, data: '' };
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) f.event = line.slice(7);
            else if (line.startsWith('id: ')) f.id = line.slice(4);
            else if (line.startsWith('data: ')) f.data = line.slice(6);
          }
          if (f.data) frames.push(f);
        }
      }
    } catch {
      // aborted by the test
    }
    return { status, body: '' };
  })();
  const eventIds = () => frames.filter((f) => f.event !== 'end').map((f) => f.id);
  const sawIdle = () => (frames.some((f) => f.data.includes('session.status_idle')) ? true : undefined);
  return { frames, done, eventIds, sawIdle, close: () => controller.abort() };
}

async function listed(id: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of env.platform.listSessionEvents(id)) out.push(e.id);
  return out;
}

/** A session whose one turn takes about a second, stored as a run by serve's worker. */
async function slowRun(): Promise<string> {
  const s = await client(env.sim.url, API_KEY).beta.sessions.create({
    agent: ids.agent,
    environment_id: ids.environment,
    metadata: { sim_duration_ms: '100000' },
  });
  await client(env.sim.url, API_KEY).beta.sessions.events.send(s.id, { events: [task('watch me')] });
  await waitFor(async () => ((await env.store.getRun(s.id)) ? true : undefined), 'serve to store the run');
  return s.id;
}

describe('GET /api/runs/:id/transcript/stream', () => {
  it('two pages and a CLI follower share one upstream stream; each sees every event once, in order', async () => {
    const id = await slowRun();
    const page = sse(`/api/runs/${id}/transcript/stream?html=1`);
    const other = sse(`/api/runs/${id}/transcript/stream`, { accept: 'text/event-stream' });

    // The CLI side: no platform of its own, so its events can only come through serve.
    const cliRuntime = createRuntime({
      store: env.store,
      platform: null,
      clock: systemClock,
      logger: silentLogger,
      configFile: emptyConfig,
    });
    const stop = new AbortController();
    const cliEvents: SessionEvent[] = [];
    let source = '';
    const cli = (async () => {
      for await (const e of followRunEvents(cliRuntime, id, {
        signal: stop.signal,
        onSource: (s) => {
          source = s;
        },
      })) {
        cliEvents.push(e);
        if (e.type === 'session.status_idle') stop.abort();
      }
    })();

    await waitFor(() => (page.frames.length > 0 && other.frames.length > 0 ? true : undefined), 'both pages');
    await waitFor(() => (cliEvents.length > 0 ? true : undefined), 'the CLI follower');
    expect(env.sim.openStreams()).toBe(1);
    const metrics = await (await fetch(`${serve.url}/metrics`)).text();
    expect(metrics).toMatch(/^agenthooks_session_streams 1$/m);
    expect(metrics).toMatch(/^agenthooks_session_stream_buffered_events [1-9]\d*$/m);

    await waitFor(page.sawIdle, 'the page to see idle');
    await waitFor(other.sawIdle, 'the other page to see idle');
    await cli;
    expect(env.sim.openStreams()).toBe(1);
    expect(source).toBe('serve');

    const all = await listed(id);
    expect(page.eventIds()).toEqual(all);
    expect(other.eventIds()).toEqual(all);
    expect(cliEvents.map((e) => e.id)).toEqual(all);
    // Pages get the transcript fragment, other clients the SDK event.
    expect(page.frames.every((f) => f.event === 'html')).toBe(true);
    const first = JSON.parse(page.frames[0].data) as string;
    expect(first).toMatch(new RegExp(`^<li [^>]*data-event-id="${all[0]}"`));
    expect(other.frames.map((f) => (JSON.parse(f.data) as SessionEvent).id)).toEqual(all);

    page.close();
    other.close();
    await waitFor(() => (env.sim.openStreams() === 0 ? true : undefined), 'the upstream to close');
  });

  it('resumes after Last-Event-ID, or ?after=', async () => {
    const id = await slowRun();
    const full = sse(`/api/runs/${id}/transcript/stream`);
    await waitFor(full.sawIdle, 'the run');
    full.close();
    const all = await listed(id);
    const byHeader = sse(`/api/runs/${id}/transcript/stream`, { 'last-event-id': all[1] });
    const byQuery = sse(`/api/runs/${id}/transcript/stream?after=${all[3]}`);
    await waitFor(byHeader.sawIdle, 'the header resume');
    await waitFor(byQuery.sawIdle, 'the query resume');
    expect(byHeader.eventIds()).toEqual(all.slice(2));
    expect(byQuery.eventIds()).toEqual(all.slice(4));
    byHeader.close();
    byQuery.close();
  });

  it('answers run_not_found for a run that is not stored', async () => {
    const r = await sse('/api/runs/sesn_nope/transcript/stream').done;
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'run_not_found' } });
  });
});
