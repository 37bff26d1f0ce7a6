// Shared setup for the chains tests: a temp dir with agenthooks.yaml and a SQLite file, the
// simulator on an ephemeral port delivering signed webhooks to serve (in-process here; the crash
// tests spawn the real binary), and the CLI run in-process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Anthropic from '@anthropic-ai/sdk';
import type { App } from '../../src/app.js';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { systemClock } from '../../src/clock.js';
import { resolveServeConfig } from '../../src/http/serve-config.js';
import { silentLogger } from '../../src/logger.js';
import { createPlatform } from '../../src/platform/client.js';
import type { RuntimeSettings } from '../../src/runtime.js';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/simulator/index.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { appOver } from '../support/app.js';
import { until as poll } from '../support/until.js';

export const API_KEY = 'sk-sim-chains';

export const PIPELINES_YAML = `agents:
  researcher: { model: claude-sonnet-4-6, system: "You research." }
  writer: { model: claude-sonnet-4-6, system: "You write." }
  reviewer: { model: claude-sonnet-4-6, system: "You review." }
environments:
  default: { networking: unrestricted }
pipelines:
  three:
    steps:
      - { name: research, agent: researcher, prompt: "{{task}}" }
      - { name: report, agent: writer, after: research, prompt: "Write a report on {{task}}.\\n{{output}}" }
      - { name: review, agent: reviewer, after: report, prompt: "Review this report.\\n{{output}}" }
  broken:
    steps:
      - { name: research, agent: researcher, prompt: "{{task}}" }
      - { name: report, agent: writer, after: research, prompt: "{{output}}", metadata: { sim_scenario: refusal } }
      - { name: review, agent: reviewer, after: report, prompt: "{{output}}" }
      - { name: apologise, agent: writer, after: report, when: failure, prompt: "The report failed: {{task}}" }
  fanout:
    steps:
      - { name: research, agent: researcher, prompt: "{{task}}" }
      - { name: summary, agent: writer, after: research, prompt: "Summarise.\\n{{output}}" }
      - { name: critique, agent: reviewer, after: research, when: [end_turn], prompt: "Critique.\\n{{output}}" }
      - { name: rescue, agent: writer, after: research, when: failure, prompt: "Rescue {{task}}" }
`;

export interface ChainEnv {
  dir: string;
  dbFile: string;
  configFile: string;
  sim: RunningSimulator;
  sdk: Anthropic;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function setupChainEnv(sim: SimulatorOptions = {}, yaml = PIPELINES_YAML): Promise<ChainEnv> {
  const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-chains-'));
  const dbFile = path.join(dir, 'agenthooks.db');
  const configFile = path.join(dir, 'agenthooks.yaml');
  writeFileSync(configFile, yaml);
  const simulator = await startSimulator({ timeScale: 0.01, durationMs: 2_000, apiKeys: [API_KEY], ...sim });
  const sdk = new Anthropic({ apiKey: API_KEY, baseURL: simulator.url, maxRetries: 0, webhookKey: null });
  return {
    dir,
    dbFile,
    configFile,
    sim: simulator,
    sdk,
    env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: simulator.url, DATABASE_URL: dbFile },
    async close() {
      await simulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface InProcessServe {
  url: string;
  app: App;
  store: Store;
  close(): Promise<void>;
}

/** serve in-process: receiver, worker, reconciler and chains, with the simulator's webhooks pointed at it. */
export async function startInProcessServe(
  e: ChainEnv,
  o: { chains?: RuntimeSettings; reconcileInterval?: string } = {},
): Promise<InProcessServe> {
  const store = await openStore(
    { kind: 'sqlite', url: e.dbFile, display: e.dbFile, source: 'flag' },
    { create: true, logger: silentLogger },
  );
  const config = resolveServeConfig(
    {
      host: '127.0.0.1',
      port: '0',
      database: e.dbFile,
      signingKey: [e.sim.signingKey],
      reconcileInterval: o.reconcileInterval ?? '2s',
      worker: true,
    },
    e.env,
    e.dir,
  );
  const platform = createPlatform({ apiKey: API_KEY, baseURL: e.sim.url, logger: silentLogger });
  const app = appOver({
    config,
    store,
    platform,
    settings: { worker: { idleMs: 20 }, sweepIntervalMs: 500, staleMs: 1_000, leaseMs: 3_000, ...o.chains },
    heartbeatMs: 1000,
  });
  const url = (await app.listen())!;
  e.sim.addWebhook(`${url}/webhooks`);
  return {
    url,
    app,
    store,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(e: ChainEnv, args: string[], signal?: AbortSignal): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const ctx: CliContext = {
    env: e.env,
    cwd: e.dir,
    stdout,
    stderr,
    signal: signal ?? new AbortController().signal,
    clock: systemClock,
    exitCode: 0,
  };
  const code = await runCli(args, ctx);
  return { code, stdout: out, stderr: err };
}

/** The first user.message text of a session, read from the simulator through the SDK. */
export async function promptOf(sdk: Anthropic, sessionId: string): Promise<string> {
  for await (const ev of sdk.beta.sessions.events.list(sessionId, { types: ['user.message'] } as never)) {
    const e = ev as { type: string; content?: Array<{ type: string; text?: string }> };
    if (e.type === 'user.message') return (e.content ?? []).map((c) => c.text ?? '').join('');
  }
  throw new Error(`session ${sessionId} has no user.message`);
}

export function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  return poll(fn, what, timeoutMs, 100);
}

/** Every simulator session's agenthooks tags, read through the SDK (what exists on the "platform"). */
export async function simSessions(
  sdk: Anthropic,
): Promise<Array<{ id: string; launch: string; chain: string; step: string; parent: string | null }>> {
  const out: Array<{ id: string; launch: string; chain: string; step: string; parent: string | null }> = [];
  for await (const s of sdk.beta.sessions.list({ limit: 100, include_archived: true } as never)) {
    const m = ((s as { metadata?: Record<string, string> }).metadata ?? {}) as Record<string, string>;
    out.push({
      id: (s as { id: string }).id,
      launch: m.agenthooks_launch ?? '',
      chain: m.agenthooks_chain ?? '',
      step: m.agenthooks_step ?? '',
      parent: m.agenthooks_parent ?? null,
    });
  }
  return out;
}

export interface ChildServe {
  proc: import('node:child_process').ChildProcess;
  url: string;
  port: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

/**
 * The real binary (`node dist/cli/bin.js serve`) on the chain env's database. `port` reuses the
 * port of a killed predecessor so that the simulator's retries reach the new process.
 */
export async function spawnServe(
  e: ChainEnv,
  o: { crashAt?: string; port?: number; database?: string } = {},
): Promise<ChildServe> {
  const { spawn } = await import('node:child_process');
  const bin = path.resolve(import.meta.dirname, '../../dist/cli/bin.js');
  const args = [
    bin,
    'serve',
    '--port',
    String(o.port ?? 0),
    '--database',
    o.database ?? e.dbFile,
    '--signing-key',
    e.sim.signingKey,
    '--reconcile-interval',
    '2s',
    '--chain-sweep-interval',
    '500ms',
    '--chain-lease',
    '3s',
  ];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AGENTHOOKS_LOG_LEVEL: 'warn',
    ANTHROPIC_API_KEY: API_KEY,
    ANTHROPIC_BASE_URL: e.sim.url,
  };
  if (o.crashAt) env.AGENTHOOKS_TEST_CRASH_AT = o.crashAt;
  const proc = spawn(process.execPath, args, { env, cwd: e.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  proc.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 30_000);
    const check = () => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout?.on('data', check);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
  return { proc, url, port: Number(new URL(url).port), exited, output: () => out };
}
