// `agenthooks runs show ID`: one run with everything around it (events, history, chain).

import { type ChildStep, childStepsOf } from '../chains/lineage.js';
import { AppError } from '../errors.js';
import type { Run, RunHistoryEntry, Store, StoredEvent } from '../store/types.js';
import { formatDuration, formatRelative, formatTime, paint, type Style } from './format.js';
import { runCost, runStart, statusColor } from './runs-view.js';

/** Timeline cap: a run with more events says how many earlier ones were left out. */
export const TIMELINE_LIMIT = 1000;

export interface RunDetail {
  run: Run;
  parent: Run | null;
  children: Run[];
  /** Each child step's decision (launched, skipped with its reason, launch failed): src/chains. */
  steps: ChildStep[];
  history: RunHistoryEntry[];
  /** Oldest first. */
  events: StoredEvent[];
  /** Events about this run that are not in `events` (older than the cap). */
  eventsOmitted: number;
}

export async function loadRunDetail(store: Store, id: string): Promise<RunDetail> {
  const run = await store.getRun(id);
  if (!run) {
    throw new AppError(
      'run_not_found',
      `No run ${JSON.stringify(id)} in this database: list runs with \`agenthooks runs\` (run ids are session ids, sesn_...).`,
    );
  }
  const [parent, children, steps, history, newest] = await Promise.all([
    run.parentRunId ? store.getRun(run.parentRunId) : Promise.resolve(null),
    store.listRuns({ parentRunId: run.id, limit: 100 }),
    childStepsOf(store, run.id),
    store.runHistory(run.id),
    store.listEvents({ subjectId: run.id, limit: TIMELINE_LIMIT }),
  ]);
  const eventsOmitted =
    newest.length < TIMELINE_LIMIT ? 0 : (await store.countEvents({ subjectId: run.id })) - newest.length;
  return { run, parent, children, steps, history, events: newest.reverse(), eventsOmitted };
}

function indent(text: string, by = '  '): string {
  return text
    .split('\n')
    .map((l) => (l.length > 0 ? by + l : l))
    .join('\n');
}

export function renderRunDetail(d: RunDetail, now: number, style: Style): string {
  const { run } = d;
  const out: string[] = [];
  const field = (name: string, value: string) => out.push(`  ${name.padEnd(12)} ${value}`);
  const heading = (text: string) => out.push('', paint(style, 'bold', text));
  out.push(
    `${paint(style, 'bold', `Run ${run.id}`)}  ${paint(style, statusColor(run.status), run.status)}${run.archived ? ' (archived)' : ''}`,
  );
  if (run.title) field('title', run.title);
  const agent = [
    run.agentName,
    run.agentId && run.agentId !== run.agentName ? run.agentId : null,
    run.agentVersion !== null ? `v${run.agentVersion}` : null,
  ]
    .filter(Boolean)
    .join(' ');
  field('agent', agent || '-');
  field(
    'session',
    `${run.sessionStatus ?? '-'}${run.stopReason ? `, stop reason ${run.stopReason}` : ''}${run.turn > 1 ? `, turn ${run.turn}` : ''}`,
  );
  field('outcome', run.outcomeResult ?? '-');
  field('started', `${formatTime(runStart(run))} (${formatRelative(runStart(run), now)})`);
  field(
    'finished',
    run.finishedAt === null
      ? '-'
      : `${formatTime(run.finishedAt)}, took ${formatDuration(run.finishedAt - runStart(run))}`,
  );
  field('launched by', `${run.launchedBy}${run.launchId ? ` (launch ${run.launchId})` : ''}`);
  if (run.pipeline) field('pipeline', `${run.pipeline}${run.step ? ` / step ${run.step}` : ''}`);
  if (run.parentRunId)
    field(
      'parent',
      `${run.parentRunId}${d.parent ? ` ${d.parent.status}${d.parent.step ? ` (step ${d.parent.step})` : ''}` : ' (not stored)'}`,
    );
  for (const [i, c] of d.children.entries()) {
    field(
      i === 0 ? 'children' : '',
      `${c.id} ${paint(style, statusColor(c.status), c.status)}${c.step ? ` (step ${c.step})` : ''}`,
    );
  }
  // Child steps without a run: skipped (with the reason), failed to launch, or being launched.
  const unlaunched = d.steps.filter((x) => x.state !== 'created');
  for (const [i, s] of unlaunched.entries()) {
    const what = s.state === 'skipped' ? 'skipped' : s.state === 'failed' ? 'launch failed' : 'launching';
    field(
      d.children.length === 0 && i === 0 ? 'children' : '',
      `(step ${s.step}) ${paint(style, s.state === 'failed' ? 'red' : 'dim', what)}${s.reason ? `: ${s.reason}` : ''}`,
    );
  }
  if (run.usage) {
    const u = run.usage;
    field(
      'usage',
      `${u.inputTokens} in, ${u.outputTokens} out, ${u.cacheReadInputTokens} cache read, ${u.cacheCreationInputTokens} cache write tokens; cost ${runCost(run)}${u.activeSeconds !== null ? `; active ${formatDuration(u.activeSeconds * 1000)}` : ''}`,
    );
  }
  if (run.error) field('error', paint(style, 'red', run.error));
  const meta = Object.entries(run.metadata ?? {});
  if (meta.length > 0) field('metadata', meta.map(([k, v]) => `${k}=${v}`).join(' '));

  heading('Task');
  out.push(indent(run.task ?? '(not known: the run was not launched by agenthooks)'));
  heading('Output');
  out.push(indent(run.output ?? '(none yet)'));
  if (run.evaluations.length > 0) {
    heading('Outcome evaluations');
    for (const e of run.evaluations) {
      out.push(
        `  #${e.iteration} ${paint(style, e.result === 'satisfied' ? 'green' : 'yellow', e.result)}${e.description ? `  ${e.description}` : ''}${e.completedAt ? `  (${e.completedAt})` : ''}`,
      );
      if (e.explanation) out.push(indent(e.explanation, '      '));
    }
  }
  heading(`Events (${d.events.length + d.eventsOmitted})`);
  if (d.eventsOmitted > 0)
    out.push(`  … ${d.eventsOmitted} earlier events not shown (agenthooks events --session ${run.id})`);
  if (d.events.length === 0) out.push('  (none received for this session)');
  for (const e of d.events) {
    const extra = e.lastError ? `  ${e.lastError}` : '';
    out.push(
      `  ${formatTime(e.receivedAt)}  ${e.type.padEnd(36)} ${paint(style, statusColor(e.state), e.state)}${e.attempts > 1 ? ` (${e.attempts} attempts)` : ''}${extra}  ${paint(style, 'dim', e.id)}`,
    );
  }
  heading(`History (${d.history.length})`);
  if (d.history.length === 0) out.push('  (no changes recorded)');
  for (const h of d.history) {
    const parts = [h.sessionStatus, h.stopReason, h.outcomeResult].filter(Boolean).join(', ');
    out.push(
      `  ${formatTime(h.at)}  #${h.seq} ${paint(style, statusColor(h.status), h.status)}${parts ? ` (${parts})` : ''}${h.turn > 1 ? ` turn ${h.turn}` : ''}  from ${h.source}${h.note ? `: ${h.note}` : ''}`,
    );
  }
  return `${out.join('\n')}\n`;
}
