import { describe, expect, it } from 'vitest';
import type { When } from '../../src/chains/pipeline.js';
import { evaluateWhen } from '../../src/chains/when.js';
import type { Run } from '../../src/store/types.js';

type Parent = Pick<Run, 'id' | 'status' | 'stopReason' | 'sessionStatus' | 'outcomeResult'>;
const run = (over: Partial<Parent>): Parent => ({
  id: 'sesn_parent',
  status: 'succeeded',
  stopReason: 'end_turn',
  sessionStatus: 'idle',
  outcomeResult: null,
  ...over,
});

const ok = run({});
const satisfied = run({ outcomeResult: 'satisfied' });
const gradedFailed = run({ status: 'failed', outcomeResult: 'failed' });
const refusal = run({ status: 'failed', stopReason: 'refusal' });
const terminated = run({ status: 'failed', stopReason: null, sessionStatus: 'terminated' });
const running = run({ status: 'running', stopReason: null, sessionStatus: 'running' });

describe('when', () => {
  it('success, failure and always follow the run status', () => {
    const cases: Array<[When, Parent, boolean]> = [
      [{ kind: 'success' }, ok, true],
      [{ kind: 'success' }, satisfied, true],
      [{ kind: 'success' }, gradedFailed, false],
      [{ kind: 'success' }, refusal, false],
      [{ kind: 'failure' }, refusal, true],
      [{ kind: 'failure' }, terminated, true],
      [{ kind: 'failure' }, ok, false],
      [{ kind: 'always' }, ok, true],
      [{ kind: 'always' }, terminated, true],
    ];
    for (const [when, parent, met] of cases)
      expect(evaluateWhen(when, parent).met, JSON.stringify([when, parent])).toBe(met);
  });

  it('lists match the stop reason or the terminal outcome result', () => {
    const when: When = { kind: 'match', stopReasons: ['refusal', 'terminated'], outcomeResults: ['failed'] };
    expect(evaluateWhen(when, refusal).met).toBe(true);
    expect(evaluateWhen(when, terminated).met).toBe(true);
    expect(evaluateWhen(when, gradedFailed).met).toBe(true);
    expect(evaluateWhen(when, ok).met).toBe(false);
    expect(
      evaluateWhen({ kind: 'match', stopReasons: [], outcomeResults: ['satisfied'] }, satisfied).met,
    ).toBe(true);
  });

  it('never starts a step from a run without a final outcome, even with always', () => {
    const r = evaluateWhen({ kind: 'always' }, running);
    expect(r.met).toBe(false);
    expect(r.reason).toContain('no final outcome');
  });

  it('explains a skip with what was expected and what the parent did', () => {
    const r = evaluateWhen({ kind: 'success' }, refusal);
    expect(r.reason).toBe('when: success not met: parent run sesn_parent ended failed, stop reason refusal');
  });
});

describe('a cancelled parent', () => {
  it('starts no follow-up, whatever the when, and the reason says it was cancelled', () => {
    const cancelled = run({ status: 'cancelled', outcomeResult: 'interrupted' });
    const whens: When[] = [
      { kind: 'success' },
      { kind: 'failure' },
      { kind: 'always' },
      { kind: 'match', stopReasons: ['end_turn'], outcomeResults: ['interrupted'] },
    ];
    for (const when of whens) {
      const r = evaluateWhen(when, cancelled);
      expect(r.met).toBe(false);
      expect(r.reason).toContain('parent run sesn_parent was cancelled');
    }
  });
});
