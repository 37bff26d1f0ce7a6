// createAgenthooks: the library entry for teams that already run a web server. The same runtime as
// `agenthooks serve` (src/runtime.ts): the receiver (verify -> parse -> group commit -> answer), the
// worker, reconciler, chain and launch sweeps, the notifier and one definition of what a final run
// causes, over a Store and a Platform the caller gives or that are built from a database location
// and an API key. Nothing reads the environment here: pass values.
import type { ChainRecord } from '../chains/record.js';
import { type Clock, systemClock } from '../clock.js';
import { DEFAULT_BASE_URL, parseSize, resolveDatabase, resolveSigningKeys } from '../config.js';
import { type ConfigFile, loadConfigFile } from '../config-file.js';
import { AppError } from '../errors.js';
import { createReceiver, type WebhookResponse } from '../ingest/receiver.js';
import { type Logger, silentLogger } from '../logger.js';
import { createPlatform } from '../platform/client.js';
import type { Platform } from '../platform/types.js';
import type { LaunchOptions, LaunchResult } from '../runs/launch.js';
import type { RunFinalHook } from '../runs/refresh.js';
import { type WaitOptions, type WaitResult, waitForRun } from '../runs/wait.js';
import { type BackgroundService, createRuntime, type Runtime, type RuntimeSettings } from '../runtime.js';
import { openStore } from '../store/open.js';
import type { EventQuery, Run, RunHistoryEntry, RunQuery, Store, StoredEvent } from '../store/types.js';
import type { HeaderBag } from '../webhooks/headers.js';
import { createVerifier } from '../webhooks/verify.js';
import { type ExpressMiddleware, expressMiddleware } from './express.js';
import { type AgenthooksFastifyPlugin, fastifyPlugin } from './fastify.js';
import { type FetchHandler, fetchHandler } from './fetch.js';
import { type HonoHandler, honoHandler } from './hono.js';

export interface AgenthooksOptions {
  /** An open Store (you close it). Or give `database`. */
  store?: Store;
  /** A SQLite path or postgres:// URL; opened (and migrated) on first use, closed by close(). */
  database?: string;
  /** Base for a relative SQLite path and the config file; default process.cwd(). */
  cwd?: string;
  /** `whsec_...` signing secrets from the Console; several during a rotation. A string may be comma-separated. */
  signingKeys?: string | string[];
  /** Accept unsigned deliveries. Local experiments only. */
  insecureSkipVerify?: boolean;
  /** A Platform (src/platform). Or give apiKey (and baseURL for the simulator). */
  platform?: Platform;
  apiKey?: string;
  /** Default https://api.anthropic.com; the simulator's URL offline. */
  baseURL?: string;
  clock?: Clock;
  /** A pino logger; silent by default. */
  logger?: Logger;
  /** Largest body accepted, bytes or "256kb"; default 256kb. */
  bodyLimit?: number | string;
  /** agenthooks.yaml (path or parsed) for launch() and chain(); default ./agenthooks.yaml when present. */
  config?: ConfigFile | string;
  /** Worker, reconciler, chain and launch sweep, and notifier settings for worker.start(). */
  worker?: RuntimeSettings;
  /** Called for every run that reaches a final outcome, after it is stored (also: hooks.onOutcome). */
  onOutcome?: (run: Run) => void | Promise<void>;
}

export interface AgenthooksWorker {
  /** Starts the worker, reconciler, chain and launch sweeps (needs a platform), and the notifier
   * when agenthooks.yaml has notify: targets. */
  start(): Promise<void>;
  stop(): Promise<void>;
  state(): string;
}

export interface Agenthooks {
  /**
   * The framework-agnostic receiver: the exact bytes received and the headers in, the answer out.
   * Send `status`, `headers` and `body` as they are. A 2xx means the event is committed.
   *
   * @example
   * const a = await hooks.handler(rawBodyBuffer, req.headers);
   * res.writeHead(a.status, a.headers).end(a.body);
   */
  handler(rawBody: Buffer | Uint8Array | string, headers: HeaderBag): Promise<WebhookResponse>;
  /** Web Request -> Response (Next.js route handlers, Workers, Deno, Bun). */
  toFetchHandler(): FetchHandler;
  /** Express middleware; mount with express.raw({ type: '*\/*' }) or no body parser. */
  express(): ExpressMiddleware;
  /** Fastify plugin: `app.register(hooks.fastify, { path: '/webhooks' })`. */
  readonly fastify: AgenthooksFastifyPlugin;
  /** Hono handler: `app.post('/webhooks', hooks.hono())`. */
  hono(): HonoHandler;
  /** The store, opened on first use. */
  store(): Promise<Store>;
  readonly platform: Platform | null;
  readonly worker: AgenthooksWorker;
  /** Starts a run (intent stored first; exactly one session per launch id). */
  launch(options: LaunchOptions): Promise<LaunchResult>;
  /** Starts a pipeline from agenthooks.yaml. */
  chain(pipeline: string, task: string): Promise<{ record: ChainRecord; runIds: string[] }>;
  /** Adds a callback for every run that reaches a final outcome; returns a function that removes it. */
  onOutcome(cb: (run: Run) => void | Promise<void>): () => void;
  /** Follows a run until it is final, blocked, deleted or the timeout. */
  wait(runId: string, options?: WaitOptions): Promise<WaitResult>;
  readonly runs: {
    list(query?: RunQuery): Promise<Run[]>;
    get(id: string): Promise<Run | null>;
    history(id: string): Promise<RunHistoryEntry[]>;
  };
  readonly events: {
    list(query?: EventQuery): Promise<StoredEvent[]>;
    get(id: string): Promise<StoredEvent | null>;
  };
  /** Stops the worker, waits for commits in flight, flushes reject counts, closes a store it opened. */
  close(): Promise<void>;
}

const DEFAULT_BODY_LIMIT = 256 * 1024;

/**
 * Builds the receiver and services for embedding in an existing server.
 *
 * @example
 * import { createAgenthooks } from 'agenthooks';
 * const hooks = createAgenthooks({
 *   database: './data/agenthooks.db',
 *   signingKeys: process.env.ANTHROPIC_WEBHOOK_SIGNING_KEY,
 *   apiKey: process.env.ANTHROPIC_API_KEY,
 * });
 * app.post('/webhooks', hooks.express());
 * await hooks.worker.start();
 */
export function createAgenthooks(options: AgenthooksOptions): Agenthooks {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const cwd = options.cwd ?? process.cwd();
  const bodyLimit =
    typeof options.bodyLimit === 'string'
      ? parseSize(options.bodyLimit, 'bodyLimit')
      : (options.bodyLimit ?? DEFAULT_BODY_LIMIT);

  // Fail at construction, not on the first delivery: a bad key or a missing one is a config error.
  const keys = resolveSigningKeys(
    typeof options.signingKeys === 'string' ? options.signingKeys.split(',') : (options.signingKeys ?? []),
    {},
  );
  if (keys.length === 0 && !options.insecureSkipVerify) {
    throw new AppError(
      'signing_key_required',
      'createAgenthooks needs signingKeys (the whsec_ secret from the Console) to verify deliveries; insecureSkipVerify: true is for local experiments only.',
    );
  }
  if (!options.store && options.database === undefined) {
    throw new AppError(
      'config_invalid',
      'createAgenthooks needs a store: pass `store` (an open Store) or `database` (a SQLite path or postgres:// URL).',
    );
  }
  const verifier = options.insecureSkipVerify ? null : createVerifier({ keys, clock });

  let opened: Promise<Store> | null = null;
  const ownsStore = !options.store;
  const getStore = (): Promise<Store> => {
    if (options.store) return Promise.resolve(options.store);
    if (!opened) {
      const loc = resolveDatabase(options.database, {}, cwd);
      opened = openStore(loc, { create: true, logger });
      // A failed open is retried on the next call rather than remembered forever.
      opened.catch(() => {
        opened = null;
      });
    }
    return opened;
  };

  const platform: Platform | null =
    options.platform ??
    (options.apiKey
      ? createPlatform({ apiKey: options.apiKey, baseURL: options.baseURL ?? DEFAULT_BASE_URL, logger })
      : null);
  const needPlatform = (what: string): Platform => {
    if (!platform)
      throw new AppError(
        'api_key_required',
        `${what} calls the platform API: pass apiKey (or platform) to createAgenthooks.`,
      );
    return platform;
  };
  let config: ConfigFile | null = typeof options.config === 'object' ? options.config : null;
  const getConfig = (): ConfigFile => {
    config ??= loadConfigFile(typeof options.config === 'string' ? options.config : undefined, cwd);
    return config;
  };

  // The runtime needs the open store, which the library opens on first use; one per store.
  const outcomeListeners = new Set<(run: Run) => void | Promise<void>>();
  if (options.onOutcome) outcomeListeners.add(options.onOutcome);
  const onOutcome: RunFinalHook = async (run) => {
    for (const cb of outcomeListeners) await cb(run);
  };
  let runtimeP: Promise<Runtime> | null = null;
  const getRuntime = (): Promise<Runtime> => {
    runtimeP ??= getStore().then((store) =>
      createRuntime({
        settings: options.worker,
        store,
        platform,
        clock,
        logger,
        configFile: getConfig(),
        onOutcome: [onOutcome],
      }),
    );
    runtimeP.catch(() => {
      runtimeP = null;
    });
    return runtimeP;
  };

  const receiver = createReceiver({
    verifier,
    bodyLimit,
    store: {
      insertEvents: async (events) => (await getStore()).insertEvents(events),
      addRejects: async (rows) => (await getStore()).addRejects(rows),
    },
    clock,
    logger,
    // Wakes the worker when this process runs one; otherwise its store poll finds the event.
    onStored: () => void runtimeP?.then((r) => r.wake()).catch(() => undefined),
  });
  const { committer, rejects, core } = receiver;
  let rejectsStarted = false;
  const handle: typeof core.handle = (req) => {
    if (!rejectsStarted) {
      rejectsStarted = true;
      rejects.start();
    }
    return core.handle(req);
  };
  const adapterCore = { handle, reject: core.reject, precheck: core.precheck };

  let services: BackgroundService[] = [];
  const worker: AgenthooksWorker = {
    async start() {
      if (services.length > 0) return;
      needPlatform('worker.start()');
      const runtime = await getRuntime();
      const notify = await runtime.notifier();
      const started = [...runtime.services().list, ...(notify ? [notify.service] : [])];
      for (const s of started) await s.start();
      services = started;
    },
    async stop() {
      const running = services;
      services = [];
      for (const s of running.reverse()) await s.stop();
    },
    state() {
      if (!platform) return 'disabled (no API key)';
      if (services.length === 0) return 'stopped';
      return services.find((s) => s.name === 'worker')?.state?.() ?? 'running';
    },
  };

  return {
    handler: (rawBody, headers) => handle({ rawBody, headers }),
    toFetchHandler: () => fetchHandler(adapterCore),
    express: () => expressMiddleware(adapterCore, { bodyLimit }),
    fastify: fastifyPlugin(adapterCore, { bodyLimit }),
    hono: () => honoHandler(adapterCore),
    store: getStore,
    platform,
    worker,
    async launch(launchOptions) {
      needPlatform('launch()');
      return (await getRuntime()).launch(launchOptions);
    },
    async chain(pipeline, task) {
      needPlatform('chain()');
      const cfg = getConfig();
      if (!cfg.pipelines[pipeline])
        throw new AppError(
          'usage',
          `No pipeline named "${pipeline}" in ${cfg.path ?? 'the config (pass config to createAgenthooks)'}.`,
        );
      const { record, roots } = await (await getRuntime()).startChain(pipeline, task);
      return {
        record,
        runIds: roots.map((r) => r.run?.id ?? r.launch.sessionId).filter((id): id is string => !!id),
      };
    },
    onOutcome(cb) {
      outcomeListeners.add(cb);
      return () => outcomeListeners.delete(cb);
    },
    async wait(runId, waitOptions) {
      const runtime = await getRuntime();
      return waitForRun(
        { store: runtime.store, platform, clock, logger, effects: runtime.effects },
        runId,
        waitOptions,
      );
    },
    runs: {
      list: async (query = {}) => (await getStore()).listRuns(query),
      get: async (id) => (await getStore()).getRun(id),
      history: async (id) => (await getStore()).runHistory(id),
    },
    events: {
      list: async (query = {}) => (await getStore()).listEvents(query),
      get: async (id) => (await getStore()).getEvent(id),
    },
    async close() {
      await worker.stop();
      await committer.idle();
      if (rejectsStarted || rejects.pending().length > 0) await rejects.stop();
      if (ownsStore && opened) {
        const store = await opened.catch(() => null);
        opened = null;
        await store?.close();
      }
    },
  };
}
