// Slows down token guessing (the login form, and wrong bearer tokens on /api, /metrics and the
// pages): after a few wrong tokens from one client in a window, further attempts are refused until
// the window passes. In memory, per process: enough to make online guessing of a long random token
// hopeless without keeping any state on disk.

export const LOGIN_MAX_FAILURES = 10;
export const LOGIN_WINDOW_MS = 60_000;
/** Clients tracked at most; beyond this the oldest entries are dropped (bounded memory). */
const MAX_CLIENTS = 10_000;

export class LoginLimiter {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly now: () => number,
    private readonly max = LOGIN_MAX_FAILURES,
    private readonly windowMs = LOGIN_WINDOW_MS,
  ) {}

  /** Milliseconds until `key` may try again, or 0 when it may try now. */
  blockedFor(key: string): number {
    const f = this.failures.get(key);
    if (!f) return 0;
    const left = f.since + this.windowMs - this.now();
    if (left <= 0) {
      this.failures.delete(key);
      return 0;
    }
    return f.count >= this.max ? left : 0;
  }

  fail(key: string): void {
    const now = this.now();
    const f = this.failures.get(key);
    if (!f || now - f.since >= this.windowMs) {
      this.failures.delete(key);
      if (this.failures.size >= MAX_CLIENTS) {
        const oldest = this.failures.keys().next().value;
        if (oldest !== undefined) this.failures.delete(oldest);
      }
      this.failures.set(key, { count: 1, since: now });
    } else {
      f.count += 1;
    }
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}
