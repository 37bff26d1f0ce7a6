// The scenario scripts, one row a scenario. A turn plays its row's steps one after another at even
// intervals over the session's duration, so how many steps a row has sets the turn's pacing. What a
// scenario must end as is stated in scenarios.ts; this is how it gets there.
import type { Emission, StopDetails, StopReason } from './emission.js';
import type { Scenario } from './options.js';
import { evaluationResults } from './scenarios.js';
import type { ActiveOutcome, SessionRecord } from './state.js';

export type Step = () => void;

/** One turn being played. */
export interface Play {
  rec: SessionRecord;
  emit: Emission;
  /** The outcome this turn grades: the active one, unless it already reached a final result. */
  outcome: ActiveOutcome | null;
  /** Ends the turn idle; the next queued event then starts its own turn. */
  stop(reason: StopReason, details?: StopDetails): void;
}

/** A piece of a script: its steps, built when the turn starts. */
type Part = (p: Play) => Step[];

/** One step. */
const step =
  (act: (p: Play) => void): Part =>
  (p) => [() => act(p)];

/** One model request: its start, the parts played while it runs, then its end (none when the
 * sandbox dies mid-request). */
function request(end: { label: string; error?: boolean } | 'none', ...during: Part[]): Part {
  return (p) => {
    let startId = '';
    const steps: Step[] = [
      () => {
        startId = p.emit.modelRequestStart(p.rec);
      },
      ...during.flatMap((part) => part(p)),
    ];
    if (end !== 'none')
      steps.push(() => p.emit.modelRequestEnd(p.rec, startId, end.error === true, end.label));
    return steps;
  };
}

/** A model request answered with the agent's reply for `label`. */
const work = (label: string): Part =>
  request(
    { label },
    step((p) => p.emit.agentMessage(p.rec, label)),
  );

const usage = step((p) => p.emit.usage(p.rec));

const stop = (reason: StopReason, details?: StopDetails): Part => step((p) => p.stop(reason, details));

/** The work-and-grade loop of the successful scenarios; with an outcome, one grading per iteration. */
const deliverable: Part = (p) => {
  const o = p.outcome;
  // Grading follows the session's scenario, also on a turn that a tool confirmation resumed.
  const parts = o ? graded(o, evaluationResults(p.rec.scenario, o.maxIterations)) : [work('answer')];
  const finish = step((q) => {
    q.emit.outputFile(q.rec);
    q.stop({ type: 'end_turn' });
  });
  return [...parts, usage, finish].flatMap((part) => part(p));
};

function graded(o: ActiveOutcome, results: string[]): Part[] {
  const parts = results.flatMap((result, iteration) => [
    work(iteration === 0 ? 'draft' : `revision ${iteration}`),
    step((p) => p.emit.evaluationStart(p.rec, o, iteration)),
    step((p) => p.emit.evaluationEnd(p.rec, o, result)),
  ]);
  if (results[results.length - 1] === 'max_iterations_reached') parts.push(work('acknowledgement'));
  return parts;
}

/** Sub-agent threads: each is created running, then each goes idle, before the primary delivers. */
function subagents(...names: string[]): Part {
  return (p) => {
    const threadIds: string[] = [];
    return [
      ...names.map((name) => () => {
        threadIds.push(p.emit.threads.threadCreated(p.rec, name));
      }),
      ...names.map((name, i) => () => p.emit.threads.threadIdled(p.rec, threadIds[i], name)),
    ];
  };
}

const error = (retry: 'retrying' | 'exhausted' | 'terminal'): Part =>
  step((p) => p.emit.sessionError(p.rec, retry));

/** The sandbox is gone: every thread ends with the session. */
const terminate = step((p) => {
  for (const t of p.rec.threads) t.status = 'terminated';
  p.emit.status(p.rec, 'terminated');
});

/** An overloaded model: the session waits out a retry, then runs again. */
const reschedule = step((p) => {
  p.emit.sessionError(p.rec, 'retrying');
  p.emit.status(p.rec, 'rescheduling');
});
const resume = step((p) => p.emit.status(p.rec, 'running'));

const REFUSAL: StopDetails = {
  type: 'refusal',
  category: 'general_harms',
  explanation: 'The simulated model declined this request (sim_scenario=refusal).',
};

/** The cost reaches the budget's cap; the session stops and takes no more messages. */
const spendBudget = step((p) => {
  const cap = p.rec.session.budget ? Number(p.rec.session.budget.max_list_cost.amount) : 0;
  p.rec.tokens.cents = Math.max(p.rec.tokens.cents, cap);
  p.emit.usage(p.rec);
});
const stopAtBudget = step((p) => {
  p.rec.budgetReached = true;
  p.emit.webhook({ type: 'session.budget_reached' }, p.rec);
  p.stop({ type: 'budget_reached' });
});

const askTool = step((p) => p.emit.toolUse(p.rec));
const awaitTool = step((p) => p.stop({ type: 'requires_action', event_ids: [p.rec.pendingToolUseId ?? ''] }));

const SCRIPTS: Record<Scenario, readonly Part[]> = {
  success: [deliverable],
  outcome_revise_then_satisfied: [deliverable],
  outcome_max_iterations: [deliverable],
  outcome_failed: [deliverable],
  multiagent: [subagents('researcher', 'reviewer'), deliverable],
  terminated: [request('none', error('terminal'), terminate)],
  retries_exhausted: [
    request({ label: 'error', error: true }, reschedule, resume, error('exhausted')),
    usage,
    stop({ type: 'retries_exhausted' }),
  ],
  refusal: [request({ label: 'refusal' }), usage, stop({ type: 'refusal' }, REFUSAL)],
  budget_reached: [work('partial'), spendBudget, stopAtBudget],
  requires_action: [request({ label: 'tool' }, askTool), usage, awaitTool],
};

/** The steps of one turn of `scenario`. */
export function script(scenario: Scenario, play: Play): Step[] {
  // Without a budget there is nothing to reach: the turn ends as a plain success.
  const played = scenario === 'budget_reached' && play.rec.session.budget === null ? 'success' : scenario;
  return SCRIPTS[played].flatMap((part) => part(play));
}
