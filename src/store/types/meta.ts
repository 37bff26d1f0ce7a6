// Small shared state: key/value meta (heartbeats, high-water marks) and named leases (the
// reconciler runs on one process at a time).

export interface MetaStore {
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
}

export interface LeaseStore {
  /** Takes or renews a named lease; true when `owner` holds it until now + ttlMs. */
  tryLease(name: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
}
