// serve's HTTP wiring over a runtime (src/runtime.ts builds everything else): the routes, the
// heartbeat writer, and the order of start and drain. Nothing here reads the environment or the
// process globals.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.js';
import { registerGuarded } from './http/access.js';
import { registerApi } from './http/api.js';
import { registerHealth } from './http/health.js';
import { type LiveStats, registerMetrics } from './http/metrics.js';
import type { ServeConfig } from './http/serve-config.js';
import { createHttpServer } from './http/server.js';
import { registerTranscriptStream } from './http/transcript-stream.js';
import { createWebhookHandler, type WebhookHandler } from './http/webhook.js';
import type { GroupCommitter } from './ingest/group-commit.js';
import type { RejectCounter } from './ingest/rejects.js';
import { HEARTBEAT_MS, writeHeartbeat } from './runs/heartbeat.js';
import type { BackgroundService, Runtime } from './runtime.js';
import { registerPages } from './web/dashboard.js';
import type { DashboardDeps } from './web/deps.js';
import { registerLogin } from './web/login.js';
import { createVerifier } from './webhooks/verify.js';

/** How long SIGTERM waits for webhook requests already received before cutting connections. */
export const DRAIN_TIMEOUT_MS = 10_000;

export interface AppOptions {
  config: ServeConfig;
  runtime: Runtime;
  heartbeatMs?: number;
  rejectFlushMs?: number;
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
  const { config, runtime } = options;
  const { store, platform, clock, logger } = runtime;
  const startedAt = clock.now();

  // Throws invalid_signing_key for a malformed key: better at start than on the first delivery.
  // --worker-only and --no-webhooks verify nothing and need no key.
  const receives = config.webhooks && !config.workerOnly;
  const verifier =
    config.insecureSkipVerify || !receives ? null : createVerifier({ keys: config.signingKeys, clock });
  const receiver = runtime.receiver({
    verifier,
    bodyLimit: config.bodyLimit,
    rejectFlushMs: options.rejectFlushMs,
  });
  const { committer, rejects } = receiver;
  const webhook: WebhookHandler | null = !receives
    ? null
    : createWebhookHandler({
        core: receiver.core,
        clock,
        bodyLimit: config.bodyLimit,
        bodyTimeoutMs: config.bodyTimeoutMs,
        maxInflight: config.maxInflight,
      });

  // Without a platform (no ANTHROPIC_API_KEY) or with --no-worker the run services stay off and
  // /ready says so. The notifier is added by listen(): it runs whenever serve does.
  const workerEnabled = config.worker && platform !== null;
  const live: LiveStats = {};
  const services: BackgroundService[] = [];
  let workerService: BackgroundService | undefined;
  if (workerEnabled) {
    const runs = runtime.services();
    services.push(...runs.list);
    workerService = runs.list[0];
    live.worker = runs.worker.stats;
    live.reconciler = runs.reconciler.totals;
    // --no-webhooks: nothing announces a change, so the running sessions are followed instead.
    if (!config.webhooks) services.push(runtime.streamWatcher(config.maxStreams).service);
  }
  const workerState = (): string => {
    if (!config.worker) return 'disabled (--no-worker)';
    if (platform === null) return 'disabled (no API key)';
    return workerService?.state?.() ?? 'not started';
  };

  const server = createHttpServer({
    logger,
    webhook,
    ...(config.webhooks
      ? {}
      : {
          webhooksOff:
            'webhooks are off: this serve runs with --no-webhooks and follows sessions through their event streams; to receive webhooks, start serve without --no-webhooks and with a signing key',
        }),
  });
  registerHealth(server, { store, clock, startedAt, workerState });
  // The JSON API, /metrics and the dashboard pages, all behind the one access rule of access.ts;
  // the login form and the page assets stay open.
  const dashboardDeps: DashboardDeps = {
    store,
    clock,
    logger,
    token: config.token,
    platform,
    allowedHosts: config.allowedHosts,
    trustProxy: config.trustProxy,
  };
  registerLogin(server, dashboardDeps);
  registerGuarded(server, dashboardDeps, (guarded) => {
    registerApi(guarded, dashboardDeps);
    registerMetrics(guarded, {
      store,
      live: () => ({
        ...live,
        pendingRejects: rejects.pending(),
        sessionStreams: runtime.hub?.upstreams(),
        sessionStreamBuffered: runtime.hub?.buffered(),
      }),
    });
    registerPages(guarded, dashboardDeps);
    registerTranscriptStream(guarded, { store, hub: runtime.hub });
  });

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
    const notify = await runtime.notifier();
    if (notify) {
      services.push(notify.service);
      live.notifier = notify.notifier.stats;
    }
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
        // Followers of live runs end with `closed` before the server waits for its connections.
        await runtime.hub?.close();
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
