// One run (`/runs/:id`): task, rendered output, outcome evaluations, usage and cost, chain lineage,
// and the timeline of its events and state changes.
import type { PendingToolUse } from '../../platform/types.js';
import { type RunDetail, TIMELINE_LIMIT } from '../../query/run-detail.js';
import { runStart } from '../../query/runs.js';
import { iterationNumber } from '../../runs/state.js';
import type { Run } from '../../store/types.js';
import { ago, cost, count, duration, outcomeLabel, runDuration, shortTime, truncate } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { eventHref } from '../links.js';
import { renderMarkdown } from '../markdown.js';
import { chainCard, runStatePanel } from './run-panels.js';
import { statusBadge } from './runs.js';

/** Outputs beyond this are cut on the page (the API returns them whole). */
const OUTPUT_DISPLAY_LIMIT = 100_000;

function fact(k: string, v: SafeHtml | string, title?: string): SafeHtml {
  return html`<div class="fact"><div class="k">${k}</div><div class="v"${title ? html` title="${title}"` : ''}>${v}</div></div>`;
}

function evaluations(run: Run): SafeHtml {
  if (run.evaluations.length === 0) {
    // A blocked run is waiting, not ended: the waiting panel says for what. A cancelled one ends
    // with end_turn too, which would read as a normal finish: its panel says what ended it.
    const ended = run.stopReason && run.status !== 'blocked' && run.status !== 'cancelled';
    return html`<p class="muted">No outcome was defined for this run${ended ? html`; it ended with <code>${run.stopReason}</code>` : ''}.</p>`;
  }
  // One numbered list, counted from 1 like `runs show` and the history notes.
  return html`<ol class="evals">${run.evaluations.map(
    (e) => html`<li>
      <div class="row">${statusBadge(e.result)}<span class="muted nowrap">iteration ${iterationNumber(e)}</span>${e.completedAt ? html`<span class="faint nowrap" title="${e.completedAt}">${e.completedAt.slice(11, 19)}</span>` : ''}</div>
      ${e.description ? html`<div style="margin-top:6px">${truncate(e.description, 300)}</div>` : ''}
      ${e.explanation ? html`<div class="explanation">${e.explanation}</div>` : ''}
    </li>`,
  )}</ol>`;
}

function usage(run: Run): SafeHtml {
  const u = run.usage;
  if (!u) return html`<p class="muted">No usage reported yet.</p>`;
  return html`<dl class="kv">
    <dt>Cost</dt><dd>${cost(u.costCents)}</dd>
    <dt>Input tokens</dt><dd>${count(u.inputTokens)}</dd>
    <dt>Output tokens</dt><dd>${count(u.outputTokens)}</dd>
    <dt>Cache read</dt><dd>${count(u.cacheReadInputTokens)}</dd>
    <dt>Cache write</dt><dd>${count(u.cacheCreationInputTokens)}</dd>
    <dt>Active time</dt><dd>${u.activeSeconds == null ? '–' : duration(u.activeSeconds * 1000)}</dd>
  </dl>`;
}

function details(run: Run, now: number): SafeHtml {
  const rows: [string, SafeHtml | string][] = [
    ['Session status', run.sessionStatus ?? '–'],
    ['Turn', String(run.turn)],
    ['Environment', run.environmentId ? html`<span class="mono">${run.environmentId}</span>` : '–'],
    ['Launched by', run.launchedBy],
    ['First seen', shortTime(run.firstSeenAt).slice(0, 16)],
    ['Last checked', run.lastCheckedAt ? ago(run.lastCheckedAt, now) : 'never'],
  ];
  for (const [k, v] of Object.entries(run.metadata))
    rows.push([k, html`<span class="mono">${truncate(v, 60)}</span>`]);
  return html`<dl class="kv">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

type Item = { at: number; order: number; body: SafeHtml; cls: string };

function timeline(d: RunDetail): SafeHtml {
  const items: Item[] = [];
  for (const e of d.events) {
    items.push({
      at: e.receivedAt,
      order: 0,
      cls: 'event',
      body: html`<div class="what"><a class="mono" href="${eventHref(e.id)}">${e.type}</a>${statusBadge(e.state)}${e.attempts > 1 ? html`<span class="tag">${e.attempts} attempts</span>` : ''}${e.lastError ? html`<span class="detail">${truncate(e.lastError, 300)}</span>` : ''}</div>`,
    });
  }
  for (const h of d.history) {
    const bits = [h.sessionStatus, h.stopReason, h.outcomeResult].filter((x): x is string => !!x);
    items.push({
      at: h.at,
      order: 1,
      cls: `change ${h.status}`,
      body: html`<div class="what">${statusBadge(h.status)}<span class="muted">${bits.join(' · ')}</span><span class="tag">${h.source.length > 40 ? truncate(h.source, 40) : h.source}</span>${h.turn > 1 ? html`<span class="tag">turn ${h.turn}</span>` : ''}${h.note ? html`<span class="detail">${h.note}</span>` : ''}</div>`,
    });
  }
  items.sort((a, b) => a.at - b.at || a.order - b.order);
  if (items.length === 0) return html`<div class="empty">Nothing recorded yet.</div>`;
  return html`<ol class="timeline">${items.map(
    (i) =>
      html`<li class="${i.cls}"><span class="when" title="${shortTime(i.at)}">${new Date(i.at).toISOString().slice(11, 23)}</span><span class="pin"><i></i></span>${i.body}</li>`,
  )}</ol>`;
}

/** Runs that are still going: the page follows their session events live (assets/live.js). */
const LIVE_STATUSES: ReadonlySet<string> = new Set(['pending', 'running', 'blocked']);

/** The marker live.js looks for; it leaves the page (and the script stops) when the run ends. */
function liveTranscript(run: Run): SafeHtml {
  if (!LIVE_STATUSES.has(run.status)) return html``;
  return html`<div id="transcript-live" hidden data-stream="/api/runs/${encodeURIComponent(run.id)}/transcript/stream?html=1"></div>`;
}

/** `pending`: the blocked run's tool calls as the platform lists them; null when not asked. */
export function runBody(d: RunDetail, now: number, pending: PendingToolUse[] | null = null): SafeHtml {
  const { run } = d;
  const title = run.title ?? (run.task ? truncate(run.task, 120) : run.id);
  const output = run.output ?? '';
  const shown = output.length > OUTPUT_DISPLAY_LIMIT ? output.slice(0, OUTPUT_DISPLAY_LIMIT) : output;
  return html`<div id="run-region" data-live-region>${liveTranscript(run)}
<div class="crumbs"><a href="/">Runs</a> / <span class="mono">${run.id}</span></div>
<div class="run-head">
  <h1>${title}</h1>${statusBadge(run.status)}${run.archived ? html`<span class="tag">archived</span>` : ''}${run.turn > 1 ? html`<span class="tag">turn ${run.turn}</span>` : ''}
</div>
<div class="facts">
  ${fact('Outcome', outcomeLabel(run) || '–')}
  ${fact('Agent', `${run.agentName ?? run.agentId ?? '–'}${run.agentVersion ? ` v${run.agentVersion}` : ''}`, run.agentId ?? undefined)}
  ${fact('Duration', duration(runDuration(run, now)))}
  ${fact('Cost', cost(run.usage?.costCents))}
  ${fact('Started', ago(runStart(run), now), shortTime(runStart(run)))}
  ${fact('Finished', run.finishedAt ? ago(run.finishedAt, now) : '–', run.finishedAt ? shortTime(run.finishedAt) : undefined)}
</div>
${run.error ? html`<div class="alert error">${run.error}</div>` : ''}${runStatePanel(run, pending)}
<div class="grid two">
  <div>
    <section class="card"><div class="card-title"><h2>Task</h2>${run.pipeline ? html`<span class="tag">${run.pipeline}${run.step ? ` / ${run.step}` : ''}</span>` : ''}</div>
      <div class="card-body"><p class="task">${run.task ?? 'No task recorded (the session was started outside agenthooks, or not fetched yet).'}</p></div></section>
    <section class="card"><div class="card-title"><h2>Output</h2>${output ? html`<span class="hint">${count(output.length)} characters</span>` : ''}</div>
      <div class="card-body prose" id="run-output">${output ? renderMarkdown(shown) : html`<p class="muted">${run.status === 'running' || run.status === 'pending' ? 'The run is still going; the output appears when it finishes.' : 'No output.'}</p>`}${shown.length < output.length ? html`<p class="muted">Output cut at ${count(OUTPUT_DISPLAY_LIMIT)} characters; GET /api/runs/${run.id} has all of it.</p>` : ''}</div></section>
    ${chainCard(d)}
  </div>
  <div>
    <section class="card" id="run-outcome"><div class="card-title"><h2>Outcome evaluations</h2></div><div class="card-body">${evaluations(run)}</div></section>
    <section class="card"><div class="card-title"><h2>Usage and cost</h2></div><div class="card-body">${usage(run)}</div></section>
    <section class="card"><div class="card-title"><h2>Details</h2></div><div class="card-body">${details(run, now)}</div></section>
  </div>
</div>
<section class="card"><div class="card-title"><h2>Timeline</h2><span class="hint">${d.events.length} events · ${d.history.length} state changes${d.eventsOmitted ? ` (newest ${TIMELINE_LIMIT} events shown; ${d.eventsOmitted} older left out)` : ''}</span></div>
  ${timeline(d)}</section>
</div>`;
}
