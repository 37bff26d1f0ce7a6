// Shared by the receiver tests: a real `serve` app (real SQLite file, real socket on 127.0.0.1,
// port 0) and deliveries signed with the standardwebhooks package, as the platform signs them.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import type { App } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { resolveServeConfig, type ServeConfig } from '../../src/http/serve-config.js';
import { silentLogger } from '../../src/logger.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';
import { appOver } from '../support/app.js';

export const KEY_A = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
export const KEY_B = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
export const WRONG_KEY = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;

export interface TestServer {
  url: string;
  app: App;
  store: SqliteStore;
  config: ServeConfig;
  close(): Promise<void>;
}

export async function startServer(
  opts: { flags?: Record<string, unknown>; clock?: Clock; env?: Record<string, string> } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-http-'));
  const config = resolveServeConfig(
    { port: '0', signingKey: [KEY_A], ...(opts.flags ?? {}) },
    opts.env ?? {},
    dir,
  );
  const store = await openSqliteStore(config.database.url, { create: true, logger: silentLogger });
  const app = appOver({ config, store, platform: null, clock: opts.clock });
  const url = (await app.listen()) as string;
  return {
    url,
    app,
    store,
    config,
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function eventId(): string {
  return `whe_${randomBytes(12).toString('hex')}`;
}

export function eventBody(
  id: string,
  type = 'session.status_idled',
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    type: 'event',
    id,
    created_at: new Date().toISOString(),
    data: { type, id: 'sesn_011CTestSession', organization_id: 'org', workspace_id: 'ws', ...extra },
  });
}

/** Headers as the platform sends them, signed by standardwebhooks with each of `keys`. */
export function signed(
  id: string,
  body: string,
  keys: string[] = [KEY_A],
  at: Date = new Date(),
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': keys.map((k) => new Webhook(k).sign(id, at, body)).join(' '),
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: () => any;
}

/** One request over a fresh real socket (no pooling surprises), raw headers and body as given. */
export function send(
  url: string,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${opts.path ?? '/webhooks'}`,
      { method: opts.method ?? 'POST', headers: opts.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Signs and posts one event. */
export function deliver(url: string, id: string, body = eventBody(id), keys = [KEY_A]): Promise<Reply> {
  return send(url, { headers: signed(id, body, keys), body });
}
