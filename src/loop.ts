// The one background-loop primitive: the worker, the reconciler, the chain sweeper, the launch
// sweeper and the notifier are each a `round` run by a Loop. A round that reports more work runs
// again at once; otherwise the loop sleeps for its interval, or until wake() (a commit, a final run,
// a new outbox row) cuts the sleep short. A round that throws is logged and counts as idle, so one
// bad round never stops a service. stop() waits for the round in flight: nothing is cut off halfway.
import type { Logger } from './logger.js';

export interface LoopOptions {
  /** Shown in logs. */
  name: string;
  /** Sleep between rounds when a round found nothing more to do. */
  intervalMs: number;
  /** One round; returns true when it should run again at once (a full batch, say). */
  round: () => Promise<boolean>;
  logger: Logger;
  /**
   * Whether the sleep timer keeps the process alive. Services inside `serve` unref it (the HTTP
   * server and the signal handler decide when the process ends); a library user may prefer the
   * same. Default true (unref).
   */
  unref?: boolean;
}

export interface Loop {
  readonly name: string;
  /** Runs the first round at once. Starting a running loop does nothing. */
  start(): void;
  /** Ends the loop after the round in flight; resolves when it has ended. */
  stop(): Promise<void>;
  /** Runs the next round now instead of after the sleep (or right after the round in flight). */
  wake(): void;
  readonly running: boolean;
}

export function createLoop(o: LoopOptions): Loop {
  let running = false;
  let done: Promise<void> | null = null;
  let wakeUp: (() => void) | null = null;
  let timer: NodeJS.Timeout | null = null;
  // A wake() during a round must not be lost: the round may have read the store just before.
  let woken = false;

  const sleep = (): Promise<void> =>
    new Promise<void>((resolve) => {
      wakeUp = resolve;
      timer = setTimeout(wake, o.intervalMs);
      if (o.unref !== false) timer.unref();
    });

  function wake(): void {
    woken = true;
    if (timer) clearTimeout(timer);
    timer = null;
    const w = wakeUp;
    wakeUp = null;
    w?.();
  }

  async function run(): Promise<void> {
    while (running) {
      woken = false;
      let more = false;
      try {
        more = await o.round();
      } catch (err) {
        o.logger.error({ err, loop: o.name }, `${o.name} round failed; retrying`);
      }
      if (!running) break;
      if (!more && !woken) await sleep();
    }
  }

  return {
    name: o.name,
    get running() {
      return running;
    },
    start() {
      if (running) return;
      running = true;
      done = run();
    },
    async stop() {
      running = false;
      wake();
      await done;
      done = null;
    },
    wake,
  };
}

/**
 * A background service driven by one Loop: start and stop are the loop's; the service says what it
 * does in each round and how it is doing (state(), shown by GET /ready).
 */
export abstract class LoopService {
  protected abstract readonly loop: Loop;

  /** Runs the first round at once (catching up after a restart), then every interval. */
  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  abstract state(): string;
}
