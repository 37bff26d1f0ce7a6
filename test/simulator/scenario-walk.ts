// The second half of the coverage walk: every scenario played through the SDK, so that the answers
// it records hold every kind of event the simulator emits (errors, refusals, tool use and its
// confirmation, outcome spans, budgets, child threads, queued messages, interrupts, the events a
// client sends, and the deltas of a stream), not only those of one successful turn.
import type Anthropic from '@anthropic-ai/sdk';
import type { BetaManagedAgentsSession } from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import { SCENARIOS } from '../../src/simulator/index.js';
import { task, waitFor } from './helpers.js';

type Beta = Anthropic['beta'];

const outcome = {
  type: 'user.define_outcome' as const,
  description: 'Write a haiku about TCP',
  rubric: { type: 'text' as const, content: '- 3 lines' },
  max_iterations: 3,
};

function settled(b: Beta, id: string): Promise<BetaManagedAgentsSession> {
  return waitFor(async () => {
    const s = await b.sessions.retrieve(id);
    const grading = s.outcome_evaluations.some((o) =>
      ['pending', 'running', 'evaluating'].includes(o.result),
    );
    return s.status === 'running' || s.status === 'rescheduling' || (grading && s.status !== 'idle')
      ? undefined
      : s;
  }, `session ${id} to settle`);
}

/**
 * Lists every event of the session and of its threads in one page each, and streams each child
 * thread from its first event on (a reconnect with Last-Event-ID replays the rest).
 */
async function listAll(b: Beta, s: BetaManagedAgentsSession): Promise<void> {
  await b.sessions.events.list(s.id, { limit: 1000 });
  const threads = await b.sessions.threads.list(s.id);
  for (const t of threads.data) {
    const listed = await b.sessions.threads.events.list(t.id, { session_id: s.id, limit: 1000 });
    const [first, ...rest] = listed.data;
    if (t.parent_thread_id === null || !first || rest.length === 0) continue;
    const stream = await b.sessions.threads.events.stream(
      t.id,
      { session_id: s.id },
      { headers: { 'last-event-id': first.id } },
    );
    let seen = 0;
    for await (const _ of stream) if (++seen === rest.length) break;
  }
}

export async function playEveryScenario(b: Beta): Promise<void> {
  const agent = await b.agents.create({ name: 'scenarios', model: 'claude-sonnet-4-6' });
  const env = await b.environments.create({ name: 'scenarios' });
  const base = { agent: agent.id, environment_id: env.id };

  for (const scenario of SCENARIOS) {
    const s = await b.sessions.create({
      ...base,
      metadata: { sim_scenario: scenario },
      initial_events: scenario.startsWith('outcome_') ? [outcome] : [task(scenario)],
    });
    const done = await settled(b, s.id);
    if (scenario === 'requires_action' && done.status === 'idle') {
      const uses = await b.sessions.events.list(s.id, { types: ['agent.tool_use'] });
      const toolUse = uses.data[0];
      await b.sessions.events.send(s.id, {
        events: [{ type: 'user.tool_confirmation', tool_use_id: toolUse?.id ?? '', result: 'allow' }],
      });
      await settled(b, s.id);
    }
    if (scenario === 'budget_reached')
      await b.sessions.update(s.id, {
        budget: { type: 'limit', max_list_cost: { amount: '500', currency: 'USD' } },
      });
    await listAll(b, await settled(b, s.id));
  }

  // A live session: a streamed turn with deltas, a message queued behind it, an interrupt, an
  // outcome interrupted before its first evaluation, and the other events a client may send.
  const live = await b.sessions.create(base);
  const stream = await b.sessions.events.stream(live.id, { event_deltas: ['agent.message'] });
  await b.sessions.events.send(live.id, { events: [task('first'), task('queued behind the first')] });
  for await (const e of stream) if (e.type === 'session.status_idle') break;
  await b.sessions.events.send(live.id, { events: [outcome] });
  await b.sessions.events.send(live.id, { events: [{ type: 'user.interrupt' }] });
  await settled(b, live.id);
  await b.sessions.events.send(live.id, {
    events: [
      {
        type: 'user.custom_tool_result',
        custom_tool_use_id: 'sevt_none',
        content: [{ type: 'text', text: 'ok' }],
      },
      { type: 'user.tool_result', tool_use_id: 'sevt_none', is_error: false },
      { type: 'system.message', content: [{ type: 'text', text: 'Be brief.' }] },
    ],
  });
  await listAll(b, await settled(b, live.id));
}
