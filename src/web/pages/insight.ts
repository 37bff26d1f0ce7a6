// The agents and pipelines pages (`/agents`, `/pipelines`) and one page per agent or pipeline
// (`/agents/:name`, `/pipelines/:name`): the figures of src/query/insight.ts as tables, sparklines
// and daily charts. Names are untrusted text: html`` escapes them, URLs encode them.
import type { Figures, GroupInsight, Insight } from '../../query/insight.js';
import { costChart, dollars, durationChart, runsChart, sparkline } from '../charts.js';
import { count, duration, shortTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { withParams } from '../links.js';

export type InsightKind = 'agents' | 'pipelines';

const RANGES = ['7d', '30d', '90d'];

const pct = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);

export function groupHref(kind: InsightKind, name: string, since?: string): string {
  return withParams(`/${kind}/${encodeURIComponent(name)}`, {}, { since: since ?? null });
}

function rangeLinks(path: string, since: string): SafeHtml {
  return html`<div class="chips">${RANGES.map((r) => html`<a class="chip${r === since ? ' active' : ''}" href="${withParams(path, {}, { since: r })}">Last ${r.replace('d', ' days')}</a>`)}</div>`;
}

function stopReasons(f: Figures): SafeHtml {
  if (f.stopReasons.length === 0) return html`<span class="faint">–</span>`;
  return html`${f.stopReasons.slice(0, 3).map((s, i) => html`${i ? ', ' : ''}<span title="${s.count} runs">${s.reason.replace(/_/g, ' ')} ${pct(s.share)}</span>`)}`;
}

/** One row of the agents or pipelines table. */
function row(kind: InsightKind, g: GroupInsight, since: string): SafeHtml {
  const f = g.figures;
  const name =
    g.name === null
      ? html`<span class="faint">(none)</span>`
      : html`<a href="${groupHref(kind, g.name, since)}">${g.name}</a>`;
  const ids = g.agentIds?.length ? html`<div class="faint mono small">${g.agentIds.join(', ')}</div>` : '';
  return html`<tr data-name="${g.name ?? ''}"><td>${name}${ids}</td><td class="num">${count(f.runs)}</td><td class="num" data-figure="success">${pct(f.successRate)}</td><td class="num">${pct(f.outcomePassRate)}</td><td class="num">${f.meanIterations === null ? '–' : f.meanIterations.toFixed(2)}</td><td class="small">${stopReasons(f)}</td><td class="num">${duration(f.durationP50Ms)}</td><td class="num">${duration(f.durationP95Ms)}</td><td class="num">${dollars(f.costCents)}</td><td class="num">${f.costPerRunCents === null ? '–' : dollars(f.costPerRunCents)}</td><td>${sparkline(g.daily, `Daily runs of ${g.name ?? '(none)'}`)}</td></tr>`;
}

/** `/agents` or `/pipelines`: one row per agent or pipeline. */
export function insightListBody(kind: InsightKind, insight: Insight, since: string): SafeHtml {
  const groups = kind === 'agents' ? insight.agents : insight.pipelines;
  const title = kind === 'agents' ? 'Agents' : 'Pipelines';
  const what = kind === 'agents' ? 'agent' : 'pipeline';
  return html`<div class="page-head"><div><h1>${title}</h1><div class="sub">Runs first seen since ${shortTime(insight.since)}, by ${what}; days are UTC days. Success rate = succeeded ÷ final runs.</div></div>${rangeLinks(`/${kind}`, since)}</div>
<section class="card">${
    groups.length
      ? html`<div class="table-wrap"><table class="insight"><thead><tr><th>${title.slice(0, -1)}</th><th class="num">Runs</th><th class="num">Success</th><th class="num">Outcome pass</th><th class="num">Iterations</th><th>Stop reasons</th><th class="num">p50</th><th class="num">p95</th><th class="num">Cost</th><th class="num">Per run</th><th>Daily runs</th></tr></thead><tbody>${groups.map((g) => row(kind, g, since))}</tbody></table></div>`
      : html`<div class="empty">No ${what} runs since ${shortTime(insight.since)}.</div>`
  }</section>`;
}

function stat(k: string, v: string, s: string, key: string): SafeHtml {
  return html`<div class="card card-body stat" data-stat="${key}"><div class="k">${k}</div><div class="v">${v}</div><div class="s">${s}</div></div>`;
}

/** The runs list filtered to this agent or pipeline's failed runs with `reason`, over the same window. */
export function failedRunsHref(kind: InsightKind, name: string, since: number, reason: string): string {
  return withParams(
    '/',
    {},
    {
      [kind === 'agents' ? 'agent' : 'pipeline']: name,
      status: 'failed',
      since: new Date(since).toISOString(),
      reason,
    },
  );
}

function funnel(g: GroupInsight): SafeHtml {
  const steps = g.steps ?? [];
  if (steps.length === 0) return html``;
  const max = Math.max(1, ...steps.map((s) => s.launched + s.skipped));
  const bar = (n: number, cls: string, label: string) =>
    html`<span class="${cls}" style="width:${((n / max) * 100).toFixed(1)}%" title="${n} ${label}"></span>`;
  return html`<section class="card"><div class="card-title"><h2>Steps</h2><span class="hint">launched, succeeded, failed and skipped per step</span></div>
<table class="funnel"><thead><tr><th>Step</th><th class="num">Launched</th><th class="num">Succeeded</th><th class="num">Failed</th><th class="num">Skipped</th><th><span class="sr-only">Proportions</span></th></tr></thead><tbody>${steps.map(
    (s) =>
      html`<tr data-step="${s.step}"><th scope="row">${s.step}</th><td class="num">${count(s.launched)}</td><td class="num">${count(s.succeeded)}</td><td class="num">${count(s.failed)}</td><td class="num">${count(s.skipped)}</td><td><div class="funnel-bar" aria-hidden="true">${bar(s.succeeded, 's-succeeded', 'succeeded')}${bar(s.failed, 's-failed', 'failed')}${bar(s.launched - s.succeeded - s.failed, 's-running', 'other')}${bar(s.skipped, 's-skipped', 'skipped')}</div></td></tr>`,
  )}</tbody></table></section>`;
}

/** `/agents/:name` or `/pipelines/:name`. */
export function insightDetailBody(
  kind: InsightKind,
  name: string,
  insight: Insight,
  since: string,
): SafeHtml {
  const groups = kind === 'agents' ? insight.agents : insight.pipelines;
  // The agent filter matches a name or an id; the figures of everything it matched are the totals.
  const g: GroupInsight | undefined = groups.find((x) => x.name === name) ?? groups[0];
  const f = insight.totals;
  const days = insight.daily;
  const label = kind === 'agents' ? 'Agent' : 'Pipeline';
  const head = html`<div class="page-head"><div><div class="sub"><a href="/${kind}">${kind === 'agents' ? 'Agents' : 'Pipelines'}</a></div><h1>${label} ${name}</h1><div class="sub">Runs first seen since ${shortTime(insight.since)}; days are UTC days.${g?.agentIds?.length ? ` Agent ids: ${g.agentIds.join(', ')}.` : ''}</div></div>${rangeLinks(`/${kind}/${encodeURIComponent(name)}`, since)}</div>`;
  if (f.runs === 0 && (g?.steps?.length ?? 0) === 0)
    return html`${head}<div class="card empty">No runs of ${name} since ${shortTime(insight.since)}.</div>`;
  const reasons = g?.failureReasons ?? [];
  return html`${head}
<div class="grid four">
  ${stat('Runs', count(f.runs), `${count(f.final)} final`, 'runs')}
  ${stat('Success rate', pct(f.successRate), `${count(f.byStatus.succeeded ?? 0)} of ${count(f.final)} final runs`, 'success')}
  ${stat('Outcome pass rate', pct(f.outcomePassRate), f.meanIterations === null ? 'no outcomes' : `${f.meanIterations.toFixed(2)} iterations on average`, 'outcome')}
  ${stat('Cost', dollars(f.costCents), f.costPerRunCents === null ? 'no run reported a cost' : `${dollars(f.costPerRunCents)} per run`, 'cost')}
</div>
<section class="card"><div class="card-title"><h2>Runs per day</h2><span class="hint">by status</span></div><div class="card-body">${runsChart(days, `Runs per day of ${name}, by status`)}</div></section>
<div class="grid halves">
<section class="card"><div class="card-title"><h2>Cost per day</h2></div><div class="card-body">${costChart(days, `Cost per day of ${name}`)}</div></section>
<section class="card"><div class="card-title"><h2>Duration</h2><span class="hint">p50 ${duration(f.durationP50Ms)} · p95 ${duration(f.durationP95Ms)} overall</span></div><div class="card-body">${durationChart(days, `p50 and p95 duration per day of ${name}`)}</div></section>
</div>
${kind === 'pipelines' && g ? funnel(g) : ''}
<section class="card"><div class="card-title"><h2>Failure reasons</h2><span class="hint">the unmet outcome, else the stop reason</span></div>${
    reasons.length
      ? html`<table class="reasons"><thead><tr><th>Reason</th><th class="num">Failed runs</th></tr></thead><tbody>${reasons.map(
          (r) =>
            html`<tr><td><a href="${failedRunsHref(kind, name, insight.since, r.reason)}">${r.reason.replace(/_/g, ' ')}</a></td><td class="num">${count(r.count)}</td></tr>`,
        )}</tbody></table>`
      : html`<div class="empty">No failed runs.</div>`
  }</section>`;
}
