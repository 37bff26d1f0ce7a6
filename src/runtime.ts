// THE composition: every entry point (serve, the library, each CLI command that touches runs)
// builds agenthooks from here, so what a final run causes is defined once and the same whichever
// entry point saw it end:
//   - the notification rows, committed in the same transaction as the final state;
//   - the chain decisions for the run's next steps;
//   - the notifier's wake-up (when this process delivers), and the library's onOutcome callbacks.
// It also builds the receiver (verifier, group commit, reject counting, the wake-up of the worker
// on commit) and the background services (worker, reconciler, chain sweeper, launch sweeper,
// notifier), each created only when asked for, so a command pays for what it starts.
import { ChainEngine } from './chains/engine.js';
import type { Clock } from './clock.js';
import type { ConfigFile } from './config-file.js';
import { AppError } from './errors.js';
import { createReceiver, type Receiver, type ReceiverOptions } from './ingest/receiver.js';
import type { Logger } from './logger.js';
import type { NotifyRetryOptions } from './notify/backoff.js';
import { outboxFor } from './notify/event.js';
import { Notifier } from './notify/notifier.js';
import { resolveSecrets } from './notify/secrets.js';
import type { Platform } from './platform/types.js';
import { randomId } from './runs/ids.js';
import { type LaunchOptions, type LaunchResult, launchRun } from './runs/launch.js';
import type { DriveDeps, LeaseOptions } from './runs/launch-drive.js';
import { LaunchSweeper } from './runs/launch-sweep.js';
import { Reconciler } from './runs/reconciler.js';
import type { FinalEffects, RefreshDeps, RunFinalHook } from './runs/refresh.js';
import { ResourceCache } from './runs/resources.js';
import { createSessionHub, type SessionHub } from './runs/session-hub.js';
import { StreamWatcher, type StreamWatchOptions } from './runs/stream-watch.js';
import { RunWorker, type WorkerOptions } from './runs/worker.js';
import type { Store } from './store/types.js';
import { type CrashHook, noCrash } from './test-hooks.js';

/** Settings of the run services; every field has a production default. */
export interface RuntimeSettings {
  /** --reconcile-interval (default 60 s). */
  reconcileIntervalMs?: number;
  /** First sweep: how far back to list sessions (default 24 h). */
  reconcileSinceMs?: number;
  /** API reads per reconcile sweep (default 600). */
  reconcileMaxReads?: number;
  /** --chain-sweep-interval: the chain and launch sweeps (default 10 s). */
  sweepIntervalMs?: number;
  /** --chain-lease: the lease on one launch intent while it is worked on (default 15 s). */
  leaseMs?: number;
  /** Intents younger than this are left to the process that wrote them (default 5 s). */
  staleMs?: number;
  /** How long launches retry retryable API failures before leaving the intent to a sweep. */
  launchRetryMs?: number;
  worker?: WorkerOptions;
  /** serve --no-webhooks: the stream watcher's timings (its --max-streams comes from serve). */
  watch?: Omit<StreamWatchOptions, 'maxStreams'>;
  notify?: { retry?: Partial<NotifyRetryOptions>; idleMs?: number; timeoutMs?: number };
}

export interface RuntimeOptions {
  settings?: RuntimeSettings;
  store: Store;
  /** null without ANTHROPIC_API_KEY: events are received and stored, nothing is fetched. */
  platform: Platform | null;
  clock: Clock;
  logger: Logger;
  /** agenthooks.yaml: agents, environments, pipelines, notify targets. */
  configFile: ConfigFile;
  /** Called for every run that reaches a final outcome, after it is stored (the library's onOutcome). */
  onOutcome?: readonly RunFinalHook[];
  /** Lease owner of this process (default a random id). */
  owner?: string;
  /** Test-only crash points; none by default. */
  crash?: CrashHook;
  /** Told before a launch retries a retryable API failure (the CLI prints it). */
  onLaunchRetry?: DriveDeps['onRetry'];
}

export interface BackgroundService {
  readonly name: string;
  start(): void | Promise<void>;
  stop(): Promise<void>;
  /** Shown by GET /ready, e.g. "running (3 events done, ...)". */
  state?(): string;
}

export interface RunServices {
  worker: RunWorker;
  reconciler: Reconciler;
  chains: ChainEngine;
  launches: LaunchSweeper;
  /** In start order. */
  list: BackgroundService[];
}

export interface NotifyService {
  notifier: Notifier;
  service: BackgroundService;
  /** Notify targets whose signing secret was generated now (print it once). */
  generatedSecrets: Array<{ target: string; secret: string }>;
}

export interface Runtime {
  readonly store: Store;
  readonly platform: Platform | null;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly configFile: ConfigFile;
  /** What a run that becomes final causes; handed to every path that saves runs. */
  readonly effects: FinalEffects;
  /** For the CLI's own pollers (launch --wait, chain --wait, cancel): the same effects as serve. */
  refreshDeps(): RefreshDeps;
  /** The chain engine (one per runtime); needs a platform. */
  chains(): ChainEngine;
  /** Intent first, then the tagged session; retries retryable failures for launchRetryMs. */
  launch(options: LaunchOptions): Promise<LaunchResult>;
  startChain(pipeline: string, task: string): ReturnType<ChainEngine['startChain']>;
  receiver(options: ReceiverOptions): Receiver;
  /** The worker, reconciler, chain and launch sweepers (built once); needs a platform. */
  services(): RunServices;
  /**
   * The notifier (built once), or null without notify targets. It needs no platform: serve runs it
   * even without the worker, since rows written elsewhere still need delivering.
   */
  notifier(): Promise<NotifyService | null>;
  /** A stored event needs work: the worker looks now instead of at its next poll. */
  wake(): void;
  /**
   * serve --no-webhooks: follows the running sessions through the hub (up to maxStreams) and polls
   * the rest, refreshing runs as the worker does for a webhook (built once); needs a platform.
   */
  streamWatcher(maxStreams: number): { watcher: StreamWatcher; service: BackgroundService };
  /** One upstream event stream per session, shared by pages, followers and the worker; null without a platform. */
  readonly hub: SessionHub | null;
}

/** Builds the one composition. Nothing starts until a caller starts the services. */
export function createRuntime(o: RuntimeOptions): Runtime {
  const { store, platform, clock, logger, configFile } = o;
  const s = o.settings ?? {};
  const owner = o.owner ?? randomId('own_', 12);
  const crash = o.crash ?? noCrash;
  const lease: LeaseOptions = { owner, leaseMs: s.leaseMs ?? 15_000 };
  const resources = new ResourceCache();
  const targets = configFile.notify ?? [];

  let chainEngine: ChainEngine | null = null;
  let built: RunServices | null = null;
  let notify: Promise<NotifyService | null> | null = null;
  let worker: RunWorker | null = null;
  let notifier: Notifier | null = null;
  let watching: { watcher: StreamWatcher; service: BackgroundService } | null = null;

  const needPlatform = (what: string): Platform => {
    if (platform) return platform;
    throw new AppError(
      'api_key_required',
      `${what} calls the platform API: set ANTHROPIC_API_KEY (for the simulator, any non-empty value and ANTHROPIC_BASE_URL=http://127.0.0.1:8790).`,
    );
  };
  const driveDeps = (what: string): DriveDeps => ({
    store,
    platform: needPlatform(what),
    clock,
    logger,
    crash,
    resources,
    onRetry: o.onLaunchRetry,
  });

  // The order matters only in that each runs after the final state is stored.
  const onRunFinal: RunFinalHook[] = [
    async (run) => {
      if (platform) await runtime.chains().onRunFinal(run);
    },
    () => notifier?.wake(),
    ...(o.onOutcome ?? []),
  ];
  const effects: FinalEffects = {
    outboxFor: targets.length > 0 ? (run, _previous, now) => outboxFor(targets, run, now) : null,
    onRunFinal,
  };

  const runtime: Runtime = {
    store,
    platform,
    clock,
    logger,
    configFile,
    effects,
    refreshDeps: () => ({ store, platform: needPlatform('Following a run'), clock, logger, effects }),
    chains() {
      chainEngine ??= new ChainEngine(driveDeps('Chains'), {
        owner,
        leaseMs: lease.leaseMs,
        sweepIntervalMs: s.sweepIntervalMs,
        staleMs: s.staleMs,
        retryForMs: s.launchRetryMs ?? 0,
      });
      return chainEngine;
    },
    launch(options) {
      return launchRun(
        { ...driveDeps('launch'), config: configFile, lease, retryForMs: s.launchRetryMs },
        options,
      );
    },
    startChain(pipeline, task) {
      return runtime.chains().startChain(configFile, pipeline, task);
    },
    receiver(r) {
      return createReceiver({ store, ...r, clock, logger, crash, onStored: () => runtime.wake() });
    },
    services() {
      built ??= buildServices();
      return built;
    },
    notifier() {
      notify ??= buildNotifier();
      return notify;
    },
    wake() {
      worker?.wake();
    },
    streamWatcher(maxStreams) {
      if (!watching) {
        // The hub exists exactly when the platform does; driveDeps says so when neither does.
        const deps = { ...driveDeps('Following sessions'), effects };
        const { hub } = runtime;
        if (!hub) throw new AppError('api_key_required', 'Following sessions needs ANTHROPIC_API_KEY.');
        const watcher = new StreamWatcher({ ...deps, hub }, { ...s.watch, maxStreams });
        watching = { watcher, service: named('streams', watcher) };
      }
      return watching;
    },
    hub: platform ? createSessionHub({ platform, logger, clock }) : null,
  };

  function buildServices(): RunServices {
    const deps = { ...driveDeps('The worker'), effects };
    worker = new RunWorker(deps, s.worker);
    const reconciler = new Reconciler(deps, {
      owner,
      intervalMs: s.reconcileIntervalMs,
      sinceMs: s.reconcileSinceMs,
      maxReads: s.reconcileMaxReads,
    });
    const chains = runtime.chains();
    const launches = new LaunchSweeper(deps, {
      ...lease,
      intervalMs: s.sweepIntervalMs ?? 10_000,
      staleMs: s.staleMs,
    });
    const list = [
      named('worker', worker),
      named('reconciler', reconciler),
      named('chains', chains),
      named('launches', launches),
    ];
    return { worker, reconciler, chains, launches, list };
  }

  async function buildNotifier(): Promise<NotifyService | null> {
    if (targets.length === 0) return null;
    // A target without a secret gets a generated one, kept in the store (serve prints it once).
    const secrets = await resolveSecrets(store, targets);
    notifier = new Notifier({ store, clock, logger }, { secrets: secrets.byTarget, ...s.notify });
    return { notifier, service: named('notifier', notifier), generatedSecrets: secrets.generated };
  }

  return runtime;
}

function named(
  name: string,
  s: { start(): void; stop(): Promise<void>; state(): string },
): BackgroundService {
  return { name, start: () => s.start(), stop: () => s.stop(), state: () => s.state() };
}
