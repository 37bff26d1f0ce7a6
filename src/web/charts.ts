// Server-rendered SVG charts for the agents and pipelines pages: a sparkline of daily runs by
// status, daily bars (stacked by status, or one series) and a line chart with two series (p50 and
// p95 duration). Each mark has a <title> tooltip; each full chart has axes, labels, and a table of
// the same numbers behind it for screen readers. Colours are CSS classes over the app.css
// variables, so dark mode applies. Every text goes through html`` (escaped).
import type { DayFigures } from '../query/insight.js';
import { RUN_STATUSES, type RunStatus } from '../store/types.js';
import { html, type SafeHtml } from './html.js';

/** The statuses present in the series, in RUN_STATUSES order (a chart shows no empty legend). */
function statusesIn(days: DayFigures[]): RunStatus[] {
  return RUN_STATUSES.filter((s) => days.some((d) => (d.byStatus[s] ?? 0) > 0));
}

/** "12 runs: 10 succeeded, 2 failed" (the tooltip and table text of one day). */
export function dayRunsText(d: DayFigures): string {
  const parts = RUN_STATUSES.filter((s) => (d.byStatus[s] ?? 0) > 0).map((s) => `${d.byStatus[s]} ${s}`);
  return `${d.runs} run${d.runs === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** Stacked rects for one day's statuses, bottom up; `scale` maps a count to pixels. */
function stack(d: DayFigures, x: number, w: number, base: number, scale: (n: number) => number): SafeHtml[] {
  let y = base;
  return RUN_STATUSES.filter((s) => (d.byStatus[s] ?? 0) > 0).map((s) => {
    const h = Math.max(1, scale(d.byStatus[s] ?? 0));
    y -= h;
    return html`<rect class="s-${s}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}"></rect>`;
  });
}

/** A small chart of daily runs by status, for a table row; the row carries the numbers. */
export function sparkline(days: DayFigures[], label: string): SafeHtml {
  const w = 120;
  const h = 28;
  const max = Math.max(1, ...days.map((d) => d.runs));
  const slot = w / Math.max(1, days.length);
  const bars = days.map(
    (d, i) =>
      html`<g class="day"><title>${d.day}: ${dayRunsText(d)}</title>${stack(d, i * slot + 0.5, Math.max(1, slot - 1), h, (n) => (n / max) * (h - 2))}<rect class="hit" x="${(i * slot).toFixed(1)}" y="0" width="${slot.toFixed(1)}" height="${h}"></rect></g>`,
  );
  const total = days.reduce((n, d) => n + d.runs, 0);
  return html`<svg class="sparkline" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${label}: ${total} runs over ${days.length} days"><line class="baseline" x1="0" y1="${h - 0.5}" x2="${w}" y2="${h - 0.5}"></line>${bars}</svg>`;
}

const W = 640;
const H = 200;
const M = { top: 10, right: 12, bottom: 26, left: 52 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

/** Axes with three y ticks (0, half, max) and the first, middle and last day on x. */
function axes(days: DayFigures[], max: number, fmt: (n: number) => string, yLabel: string): SafeHtml {
  const ticks = [0, max / 2, max].map((v) => {
    const y = M.top + PH - (v / max) * PH;
    return html`<line class="grid" x1="${M.left}" y1="${y.toFixed(1)}" x2="${W - M.right}" y2="${y.toFixed(1)}"></line><text class="tick" x="${M.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`;
  });
  const slot = PW / Math.max(1, days.length);
  const picks = [...new Set([0, Math.floor((days.length - 1) / 2), days.length - 1])].filter((i) => i >= 0);
  const xs = picks.map((i) => {
    const x = M.left + i * slot + slot / 2;
    return html`<text class="tick" x="${x.toFixed(1)}" y="${H - 8}" text-anchor="middle">${days[i]?.day.slice(5) ?? ''}</text>`;
  });
  return html`<line class="axis" x1="${M.left}" y1="${M.top + PH}" x2="${W - M.right}" y2="${M.top + PH}"></line><line class="axis" x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + PH}"></line>${ticks}${xs}<text class="axis-label" x="12" y="${M.top + PH / 2}" transform="rotate(-90 12 ${M.top + PH / 2})" text-anchor="middle">${yLabel}</text>`;
}

/** The table behind a chart: what a screen reader reads instead of the picture. */
function dataTable(caption: string, head: string[], rows: string[][]): SafeHtml {
  return html`<table class="sr-only"><caption>${caption}</caption><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows.map((r) => html`<tr>${r.map((c, i) => (i === 0 ? html`<th scope="row">${c}</th>` : html`<td>${c}</td>`))}</tr>`)}</tbody></table>`;
}

function legend(items: { cls: string; label: string }[]): SafeHtml {
  return html`<div class="legend" aria-hidden="true">${items.map((i) => html`<span><i class="swatch ${i.cls}"></i>${i.label}</span>`)}</div>`;
}

function figure(label: string, svg: SafeHtml, extra: SafeHtml, table: SafeHtml, key: string): SafeHtml {
  return html`<figure class="chart" data-chart="${key}"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}">${svg}</svg>${extra}${table}</figure>`;
}

/** Daily runs stacked by status. */
export function runsChart(days: DayFigures[], label: string): SafeHtml {
  const max = Math.max(1, ...days.map((d) => d.runs));
  const slot = PW / Math.max(1, days.length);
  const bars = days.map(
    (d, i) =>
      html`<g class="day"><title>${d.day}: ${dayRunsText(d)}</title>${stack(d, M.left + i * slot + 1, Math.max(1, slot - 2), M.top + PH, (n) => (n / max) * PH)}<rect class="hit" x="${(M.left + i * slot).toFixed(1)}" y="${M.top}" width="${slot.toFixed(1)}" height="${PH}"></rect></g>`,
  );
  const statuses = statusesIn(days);
  const table = dataTable(
    label,
    ['Day', 'Runs', ...statuses],
    days.map((d) => [d.day, String(d.runs), ...statuses.map((s) => String(d.byStatus[s] ?? 0))]),
  );
  const keys = legend(statuses.map((s) => ({ cls: `s-${s}`, label: s })));
  return figure(
    label,
    html`${axes(days, max, (n) => String(Math.round(n)), 'runs')}${bars}`,
    keys,
    table,
    'runs',
  );
}

export const dollars = (cents: number): string => `$${(cents / 100).toFixed(2)}`;

/** Daily cost bars. */
export function costChart(days: DayFigures[], label: string): SafeHtml {
  const max = Math.max(1, ...days.map((d) => d.costCents));
  const slot = PW / Math.max(1, days.length);
  const bars = days.map((d, i) => {
    const h = d.costCents === 0 ? 0 : Math.max(1, (d.costCents / max) * PH);
    return html`<g class="day"><title>${d.day}: ${dollars(d.costCents)}</title><rect class="cost" x="${(M.left + i * slot + 1).toFixed(1)}" y="${(M.top + PH - h).toFixed(1)}" width="${Math.max(1, slot - 2).toFixed(1)}" height="${h.toFixed(1)}"></rect><rect class="hit" x="${(M.left + i * slot).toFixed(1)}" y="${M.top}" width="${slot.toFixed(1)}" height="${PH}"></rect></g>`;
  });
  const table = dataTable(
    label,
    ['Day', 'Cost'],
    days.map((d) => [d.day, dollars(d.costCents)]),
  );
  return figure(label, html`${axes(days, max, (n) => dollars(n), 'cost')}${bars}`, html``, table, 'cost');
}

/** Seconds with one decimal: the unit of the duration chart's titles and table. */
export const seconds = (ms: number | null): string => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);

/** Daily p50 and p95 duration as two lines; days without a finished run leave a gap. */
export function durationChart(days: DayFigures[], label: string): SafeHtml {
  const max = Math.max(1, ...days.map((d) => d.durationP95Ms ?? 0));
  const slot = PW / Math.max(1, days.length);
  const point = (i: number, v: number) =>
    [M.left + i * slot + slot / 2, M.top + PH - (v / max) * PH] as const;
  const line = (pick: (d: DayFigures) => number | null, cls: string, name: string) => {
    let path = '';
    let open = false;
    const dots: SafeHtml[] = [];
    days.forEach((d, i) => {
      const v = pick(d);
      if (v === null) {
        open = false;
        return;
      }
      const [x, y] = point(i, v);
      path += `${open ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)} `;
      open = true;
      dots.push(
        html`<circle class="${cls}" cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3"><title>${d.day}: ${name} ${seconds(v)}</title></circle>`,
      );
    });
    return html`<path class="line ${cls}" d="${path.trim()}"></path>${dots}`;
  };
  const table = dataTable(
    label,
    ['Day', 'p50', 'p95'],
    days.map((d) => [d.day, seconds(d.durationP50Ms), seconds(d.durationP95Ms)]),
  );
  const keys = legend([
    { cls: 'p50', label: 'p50' },
    { cls: 'p95', label: 'p95' },
  ]);
  return figure(
    label,
    html`${axes(days, max, (n) => seconds(n), 'duration')}${line((d) => d.durationP95Ms, 'p95', 'p95')}${line((d) => d.durationP50Ms, 'p50', 'p50')}`,
    keys,
    table,
    'duration',
  );
}
