// Five-field cron expressions (minute hour day-of-month month day-of-week) with *, lists, ranges
// and steps, evaluated in the schedule's IANA timezone on the simulator's clock. A minute-by-minute
// search is plenty for a simulator: the next fire is at most a year away.
import { badRequest } from './api-error.js';

const LIMITS: Array<[number, number]> = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];

export type Cron = Array<Set<number>>;

export function parseCron(expression: string): Cron {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw badRequest('schedule.expression: a cron expression has five fields.');
  return fields.map((field, i) => {
    const [min, max] = LIMITS[i];
    const values = new Set<number>();
    for (const part of field.split(',')) {
      const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
      if (!m) throw badRequest(`schedule.expression: cannot read "${part}".`);
      const from = m[1] === '*' ? min : Number(m[2]);
      const to = m[1] === '*' ? max : m[3] !== undefined ? Number(m[3]) : m[4] ? max : from;
      const step = m[4] ? Number(m[4]) : 1;
      if (from < min || to > max || from > to || step < 1)
        throw badRequest(`schedule.expression: "${part}" is out of range ${min}-${max}.`);
      for (let v = from; v <= to; v += step) values.add(i === 4 && v === 7 ? 0 : v);
    }
    return values;
  });
}

export function checkTimezone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw badRequest(`schedule.timezone: unknown timezone "${tz}".`);
  }
}

/** Minutes the timezone is ahead of UTC at `ms`. */
function offsetMinutes(tz: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((wall - Math.floor(ms / 60_000) * 60_000) / 60_000);
}

/** The first fire strictly after `afterMs`. */
export function nextFire(cron: Cron, tz: string, afterMs: number): number {
  const offset = offsetMinutes(tz, afterMs) * 60_000;
  let t = Math.floor((afterMs + offset) / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 366 * 24 * 60; i++, t += 60_000) {
    const d = new Date(t);
    if (
      cron[0].has(d.getUTCMinutes()) &&
      cron[1].has(d.getUTCHours()) &&
      cron[2].has(d.getUTCDate()) &&
      cron[3].has(d.getUTCMonth() + 1) &&
      cron[4].has(d.getUTCDay())
    )
      return t - offset;
  }
  throw badRequest('schedule.expression never fires within a year.');
}
