// Dashboard and API tests: the real `serve` app (createApp) on a real SQLite file and a real
// socket (127.0.0.1 or 0.0.0.0, port 0), webhooks signed with the standardwebhooks package, runs
// stored through store.saveRun as the worker stores them.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import type { App } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { resolveServeConfig } from '../../src/http/serve-config.js';
import { silentLogger } from '../../src/logger.js';
import type { Platform } from '../../src/platform/types.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';
import type { Run, RunHistoryEntry } from '../../src/store/types.js';
import { type Reply, send as sendRaw } from '../http/helpers.js';
import { appOver } from '../support/app.js';

export const SIGNING_KEY = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;

export interface WebServer {
  url: string;
  port: number;
  app: App;
  store: SqliteStore;
  close(): Promise<void>;
}

export async function startWebServer(
  opts: {
    token?: string;
    host?: string;
    clock?: Clock;
    allowedHost?: string[];
    trustProxy?: string[];
    /** For the pages that ask the platform (pending tool calls, output files); the worker stays off. */
    platform?: Platform;
  } = {},
): Promise<WebServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-web-'));
  const env: Record<string, string> = opts.token ? { AGENTHOOKS_TOKEN: opts.token } : {};
  const config = resolveServeConfig(
    {
      port: '0',
      host: opts.host ?? '127.0.0.1',
      signingKey: [SIGNING_KEY],
      allowedHost: opts.allowedHost,
      trustProxy: opts.trustProxy,
      ...(opts.platform ? { worker: false } : {}),
    },
    env,
    dir,
  );
  const store = await openSqliteStore(config.database.url, { create: true, logger: silentLogger });
  const app = appOver({ config, store, platform: opts.platform ?? null, clock: opts.clock });
  const listened = (await app.listen()) as string;
  const port = Number(new URL(listened).port);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    app,
    store,
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type { Reply };

/** One request over a fresh socket with exactly the headers given (a GET of / unless told). */
export function send(
  url: string,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return sendRaw(url, { ...opts, method: opts.method ?? 'GET', path: opts.path ?? '/' });
}

export function eventId(): string {
  return `whe_${randomBytes(10).toString('hex')}`;
}

/** Signs and posts one webhook event about `sessionId`, as the platform does. */
export async function deliver(
  url: string,
  sessionId: string,
  type = 'session.status_idled',
  id = eventId(),
): Promise<string> {
  const body = JSON.stringify({
    type: 'event',
    id,
    created_at: new Date().toISOString(),
    data: { type, id: sessionId, organization_id: 'org_test', workspace_id: 'wrkspc_test' },
  });
  const at = new Date();
  const res = await send(url, {
    method: 'POST',
    path: '/webhooks',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(SIGNING_KEY).sign(id, at, body),
    },
    body,
  });
  if (res.status !== 200) throw new Error(`delivery answered ${res.status}: ${res.body}`);
  return id;
}

export function makeRun(id: string, over: Partial<Run> = {}): Run {
  return {
    id,
    agentId: 'agent_test',
    agentName: 'researcher',
    agentVersion: 1,
    environmentId: 'env_test',
    title: null,
    task: `Task for ${id}`,
    status: 'running',
    sessionStatus: 'running',
    stopReason: null,
    outcomeResult: null,
    evaluations: [],
    output: null,
    usage: null,
    error: null,
    archived: false,
    turn: 1,
    snapshotKey: null,
    metadata: {},
    launchedBy: 'agenthooks',
    launchId: null,
    parentRunId: null,
    pipeline: null,
    step: null,
    sessionCreatedAt: null,
    sessionUpdatedAt: null,
    firstSeenAt: Date.now(),
    finishedAt: null,
    lastCheckedAt: null,
    version: 0,
    ...over,
  };
}

/** Stores (or updates) a run the way the worker does: compare-and-set plus a history entry. */
export async function saveRun(store: SqliteStore, run: Run, source = 'test'): Promise<Run> {
  const held = await store.getRun(run.id);
  const expectedVersion = held?.version ?? 0;
  const history: Omit<RunHistoryEntry, 'runId' | 'seq'> = {
    at: Date.now(),
    source,
    status: run.status,
    sessionStatus: run.sessionStatus,
    stopReason: run.stopReason,
    outcomeResult: run.outcomeResult,
    turn: run.turn,
    snapshotKey: run.snapshotKey,
    note: null,
  };
  const ok = await store.saveRun({ run: { ...run, version: expectedVersion }, expectedVersion, history });
  if (!ok) throw new Error(`saveRun conflict on ${run.id}`);
  return (await store.getRun(run.id)) as Run;
}
