// `agenthooks export`: the whole store as NDJSON, one `{kind, ...}` object per line: every run
// followed by its history, then every event (oldest first). `import` reads it back.
import type { Writable } from 'node:stream';
import type { Run, Store } from '../store/types.js';
import { writeChunk } from './output.js';

const PAGE = 1000;

export interface ExportCounts {
  runs: number;
  history: number;
  events: number;
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
  let after = { receivedAt: -1, id: '' };
  for (;;) {
    const events = await store.listEvents({ after, limit: PAGE });
    if (events.length > 0) {
      await writeChunk(out, events.map((e) => `${JSON.stringify({ kind: 'event', ...e })}\n`).join(''));
      counts.events += events.length;
    }
    if (events.length < PAGE || signal?.aborted) break;
    const last = events[events.length - 1];
    after = { receivedAt: last.receivedAt, id: last.id };
  }
  return counts;
}
