// How the CLI shows runs: the `agenthooks runs` table columns and `runs show` in full.
import type { RunDetail } from '../query/run-detail.js';
import { runStart } from '../query/runs.js';
import { isFinal, iterationNumber } from '../runs/state.js';
import type { Run } from '../store/types.js';
import {
  type Column,
  formatDuration,
  formatRelative,
  formatTime,
  paint,
  type Style,
  statusColor,
} from './format.js';
import { safeDeep } from './safe-text.js';
import { respondHint } from './waiting.js';

/** Finished runs: start to finish. Runs still going: elapsed so far, marked with "+". */
export function runDuration(run: Run, now: number): string {
  // The tutorial's log has one receive time per line and no start: no duration to show.
  if (run.launchedBy === 'tutorial-import') return '-';
  if (run.finishedAt !== null) return formatDuration(run.finishedAt - runStart(run));
  if (isFinal(run.status) || run.status === 'deleted') return '-';
  return `${formatDuration(now - runStart(run))}+`;
}

export function runCost(run: Run): string {
  const u = run.usage;
  if (!u) return '-';
  if (u.costCents !== null && u.costCents !== undefined) return `$${(u.costCents / 100).toFixed(2)}`;
  const tokens = u.inputTokens + u.outputTokens + u.cacheReadInputTokens + u.cacheCreationInputTokens;
  return tokens >= 10_000 ? `${(tokens / 1000).toFixed(1)}k tok` : `${tokens} tok`;
}

export function runColumns(now: number): Column<Run>[] {
  return [
    { header: 'ID', value: (r) => r.id, max: 40 },
    { header: 'AGENT', value: (r) => r.agentName ?? r.agentId ?? '-', max: 24 },
    {
      header: 'STATUS',
      value: (r) => (r.archived ? `${r.status} (archived)` : r.status),
      color: (r) => statusColor(r.status),
    },
    { header: 'OUTCOME', value: (r) => r.outcomeResult ?? '-', max: 24 },
    { header: 'STOP', value: (r) => r.stopReason ?? '-', max: 20 },
    { header: 'DURATION', value: (r) => runDuration(r, now), align: 'right' },
    { header: 'COST', value: runCost, align: 'right' },
    { header: 'STARTED', value: (r) => formatRelative(runStart(r), now) },
  ];
}

function indent(text: string, by = '  '): string {
  return text
    .split('\n')
    .map((l) => (l.length > 0 ? by + l : l))
    .join('\n');
}

/** `runs show` in full; children newest first, like every list the CLI prints. */
export function renderRunDetail(detail: RunDetail, now: number, style: Style): string {
  const d = safeDeep(detail);
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
  for (const [i, c] of [...d.children].reverse().entries()) {
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
  if (run.status === 'blocked') {
    field('waiting', paint(style, 'yellow', 'for a tool confirmation (requires_action); it has not ended'));
    field('answer', respondHint(run.id));
  }
  if (run.status === 'cancelled') field('cancelled', 'a user.interrupt ended the run; no follow-up starts');
  if (run.error) field('error', paint(style, 'red', run.error));
  const meta = Object.entries(run.metadata ?? {});
  if (meta.length > 0) field('metadata', meta.map(([k, v]) => `${k}=${v}`).join(' '));

  heading('Task');
  out.push(indent(run.task ?? '(not known: the run was not launched by agenthooks)'));
  heading('Output');
  out.push(indent(run.output ?? '(none yet)'));
  if (run.evaluations.length > 0) {
    // One numbered list: the number is the iteration counted from 1, as on the run page.
    heading('Outcome evaluations');
    for (const e of run.evaluations) {
      out.push(
        `  ${iterationNumber(e)}. ${paint(style, e.result === 'satisfied' ? 'green' : 'yellow', e.result)}${e.description ? `  ${e.description}` : ''}${e.completedAt ? `  (${e.completedAt})` : ''}`,
      );
      if (e.explanation) out.push(indent(e.explanation, '      '));
    }
  }
  heading(`Events (${d.events.length + d.eventsOmitted})`);
  if (d.eventsOmitted > 0)
    out.push(`  … ${d.eventsOmitted} earlier events not shown (npx agenthooks events --session ${run.id})`);
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
