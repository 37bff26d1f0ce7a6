// The run pages' per-server memories of platform reads (pending tool calls, output files,
// transcripts): live pages re-render on every store change, so each keeps its recent reads in a
// bounded map, one instance per server.

/** A map of at most `max` entries; writing one when full drops the one written longest ago. */
export class RecentMap<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, value);
  }
}

/**
 * `make` once per server: the returned function answers the same instance for the same deps
 * object (what registerPages is given), so every page of one server shares it.
 */
export function perServer<D extends object, T>(make: (deps: D) => T): (deps: D) => T {
  const made = new WeakMap<D, T>();
  return (deps) => {
    let t = made.get(deps);
    if (t === undefined) {
      t = make(deps);
      made.set(deps, t);
    }
    return t;
  };
}
