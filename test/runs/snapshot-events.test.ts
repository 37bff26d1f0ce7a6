// What a snapshot reads from the session's events: every graded iteration (span events) and
// whether a user.interrupt ended the turn.
import type { BetaManagedAgentsSessionEvent } from '@anthropic-ai/sdk/resources/beta/sessions/events';
import type { BetaManagedAgentsSession } from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../src/platform/snapshot.js';

const session = (evals: unknown[]) =>
  ({
    id: 'sesn_1',
    status: 'idle',
    created_at: '2026-11-20T10:00:00Z',
    updated_at: '2026-11-20T10:01:00Z',
    archived_at: null,
    metadata: {},
    outcome_evaluations: evals,
  }) as unknown as BetaManagedAgentsSession;

const end = (id: string, iteration: number, result: string, explanation: string) =>
  ({
    id,
    type: 'span.outcome_evaluation_end',
    outcome_id: 'outc_1',
    outcome_evaluation_start_id: `start_${id}`,
    iteration,
    result,
    explanation,
    processed_at: `2026-11-20T10:00:${10 + iteration}Z`,
  }) as unknown as BetaManagedAgentsSessionEvent;
const ev = (o: object) => o as unknown as BetaManagedAgentsSessionEvent;
const idle = ev({ id: 'e_idle', type: 'session.status_idle', stop_reason: { type: 'end_turn' } });
const user = ev({ id: 'e_user', type: 'user.message', content: [{ type: 'text', text: 'go' }] });

describe('buildSnapshot', () => {
  it('lists every iteration from the span events, not only the session’s latest grade', () => {
    const s = buildSnapshot(
      session([
        { outcome_id: 'outc_1', description: 'd', result: 'satisfied', explanation: 'ok', iteration: 1 },
      ]),
      [idle, end('e2', 1, 'satisfied', 'ok'), end('e1', 0, 'needs_revision', 'missing x'), user],
      'go',
    );
    expect(s.evaluations.map((e) => [e.iteration, e.result, e.explanation, e.description])).toEqual([
      [0, 'needs_revision', 'missing x', 'd'],
      [1, 'satisfied', 'ok', 'd'],
    ]);
    expect(s.interrupted).toBe(false);
  });

  it('keeps the session’s entry for an iteration still being graded', () => {
    const s = buildSnapshot(
      session([{ outcome_id: 'outc_1', result: 'evaluating', iteration: 1 }]),
      [end('e1', 0, 'needs_revision', 'no'), user],
      'go',
    );
    expect(s.evaluations.map((e) => e.result)).toEqual(['needs_revision', 'evaluating']);
  });

  it('an interrupt before the idle event ended the turn; one after it changed nothing', () => {
    const interrupt = ev({ id: 'e_int', type: 'user.interrupt' });
    expect(buildSnapshot(session([]), [idle, interrupt, user], 'go').interrupted).toBe(true);
    expect(buildSnapshot(session([]), [interrupt, idle, user], 'go').interrupted).toBe(false);
  });

  it('reads the list cost as whole cents, rounding a fraction', () => {
    const costed = (amount: unknown) =>
      buildSnapshot(
        { ...session([]), usage: { input_tokens: 1, list_cost: { amount, currency: 'USD' } } } as never,
        [],
        'go',
      ).usage?.costCents;
    expect(costed('137')).toBe(137);
    expect(costed('137.5')).toBe(138);
    expect(costed('12.25')).toBe(12);
    expect(costed('n/a')).toBeNull();
    expect(costed(null)).toBeNull();
  });
});
