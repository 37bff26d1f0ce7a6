// `agenthooks replay`: pick stored events, then either put them back in the worker's queue or
// re-deliver them, freshly signed, to a webhook endpoint. Either way the event ids stay the same,
// so the receiving store dedupes them and runs never double up.
import { AppError } from '../errors.js';
import { walkEvents } from '../query/events.js';
import type { Store, StoredEvent } from '../store/types.js';
import { signedHeaders } from '../webhooks/sign.js';

export interface ReplaySelection {
  ids: string[];
  session?: string;
  since?: number;
  until?: number;
}

/** The selected events, oldest first. Unknown ids are an error: nothing is replayed then. */
export async function selectEvents(store: Store, sel: ReplaySelection): Promise<StoredEvent[]> {
  const byRange = sel.session !== undefined || sel.since !== undefined || sel.until !== undefined;
  if (sel.ids.length === 0 && !byRange) {
    throw new AppError(
      'usage',
      'Say which events to replay: event ids, --session ID, or --since/--until (for example --since 1h).',
    );
  }
  const picked = new Map<string, StoredEvent>();
  const missing: string[] = [];
  for (const id of sel.ids) {
    const e = await store.getEvent(id);
    if (e) picked.set(e.id, e);
    else missing.push(id);
  }
  if (missing.length > 0) {
    throw new AppError(
      'event_not_found',
      `No event ${missing.map((m) => JSON.stringify(m)).join(', ')} in this database: list them with \`agenthooks events\`. Nothing was replayed.`,
    );
  }
  if (byRange) {
    const query = { subjectId: sel.session, since: sel.since, until: sel.until };
    for await (const page of walkEvents(store, query)) for (const e of page) picked.set(e.id, e);
  }
  return [...picked.values()].sort(
    (a, b) => a.receivedAt - b.receivedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

export interface DeliveryResult {
  id: string;
  ok: boolean;
  status: number | null;
  /** The answer body (trimmed), or why nothing was sent. */
  answer: string;
}

/**
 * Sends each event's raw body, exactly as stored, with a fresh timestamp and the same event id as
 * webhook-id. One at a time: replays are for repair, not load, and an ordered log reads better.
 */
export async function redeliver(
  events: StoredEvent[],
  url: string,
  secrets: string[],
  nowSec: () => number,
  onResult: (r: DeliveryResult) => void,
  signal?: AbortSignal,
): Promise<DeliveryResult[]> {
  const results: DeliveryResult[] = [];
  for (const e of events) {
    if (signal?.aborted) break;
    let r: DeliveryResult;
    if (e.raw === null) {
      r = { id: e.id, ok: false, status: null, answer: 'not sent: the body was pruned, only the id is kept' };
    } else {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...signedHeaders(secrets, e.id, nowSec(), e.raw) },
          body: e.raw,
          redirect: 'manual',
          signal: AbortSignal.timeout(30_000),
        });
        const text = (await res.text()).trim();
        r = {
          id: e.id,
          ok: res.status >= 200 && res.status < 300,
          status: res.status,
          answer: text.slice(0, 300),
        };
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        r = {
          id: e.id,
          ok: false,
          status: null,
          answer: `not delivered: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
        };
      }
    }
    results.push(r);
    onResult(r);
  }
  return results;
}

export function checkUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.toString();
  } catch {
    // fall through to the error below
  }
  throw new AppError(
    'usage',
    `--to ${JSON.stringify(value)} is not an http(s) URL; give the full webhook URL, e.g. http://127.0.0.1:8787/webhooks.`,
  );
}
