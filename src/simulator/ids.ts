// Ids with the platform's real prefixes (reference section 2). They are derived from the seed and a
// per-prefix counter, so a test that makes the same calls in the same order sees the same ids.
import { tokenFor } from './rng.js';

export type IdPrefix =
  | 'agent'
  | 'env'
  | 'sesn'
  | 'sevt'
  | 'sthr'
  | 'outc'
  | 'drun'
  | 'depl'
  | 'file'
  | 'whe'
  | 'req'
  | 'sesrsc'
  | 'vlt'
  | 'vcrd'
  | 'memstore'
  | 'mem'
  | 'memver';

export class IdSource {
  private readonly counters = new Map<string, number>();

  constructor(private readonly seed: number) {}

  /** The next id for the prefix; `scope` (e.g. a session id) keeps per-subject sequences independent. */
  next(prefix: IdPrefix, scope = ''): string {
    const key = `${prefix}:${scope}`;
    const n = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, n);
    // "011C" mimics the shape of real ids (a version-like head, then random characters).
    return `${prefix}_011C${tokenFor(this.seed, 22, prefix, scope, n)}`;
  }
}
