// The platform's per-minute limits (reference 8: 300 create, 1,200 read requests per minute per
// organization), as a fixed window on the injected clock, plus per-route counters.

export type LimitClass = 'read' | 'create';

export class MinuteLimiter {
  private window = -1;
  private used: Record<LimitClass, number> = { read: 0, create: 0 };

  constructor(private readonly limits: Record<LimitClass, number>) {}

  /** Counts one request; returns the seconds to wait when over the limit, else null. */
  take(kind: LimitClass, nowMs: number): number | null {
    const window = Math.floor(nowMs / 60_000);
    if (window !== this.window) {
      this.window = window;
      this.used = { read: 0, create: 0 };
    }
    if (this.used[kind] >= this.limits[kind])
      return Math.max(1, Math.ceil(((window + 1) * 60_000 - nowMs) / 1000));
    this.used[kind] += 1;
    return null;
  }
}

export interface RouteCounter {
  requests: number;
  statuses: Record<string, number>;
  faults: { api_error: number; api_429: number; rate_limited: number; latency: number };
}

export class RouteStats {
  private readonly routes = new Map<string, RouteCounter>();

  counter(route: string): RouteCounter {
    let c = this.routes.get(route);
    if (!c) {
      c = { requests: 0, statuses: {}, faults: { api_error: 0, api_429: 0, rate_limited: 0, latency: 0 } };
      this.routes.set(route, c);
    }
    return c;
  }

  snapshot(): Record<string, RouteCounter> {
    const out: Record<string, RouteCounter> = {};
    for (const [k, v] of [...this.routes].sort(([a], [b]) => a.localeCompare(b)))
      out[k] = { requests: v.requests, statuses: { ...v.statuses }, faults: { ...v.faults } };
    return out;
  }
}
