// Machine-readable output: --json prints one array, --ndjson one object per line (what --follow
// streams). Writes respect backpressure so a million-row export does not buffer in memory.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { AppError } from '../errors.js';

export type OutputMode = 'table' | 'json' | 'ndjson';

export function outputMode(flags: { json?: boolean; ndjson?: boolean }): OutputMode {
  if (flags.json && flags.ndjson) throw new AppError('usage', 'Pass either --json or --ndjson, not both.');
  return flags.json ? 'json' : flags.ndjson ? 'ndjson' : 'table';
}

/** Writes a chunk and waits for 'drain' when the stream asks for it. */
export async function writeChunk(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

export function jsonArray(rows: unknown[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

export function ndjsonLines(rows: unknown[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
}
