// The pure run-state machine (DESIGN.md semantics 4 and 5).
import { describe, expect, it } from 'vitest';
import type { SessionSnapshot } from '../../src/platform/types.js';
import {
  type ApplyResult,
  applyDeleted,
  applySnapshot,
  compareKeys,
  DELETED_KEY,
  deriveOutcome,
  isFinal,
  iterationNumber,
  mergeEvaluations,
  snapshotKey,
} from '../../src/runs/state.js';
import type { Run } from '../../src/store/types.js';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function snap(o: Partial<SessionSnapshot> & { t: number }): SessionSnapshot {
  const { t, ...rest } = o;
  return {
    id: 'sesn_1',
    status: 'running',
    createdAt: at(0),
    updatedAt: at(t),
    archivedAt: null,
    title: null,
    agentId: 'agent_1',
    agentName: 'default',
    agentVersion: 1,
    environmentId: 'env_1',
    deploymentId: null,
    metadata: {},
    evaluations: [],
    usage: null,
    stopReason: null,
    error: null,
    output: null,
    task: 'do it',
    started: true,
    lastUserEventId: 'sevt_u1',
    interrupted: false,
    ...rest,
  };
}

const ev = (iteration: number, result: string) => ({
  outcomeId: 'outc_1',
  description: 'do it',
  result,
  explanation: null,
  iteration,
  completedAt: null,
});

const ctx = { now: T0, source: 'test' };

/** Applies snapshots in order, returning the run and the history entries written. */
function play(snaps: SessionSnapshot[], start: Run | null = null) {
  let run: Run | null = start;
  const history: NonNullable<ApplyResult['history']>[] = [];
  for (const s of snaps) {
    const r = applySnapshot(run, s, ctx);
    if (r.changed) run = { ...r.run, version: (run?.version ?? 0) + 1 };
    if (r.history) history.push(r.history);
  }
  return { run: run!, history };
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

describe('deriveOutcome (semantics 5)', () => {
  const cases: Array<[string, Partial<SessionSnapshot>, string, string | null]> = [
    ['end_turn without outcome', { status: 'idle', stopReason: 'end_turn' }, 'succeeded', null],
    [
      'end_turn + satisfied',
      { status: 'idle', stopReason: 'end_turn', evaluations: [ev(0, 'satisfied')] },
      'succeeded',
      'satisfied',
    ],
    [
      'end_turn + max_iterations_reached',
      { status: 'idle', stopReason: 'end_turn', evaluations: [ev(2, 'max_iterations_reached')] },
      'failed',
      'max_iterations_reached',
    ],
    [
      'end_turn + failed',
      { status: 'idle', stopReason: 'end_turn', evaluations: [ev(0, 'failed')] },
      'failed',
      'failed',
    ],
    [
      'end_turn + interrupted',
      { status: 'idle', stopReason: 'end_turn', evaluations: [ev(0, 'interrupted')] },
      'cancelled',
      'interrupted',
    ],
    [
      'end_turn, outcome still evaluating',
      { status: 'idle', stopReason: 'end_turn', evaluations: [ev(0, 'evaluating')] },
      'running',
      null,
    ],
    [
      'end_turn, outcome needs_revision',
      { status: 'idle', stopReason: 'end_turn', evaluations: [ev(0, 'needs_revision')] },
      'running',
      null,
    ],
    ['retries_exhausted', { status: 'idle', stopReason: 'retries_exhausted' }, 'failed', null],
    ['refusal', { status: 'idle', stopReason: 'refusal' }, 'failed', null],
    ['budget_reached', { status: 'idle', stopReason: 'budget_reached' }, 'failed', null],
    ['requires_action', { status: 'idle', stopReason: 'requires_action' }, 'blocked', null],
    ['terminated', { status: 'terminated', error: 'unknown_error: boom' }, 'failed', null],
    [
      'archived after end_turn',
      { status: 'terminated', archivedAt: at(1), stopReason: 'end_turn' },
      'succeeded',
      null,
    ],
    [
      'archived after satisfied',
      { status: 'terminated', archivedAt: at(1), stopReason: 'end_turn', evaluations: [ev(0, 'satisfied')] },
      'succeeded',
      'satisfied',
    ],
    [
      'archived while blocked',
      { status: 'terminated', archivedAt: at(1), stopReason: 'requires_action' },
      'failed',
      null,
    ],
    ['running', { status: 'running' }, 'running', null],
    ['rescheduling', { status: 'rescheduling' }, 'running', null],
    ['idle, never started', { status: 'idle', started: false, lastUserEventId: null }, 'pending', null],
    ['idle, idle event not readable yet', { status: 'idle', stopReason: null }, 'running', null],
  ];
  for (const [name, s, status, outcome] of cases) {
    it(name, () => {
      const d = deriveOutcome(snap({ t: 1, ...s }));
      expect(d.status).toBe(status);
      expect(d.outcomeResult).toBe(outcome);
    });
  }
  it('a failure says why', () => {
    expect(deriveOutcome(snap({ t: 1, status: 'terminated', error: 'unknown_error: boom' })).error).toContain(
      'boom',
    );
    expect(deriveOutcome(snap({ t: 1, status: 'idle', stopReason: 'refusal' })).error).toContain('refusal');
  });
});

describe('snapshotKey ordering (semantics 4)', () => {
  it('orders by updated_at, then status rank, then terminal evaluations', () => {
    const a = snapshotKey(snap({ t: 1, status: 'running' }));
    const b = snapshotKey(snap({ t: 1, status: 'idle' }));
    const c = snapshotKey(snap({ t: 1, status: 'idle', evaluations: [ev(0, 'satisfied')] }));
    const d = snapshotKey(snap({ t: 2, status: 'running' }));
    expect([d, c, a, b].sort()).toEqual([a, b, c, d]);
    expect(compareKeys(a, b)).toBe(-1);
    expect(compareKeys(c, d)).toBe(-1);
    expect(compareKeys(DELETED_KEY, d)).toBe(1);
  });
  it('the turn marker never takes part in ordering', () => {
    const a = snapshotKey(snap({ t: 1, lastUserEventId: 'sevt_zzz' }));
    const b = snapshotKey(snap({ t: 1, lastUserEventId: 'sevt_aaa' }));
    expect(compareKeys(a, b)).toBe(0);
  });
  it('a snapshot that does not order after the held one changes nothing', () => {
    const first = applySnapshot(
      null,
      snap({ t: 5, status: 'idle', stopReason: 'end_turn', output: 'done' }),
      ctx,
    );
    const held = { ...first.run, version: 1 };
    for (const older of [
      snap({ t: 4, status: 'running' }),
      snap({ t: 5, status: 'running' }),
      snap({ t: 5, status: 'idle', stopReason: 'end_turn' }),
    ]) {
      const r = applySnapshot(held, older, ctx);
      expect(r.changed).toBe(false);
      expect(r.run).toBe(held);
      expect(r.history).toBeNull();
    }
  });
});

describe('out-of-order delivery', () => {
  // A typical outcome run: started, idle while graded, revised, satisfied, then archived.
  const sequence = [
    snap({ t: 1, status: 'running', evaluations: [ev(0, 'running')] }),
    snap({
      t: 2,
      status: 'idle',
      stopReason: 'end_turn',
      evaluations: [ev(0, 'evaluating')],
      output: 'draft',
    }),
    snap({ t: 3, status: 'running', evaluations: [ev(0, 'needs_revision')] }),
    snap({
      t: 4,
      status: 'idle',
      stopReason: 'end_turn',
      evaluations: [ev(0, 'needs_revision'), ev(1, 'satisfied')],
      output: 'final',
    }),
    snap({
      t: 5,
      status: 'terminated',
      archivedAt: at(5),
      stopReason: 'end_turn',
      evaluations: [ev(0, 'needs_revision'), ev(1, 'satisfied')],
    }),
  ];
  const all = permutations(sequence);

  it(`every one of the ${all.length} orders ends in the same final state`, () => {
    const expected = play(sequence).run;
    expect(expected.status).toBe('succeeded');
    expect(expected.outcomeResult).toBe('satisfied');
    expect(expected.archived).toBe(true);
    expect(expected.turn).toBe(1);
    for (const order of all) {
      const { run, history } = play(order);
      expect({
        status: run.status,
        outcome: run.outcomeResult,
        archived: run.archived,
        turn: run.turn,
        key: run.snapshotKey,
      }).toEqual({
        status: expected.status,
        outcome: expected.outcomeResult,
        archived: expected.archived,
        turn: expected.turn,
        key: expected.snapshotKey,
      });
      // History never goes backwards: keys non-decreasing, never final -> non-final within a turn.
      for (let i = 1; i < history.length; i++) {
        expect(compareKeys(history[i - 1]!.snapshotKey, history[i]!.snapshotKey)).toBeLessThanOrEqual(0);
        const wasFinal = ['succeeded', 'failed'].includes(history[i - 1]!.status);
        if (wasFinal)
          expect(
            ['succeeded', 'failed'].includes(history[i]!.status) || history[i]!.turn > history[i - 1]!.turn,
          ).toBe(true);
      }
    }
  });

  it('duplicates change nothing', () => {
    const once = play(sequence);
    const twice = play([...sequence, ...sequence]);
    expect(twice.run).toEqual(once.run);
    expect(twice.history).toEqual(once.history);
  });

  it('an outcome graded after the idle event settles only when the terminal evaluation is seen', () => {
    const idle = play([
      snap({ t: 2, status: 'idle', stopReason: 'end_turn', evaluations: [ev(0, 'evaluating')], output: 'x' }),
    ]);
    expect(idle.run.status).toBe('running');
    const graded = play(
      [
        snap({
          t: 2,
          status: 'idle',
          stopReason: 'end_turn',
          evaluations: [ev(0, 'satisfied')],
          output: 'x',
        }),
      ],
      idle.run,
    );
    expect(graded.run.status).toBe('succeeded');
    expect(graded.run.finishedAt).toBe(T0);
  });
});

describe('after a final outcome', () => {
  const done = () => play([snap({ t: 2, status: 'idle', stopReason: 'end_turn', output: 'answer 1' })]).run;

  it('a later archive marks it archived and keeps the outcome', () => {
    const { run, history } = play([snap({ t: 3, status: 'terminated', archivedAt: at(3) })], done());
    expect(run.status).toBe('succeeded');
    expect(run.archived).toBe(true);
    expect(run.output).toBe('answer 1');
    expect(history[0]?.note).toContain('archived');
  });

  it('a later terminal error keeps the outcome', () => {
    const { run } = play([snap({ t: 3, status: 'terminated', error: 'boom' })], done());
    expect(run.status).toBe('succeeded');
    expect(run.error).toBeNull();
  });

  it('a later running with a new user message opens a new turn; the earlier outcome stays in history', () => {
    const first = done();
    const { run, history } = play(
      [
        snap({ t: 3, status: 'running', lastUserEventId: 'sevt_u2' }),
        snap({ t: 4, status: 'idle', stopReason: 'refusal', lastUserEventId: 'sevt_u2' }),
      ],
      first,
    );
    expect(history[0]).toMatchObject({ status: 'running', turn: 2 });
    expect(history[0]?.note).toContain('turn 1 ended succeeded');
    expect(run).toMatchObject({ status: 'failed', stopReason: 'refusal', turn: 2, output: null });
  });

  it('a new turn seen only when already finished still counts as a new turn', () => {
    const { run } = play(
      [
        snap({
          t: 9,
          status: 'idle',
          stopReason: 'end_turn',
          output: 'answer 2',
          lastUserEventId: 'sevt_u2',
        }),
      ],
      done(),
    );
    expect(run).toMatchObject({ status: 'succeeded', turn: 2, output: 'answer 2' });
  });

  it('an agent-only continuation (same user event) keeps the outcome', () => {
    const { run } = play([snap({ t: 3, status: 'running' })], done());
    expect(run).toMatchObject({ status: 'succeeded', turn: 1, output: 'answer 1' });
  });
});

describe('blocked and deleted', () => {
  it('requires_action is blocked, not final, and resumes', () => {
    const blocked = play([snap({ t: 1, status: 'idle', stopReason: 'requires_action' })]).run;
    expect(blocked.status).toBe('blocked');
    expect(blocked.finishedAt).toBeNull();
    const resumed = play(
      [snap({ t: 2, status: 'running' }), snap({ t: 3, status: 'idle', stopReason: 'end_turn' })],
      blocked,
    ).run;
    expect(resumed.status).toBe('succeeded');
    expect(resumed.turn).toBe(1);
  });

  it('deletion before an outcome marks it deleted; nothing applies afterwards', () => {
    const running = play([snap({ t: 1 })]).run;
    const d = applyDeleted(running, 'sesn_1', ctx);
    expect(d.run.status).toBe('deleted');
    expect(d.history?.note).toContain('deleted');
    const after = applySnapshot(
      { ...d.run, version: 9 },
      snap({ t: 50, status: 'idle', stopReason: 'end_turn' }),
      ctx,
    );
    expect(after.changed).toBe(false);
    expect(applyDeleted({ ...d.run, version: 9 }, 'sesn_1', ctx).changed).toBe(false);
  });

  it('deletion after an outcome keeps the outcome and notes it', () => {
    const done = play([snap({ t: 2, status: 'idle', stopReason: 'end_turn' })]).run;
    const d = applyDeleted(done, 'sesn_1', ctx);
    expect(d.run.status).toBe('succeeded');
    expect(d.history?.note).toContain('outcome is kept');
  });

  it('a session.deleted for an unknown session creates a deleted run', () => {
    const d = applyDeleted(null, 'sesn_9', { ...ctx, launchedBy: 'external' });
    expect(d.run).toMatchObject({ id: 'sesn_9', status: 'deleted', launchedBy: 'external' });
  });
});

describe('cancelled runs', () => {
  it('an interrupted turn (end_turn after user.interrupt) is cancelled, final and not a success', () => {
    const { run, history } = play([
      snap({ t: 1 }),
      snap({ t: 2, status: 'idle', stopReason: 'end_turn', interrupted: true, output: 'half' }),
    ]);
    expect(run.status).toBe('cancelled');
    expect(isFinal(run.status)).toBe(true);
    expect(run.finishedAt).toBe(T0);
    expect(run.error).toBeNull();
    expect(history.at(-1)?.status).toBe('cancelled');
    // A later snapshot of the same turn keeps the outcome.
    const later = applySnapshot(run, snap({ t: 3, status: 'idle', stopReason: 'end_turn' }), ctx);
    expect(later.run.status).toBe('cancelled');
  });

  it('an interrupted outcome evaluation is cancelled even without the interrupt event', () => {
    const d = deriveOutcome(
      snap({ t: 1, status: 'idle', stopReason: 'end_turn', evaluations: [ev(0, 'interrupted')] }),
    );
    expect(d).toMatchObject({ status: 'cancelled', outcomeResult: 'interrupted' });
  });

  it('a blocked run that is interrupted ends cancelled; an archived cancelled run stays cancelled', () => {
    const blocked = play([snap({ t: 1, status: 'idle', stopReason: 'requires_action' })]).run;
    expect(blocked.status).toBe('blocked');
    const r = applySnapshot(
      blocked,
      snap({ t: 2, status: 'idle', stopReason: 'end_turn', interrupted: true }),
      ctx,
    );
    expect(r.run.status).toBe('cancelled');
    const archived = deriveOutcome(
      snap({ t: 3, status: 'terminated', archivedAt: at(3), stopReason: 'end_turn', interrupted: true }),
    );
    expect(archived.status).toBe('cancelled');
  });
});

describe('evaluation history', () => {
  it('keeps every iteration in order, numbered the same in the history notes as on screen', () => {
    const { run, history } = play([
      snap({ t: 1, evaluations: [ev(0, 'evaluating')] }),
      snap({ t: 2, evaluations: [ev(0, 'needs_revision'), ev(1, 'evaluating')] }),
      snap({
        t: 3,
        status: 'idle',
        stopReason: 'end_turn',
        evaluations: [ev(0, 'needs_revision'), ev(1, 'satisfied')],
      }),
    ]);
    expect(run.status).toBe('succeeded');
    expect(run.evaluations.map((e) => [e.iteration, e.result])).toEqual([
      [0, 'needs_revision'],
      [1, 'satisfied'],
    ]);
    expect(iterationNumber(run.evaluations[1]!)).toBe(2);
    const notes = history.map((h) => h.note ?? '').join('\n');
    expect(notes).toContain('outcome iteration 1: needs_revision');
    expect(notes).toContain('outcome iteration 2: satisfied');
    expect(notes).not.toContain('outcome iteration 0');
  });

  it('keeps earlier turns’ iterations when a new turn reads only its own span events', () => {
    const first = play([
      snap({
        t: 1,
        status: 'idle',
        stopReason: 'end_turn',
        evaluations: [ev(0, 'needs_revision'), ev(1, 'satisfied')],
      }),
    ]).run;
    const second = { ...ev(0, 'satisfied'), outcomeId: 'outc_2' };
    const r = applySnapshot(
      first,
      snap({
        t: 5,
        status: 'idle',
        stopReason: 'end_turn',
        lastUserEventId: 'sevt_u2',
        evaluations: [ev(1, 'satisfied'), second],
      }),
      ctx,
    );
    expect(r.run.evaluations.map((e) => `${e.outcomeId}#${e.iteration} ${e.result}`)).toEqual([
      'outc_1#0 needs_revision',
      'outc_1#1 satisfied',
      'outc_2#0 satisfied',
    ]);
  });

  it('mergeEvaluations lets a fresh grade replace the held one of the same iteration', () => {
    expect(
      mergeEvaluations([ev(0, 'needs_revision'), ev(1, 'evaluating')], [ev(1, 'satisfied')]).map(
        (e) => e.result,
      ),
    ).toEqual(['needs_revision', 'satisfied']);
  });
});
