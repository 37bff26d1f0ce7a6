// What each scenario does, stated once as data: the engine plays it, and tests (or the runs
// engineer) ask `expectedFinal` what a session must look like once it settles.
import type { Scenario } from './options.js';

export type StopReasonType =
  | 'end_turn'
  | 'requires_action'
  | 'retries_exhausted'
  | 'budget_reached'
  | 'refusal';

export interface ExpectedFinal {
  status: 'idle' | 'terminated';
  /** Stop reason of the last session.status_idle; null when the session terminated. */
  stopReason: StopReasonType | null;
  /** Result of the last outcome evaluation, when an outcome was defined and the scenario grades it. */
  outcomeResult: string | null;
  /** The results of every evaluation iteration in order (empty without an outcome). */
  evaluationResults: string[];
}

/** Scenarios that end with a deliverable and therefore grade a defined outcome. */
const GRADED: ReadonlySet<Scenario> = new Set([
  'success',
  'outcome_revise_then_satisfied',
  'outcome_max_iterations',
  'outcome_failed',
  'multiagent',
]);

export function evaluationResults(scenario: Scenario, maxIterations: number): string[] {
  switch (scenario) {
    case 'outcome_revise_then_satisfied':
      return maxIterations >= 2 ? ['needs_revision', 'satisfied'] : ['max_iterations_reached'];
    case 'outcome_max_iterations':
      return [
        ...Array.from({ length: Math.max(0, maxIterations - 1) }, () => 'needs_revision'),
        'max_iterations_reached',
      ];
    case 'outcome_failed':
      return ['failed'];
    default:
      return GRADED.has(scenario) ? ['satisfied'] : [];
  }
}

export function expectedFinal(
  scenario: Scenario,
  outcome?: { maxIterations?: number | null },
): ExpectedFinal {
  const results = outcome ? evaluationResults(scenario, outcome.maxIterations ?? 3) : [];
  const last = results.length > 0 ? results[results.length - 1] : null;
  switch (scenario) {
    case 'terminated':
      return { status: 'terminated', stopReason: null, outcomeResult: null, evaluationResults: [] };
    case 'retries_exhausted':
    case 'refusal':
    case 'budget_reached':
    case 'requires_action':
      return { status: 'idle', stopReason: scenario, outcomeResult: null, evaluationResults: [] };
    default:
      return { status: 'idle', stopReason: 'end_turn', outcomeResult: last, evaluationResults: results };
  }
}

export const TERMINAL_RESULTS = new Set(['satisfied', 'max_iterations_reached', 'failed', 'interrupted']);

/** What the grader says about a result of `description`. */
export function explanationFor(result: string, description: string): string {
  switch (result) {
    case 'satisfied':
      return `All rubric criteria for "${description}" are met.`;
    case 'needs_revision':
      return 'Some rubric criteria are not met yet; revising.';
    case 'max_iterations_reached':
      return 'The iteration limit was reached before every criterion was met.';
    case 'failed':
      return 'The rubric does not apply to the deliverables produced.';
    default:
      return result;
  }
}
