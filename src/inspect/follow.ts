// The --follow loop: one tick, then a pause, until the signal aborts (Ctrl-C). Polling the store
// keeps follow mode working on SQLite and PostgreSQL alike and across processes.
export const FOLLOW_INTERVAL_MS = 500;

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export async function followLoop(
  signal: AbortSignal,
  tick: () => Promise<void>,
  intervalMs = FOLLOW_INTERVAL_MS,
): Promise<void> {
  while (!signal.aborted) {
    await tick();
    await sleep(intervalMs, signal);
  }
}
