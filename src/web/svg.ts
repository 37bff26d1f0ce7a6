// Small inline SVG pictures (no chart library, no network): the events-per-minute bars of the
// health page and the chain lineage graph of a run page. Colours come from app.css classes, so
// dark mode applies to them too.
import type { Run } from '../store/types.js';
import { shortTime, truncate } from './format.js';
import { html, type SafeHtml } from './html.js';

export function sparkBars(points: { minute: number; count: number }[], opts: { label: string }): SafeHtml {
  const w = 600;
  const h = 90;
  const max = Math.max(1, ...points.map((p) => p.count));
  const slot = w / Math.max(1, points.length);
  const bars = points.map((p, i) => {
    const bh = p.count === 0 ? 0 : Math.max(2, (p.count / max) * (h - 6));
    const x = (i * slot + 1).toFixed(1);
    const y = (h - bh).toFixed(1);
    return html`<rect class="bar${p.count === 0 ? ' zero' : ''}" x="${x}" y="${y}" width="${(slot - 2).toFixed(1)}" height="${bh.toFixed(1)}" rx="1.5"><title>${shortTime(p.minute)}: ${p.count}</title></rect>`;
  });
  return html`<svg class="spark" viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" role="img" aria-label="${opts.label}">
  <line class="baseline" x1="0" y1="${h - 0.5}" x2="${w}" y2="${h - 0.5}"></line>${bars}</svg>`;
}

const NODE_W = 168;
const NODE_H = 46;
const COL_GAP = 56;
const ROW_GAP = 14;
const PAD = 8;

function nodeLabel(run: Run): string {
  return truncate(run.step ?? run.title ?? run.task ?? run.id, 22);
}

/** The run's chain: ancestors (root first) on the left, the run, then its children stacked. */
export function lineageGraph(ancestors: Run[], current: Run, children: Run[]): SafeHtml {
  const columns: Run[][] = [...ancestors.map((a) => [a]), [current]];
  if (children.length) columns.push(children);
  const tallest = Math.max(...columns.map((c) => c.length));
  const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * ROW_GAP;
  const width = PAD * 2 + columns.length * NODE_W + (columns.length - 1) * COL_GAP;
  const pos = new Map<string, { x: number; y: number }>();
  columns.forEach((col, ci) => {
    const colH = col.length * NODE_H + (col.length - 1) * ROW_GAP;
    const top = (height - colH) / 2;
    col.forEach((r, ri) => {
      pos.set(r.id, { x: PAD + ci * (NODE_W + COL_GAP), y: top + ri * (NODE_H + ROW_GAP) });
    });
  });
  const edges: SafeHtml[] = [];
  for (let ci = 1; ci < columns.length; ci++) {
    const from = pos.get(columns[ci - 1]?.[0]?.id ?? '');
    for (const r of columns[ci] ?? []) {
      const to = pos.get(r.id);
      if (!from || !to) continue;
      const x1 = from.x + NODE_W;
      const y1 = from.y + NODE_H / 2;
      const x2 = to.x;
      const y2 = to.y + NODE_H / 2;
      const mx = (x1 + x2) / 2;
      edges.push(html`<path class="edge" d="M${x1} ${y1} C${mx} ${y1} ${mx} ${y2} ${x2} ${y2}"></path>`);
    }
  }
  const nodes = columns.flat().map((r) => {
    const p = pos.get(r.id);
    if (!p) return html``;
    const cls = `node ${r.status}${r.id === current.id ? ' current' : ''}`;
    const body = html`<g class="${cls}" transform="translate(${p.x} ${p.y})">
      <rect width="${NODE_W}" height="${NODE_H}" rx="9"></rect>
      <circle class="dot" cx="14" cy="${NODE_H / 2}" r="4.5"></circle>
      <text x="26" y="19" class="label">${nodeLabel(r)}</text>
      <text x="26" y="35" class="sub">${r.status}${r.agentName ? ` · ${truncate(r.agentName, 12)}` : ''}</text>
      <title>${r.id}</title>
    </g>`;
    return r.id === current.id ? body : html`<a href="/runs/${encodeURIComponent(r.id)}">${body}</a>`;
  });
  return html`<svg class="lineage" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Chain lineage">${edges}${nodes}</svg>`;
}
