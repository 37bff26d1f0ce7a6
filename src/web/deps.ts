// What the dashboard and the JSON API need, injected by the composition root (src/app.ts).
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Platform } from '../platform/types.js';
import type { Store } from '../store/types.js';
import { ChangeFeed } from './changes.js';

export interface DashboardDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** AGENTHOOKS_TOKEN, or null when none is configured (then only loopback requests get in). */
  token: string | null;
  /** How often the live-update poller reads the store while browsers listen (default 500 ms). */
  pollMs?: number;
  /** Meta key where the reconciler records its last sweep (default `reconciler.last_sweep`). */
  reconcilerMetaKey?: string;
  /** The platform client, for a run's output files (Files API); null/absent without an API key. */
  platform?: Platform | null;
  /** --allowed-host: names besides loopback that the Host header may carry. */
  allowedHosts?: string[];
  /** --trust-proxy: proxy addresses (or `loopback`) whose X-Forwarded-* headers count. */
  trustProxy?: string[];
  /** Shared by registerApi and registerPages when both are given the same deps object. */
  changes?: ChangeFeed;
}

export const DEFAULT_POLL_MS = 500;
export const DEFAULT_RECONCILER_META_KEY = 'reconciler.last_sweep';

export function changeFeed(deps: DashboardDeps): ChangeFeed {
  if (!deps.changes) deps.changes = new ChangeFeed(deps.store, deps.logger, deps.pollMs ?? DEFAULT_POLL_MS);
  return deps.changes;
}
