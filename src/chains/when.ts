// Decides whether a child step starts, from its parent's final run. Pure: the reason is what
// `runs show` and the API display for a skipped step, so it names what was expected and what was seen.

import { isFinal } from '../runs/state.js';
import type { Run } from '../store/types.js';
import type { When } from './pipeline.js';

export interface WhenResult {
  met: boolean;
  reason: string;
}

/** The parent's stop reason as `when` lists see it: a terminated session counts as `terminated`. */
export function effectiveStopReason(run: Pick<Run, 'stopReason' | 'sessionStatus'>): string | null {
  if (run.sessionStatus === 'terminated') return 'terminated';
  return run.stopReason;
}

export function describeOutcome(
  run: Pick<Run, 'status' | 'stopReason' | 'sessionStatus' | 'outcomeResult'>,
): string {
  const parts: string[] = [run.status];
  const stop = effectiveStopReason(run);
  if (stop) parts.push(`stop reason ${stop}`);
  if (run.outcomeResult) parts.push(`outcome ${run.outcomeResult}`);
  return parts.join(', ');
}

function describeWhen(when: When): string {
  if (when.kind !== 'match') return when.kind;
  return [...when.stopReasons, ...when.outcomeResults].join(' | ');
}

export function evaluateWhen(
  when: When,
  parent: Pick<Run, 'id' | 'status' | 'stopReason' | 'sessionStatus' | 'outcomeResult'>,
): WhenResult {
  const seen = describeOutcome(parent);
  if (!isFinal(parent.status))
    return { met: false, reason: `parent run ${parent.id} has no final outcome (${seen})` };
  // Someone stopped the parent on purpose: no `when` (not even always) carries on from there.
  if (parent.status === 'cancelled')
    return { met: false, reason: `parent run ${parent.id} was cancelled (${seen}); no follow-up starts` };
  let met: boolean;
  switch (when.kind) {
    case 'success':
      met = parent.status === 'succeeded';
      break;
    case 'failure':
      met = parent.status === 'failed';
      break;
    case 'always':
      met = true;
      break;
    case 'match': {
      const stop = effectiveStopReason(parent);
      met =
        (stop !== null && when.stopReasons.includes(stop)) ||
        (parent.outcomeResult !== null && when.outcomeResults.includes(parent.outcomeResult));
      break;
    }
  }
  const expected = describeWhen(when);
  return {
    met,
    reason: met
      ? `when: ${expected} met by parent run ${parent.id} (${seen})`
      : `when: ${expected} not met: parent run ${parent.id} ended ${seen}`,
  };
}
