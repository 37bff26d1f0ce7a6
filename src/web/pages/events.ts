// The event ledger (`/events`) and one event (`/events/:id`) with its raw JSON.
import { type EventSummary, type EventsPage, eventPayload } from '../../query/events.js';
import type { EventFilters } from '../../query/filters.js';
import { EVENT_STATES, type StoredEvent } from '../../store/types.js';
import { ago, shortTime, truncate } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { eventHref, runHref, withParams } from '../links.js';
import { statusBadge } from './runs.js';

function eventRow(e: EventSummary, now: number): SafeHtml {
  return html`<tr data-row-key="${e.id}" data-row-version="${e.state}:${e.attempts}">
  <td class="nowrap muted" title="${shortTime(e.receivedAt)}">${ago(e.receivedAt, now)}</td>
  <td><a class="mono" href="${eventHref(e.id)}">${e.type}</a></td>
  <td>${e.subjectId ? html`<a class="mono" href="${e.subjectId.startsWith('sesn_') ? runHref(e.subjectId) : withParams('/events', {}, { session: e.subjectId })}">${e.subjectId}</a>` : html`<span class="faint">–</span>`}</td>
  <td>${statusBadge(e.state)}</td>
  <td class="num">${e.attempts}</td>
  <td class="muted">${e.lastError ? truncate(e.lastError, 120) : ''}</td>
</tr>`;
}

export function eventsBody(f: EventFilters, page: EventsPage, now: number): SafeHtml {
  const current = { ...f.raw };
  delete current.cursor;
  const state = f.state ?? '';
  return html`<div class="page-head"><div><h1>Events</h1><div class="sub">Every webhook event stored, once per event id, newest first.</div></div></div>
<section class="card">
  <form class="filters" method="get" action="/events" role="search">
    <div class="chips">
      <a class="chip${state === '' ? ' on' : ''}" href="${withParams('/events', current, { state: null })}">All</a>
      ${EVENT_STATES.map((s) => html`<a class="chip ${s}${state === s ? ' on' : ''}" href="${withParams('/events', current, { state: state === s ? null : s })}">${s}</a>`)}
    </div>
    <div class="controls">
    ${state ? html`<input type="hidden" name="state" value="${state}">` : ''}
    <input type="text" name="type" value="${f.raw.type ?? ''}" placeholder="Type, e.g. session.status_idled" aria-label="Event type" size="24">
    <input type="text" name="session" value="${f.raw.session ?? ''}" placeholder="Session id" aria-label="Session id" size="18">
    <button class="btn" type="submit">Apply</button>
    </div>
  </form>
  <div id="events-region" data-live-region>
  ${
    page.events.length
      ? html`<div class="table-wrap"><table><thead><tr><th>Received</th><th>Type</th><th>Subject</th><th>State</th><th class="num">Attempts</th><th>Last error</th></tr></thead>
  <tbody>${page.events.map((e) => eventRow(e, now))}</tbody></table></div>`
      : html`<div class="empty"><strong>No events${Object.keys(current).length ? ' match these filters' : ' yet'}</strong>Point the platform's webhook endpoint at <code>POST /webhooks</code>.</div>`
  }
  ${page.nextCursor ? html`<div class="pager"><span>${f.cursor ? html`<a href="${withParams('/events', current, {})}">← Newest</a>` : ''}</span><a href="${withParams('/events', current, { cursor: page.nextCursor })}" rel="next">Older events →</a></div>` : ''}
  </div>
</section>`;
}

export function eventBody(e: StoredEvent, now: number): SafeHtml {
  // Bodies that do not parse (or nest too deep to print again) are shown as stored.
  const body = eventPayload(e);
  const pretty = body === null ? (e.raw ?? '') : JSON.stringify(body, null, 2);
  const rows: [string, SafeHtml | string][] = [
    ['State', statusBadge(e.state)],
    [
      'Subject',
      e.subjectId
        ? html`<a class="mono" href="${e.subjectId.startsWith('sesn_') ? runHref(e.subjectId) : '#'}">${e.subjectId}</a>`
        : '–',
    ],
    ['Thread', e.threadId ?? '–'],
    ['Created (platform)', shortTime(e.createdAt)],
    ['Received', `${shortTime(e.receivedAt)} (${ago(e.receivedAt, now)})`],
    ['Processed', e.processedAt ? shortTime(e.processedAt) : '–'],
    ['Attempts', String(e.attempts)],
    ['Next attempt', e.nextAttemptAt ? shortTime(e.nextAttemptAt) : '–'],
  ];
  return html`<div class="crumbs"><a href="/events">Events</a> / <span class="mono">${e.id}</span></div>
<div class="run-head"><h1 class="mono" style="font-size:19px">${e.type}</h1>${statusBadge(e.state)}</div>
<div class="grid two" style="margin-top:18px">
  <section class="card"><div class="card-title"><h2>Raw JSON</h2><span class="hint">as received and verified</span></div>
    <div class="card-body">${e.raw === null ? html`<p class="muted">The body was pruned; the id is kept so that dedupe still holds.</p>` : html`<pre class="json">${pretty}</pre>`}</div></section>
  <section class="card"><div class="card-title"><h2>Processing</h2></div><div class="card-body">
    <dl class="kv">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
    ${e.lastError ? html`<h3>Last error</h3><div class="alert error">${e.lastError}</div>` : ''}
  </div></section>
</div>`;
}
