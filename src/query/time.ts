// Time expressions for since/until, on the command line and in URLs alike: an age ("30m", "2h",
// "7d" = that long ago), an ISO date or date-time, or epoch milliseconds. A bad one is an
// invalid_time error that lists the accepted forms.
import { AppError } from '../errors.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const AGE = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*(?:ago)?\s*$/i;
// Date.parse alone accepts "1" or "March 7"; only ISO forms are taken.
const ISO = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;
// Eleven digits and more cannot be a year or an age: epoch milliseconds (what scripts pass).
const EPOCH_MS = /^\d{11,}$/;

export const TIME_FORMS =
  'an age like 30s, 30m, 2h, 7d or 2w (meaning that long ago), or an ISO time like 2026-11-27 or 2026-11-27T03:00:00Z';

/** Epoch ms for a time expression; `now` anchors relative ages; `name` is how errors call it. */
export function parseTime(value: string, now: number, name: string): number {
  const age = AGE.exec(value);
  if (age) return now - Math.round(Number(age[1]) * UNIT_MS[age[2].toLowerCase()]);
  const text = value.trim();
  if (text.toLowerCase() === 'now') return now;
  if (EPOCH_MS.test(text)) return Number(text);
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
  throw new AppError('invalid_time', `${name} ${JSON.stringify(value)} is not a time: use ${TIME_FORMS}.`);
}
