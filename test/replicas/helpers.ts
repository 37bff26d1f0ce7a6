// Shared pieces of the replica suites: deliveries signed with the `standardwebhooks` package (not
// our own signer), several real `serve` processes on one PostgreSQL database, a store handle on
// that database for the checks, and small polling and HTTP helpers.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { silentLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { childEnv, type ServeProcess, startServe } from '../serve/spawn.js';

export interface Delivery {
  id: string;
  body: string;
  headers: Record<string, string>;
}

/** One signed delivery of a `data.type` event about `subjectId`, signed now. */
export function delivery(secret: string, type: string, subjectId: string, id = eventId()): Delivery {
  const now = new Date();
  const body = JSON.stringify({
    type: 'event',
    id,
    created_at: now.toISOString(),
    data: {
      type,
      id: subjectId,
      organization_id: '8a3d2f1e-5b6c-4d7e-9f01-23456789abcd',
      workspace_id: 'c7b0e4d9-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
    },
  });
  const sig = new Webhook(secret).sign(id, now, body);
  return {
    id,
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': sig,
    },
  };
}

export function eventId(): string {
  return `whe_${randomBytes(10).toString('hex')}`;
}

export interface Answer {
  status: number;
  body: { id?: string; duplicate?: boolean; error?: { code: string; message: string } } | null;
  retryAfter: string | null;
}

/** POSTs one delivery; a refused or reset connection is status 0 (never counted as stored). */
export async function post(
  base: string,
  d: { body: string; headers: Record<string, string> },
): Promise<Answer> {
  try {
    const res = await fetch(`${base}/webhooks`, { method: 'POST', headers: d.headers, body: d.body });
    const text = await res.text();
    let body: Answer['body'] = null;
    try {
      body = JSON.parse(text) as Answer['body'];
    } catch {
      body = null;
    }
    return { status: res.status, body, retryAfter: res.headers.get('retry-after') };
  } catch {
    return { status: 0, body: null, retryAfter: null };
  }
}

export async function getJson(
  url: string,
): Promise<{ status: number; body: Record<string, unknown> | null }> {
  try {
    const res = await fetch(url);
    return {
      status: res.status,
      body: (await res.json().catch(() => null)) as Record<string, unknown> | null,
    };
  } catch {
    return { status: 0, body: null };
  }
}

export async function until<T>(
  fn: () => Promise<T | undefined | false>,
  what: string,
  ms: number,
): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) {
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function openPgStore(url: string): Promise<Store> {
  return openStore(
    { kind: 'postgres', url, display: 'test', source: 'flag' },
    { create: true, logger: silentLogger },
  );
}

export interface Replicas {
  list: ServeProcess[];
  urls: string[];
  stopAll(): Promise<void>;
}

/** `n` real serve processes on the same database, each with `args` (port 0 is added). */
export async function startReplicas(
  n: number,
  databaseUrl: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Replicas> {
  const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-replicas-'));
  const list: ServeProcess[] = [];
  const stopAll = async () => {
    await Promise.all(
      list.map(async (p) => {
        if (p.proc.exitCode === null && p.proc.signalCode === null) {
          p.proc.kill('SIGTERM');
          const timer = setTimeout(() => p.proc.kill('SIGKILL'), 15_000);
          await p.exited;
          clearTimeout(timer);
        }
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Started together, as an orchestrator would: the migrations' advisory lock is exercised too.
    const started = await Promise.allSettled(
      Array.from({ length: n }, () => startServe(['--database', databaseUrl, ...args], childEnv(env), dir)),
    );
    for (const s of started) if (s.status === 'fulfilled') list.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (err) {
    await stopAll();
    throw err;
  }
  return { list, urls: list.map((p) => p.url), stopAll };
}

export function pick<T>(items: T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}
