// `agenthooks export`: the whole store as NDJSON, one `{kind, ...}` object per line: every run
// followed by its history, then every event (oldest first). `import` reads it back.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { walkEvents } from '../query/events.js';
import type { Run, Store } from '../store/types.js';

const PAGE = 1000;

export interface ExportCounts {
  runs: number;
  history: number;
  events: number;
}

/** Writes a chunk and waits for 'drain' when the stream asks for it, so a million-row export does
 * not buffer in memory. */
async function writeChunk(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

export async function exportStore(store: Store, out: Writable, signal?: AbortSignal): Promise<ExportCounts> {
  const counts: ExportCounts = { runs: 0, history: 0, events: 0 };
  let before: { firstSeenAt: number; id: string } | undefined;
  for (;;) {
    const runs: Run[] = await store.listRuns({ before, limit: PAGE });
    for (const run of runs) {
      let text = `${JSON.stringify({ kind: 'run', ...run })}\n`;
      for (const h of await store.runHistory(run.id)) {
        text += `${JSON.stringify({ kind: 'history', ...h })}\n`;
        counts.history += 1;
      }
      await writeChunk(out, text);
      counts.runs += 1;
    }
    if (runs.length < PAGE || signal?.aborted) break;
    const last = runs[runs.length - 1];
    before = { firstSeenAt: last.firstSeenAt, id: last.id };
  }
  for await (const events of walkEvents(store, {})) {
    await writeChunk(out, events.map((e) => `${JSON.stringify({ kind: 'event', ...e })}\n`).join(''));
    counts.events += events.length;
    if (signal?.aborted) break;
  }
  return counts;
}
