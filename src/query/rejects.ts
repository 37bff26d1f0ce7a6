// Rejected webhook requests per code and minute, and what each code usually means in practice,
// so a wrong secret or a misbehaving proxy is recognisable at a glance (`agenthooks rejects`, the
// health page).
import type { RejectCount, Store } from '../store/types.js';

const REJECT_HINTS: Record<string, string> = {
  invalid_signature:
    "wrong signing secret: copy the endpoint's whsec_ secret from the Console (pass both during a rotation); or a proxy re-serialises the body",
  missing_headers: 'a proxy strips the webhook-* headers, or the sender is not a Standard Webhooks sender',
  timestamp_too_old:
    "clock skew or delayed delivery: sync this machine's clock (NTP); look for a queue in front",
  timestamp_too_new: "this machine's clock is behind: sync it (NTP)",
  invalid_timestamp: 'the sender is not the platform, or a proxy rewrites headers',
  body_too_large: 'a body over --body-limit: a proxy wrapping the body, or raise --body-limit',
  invalid_json: 'the sender sent a body that is not JSON',
  not_an_event:
    'not a webhook event envelope: a misrouted request (health check, other service) hits /webhooks',
  id_mismatch: 'the body id differs from webhook-id: the sender or a proxy rewrites one of them',
  store_unavailable:
    'the database could not commit (disk full, locked, PostgreSQL down); the platform retries',
};

export function rejectHint(code: string): string {
  return REJECT_HINTS[code] ?? 'see docs/errors.md';
}

export interface RejectSummary {
  since: number;
  total: number;
  /** Most frequent first. */
  byCode: Array<{ code: string; count: number; lastMinute: number; hint: string }>;
  rows: RejectCount[];
}

export function summariseRejects(rows: RejectCount[], since: number): RejectSummary {
  const byCode = new Map<string, { count: number; lastMinute: number }>();
  for (const r of rows) {
    const c = byCode.get(r.code) ?? { count: 0, lastMinute: 0 };
    c.count += r.count;
    c.lastMinute = Math.max(c.lastMinute, r.minute);
    byCode.set(r.code, c);
  }
  return {
    since,
    total: rows.reduce((s, r) => s + r.count, 0),
    byCode: [...byCode.entries()]
      .map(([code, c]) => ({ code, ...c, hint: rejectHint(code) }))
      .sort((a, b) => b.count - a.count),
    rows,
  };
}

/** The rejects counted from the minute `since` falls in. */
export async function rejectsSince(store: Store, since: number): Promise<RejectSummary> {
  return summariseRejects(await store.listRejects(since - (since % 60_000)), since);
}
