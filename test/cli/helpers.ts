// Shared setup for the CLI and transfer tests: a real SQLite store in a temp directory, events stored the
// way the receiver stores them (signed body, verified with the standardwebhooks package, parsed
// by parseEvent), runs via saveRun, and runCli with captured output.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Webhook } from 'standardwebhooks';
import { runCli } from '../../src/cli/program.js';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/open.js';
import type { Run, RunStatus, Store } from '../../src/store/types.js';
import { isHandledEventType, parseEvent } from '../../src/webhooks/event.js';
import { generateSecret, signedHeaders } from '../../src/webhooks/sign.js';

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'agenthooks-cli-'));
}

export async function createStore(file: string): Promise<Store> {
  return openStore(
    { kind: 'sqlite', url: file, display: file, source: 'flag' },
    { create: true, logger: silentLogger },
  );
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Capture extends Writable {
  text = '';
  _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** Runs one command in-process; `signal` lets follow-mode tests stop it. */
export async function cli(
  argv: string[],
  opts: { cwd?: string; env?: Record<string, string>; signal?: AbortSignal; stdout?: Capture } = {},
): Promise<CliResult> {
  const stdout = opts.stdout ?? new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, {
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
    stdout,
    stderr,
    signal: opts.signal ?? new AbortController().signal,
    clock: systemClock,
    exitCode: 0,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export const SECRET = generateSecret();

/** A webhook body as the platform sends it. */
export function eventBody(id: string, type: string, sessionId: string, createdAt = new Date()): string {
  return JSON.stringify({
    type: 'event',
    id,
    created_at: createdAt.toISOString(),
    data: { type, id: sessionId },
  });
}

/**
 * Stores an event the way the receiver does: sign, verify the signature with the reference
 * implementation, parse the envelope, insert. Returns whether it was a duplicate.
 */
export async function deliver(store: Store, body: string, receivedAt = Date.now()): Promise<boolean> {
  const id = JSON.parse(body).id as string;
  const headers = signedHeaders([SECRET], id, Math.floor(Date.now() / 1000), body);
  new Webhook(SECRET).verify(body, headers);
  const e = parseEvent(body, id, receivedAt);
  e.state = isHandledEventType(e.type) ? 'pending' : 'ignored';
  const [r] = await store.insertEvents([e]);
  return r.duplicate;
}

export function newEventId(): string {
  return `evt_${randomUUID().replace(/-/g, '')}`;
}

export function makeRun(id: string, fields: Partial<Run> = {}): Run {
  const at = fields.firstSeenAt ?? Date.now();
  return {
    id,
    agentId: 'agent_01',
    agentName: 'researcher',
    agentVersion: 1,
    environmentId: 'env_01',
    title: null,
    task: `task for ${id}`,
    status: 'succeeded' as RunStatus,
    sessionStatus: 'idle',
    stopReason: 'end_turn',
    outcomeResult: null,
    evaluations: [],
    output: `output of ${id}`,
    usage: {
      inputTokens: 100,
      outputTokens: 50,
      cacheReadInputTokens: 0,
      cacheCreationInputTokens: 0,
      costCents: 3,
      activeSeconds: 12,
    },
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
    sessionCreatedAt: at,
    sessionUpdatedAt: at,
    firstSeenAt: at,
    finishedAt: at + 30_000,
    lastCheckedAt: null,
    version: 0,
    ...fields,
  };
}

export async function saveNewRun(store: Store, run: Run): Promise<void> {
  const ok = await store.saveRun({
    run,
    expectedVersion: 0,
    history: {
      at: run.firstSeenAt,
      source: 'test',
      status: run.status,
      sessionStatus: run.sessionStatus,
      stopReason: run.stopReason,
      outcomeResult: run.outcomeResult,
      turn: run.turn,
      snapshotKey: null,
      note: null,
    },
  });
  if (!ok) throw new Error(`run ${run.id} already stored`);
}

/** Waits until `check` passes or the deadline passes (then throws its last error). */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** The real receiver (createApp) on 127.0.0.1, port 0, without a worker (no platform). */
export async function startReceiver(
  store: Store,
  file: string,
  secret = SECRET,
): Promise<{ url: string; close: () => Promise<void> }> {
  const { appOver } = await import('../support/app.js');
  const { resolveServeConfig } = await import('../../src/http/serve-config.js');
  const config = resolveServeConfig(
    { host: '127.0.0.1', port: '0', database: file, signingKey: [secret], worker: false },
    {},
    path.dirname(file),
  );
  const app = appOver({ config, store, platform: null, rejectFlushMs: 50 });
  const base = await app.listen();
  if (!base) throw new Error('receiver did not listen');
  return { url: `${base}/webhooks`, close: () => app.close() };
}

/** One signed POST, as the platform sends it. */
export async function post(
  url: string,
  body: string,
  secret = SECRET,
): Promise<{ status: number; json: unknown }> {
  const id = JSON.parse(body).id as string;
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...signedHeaders([secret], id, Math.floor(Date.now() / 1000), body),
    },
    body,
  });
  return { status: res.status, json: await res.json() };
}
