// Time expressions for --since/--until: an age ("30m", "2h", "7d" = that long ago) or an ISO date
// or date-time. A bad one is a usage error (exit 2) that lists the accepted forms.
import { AppError } from '../errors.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const AGE = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*(?:ago)?\s*$/i;
// Date.parse alone accepts "1" or "March 7"; only ISO forms are taken.
const ISO = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;

export const TIME_FORMS =
  'an age like 30s, 30m, 2h, 7d or 2w (meaning that long ago), or an ISO time like 2026-11-27 or 2026-11-27T03:00:00Z';

/** Epoch ms for a time expression; `now` anchors relative ages. */
export function parseTimeExpr(value: string, now: number, flag: string): number {
  const age = AGE.exec(value);
  if (age) return now - Math.round(Number(age[1]) * UNIT_MS[age[2].toLowerCase()]);
  const text = value.trim();
  if (text.toLowerCase() === 'now') return now;
  if (ISO.test(text)) {
    // A bare date or a date-time without a zone is read as UTC, so results do not depend on the machine.
    const zoned = /[Zz]|[+-]\d{2}:?\d{2}$/.test(text.slice(10))
      ? text
      : text.length === 10
        ? `${text}T00:00:00Z`
        : `${text}Z`;
    const ms = Date.parse(zoned.replace(' ', 'T'));
    if (Number.isFinite(ms)) return ms;
  }
  throw new AppError('invalid_time', `${flag} ${JSON.stringify(value)} is not a time: use ${TIME_FORMS}.`);
}

/** since/until flags to a range; both optional. */
export function timeRange(
  flags: { since?: string; until?: string },
  now: number,
): { since?: number; until?: number } {
  const since = flags.since === undefined ? undefined : parseTimeExpr(flags.since, now, '--since');
  const until = flags.until === undefined ? undefined : parseTimeExpr(flags.until, now, '--until');
  if (since !== undefined && until !== undefined && since >= until) {
    throw new AppError(
      'invalid_time',
      `--since must be before --until (got ${new Date(since).toISOString()} and ${new Date(until).toISOString()}).`,
    );
  }
  return { since, until };
}
