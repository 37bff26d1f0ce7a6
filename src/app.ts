// The composition root of `serve`: wires the store, the verifier, group commit, reject counting and
// the HTTP server, and starts and stops the background services (worker, reconciler, notifier).
// Everything is injected; nothing here reads the environment or the process globals.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ChainEngine, type ChainEngineOptions, chainService } from './chains/engine.js';
import { type Clock, systemClock } from './clock.js';
import { AppError } from './errors.js';
import { registerApi } from './http/api.js';
import { registerHealth } from './http/health.js';
import { type LiveStats, registerMetrics } from './http/metrics.js';
import type { ServeConfig } from './http/serve-config.js';
import { createHttpServer } from './http/server.js';
import { createWebhookHandler, type WebhookHandler } from './http/webhook.js';
import { GroupCommitter } from './ingest/group-commit.js';
import { RejectCounter } from './ingest/rejects.js';
import type { Logger } from './logger.js';
import { registerOutcomesApi } from './notify/api.js';
import { createNotify, type NotifySettings } from './notify/service.js';
import type { Platform } from './platform/types.js';
import { HEARTBEAT_MS, writeHeartbeat } from './runs/heartbeat.js';
import { createRunServices, type RunServicesOptions } from './runs/services.js';
import type { Store } from './store/types.js';
import { registerDashboard } from './web/dashboard.js';
import type { DashboardDeps } from './web/deps.js';
import { createVerifier } from './webhooks/verify.js';

/** How long SIGTERM waits for webhook requests already received before cutting connections. */
export const DRAIN_TIMEOUT_MS = 10_000;

/** A long-running part of `serve` besides the HTTP server. */
export interface BackgroundService {
  readonly name: string;
  start(): void | Promise<void>;
  stop(): Promise<void>;
  /** Shown by GET /ready, e.g. "running" or "idle, 3 events pending". */
  state?(): string;
}

export interface AppOptions {
  config: ServeConfig;
  store: Store;
  /** The platform client (src/platform), or null without ANTHROPIC_API_KEY. Passed to services. */
  platform: unknown | null;
  clock?: Clock;
  logger: Logger;
  /** Worker and reconciler settings (--reconcile-interval is taken from config) and run-final hooks. */
  runs?: RunServicesOptions;
  /** Chain engine settings (lease, sweep interval); defaults suit production. */
  chains?: ChainEngineOptions;
  /** Extra services built by the caller (tests, later parts); started after the built-in ones. */
  services?: BackgroundService[];
  /** Routes mounted next to the webhook and health routes (dashboard, /api). */
  routes?: (server: FastifyInstance) => Promise<void>;
  heartbeatMs?: number;
  rejectFlushMs?: number;
  /** Outcome notifications (src/notify): targets from agenthooks.yaml and their secrets. */
  notify?: NotifySettings;
}

export interface App {
  server: FastifyInstance;
  committer: GroupCommitter;
  rejects: RejectCounter;
  /** Starts the services and the HTTP server (without webhook routes under --worker-only); returns the base URL. */
  listen(): Promise<string | null>;
  close(): Promise<void>;
}

export function createApp(options: AppOptions): App {
  const { config, store, platform, logger } = options;
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();

  const committer = new GroupCommitter(store, logger);
  const rejects = new RejectCounter(store, clock, logger, options.rejectFlushMs);
  // Throws invalid_signing_key for a malformed key: better at start than on the first delivery.
  // --worker-only verifies nothing and needs no key.
  const verifier =
    config.insecureSkipVerify || config.workerOnly
      ? null
      : createVerifier({ keys: config.signingKeys, clock });
  const webhook: WebhookHandler | null = config.workerOnly
    ? null
    : createWebhookHandler({ verifier, committer, rejects, clock, logger, bodyLimit: config.bodyLimit });

  // ---- background services: the worker, reconciler and notifier are created and added here. ----
  // Each gets { store, platform, clock, logger, config } and is started by listen() and stopped
  // (in reverse order) by close(). Without a platform (no ANTHROPIC_API_KEY) or with --no-worker
  // the worker and reconciler stay off and /ready says so.
  const services: BackgroundService[] = [];
  const live: LiveStats = {};
  // The notifier runs whenever serve does (not only with the worker): rows written by another
  // replica or before a restart still need delivering.
  const notify = options.notify ? createNotify({ store, clock, logger }, options.notify) : null;
  const workerEnabled = config.worker && platform !== null;
  if (workerEnabled) {
    // Chains decide a run's next steps when it becomes final (worker and reconciler hook), and
    // sweep for intents and decisions a crash cut off.
    const chains = new ChainEngine({ store, platform: platform as Platform, clock, logger }, options.chains);
    const runs = createRunServices(
      { store, platform: platform as Platform, clock, logger },
      {
        reconcileIntervalMs: config.reconcileIntervalMs,
        ...options.runs,
        onRunFinal: [
          ...(options.runs?.onRunFinal ?? []),
          chains.onRunFinal,
          ...(notify ? [notify.onRunFinal] : []),
        ],
        ...(notify ? { outboxFor: notify.outboxFor } : {}),
      },
    );
    services.push(...runs.services, chainService(chains));
    live.worker = runs.worker.stats;
    live.reconciler = runs.reconciler.totals;
  }
  if (notify) {
    services.push(notify.notifier);
    live.notifier = notify.notifier.stats;
  }
  services.push(...(options.services ?? []));
  const worker = services.find((s) => s.name === 'worker');
  const workerState = (): string => {
    if (!config.worker) return 'disabled (--no-worker)';
    if (platform === null) return 'disabled (no API key)';
    if (worker) return worker.state?.() ?? 'running';
    return 'not started';
  };
  // ---- end of background services ----

  const server = createHttpServer({ logger, webhook });
  registerHealth(server, { store, clock, startedAt, workerState });
  // The dashboard and the JSON API (src/web, src/http/api.ts), behind the token rule of access.ts.
  const dashboardDeps: DashboardDeps = {
    store,
    clock,
    logger,
    token: config.token,
    platform: platform as Platform | null,
  };
  registerApi(server, dashboardDeps);
  registerOutcomesApi(server, { store, platform: platform as Platform | null, token: config.token });
  registerMetrics(server, {
    store,
    token: config.token,
    live: () => ({ ...live, pendingRejects: rejects.pending() }),
  });
  registerDashboard(server, dashboardDeps);

  let heartbeat: NodeJS.Timeout | null = null;
  let url: string | null = null;
  let started: BackgroundService[] = [];
  let closing: Promise<void> | null = null;

  async function beat(): Promise<void> {
    try {
      await writeHeartbeat(store, clock, url);
    } catch (err) {
      logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'could not write the serve heartbeat',
      );
    }
  }

  async function listen(): Promise<string | null> {
    if (options.routes) await options.routes(server);
    await server.ready();
    // --worker-only listens too: no webhook routes (POST /webhooks is 404), but /health and /ready
    // for the orchestrator's probes, and the read-only dashboard and /api.
    try {
      await server.listen({ host: config.host, port: config.port });
    } catch (err) {
      throw listenError(err, config.host, config.port);
    }
    const addr = server.server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    url = `http://${host}:${addr.port}`;
    rejects.start();
    await beat();
    heartbeat = setInterval(() => void beat(), options.heartbeatMs ?? HEARTBEAT_MS);
    heartbeat.unref();
    for (const s of services) {
      await s.start();
      started.push(s);
    }
    if (!workerEnabled) logger.info({ worker: workerState() }, 'worker off');
    return url;
  }

  async function drainWebhooks(): Promise<void> {
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while ((webhook?.inFlight() ?? 0) > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  function close(): Promise<void> {
    if (!closing) {
      closing = (async () => {
        if (heartbeat) clearInterval(heartbeat);
        heartbeat = null;
        for (const s of started.reverse()) {
          try {
            await s.stop();
          } catch (err) {
            logger.error({ err, service: s.name }, 'background service failed to stop');
          }
        }
        started = [];
        // Stop accepting; requests already received are answered (their commit finishes first).
        const closed = server.close();
        await drainWebhooks();
        await committer.idle();
        // Keep-alive connections with nothing in flight would hold close() open.
        server.server.closeIdleConnections?.();
        const grace = setTimeout(() => server.server.closeAllConnections?.(), 2000);
        await closed;
        clearTimeout(grace);
        await rejects.stop();
      })();
    }
    return closing;
  }

  return { server, committer, rejects, listen, close };
}

/** A port that cannot be bound is a configuration problem: say which setting to change. */
function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as { code?: unknown })?.code;
  if (code === 'EADDRINUSE')
    return new AppError(
      'config_invalid',
      `--port ${port} is already in use on ${host}: stop the other process or pick another --port (0 picks a free one).`,
      { cause: err },
    );
  if (code === 'EACCES')
    return new AppError(
      'config_invalid',
      `--port ${port} needs privileges on ${host}: use a port above 1023 and let a proxy serve 443.`,
      { cause: err },
    );
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new AppError(
      'config_invalid',
      `--host ${host} is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of its interfaces.`,
      { cause: err },
    );
  return err;
}
