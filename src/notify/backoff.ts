// When a notification is tried again. Receivers can be down for a long time (a deploy, an outage),
// so delivery keeps trying for at least `retryForMs` (24 h by default) before giving up.
import { backoffDelay } from '../runs/backoff.js';

export interface NotifyRetryOptions {
  /** First retry delay; doubles each attempt (jittered). */
  baseMs: number;
  /** Longest gap between attempts. */
  maxMs: number;
  /** Keep trying until this long after the notification was written, then mark it failed. */
  retryForMs: number;
}

export const DEFAULT_NOTIFY_RETRY: NotifyRetryOptions = {
  baseMs: 5_000,
  maxMs: 60 * 60_000,
  retryForMs: 24 * 3600_000,
};

/** The next attempt time, or null when the retry window is over (then the message is failed). */
export function nextAttemptAt(
  attempts: number,
  createdAt: number,
  now: number,
  o: NotifyRetryOptions = DEFAULT_NOTIFY_RETRY,
  random: () => number = Math.random,
): number | null {
  const deadline = createdAt + o.retryForMs;
  if (now >= deadline) return null;
  // The last attempt lands on the deadline itself, so the window is always used in full.
  return Math.min(now + backoffDelay(attempts, null, { baseMs: o.baseMs, maxMs: o.maxMs }, random), deadline);
}
