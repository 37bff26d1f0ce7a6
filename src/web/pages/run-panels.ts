// Parts of the run page that say where a run stands beyond its own outcome: the chain card (the
// lineage graph, plus every child step that has no run: skipped, launch failed, being launched,
// each with its reason, as `runs show` and GET /api/runs/:id list them) and the panel of a blocked
// or cancelled run (what it waits for and the exact command that answers it).
import type { ChildStep } from '../../chains/lineage.js';
import type { PendingToolUse } from '../../platform/types.js';
import type { RunDetail } from '../../query/run-detail.js';
import type { Run } from '../../store/types.js';
import { truncate } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { runHref } from '../links.js';
import { lineageGraph } from '../svg.js';

/** Tool inputs are shown on one line, cut to this many characters (as in the CLI). */
const INPUT_SHOWN = 80;

const STEP_WORDS: Record<ChildStep['state'], string> = {
  skipped: 'skipped',
  failed: 'launch failed',
  intent: 'launching',
  created: 'launched',
};

/** The chain card, or nothing for a run with no parent, no children and no child steps. */
export function chainCard(d: RunDetail): SafeHtml {
  const unlaunched = d.steps.filter((s) => s.state !== 'created');
  if (d.parent === null && d.children.length === 0 && unlaunched.length === 0) return html``;
  const notes = [
    d.children.length ? `${d.children.length} follow-up${d.children.length === 1 ? '' : 's'}` : '',
    unlaunched.length ? `${unlaunched.length} step${unlaunched.length === 1 ? '' : 's'} not launched` : '',
  ].filter((s) => s !== '');
  const graph =
    d.parent !== null || d.children.length > 0
      ? html`<div class="card-body lineage-wrap">${lineageGraph(d.parent ? [...d.ancestors, d.parent] : [], d.run, d.children)}</div>`
      : '';
  return html`<section class="card" id="run-chain"><div class="card-title"><h2>Chain</h2><span class="hint">${d.parent ? html`parent <a class="mono" href="${runHref(d.parent.id)}">${d.parent.id}</a>` : 'root'}${notes.length ? ` · ${notes.join(' · ')}` : ''}</span></div>
      ${graph}${unlaunched.length ? html`<ul class="steps">${unlaunched.map(stepItem)}</ul>` : ''}</section>`;
}

function stepItem(s: ChildStep): SafeHtml {
  return html`<li data-step="${s.step}" data-state="${s.state}"><div class="row"><span class="badge ${s.state}">${STEP_WORDS[s.state]}</span><span class="mono">${s.step}</span></div>${s.reason ? html`<div class="reason">${s.reason}</div>` : ''}</li>`;
}

function toolLine(p: PendingToolUse): SafeHtml {
  const input = p.input === null ? '' : truncate(JSON.stringify(p.input), INPUT_SHOWN);
  return html`<li><code class="tool">${p.name ?? '(unknown tool)'}</code>${input ? html` <code class="input">${input}</code>` : ''}</li>`;
}

/**
 * A blocked run waits (it has not ended): for which tool calls, when the platform could be asked
 * (`pending` null when not), and the commands that answer it. A cancelled run says what ended it.
 */
export function runStatePanel(run: Run, pending: PendingToolUse[] | null): SafeHtml {
  if (run.status === 'cancelled')
    return html`<div class="alert note" id="run-cancelled">Cancelled: a <code>user.interrupt</code> ended this run before it finished. It is not a success, and no follow-up step starts from it.</div>`;
  if (run.status !== 'blocked') return html``;
  const what =
    pending && pending.length > 0
      ? html`Waiting for confirmation of ${pending.length === 1 ? 'a tool call' : `${pending.length} tool calls`}; the run has not ended.<ul class="pending">${pending.map(toolLine)}</ul>`
      : html`Waiting for a tool confirmation (<code>requires_action</code>); the run has not ended.`;
  return html`<div class="alert warn" id="run-waiting">${what}<div class="answer">Answer it with <code class="command">npx agenthooks respond ${run.id} <span class="nowrap">--allow</span></code> or <code class="command">npx agenthooks respond ${run.id} <span class="nowrap">--deny</span> <span class="nowrap">--message "why"</span></code></div></div>`;
}
