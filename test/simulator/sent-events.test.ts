// Sent events are read field by field: what events.send answers (and the session lists) is built
// from checked fields, and a malformed event is refused with 400 before anything of its batch applies.
import type Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { client, settle, setup, task } from './helpers.js';

let sim: RunningSimulator;
let c: Anthropic;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, timeScale: 0.005 });
  c = client(sim.url);
});
afterAll(() => sim.close());

async function idleSession(): Promise<string> {
  const { agent, environment } = await setup(c);
  const s = await c.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
  return s.id;
}

describe('sent events', () => {
  it('answers image, document and search result blocks as the SDK types them', async () => {
    const id = await idleSession();
    const sent = await c.beta.sessions.events.send(id, {
      events: [
        {
          type: 'user.message',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
            {
              type: 'document',
              source: { type: 'text', media_type: 'text/plain', data: 'notes' },
              title: 'Notes',
            },
          ],
        },
      ],
    });
    await settle(c, id);
    const result = await c.beta.sessions.events.send(id, {
      events: [
        {
          type: 'user.tool_result',
          tool_use_id: 'sevt_x',
          content: [
            {
              type: 'search_result',
              source: 'https://example.com',
              title: 'Example',
              content: [{ type: 'text', text: 'hit' }],
              citations: { enabled: true },
            },
          ],
        },
      ],
    });
    expect(sent.data?.[0]).toMatchObject({
      type: 'user.message',
      id: expect.stringMatching(/^sevt_/),
      content: [
        { type: 'text', text: 'look' },
        { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
        {
          type: 'document',
          source: { type: 'text', media_type: 'text/plain', data: 'notes' },
          title: 'Notes',
        },
      ],
    });
    expect(result.data?.[0]).toEqual({
      type: 'user.tool_result',
      id: expect.stringMatching(/^sevt_/),
      tool_use_id: 'sevt_x',
      content: [
        {
          type: 'search_result',
          source: 'https://example.com',
          title: 'Example',
          content: [{ type: 'text', text: 'hit' }],
          citations: { enabled: true },
        },
      ],
      processed_at: expect.any(String),
    });
  });

  it('refuses a malformed event with 400 and applies nothing of its batch', async () => {
    const id = await idleSession();
    const bad: unknown[] = [
      { type: 'user.message', content: [{ type: 'image', source: { type: 'ftp', url: 'x' } }] },
      { type: 'user.message', content: [{ type: 'text', text: 'x', extra: 1 }] },
      { type: 'user.tool_confirmation', tool_use_id: 'sevt_x', result: 'maybe' },
      { type: 'user.tool_result', tool_use_id: 'sevt_x', is_error: 'no' },
      { type: 'system.message', content: [{ type: 'image', source: { type: 'url', url: 'x' } }] },
      { type: 'user.define_outcome', description: 'd', rubric: { type: 'file' } },
    ];
    for (const e of bad) {
      const res = await fetch(`${sim.url}/v1/sessions/${id}/events`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer k',
          'anthropic-beta': 'managed-agents-2026-04-01',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ events: [task('first'), e] }),
      });
      expect({ e, status: res.status }).toEqual({ e, status: 400 });
    }
    expect((await c.beta.sessions.events.list(id)).data).toEqual([]);
  });
});
