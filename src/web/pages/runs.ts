// The runs list (`/`): status chips, search, agent and time range, newest first, live updates.
import type { RunFilters } from '../../query/filters.js';
import { type RunsPage, runStart } from '../../query/runs.js';
import { RUN_STATUSES, type Run, type RunStatus } from '../../store/types.js';
import {
  ago,
  cost,
  count,
  duration,
  outcomeLabel,
  runDuration,
  shortTime,
  tokens,
  truncate,
} from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { runHref, withParams } from '../links.js';

export const TIME_RANGES: { value: string; label: string }[] = [
  { value: '', label: 'Any time' },
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
];

export function statusBadge(status: string): SafeHtml {
  return html`<span class="badge ${status}">${status.replace(/_/g, ' ')}</span>`;
}

const GOOD = new Set(['satisfied', 'end_turn']);
const WARN = new Set(['requires_action', 'needs_revision']);

function outcomeCell(run: Run): SafeHtml {
  const label = outcomeLabel(run);
  if (!label) return html`<span class="faint">–</span>`;
  const key = run.outcomeResult ?? run.stopReason ?? '';
  const tone =
    run.status === 'failed'
      ? 'bad'
      : WARN.has(key)
        ? 'warn'
        : GOOD.has(key) && run.outcomeResult
          ? 'good'
          : 'muted';
  return html`<span class="${tone}">${label}</span>`;
}

function runRow(run: Run, now: number): SafeHtml {
  const title = run.title ?? run.task ?? '(no task recorded)';
  const d = runDuration(run, now);
  const started = runStart(run);
  return html`<tr data-row-key="${run.id}" data-row-version="${run.version}" data-run-id="${run.id}">
  <td>${statusBadge(run.status)}</td>
  <td class="run-cell"><a class="run-title" href="${runHref(run.id)}" title="${truncate(title, 400)}">${truncate(title, 110)}</a><span class="run-id">${run.id}</span>${run.pipeline ? html` <span class="tag">${run.pipeline}${run.step ? ` / ${run.step}` : ''}</span>` : ''}</td>
  <td class="muted">${run.agentName ?? run.agentId ?? '–'}</td>
  <td class="outcome">${outcomeCell(run)}</td>
  <td class="num nowrap">${duration(d)}</td>
  <td class="num nowrap" title="${tokens(run.usage)}">${run.usage?.costCents != null ? cost(run.usage.costCents) : tokens(run.usage)}</td>
  <td class="nowrap muted" title="${shortTime(started)}">${ago(started, now)}</td>
</tr>`;
}

export interface RunsView {
  filters: RunFilters;
  page: RunsPage;
  /** Per-status totals for the chips, with the other filters applied; null when skipped (search). */
  counts: Record<RunStatus, number> | null;
  now: number;
}

export function runsBody(v: RunsView): SafeHtml {
  const { filters, page, counts, now } = v;
  const current = { ...filters.raw };
  delete current.cursor;
  const selected = new Set(filters.status);
  const total = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : null;
  const chip = (status: RunStatus) => {
    const next = new Set(selected);
    if (next.has(status)) next.delete(status);
    else next.add(status);
    const href = withParams('/', current, { status: [...next].join(',') || null });
    const n = counts?.[status];
    return html`<a class="chip ${status}${selected.has(status) ? ' on' : ''}" href="${href}" data-status-chip="${status}"><i></i>${status}${n !== undefined ? html`<span class="n">${count(n)}</span>` : ''}</a>`;
  };
  const since = filters.raw.since ?? '';
  const ranges = TIME_RANGES.some((r) => r.value === since)
    ? TIME_RANGES
    : [...TIME_RANGES, { value: since, label: `Since ${since}` }];
  const rows = page.runs.map((r) => runRow(r, now));
  const filtered = Object.keys(current).length > 0;
  const empty = filtered
    ? html`<div class="empty"><strong>No runs match these filters</strong><a href="/">Clear all filters</a></div>`
    : html`<div class="empty"><strong>No runs yet</strong>Start one with <code>npx agenthooks launch "your task"</code>, or run the offline demo with <code>npm start</code>.</div>`;
  return html`<div class="page-head">
  <div><h1>Runs</h1><div class="sub">Agent sessions seen by this receiver, newest first.</div></div>
</div>
<section class="card">
  <form class="filters" method="get" action="/" role="search">
    <div class="chips" id="runs-chips" data-live-region>
      <a class="chip${selected.size === 0 ? ' on' : ''}" href="${withParams('/', current, { status: null })}" data-status-chip="all">All${total !== null ? html`<span class="n">${count(total)}</span>` : ''}</a>
      ${RUN_STATUSES.map(chip)}
    </div>
    <div class="controls">
    ${filters.status.length ? html`<input type="hidden" name="status" value="${filters.status.join(',')}">` : ''}
    <input type="search" name="search" value="${filters.raw.search ?? ''}" placeholder="Search task, output or id" aria-label="Search runs">
    <input type="text" name="agent" value="${filters.raw.agent ?? ''}" placeholder="Agent" aria-label="Agent" size="10">
    <select name="since" aria-label="Time range">${ranges.map((r) => html`<option value="${r.value}"${r.value === since ? ' selected' : ''}>${r.label}</option>`)}</select>
    ${filters.raw.until ? html`<input type="hidden" name="until" value="${filters.raw.until}">` : ''}
    ${(['pipeline', 'reason'] as const).map((k) => (filters.raw[k] ? html`<input type="hidden" name="${k}" value="${filters.raw[k]}"><a class="chip on" href="${withParams('/', current, { [k]: null })}" data-filter="${k}" title="Remove this filter">${k} ${filters.raw[k]} ×</a>` : ''))}
    <button class="btn" type="submit">Apply</button>
    </div>
  </form>
  <div id="runs-region" data-live-region>
  ${
    rows.length
      ? html`<div class="table-wrap"><table class="runs">
    <thead><tr><th>Status</th><th>Run</th><th>Agent</th><th>Outcome</th><th class="num">Duration</th><th class="num">Cost</th><th>Started</th></tr></thead>
    <tbody>${rows}</tbody>
  </table></div>`
      : empty
  }
  ${
    filters.cursor || page.nextCursor
      ? html`<div class="pager"><span>${filters.cursor ? html`<a href="${withParams('/', current, {})}">← Newest</a>` : html`<span></span>`}</span><span>${page.nextCursor ? html`<a href="${withParams('/', current, { cursor: page.nextCursor })}" rel="next">Older runs →</a>` : ''}</span></div>`
      : ''
  }
  </div>
</section>`;
}
