// What the archivable resources share: updated_at that always moves forward, archiving once (with
// its webhook), and lists that leave archived objects out unless include_archived is set.
import type { SimContext } from '../context.js';
import type { WebhookDetail } from '../deliverer.js';
import { forwardPage } from '../paging.js';
import { iso } from '../state.js';
import { type Query, queryBool, timeRange } from '../validate.js';

export interface Stamped {
  id: string;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

/** A timestamp after `prev` by at least 1 ms, so two snapshots never tie. */
export function later(ctx: SimContext, prev: string): string {
  return iso(Math.max(ctx.clock.now(), Date.parse(prev) + 1));
}

/** Archives once: a second archive answers the object unchanged and sends nothing. */
export function archiveOnce(ctx: SimContext, obj: Stamped, webhook: WebhookDetail): void {
  if (obj.archived_at !== null) return;
  obj.updated_at = later(ctx, obj.updated_at);
  obj.archived_at = obj.updated_at;
  ctx.deliverer.emit(webhook, obj.id);
}

/** Newest first; archived ones only with include_archived; created_at[...] filters apply. */
export function liveList<T extends Stamped>(ctx: SimContext, q: Query, items: T[]) {
  const archived = queryBool(q, 'include_archived') ?? false;
  const inRange = timeRange(q);
  const kept = items
    .filter((x) => (archived || x.archived_at === null) && inRange(Date.parse(x.created_at)))
    .sort(ctx.state.newestFirst);
  return forwardPage(q, kept, (x) => x.id, 'desc');
}

/** The timestamps of an object created now. */
export function fresh(ctx: SimContext): { created_at: string; updated_at: string; archived_at: null } {
  const now = iso(ctx.clock.now());
  return { created_at: now, updated_at: now, archived_at: null };
}

/** Stores a new object, remembers its creation order and sends its created webhook. */
export function keep<T extends { id: string }>(
  ctx: SimContext,
  map: Map<string, T>,
  obj: T,
  webhook: WebhookDetail,
): T {
  map.set(obj.id, obj);
  ctx.state.remember(obj.id);
  ctx.deliverer.emit(webhook, obj.id);
  return obj;
}
