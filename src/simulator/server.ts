// startSimulator: the library entry for tests, the demo and the CLI.
import { systemClock } from '../clock.js';
import { generateSecret } from '../webhooks/sign.js';
import { buildApp } from './app.js';
import type { SimContext } from './context.js';
import { Deliverer, type DeliveryCounters, type DeliveryRecord, type EndpointState } from './deliverer.js';
import { Deployments } from './deployments.js';
import { IdSource } from './ids.js';
import { type RouteCounter, RouteStats } from './limits.js';
import {
  DEFAULT_API,
  DEFAULT_DURATION_MS,
  DEFAULT_FAULTS,
  realTimers,
  type SimulatorOptions,
  type WebhookEndpointOption,
} from './options.js';
import { SessionEngine } from './sessions.js';
import { SimState } from './state.js';

export interface SimulatorStats {
  routes: Record<string, RouteCounter>;
  deliveries: DeliveryCounters;
  endpoints: EndpointState[];
  sessions: number;
}

export interface RunningSimulator {
  url: string;
  port: number;
  signingKey: string;
  /** True when the key was generated here (the CLI prints it once). */
  signingKeyGenerated: boolean;
  rotateSigningKey?: string;
  seed: number;
  stats(): SimulatorStats;
  deliveries(): DeliveryRecord[];
  addWebhook(url: string, types?: string[]): void;
  /** Resolves when no webhook delivery is scheduled or in flight. */
  deliveriesIdle(): Promise<void>;
  engine: SessionEngine;
  /** Event streams open now, over every session (what a shared upstream is counted by). */
  openStreams(): number;
  close(): Promise<void>;
}

/** Drops undefined values, so that a partial option object never overrides a default with undefined. */
function defined<T extends object>(obj: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(obj ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const seed = options.seed ?? 1;
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale >= 0)) throw new RangeError('timeScale must be a number >= 0');
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? realTimers;
  const signingKeyGenerated = options.signingKey === undefined;
  const signingKey = options.signingKey ?? generateSecret();
  const ids = new IdSource(seed);
  const state = new SimState();
  const endpoints: WebhookEndpointOption[] = (options.webhooks ?? []).map((w) =>
    typeof w === 'string' ? { url: w } : w,
  );
  const deliverer = new Deliverer({
    seed,
    endpoints,
    signingKey,
    rotateSigningKey: options.rotateSigningKey,
    faults: { ...DEFAULT_FAULTS, ...defined(options.faults) },
    timeScale,
    clock,
    timers,
    ids,
    organizationId: options.organizationId ?? '8a3d2f1e-5b6c-4d7e-9f01-23456789abcd',
    workspaceId: options.workspaceId ?? 'c7b0e4d9-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
    timeoutMs: options.deliveryTimeoutMs ?? 10_000,
  });
  const engine = new SessionEngine({
    state,
    ids,
    clock,
    timers,
    timeScale,
    seed,
    deliverer,
    defaultScenario: options.scenario ?? 'success',
    defaultDurationMs: options.durationMs ?? DEFAULT_DURATION_MS,
  });
  const deployments = new Deployments({ state, ids, clock, timers, timeScale, engine, deliverer });
  const stats = new RouteStats();
  const ctx: SimContext = {
    state,
    engine,
    deliverer,
    deployments,
    ids,
    clock,
    stats,
    seed,
    api: { ...DEFAULT_API, ...defined(options.api) },
    apiKeys: options.apiKeys ?? [],
  };
  const app = buildApp(ctx);
  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const host = options.host ?? '127.0.0.1';
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    signingKey,
    signingKeyGenerated,
    rotateSigningKey: options.rotateSigningKey,
    seed,
    engine,
    stats: () => ({
      routes: stats.snapshot(),
      deliveries: structuredClone(deliverer.counters),
      endpoints: deliverer.endpoints(),
      sessions: state.sessions.size,
    }),
    deliveries: () => deliverer.log(),
    openStreams: () => [...state.sessions.values()].reduce((n, rec) => n + rec.streams.size, 0),
    addWebhook: (url, types) => deliverer.addEndpoint({ url, types }),
    deliveriesIdle: () => deliverer.idle(),
    close: async () => {
      engine.stopAll();
      deployments.stopAll();
      deliverer.close();
      await app.close();
    },
  };
}
