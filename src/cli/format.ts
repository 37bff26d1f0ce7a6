// Plain-text rendering: tables, durations, relative times and colors. Colors only when the stream is
// a TTY and NO_COLOR is unset, so pipes and files get clean text.
import type { Writable } from 'node:stream';
import type { Env } from '../config.js';
import { safeText } from './safe-text.js';

export interface Style {
  color: boolean;
}

export function styleFor(stream: Writable, env: Env): Style {
  return { color: (stream as { isTTY?: boolean }).isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb' };
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, dim: 2, bold: 1 } as const;
export type Color = keyof typeof CODES;

export function paint(style: Style, color: Color | null, text: string): string {
  return style.color && color ? `\x1b[${CODES[color]}m${text}\x1b[0m` : text;
}

// ANSI sequences take no room on screen; widths are measured without them.
const ANSI = /\x1b\[[0-9;]*m/g;
export function visibleLength(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

export function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const chars = [...oneLine];
  return chars.length <= max ? oneLine : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  color?: (row: T) => Color | null;
  max?: number;
  align?: 'left' | 'right';
}

/** A cell's text: untrusted values with control characters made visible, cut to the column. */
function cellText<T>(c: Column<T>, row: T): string {
  return truncate(safeText(c.value(row)), c.max ?? 60);
}

/** Column widths from the rows given; the last column is not padded. */
export function columnWidths<T>(columns: Column<T>[], rows: T[]): number[] {
  return columns.map((c) => Math.max(c.header.length, ...rows.map((r) => visibleLength(cellText(c, r)))));
}

export function renderRow<T>(columns: Column<T>[], widths: number[], row: T, style: Style): string {
  return columns
    .map((c, i) => {
      const text = cellText(c, row);
      const pad = ' '.repeat(Math.max(0, widths[i] - visibleLength(text)));
      const cell = paint(style, c.color?.(row) ?? null, text);
      if (c.align === 'right') return pad + cell;
      return i === columns.length - 1 ? cell : cell + pad;
    })
    .join('  ')
    .trimEnd();
}

export function renderHeader<T>(columns: Column<T>[], widths: number[], style: Style): string {
  return paint(
    style,
    'bold',
    columns
      .map((c, i) => (i === columns.length - 1 ? c.header : c.header.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

export function renderTable<T>(columns: Column<T>[], rows: T[], style: Style): string {
  const widths = columnWidths(columns, rows);
  return [
    renderHeader(columns, widths, style),
    ...rows.map((r) => renderRow(columns, widths, r, style)),
  ].join('\n');
}

/** "850ms", "12s", "3m 05s", "1h 02m", "2d 03h". */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${String(h % 24).padStart(2, '0')}h`;
}

/** "just now", "42s ago", "5m ago", "3h ago", "6d ago", then the date. */
export function formatRelative(at: number | null, now: number): string {
  if (at === null) return '-';
  const d = now - at;
  if (d < 0) return formatTime(at);
  if (d < 5_000) return 'just now';
  if (d < 60_000) return `${Math.floor(d / 1000)}s ago`;
  if (d < 3_600_000) return `${Math.floor(d / 60_000)}m ago`;
  if (d < 86_400_000) return `${Math.floor(d / 3_600_000)}h ago`;
  if (d < 30 * 86_400_000) return `${Math.floor(d / 86_400_000)}d ago`;
  return new Date(at).toISOString().slice(0, 10);
}

/** ISO time to the second, UTC. */
export function formatTime(at: number | null): string {
  return at === null ? '-' : new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** One color per run status and event state, so both read the same in every table. */
export function statusColor(status: string): Color | null {
  switch (status) {
    case 'succeeded':
    case 'done':
      return 'green';
    case 'failed':
      return 'red';
    case 'cancelled':
      return 'dim';
    case 'blocked':
    case 'processing':
      return 'yellow';
    case 'running':
    case 'pending':
      return 'cyan';
    default:
      return 'dim';
  }
}
