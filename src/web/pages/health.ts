// The health page (`/health-view`): events per minute, rejects by code, worker backlog and
// failures, the reconciler's last sweep, time since the last delivery.
import { rejectHint } from '../../query/rejects.js';
import type { Stats } from '../../query/stats.js';
import { RUN_STATUSES } from '../../store/types.js';
import { ago, count, shortTime, truncate } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { eventHref, runHref, withParams } from '../links.js';
import { sparkBars } from '../svg.js';
import { statusBadge } from './runs.js';

function stat(k: string, v: string, s: SafeHtml | string, tone = ''): SafeHtml {
  return html`<div class="card card-body stat"><div class="k">${k}</div><div class="v ${tone}">${v}</div><div class="s">${s}</div></div>`;
}

/** "refreshed 2 of 38 listed · 0 errors" from what the reconciler recorded, else the sweep time. */
function sweepSummary(st: Stats): string {
  const d = st.reconciler.detail;
  const n = (k: string): number | null => {
    const v = d && typeof d === 'object' ? (d as Record<string, unknown>)[k] : undefined;
    return typeof v === 'number' ? v : null;
  };
  const parts: string[] = [];
  if (n('refreshed') !== null)
    parts.push(`refreshed ${n('refreshed')}${n('listed') !== null ? ` of ${n('listed')} listed` : ''}`);
  if (n('errors') !== null) parts.push(`${n('errors')} error${n('errors') === 1 ? '' : 's'}`);
  return parts.length ? parts.join(' · ') : `last sweep ${shortTime(st.reconciler.lastSweepAt)}`;
}

export function healthBody(st: Stats): SafeHtml {
  const since = st.msSinceLastDelivery;
  const rejectsTotal = st.rejects.reduce((a, r) => a + r.count, 0);
  const maxReject = Math.max(1, ...st.rejects.map((r) => r.count));
  const sweepAge = st.reconciler.lastSweepAt === null ? null : st.now - st.reconciler.lastSweepAt;
  const backlogTone = st.backlog.pending > 100 ? 'warn' : '';
  const first = st.eventsPerMinute[0]?.minute ?? st.now;
  return html`<div id="health-region" data-live-region>
<div class="page-head"><div><h1>Health</h1><div class="sub">Receiver, worker and reconciler, from the shared store. As of ${shortTime(st.now)}.</div></div></div>
<div class="grid four">
  ${stat('Events, last hour', count(st.eventsLastHour), `${(st.eventsLastHour / 60).toFixed(1)} per minute on average`)}
  ${stat('Last delivery', since === null ? 'never' : ago(st.lastDeliveryAt, st.now), since === null ? 'no webhook stored yet' : shortTime(st.lastDeliveryAt), since === null || since > 3_600_000 ? 'warn' : '')}
  ${stat('Worker backlog', count(st.backlog.pending), html`pending · ${count(st.backlog.processing)} processing · <a href="/events?state=failed" class="${st.backlog.failed > 0 ? 'bad-text' : ''}">${count(st.backlog.failed)} failed</a>`, backlogTone)}
  ${stat('Reconciler', sweepAge === null ? 'no sweep' : ago(st.reconciler.lastSweepAt, st.now), sweepAge === null ? 'no sweep recorded yet' : sweepSummary(st), sweepAge !== null && sweepAge > 10 * 60_000 ? 'warn' : '')}
</div>
<section class="card"><div class="card-title"><h2>Events received per minute</h2><span class="hint">last 60 minutes · peak ${count(Math.max(0, ...st.eventsPerMinute.map((p) => p.count)))}/min</span></div>
  <div class="card-body">${sparkBars(st.eventsPerMinute, { label: 'Events received per minute, last hour' })}
  <div class="spark-axis"><span>${shortTime(first).slice(11, 16)}</span><span>30 min ago</span><span>now</span></div></div></section>
<div class="grid halves" style="margin-top:16px">
  <section class="card"><div class="card-title"><h2>Rejected requests</h2><span class="hint">last hour · ${count(rejectsTotal)} total</span></div>
    ${
      st.rejects.length
        ? html`<div class="table-wrap"><table><thead><tr><th>Code</th><th class="num">Count</th><th>Usual cause</th></tr></thead><tbody>${st.rejects.map(
            (r) =>
              html`<tr><td><code>${r.code}</code><div class="meter"><span style="width:${((r.count / maxReject) * 100).toFixed(1)}%"></span></div></td><td class="num">${count(r.count)}</td><td class="muted long">${rejectHint(r.code)}</td></tr>`,
          )}</tbody></table></div>`
        : html`<div class="empty">No rejected requests in the last hour.</div>`
    }</section>
  <section class="card"><div class="card-title"><h2>Runs by status</h2></div>
    <div class="table-wrap"><table><tbody>${RUN_STATUSES.map((s) => html`<tr><td>${statusBadge(s)}</td><td class="num"><a href="${withParams('/', {}, { status: s })}">${count(st.runs[s] ?? 0)}</a></td></tr>`)}</tbody></table></div></section>
</div>
<section class="card"><div class="card-title"><h2>Recent processing failures</h2><span class="hint">events the worker gave up on</span></div>
  ${
    st.recentFailures.length
      ? html`<div class="table-wrap"><table><thead><tr><th>Received</th><th>Event</th><th>Subject</th><th class="num">Attempts</th><th>Error</th></tr></thead><tbody>${st.recentFailures.map(
          (e) =>
            html`<tr><td class="nowrap muted">${ago(e.receivedAt, st.now)}</td><td><a class="mono" href="${eventHref(e.id)}">${e.type}</a></td><td>${e.subjectId ? html`<a class="mono" href="${runHref(e.subjectId)}">${e.subjectId}</a>` : '–'}</td><td class="num">${e.attempts}</td><td class="muted long">${truncate(e.lastError ?? '', 140)}</td></tr>`,
        )}</tbody></table></div>`
      : html`<div class="empty">No failed events. ${st.heartbeat.at !== null ? `Serve heartbeat ${ago(st.heartbeat.at, st.now)}.` : ''}</div>`
  }
</section>
<p class="faint" style="margin-top:14px">A backlog that does not shrink usually means the worker is off (no ANTHROPIC_API_KEY) or the platform is failing: see <a href="/ready">/ready</a>.</p>
</div>`;
}
