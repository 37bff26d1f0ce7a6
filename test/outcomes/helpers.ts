// Shared setup for the issue 10 tests: the runs E2E environment (SQLite, simulator, real SDK
// client) plus serve in-process with notify targets, and a real HTTP receiver for notifications.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotifyRetryOptions } from '../../src/notify/backoff.js';
import type { NotifyTarget } from '../../src/notify/targets.js';
import { API_KEY, type Env } from '../e2e/helpers.js';
import { NO_CONFIG } from '../support/app.js';

export { API_KEY, type Env, setup } from '../e2e/helpers.js';

/** Notify targets, the secret each is signed with, and the notifier's timing. */
export interface NotifySettings {
  targets: NotifyTarget[];
  secrets: ReadonlyMap<string, string>;
  retry?: Partial<NotifyRetryOptions>;
  idleMs?: number;
}

export interface Serving {
  url: string;
  app: import('../../src/app.js').App;
  close(): Promise<void>;
}

export async function startServeWithNotify(
  env: Env,
  notify: NotifySettings | undefined,
  o: { token?: string } = {},
): Promise<Serving> {
  const { appOver } = await import('../support/app.js');
  const { resolveServeConfig } = await import('../../src/http/serve-config.js');
  const config = resolveServeConfig(
    {
      host: '127.0.0.1',
      port: '0',
      database: env.dbFile,
      signingKey: [env.sim.signingKey],
      reconcileInterval: '60s',
    },
    {
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: env.sim.url,
      ...(o.token ? { AGENTHOOKS_TOKEN: o.token } : {}),
    },
    env.dir,
  );
  const app = appOver({
    config,
    store: env.store,
    platform: env.platform,
    settings: { worker: { idleMs: 20 }, notify: { retry: notify?.retry, idleMs: notify?.idleMs } },
    // The runtime resolves each target's secret: give every target the one the test chose.
    configFile: {
      ...NO_CONFIG,
      notify: notify?.targets.map((t) => ({ ...t, secret: notify.secrets.get(t.name) ?? t.secret })),
    },
    heartbeatMs: 1000,
  });
  const url = (await app.listen())!;
  return { url, app, close: () => app.close() };
}

export function target(name: string, url: string, over: Partial<NotifyTarget> = {}): NotifyTarget {
  return { name, url, secret: null, agents: [], pipelines: [], statuses: [], ...over };
}

export interface Delivery {
  id: string;
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A notification receiver on 127.0.0.1 (ephemeral port) whose answer can be switched. */
export class Receiver {
  readonly deliveries: Delivery[] = [];
  /** HTTP status to answer with; 'refuse' closes the listening socket (connection refused). */
  answer = 200;
  private server: Server | null = null;
  port = 0;

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.deliveries.push({
          id: String(req.headers['webhook-id']),
          headers: req.headers,
          body,
          answered: this.answer,
        });
        res.writeHead(this.answer, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/agents`;
  }

  /** Stops listening (senders get connection refused) until start(this.port) again. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Ids answered with a 2xx, with how many times each. */
  accepted(): Map<string, number> {
    const m = new Map<string, number>();
    for (const d of this.deliveries)
      if (d.answered >= 200 && d.answered < 300) m.set(d.id, (m.get(d.id) ?? 0) + 1);
    return m;
  }
}

export async function until<T>(
  fn: () => Promise<T | null | undefined | false>,
  what: string,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
