// Every scenario's final state and the outcome grading loop, read through the SDK and checked
// against the engine's own expectedFinal.
import type Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectedFinal,
  type RunningSimulator,
  SCENARIOS,
  startSimulator,
} from '../../src/simulator/index.js';
import { client, ManualTimers, settle, setup, task, waitFor } from './helpers.js';

let sim: RunningSimulator;
let c: Anthropic;
let ids: { agent: string; environment: string };

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, timeScale: 0.005 });
  c = client(sim.url);
  const { agent, environment } = await setup(c);
  ids = { agent: agent.id, environment: environment.id };
});
afterAll(async () => {
  await sim.close();
});

async function lastIdle(id: string) {
  const page = await c.beta.sessions.events.list(id, {
    types: ['session.status_idle'],
    order: 'desc',
    limit: 1,
  });
  const e = page.data[0];
  return e?.type === 'session.status_idle' ? e : undefined;
}

const outcome = (maxIterations?: number) => ({
  type: 'user.define_outcome' as const,
  description: 'Write a haiku about TCP',
  rubric: { type: 'text' as const, content: '- 3 lines\n- mentions handshakes' },
  ...(maxIterations === undefined ? {} : { max_iterations: maxIterations }),
});

describe('scenarios', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario}: ends as expectedFinal says`, async () => {
      const budget =
        scenario === 'budget_reached'
          ? { type: 'limit' as const, max_list_cost: { amount: '50', currency: 'USD' as const } }
          : undefined;
      const s = await c.beta.sessions.create({
        agent: ids.agent,
        environment_id: ids.environment,
        metadata: { sim_scenario: scenario },
        initial_events: [task(`run ${scenario}`)],
        ...(budget ? { budget } : {}),
      });
      const done = await settle(c, s.id);
      const want = expectedFinal(scenario);
      expect(done.status).toBe(want.status);
      if (want.stopReason) expect((await lastIdle(s.id))?.stop_reason.type).toBe(want.stopReason);
      if (scenario === 'terminated') {
        const errors = await c.beta.sessions.events.list(s.id, { types: ['session.error'] });
        expect(errors.data[0]?.type === 'session.error' && errors.data[0].error.retry_status.type).toBe(
          'terminal',
        );
      }
      if (scenario === 'refusal')
        expect((await lastIdle(s.id))?.stop_details?.category).toBe('general_harms');
      if (scenario === 'budget_reached') {
        expect(Number(done.usage.list_cost?.amount)).toBeGreaterThanOrEqual(50);
        await expect(c.beta.sessions.events.send(s.id, { events: [task('more')] })).rejects.toMatchObject({
          status: 400,
        });
      }
      if (scenario === 'multiagent') {
        const threads = [];
        for await (const t of c.beta.sessions.threads.list(s.id)) threads.push(t);
        expect(threads).toHaveLength(3);
        expect(threads.filter((t) => t.parent_thread_id !== null).every((t) => t.status === 'idle')).toBe(
          true,
        );
        const child = threads.find((t) => t.parent_thread_id !== null);
        expect(
          (await c.beta.sessions.threads.retrieve(child?.id ?? '', { session_id: s.id })).session_id,
        ).toBe(s.id);
      }
      if (scenario === 'requires_action') {
        const idle = await lastIdle(s.id);
        const toolId = idle?.stop_reason.type === 'requires_action' ? idle.stop_reason.event_ids[0] : '';
        expect(toolId).toMatch(/^sevt_/);
        await c.beta.sessions.events.send(s.id, {
          events: [{ type: 'user.tool_confirmation', tool_use_id: toolId, result: 'allow' }],
        });
        await waitFor(
          async () => ((await lastIdle(s.id))?.stop_reason.type === 'end_turn' ? true : undefined),
          'resumed turn',
        );
      }
    });
  }

  const graded: Array<[string, number | undefined]> = [
    ['success', undefined],
    ['outcome_revise_then_satisfied', undefined],
    ['outcome_max_iterations', 4],
    ['outcome_failed', undefined],
  ];
  for (const [scenario, max] of graded) {
    it(`${scenario} with an outcome: evaluations end as expectedFinal says`, async () => {
      const s = await c.beta.sessions.create({
        agent: ids.agent,
        environment_id: ids.environment,
        metadata: { sim_scenario: scenario },
        initial_events: [outcome(max)],
      });
      expect(s.outcome_evaluations[0]?.result).toMatch(/pending|running/);
      const done = await waitFor(async () => {
        const x = await c.beta.sessions.retrieve(s.id);
        return x.status === 'idle' ? x : undefined;
      }, 'idle');
      const want = expectedFinal(scenario as never, { maxIterations: max });
      expect(done.outcome_evaluations).toHaveLength(1);
      const ev = done.outcome_evaluations[0];
      expect(ev.result).toBe(want.outcomeResult);
      expect(ev.outcome_id).toMatch(/^outc_/);
      expect(ev.completed_at).not.toBeNull();
      expect(ev.iteration).toBe(want.evaluationResults.length - 1);
      const ends = await c.beta.sessions.events.list(s.id, {
        types: ['span.outcome_evaluation_end'],
        limit: 50,
      });
      expect(ends.data.map((e) => (e.type === 'span.outcome_evaluation_end' ? e.result : ''))).toEqual(
        want.evaluationResults,
      );
      const starts = await c.beta.sessions.events.list(s.id, {
        types: ['span.outcome_evaluation_start'],
        limit: 50,
      });
      expect(starts.data).toHaveLength(want.evaluationResults.length);
    });
  }

  it('an interrupt during an active outcome ends the turn and marks it interrupted', async () => {
    const s = await c.beta.sessions.create({
      agent: ids.agent,
      environment_id: ids.environment,
      metadata: { sim_duration_ms: '1000000' },
      initial_events: [outcome()],
    });
    await c.beta.sessions.events.send(s.id, { events: [{ type: 'user.interrupt' }] });
    const after = await c.beta.sessions.retrieve(s.id);
    expect(after.status).toBe('idle');
    expect(after.outcome_evaluations[0]?.result).toBe('interrupted');
    expect((await lastIdle(s.id))?.stop_reason.type).toBe('end_turn');
    const end = (await c.beta.sessions.events.list(s.id, { types: ['span.outcome_evaluation_end'] })).data[0];
    expect(end?.type === 'span.outcome_evaluation_end' && end.outcome_evaluation_start_id).toBe('');
  });

  it('a message sent while running is queued and processed after the turn (manual timers)', async () => {
    const timers = new ManualTimers();
    const manual = await startSimulator({ seed: 3, timers });
    try {
      const mc = client(manual.url);
      const { agent, environment } = await setup(mc);
      const s = await mc.beta.sessions.create({
        agent: agent.id,
        environment_id: environment.id,
        initial_events: [task('first')],
      });
      const echo = await mc.beta.sessions.events.send(s.id, { events: [task('second')] });
      expect(echo.data?.[0]?.type === 'user.message' && echo.data[0].processed_at).toBeNull();
      expect((await mc.beta.sessions.retrieve(s.id)).status).toBe('running');
      timers.runAll();
      const types = (await mc.beta.sessions.events.list(s.id, { limit: 100 })).data.map((e) => e.type);
      expect(types.filter((t) => t === 'session.status_idle')).toHaveLength(2);
      expect(types.filter((t) => t === 'agent.message')).toHaveLength(2);
      const second = (await mc.beta.sessions.events.list(s.id, { types: ['user.message'] })).data[1];
      expect(second?.type === 'user.message' && second.processed_at).toMatch(/Z$/);
      expect((await mc.beta.sessions.retrieve(s.id)).status).toBe('idle');
    } finally {
      await manual.close();
    }
  });

  it('is deterministic: the same seed gives the same ids and replies', async () => {
    const run = async () => {
      const other = await startSimulator({ seed: 99, timeScale: 0.005 });
      try {
        const oc = client(other.url);
        const { agent, environment } = await setup(oc);
        const s = await oc.beta.sessions.create({
          agent: agent.id,
          environment_id: environment.id,
          initial_events: [task('same')],
        });
        await settle(oc, s.id);
        const events = await oc.beta.sessions.events.list(s.id);
        return {
          id: s.id,
          events: events.data.map((e) => [e.id, e.type, e.type === 'agent.message' ? e.content : null]),
        };
      } finally {
        await other.close();
      }
    };
    expect(await run()).toEqual(await run());
  });
});
