// The serve heartbeat: one meta row that `serve` rewrites every few seconds, read by commands that
// must know whether a serve keeps the store current (`launch --wait` follows the store while it is
// fresh and polls the API itself otherwise; `chain`, `replay`). Writer and reader live together so
// the key, the shape and the freshness rule cannot drift apart.
import type { Clock } from '../clock.js';
import type { Store } from '../store/types.js';

export const HEARTBEAT_META_KEY = 'serve.heartbeat';
/** How often serve rewrites the row. */
export const HEARTBEAT_MS = 5000;
/** Older than this means no serve is working on the store (three missed beats). */
export const HEARTBEAT_FRESH_MS = 15_000;

export interface Heartbeat {
  at: number;
  pid?: number;
  url?: string | null;
}

export async function writeHeartbeat(store: Store, clock: Clock, url: string | null): Promise<void> {
  const beat: Heartbeat = { at: clock.now(), pid: process.pid, url };
  await store.setMeta(HEARTBEAT_META_KEY, JSON.stringify(beat));
}

/** The heartbeat when one was written less than HEARTBEAT_FRESH_MS ago, else null. */
export async function freshHeartbeat(store: Store, now: number): Promise<Heartbeat | null> {
  const raw = await store.getMeta(HEARTBEAT_META_KEY);
  if (raw === null) return null;
  try {
    const hb = JSON.parse(raw) as Heartbeat;
    return typeof hb.at === 'number' && now - hb.at < HEARTBEAT_FRESH_MS ? hb : null;
  } catch {
    return null;
  }
}
