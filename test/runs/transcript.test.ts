// The transcript service and its bounds, with an in-memory store and a counting platform: a final
// run is listed once and then read from the cache, a new turn is listed again, an oversized
// session is cut (and says so) while every kept event keeps the SDK's shape, and the run page
// lists a running run at most once per interval whatever the number of renders.
import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/platform/types.js';
import { boundEvents, TRANSCRIPT_LIMITS, transcriptFor } from '../../src/runs/transcript.js';
import type { Run, StoredTranscript, TranscriptStore } from '../../src/store/types.js';
import { LIVE_READ_INTERVAL_MS, RunTranscripts } from '../../src/web/transcript.js';
import { makeRun } from '../web/helpers.js';

function memoryStore(): TranscriptStore & { rows: Map<string, StoredTranscript>; saves: number } {
  const rows = new Map<string, StoredTranscript>();
  const s = {
    rows,
    saves: 0,
    async saveTranscript(t: StoredTranscript) {
      s.saves += 1;
      const held = rows.get(t.runId);
      if (!held || t.turn >= held.turn) rows.set(t.runId, t);
    },
    async getTranscript(id: string) {
      return rows.get(id) ?? null;
    },
  };
  return s;
}

const message = (i: number, text = `message ${i}`): SessionEvent =>
  ({
    type: 'agent.message',
    id: `sevt_${i}`,
    content: [{ type: 'text', text }],
    processed_at: '2026-11-30T10:00:00Z',
  }) as SessionEvent;

function countingPlatform(events: () => SessionEvent[]) {
  const p = {
    listings: 0,
    listSessionEvents(_id: string) {
      p.listings += 1;
      const list = events();
      return (async function* () {
        yield* list;
      })();
    },
  };
  return p;
}

const clock = { now: () => 1_000 };

describe('transcriptFor', () => {
  it('a final run: listed once, cached for its turn; a new turn is listed (and cached) again', async () => {
    const store = memoryStore();
    let events = [message(1), message(2)];
    const platform = countingPlatform(() => events);
    const run: Run = makeRun('sesn_1', { status: 'succeeded', turn: 1 });
    const first = await transcriptFor({ store, platform, clock }, run);
    expect(first).toMatchObject({ source: 'platform', final: true, eventCount: 2, truncated: false });
    const second = await transcriptFor({ store, platform: null, clock }, run);
    expect(second).toMatchObject({ source: 'cache', eventCount: 2 });
    expect(second.events).toEqual(first.events);
    expect(platform.listings).toBe(1);
    expect(store.saves).toBe(1);
    events = [...events, message(3)];
    const next = await transcriptFor({ store, platform, clock }, { ...run, turn: 2 });
    expect(next).toMatchObject({ source: 'platform', eventCount: 3 });
    expect(platform.listings).toBe(2);
    expect(store.rows.get('sesn_1')?.turn).toBe(2);
  });

  it('a running run is listed every time and never cached; without a platform it is refused with a code', async () => {
    const store = memoryStore();
    const platform = countingPlatform(() => [message(1)]);
    const run = makeRun('sesn_2', { status: 'running' });
    await transcriptFor({ store, platform, clock }, run);
    await transcriptFor({ store, platform, clock }, run);
    expect(platform.listings).toBe(2);
    expect(store.saves).toBe(0);
    await expect(transcriptFor({ store, platform: null, clock }, run)).rejects.toMatchObject({
      code: 'api_key_required',
    });
  });

  it('a failing cache write still returns the events, with the reason', async () => {
    const store = memoryStore();
    store.saveTranscript = async () => {
      throw new Error('disk full');
    };
    const t = await transcriptFor(
      { store, platform: countingPlatform(() => [message(1)]), clock },
      makeRun('sesn_3', { status: 'failed' }),
    );
    expect(t.events).toHaveLength(1);
    expect(t.cacheError).toBe('disk full');
  });

  it('an oversized session is cut to the limits, says so, and the kept events keep their shape', async () => {
    const store = memoryStore();
    const huge = message(2, 'x'.repeat(10_000));
    const events = [message(1), huge, ...Array.from({ length: 20 }, (_, i) => message(i + 3))];
    const limits = { maxEvents: 10, maxEventBytes: 2_000, maxTotalBytes: TRANSCRIPT_LIMITS.maxTotalBytes };
    const t = await transcriptFor(
      { store, platform: countingPlatform(() => events), clock, limits },
      makeRun('sesn_4', { status: 'succeeded' }),
    );
    expect(t).toMatchObject({ truncated: true, eventCount: 22 });
    expect(t.events).toHaveLength(10);
    const cut = t.events[1] as { type: string; id: string; content: { type: string; text: string }[] };
    expect(cut.type).toBe('agent.message');
    expect(cut.id).toBe('sevt_2');
    expect(cut.content[0]?.text).toMatch(/^x+… \[\d+ more characters not stored by agenthooks\]$/);
    expect(Buffer.byteLength(JSON.stringify(cut))).toBeLessThanOrEqual(2_000);
    const row = store.rows.get('sesn_4');
    expect(row).toMatchObject({ truncated: true, eventCount: 22 });
    expect(JSON.parse(row?.eventsJson ?? '')).toEqual(t.events);
  });

  it('boundEvents: the total byte cap stops the list; a small session is kept as it is', () => {
    const events = Array.from({ length: 50 }, (_, i) => message(i, 'y'.repeat(100)));
    const capped = boundEvents(events, { maxEvents: 1000, maxEventBytes: 10_000, maxTotalBytes: 2_000 });
    expect(capped.truncated).toBe(true);
    expect(Buffer.byteLength(capped.json)).toBeLessThanOrEqual(2_000);
    expect(capped.events.length).toBeGreaterThan(0);
    const small = boundEvents(events.slice(0, 3), TRANSCRIPT_LIMITS);
    expect(small).toEqual({
      events: events.slice(0, 3),
      json: JSON.stringify(events.slice(0, 3)),
      truncated: false,
    });
  });
});

describe('the run page', () => {
  it('a running run is listed at most once per interval, whatever the number of renders', async () => {
    let now = 10_000;
    const platform = countingPlatform(() => [message(1)]);
    const pages = new RunTranscripts(memoryStore(), platform as never, { now: () => now });
    const run = makeRun('sesn_live', { status: 'running' });
    for (let i = 0; i < 50; i++)
      expect(await pages.view(run)).toMatchObject({ live: true, source: 'platform' });
    expect(platform.listings).toBe(1);
    now += LIVE_READ_INTERVAL_MS;
    await pages.view(run);
    expect(platform.listings).toBe(2);
    // Once final it is listed (and cached) at once, then read from the store.
    const done = { ...run, status: 'succeeded' as const };
    for (let i = 0; i < 20; i++) expect(await pages.view(done)).toMatchObject({ live: false });
    expect(platform.listings).toBe(3);
  });
});
