// Following a run until it settles (`launch --wait`, `chain --wait`): from the store while a serve
// heartbeat says a worker keeps it current, otherwise by polling the session through the API and
// applying snapshots through the same run-state code. It always ends: final, blocked, deleted,
// timeout or interrupted.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { platformDetails } from '../platform/errors.js';
import type { Platform } from '../platform/types.js';
import type { Run, Store } from '../store/types.js';
import { backoffDelay } from './backoff.js';
import { freshHeartbeat } from './heartbeat.js';
import { type FinalEffects, refreshSession } from './refresh.js';
import { isFinal } from './state.js';

export type WaitEnd = 'final' | 'blocked' | 'deleted' | 'timeout' | 'interrupted';

export interface WaitDeps {
  store: Store;
  platform: Platform | null;
  clock: Clock;
  logger: Logger;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** What a run that becomes final while polling causes (src/runtime.ts): the same as in serve, so a
   * run finished without serve still notifies and launches its next chain steps. */
  effects?: FinalEffects;
}

export interface WaitOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Store reads while serve is alive. */
  storeIntervalMs?: number;
  /** API polls without serve (each costs 2-3 reads). */
  pollIntervalMs?: number;
  onProgress?: (run: Run, mode: 'store' | 'poll') => void;
}

export interface WaitResult {
  end: WaitEnd;
  run: Run | null;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function waitForRun(deps: WaitDeps, runId: string, o: WaitOptions = {}): Promise<WaitResult> {
  const sleep = deps.sleep ?? abortableSleep;
  const started = deps.clock.now();
  const deadline = o.timeoutMs !== undefined ? started + o.timeoutMs : Number.POSITIVE_INFINITY;
  let run = await deps.store.getRun(runId);
  let pollFailures = 0;
  for (;;) {
    if (o.signal?.aborted) return { end: 'interrupted', run };
    let mode: 'store' | 'poll' = 'store';
    let delay = o.storeIntervalMs ?? 500;
    const serving = await freshHeartbeat(deps.store, deps.clock.now());
    if (serving || deps.platform === null) {
      run = await deps.store.getRun(runId);
    } else {
      mode = 'poll';
      delay = o.pollIntervalMs ?? 1_000;
      try {
        run = (await refreshSession({ ...deps, platform: deps.platform }, runId, 'poll', 'agenthooks')).run;
        pollFailures = 0;
      } catch (err) {
        const d = platformDetails(err);
        if (d && !d.retryable) throw err;
        pollFailures += 1;
        delay = backoffDelay(pollFailures, d?.retryAfterMs ?? null, { baseMs: 1_000, maxMs: 30_000 });
        deps.logger.warn({ err: (err as Error).message }, 'polling the session failed; retrying');
        run = await deps.store.getRun(runId);
      }
    }
    if (run) {
      o.onProgress?.(run, mode);
      if (isFinal(run.status)) return { end: 'final', run };
      if (run.status === 'blocked') return { end: 'blocked', run };
      if (run.status === 'deleted') return { end: 'deleted', run };
    }
    const now = deps.clock.now();
    if (now >= deadline) return { end: 'timeout', run };
    await sleep(Math.max(0, Math.min(delay, deadline - now)), o.signal);
  }
}
