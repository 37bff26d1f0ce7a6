// Machine-readable output: --json prints one array, --ndjson one object per line (what --follow
// streams).
import { AppError } from '../errors.js';

export type OutputMode = 'table' | 'json' | 'ndjson';

export function outputMode(flags: { json?: boolean; ndjson?: boolean }): OutputMode {
  if (flags.json && flags.ndjson) throw new AppError('usage', 'Pass either --json or --ndjson, not both.');
  return flags.json ? 'json' : flags.ndjson ? 'ndjson' : 'table';
}

export function jsonArray(rows: unknown[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

export function ndjsonLines(rows: unknown[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
}
