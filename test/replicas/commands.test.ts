// Every command against PostgreSQL (issue 6, item 5): the real binary (`node dist/cli/bin.js`) with
// `--database postgres://...`, next to a real `serve` on the same database and the simulator:
// launch --wait, runs, events, rejects, replay (requeue and --to), export, import (into a second,
// new PostgreSQL database, twice).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import type { Store } from '../../src/store/types.js';
import { BIN, childEnv } from '../serve/spawn.js';
import {
  createTestDatabase,
  dropDatabase,
  type TestDatabase,
  unusedDatabaseUrl,
} from '../support/postgres.js';
import { delivery, openPgStore, post, type Replicas, startReplicas, until } from './helpers.js';

const API_KEY = 'sk-commands';
let sim: RunningSimulator;
let db: TestDatabase;
let store: Store;
let serve: Replicas;
let dir: string;
let env: Record<string, string>;
const second = unusedDatabaseUrl;
let secondDb: { url: string; name: string } | null = null;

beforeAll(async () => {
  sim = await startSimulator({ timeScale: 0.01, durationMs: 2_000, apiKeys: [API_KEY], seed: 91 });
  db = await createTestDatabase();
  env = { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: sim.url };
  serve = await startReplicas(1, db.url, ['--signing-key', sim.signingKey], env);
  sim.addWebhook(`${serve.urls[0]}/webhooks`);
  store = await openPgStore(db.url);
  dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-pg-commands-'));
});

afterAll(async () => {
  await serve?.stopAll();
  await store?.close();
  await sim?.close();
  await db?.drop();
  if (secondDb) await dropDatabase(secondDb.name);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: childEnv(env), cwd: dir, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const json = <T>(text: string): T => JSON.parse(text) as T;

describe('every command with --database postgres://', () => {
  let runId = '';

  it('launch --wait starts a run and follows it to its outcome in PostgreSQL', async () => {
    const r = await cli([
      'launch',
      'write a haiku',
      '--wait',
      '--timeout',
      '60s',
      '--json',
      '--database',
      db.url,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const run = json<{ id: string; status: string }>(r.stdout);
    expect(run.status).toBe('succeeded');
    runId = run.id;
    expect((await store.getRun(runId))?.launchedBy).toBe('agenthooks');
  });

  it('runs and runs show read it back', async () => {
    const list = await cli(['runs', '--json', '--database', db.url]);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.stringify(json(list.stdout))).toContain(runId);
    const show = await cli(['runs', 'show', runId, '--json', '--database', db.url]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(runId);
    expect(show.stdout).toContain('succeeded');
  });

  it('events and events show list the deliveries serve stored', async () => {
    await sim.deliveriesIdle();
    const stored = await until(
      async () => {
        const n = await store.countEvents({ subjectId: runId });
        return n > 0 ? n : undefined;
      },
      'events for the run',
      20_000,
    );
    const list = await cli(['events', '--session', runId, '--ndjson', '--database', db.url]);
    expect(list.code, list.stderr).toBe(0);
    const rows = list.stdout
      .trim()
      .split('\n')
      .map((l) => json<{ id: string }>(l));
    expect(rows.length).toBe(stored);
    const show = await cli(['events', 'show', rows[0]!.id, '--json', '--database', db.url]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(rows[0]!.id);
  });

  it('rejects counts a delivery with a bad signature', async () => {
    const bad = delivery(sim.signingKey, 'session.status_idled', runId);
    bad.headers['webhook-signature'] = 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    expect((await post(serve.urls[0]!, bad)).status).toBe(401);
    // serve flushes reject counts every few seconds.
    const out = await until(
      async () => {
        const r = await cli(['rejects', '--json', '--database', db.url]);
        return r.code === 0 && r.stdout.includes('invalid_signature') ? r.stdout : undefined;
      },
      'the reject count in PostgreSQL',
      30_000,
    );
    expect(out).toContain('invalid_signature');
  });

  it('replay requeues stored events for the running serve, and --to re-delivers them signed', async () => {
    const events = await store.listEvents({ subjectId: runId, limit: 100 });
    const target = events.find((e) => e.state === 'done')!;
    const requeue = await cli(['replay', target.id, '--json', '--database', db.url]);
    expect(requeue.code, requeue.stderr).toBe(0);
    await until(
      async () => {
        const e = await store.getEvent(target.id);
        return e?.state === 'done' && e.attempts > target.attempts ? e : undefined;
      },
      'the replayed event to be processed again',
      30_000,
    );
    const before = await store.countEvents({});
    const to = await cli([
      'replay',
      target.id,
      '--to',
      `${serve.urls[0]}/webhooks`,
      '--signing-key',
      sim.signingKey,
      '--json',
      '--database',
      db.url,
    ]);
    expect(to.code, to.stderr).toBe(0);
    const report = json<{ delivered: number; results: Array<{ status: number; answer: string }> }>(to.stdout);
    expect(report.delivered).toBe(1);
    expect(report.results.map((r) => [r.status, json(r.answer)])).toEqual([
      [200, { id: target.id, duplicate: true }],
    ]);
    expect(await store.countEvents({})).toBe(before);
  });

  it('export writes NDJSON; import loads it into a new PostgreSQL database, and a second import adds nothing', async () => {
    const file = path.join(dir, 'export.ndjson');
    const exp = await cli(['export', '--out', file, '--database', db.url]);
    expect(exp.code, exp.stderr).toBe(0);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => json<{ kind: string }>(l));
    const kinds = new Set(lines.map((l) => l.kind));
    expect([...kinds].sort()).toEqual(['event', 'history', 'run']);

    secondDb = second();
    const first = await cli(['import', file, '--json', '--database', secondDb.url]);
    expect(first.code, first.stderr).toBe(0);
    const again = await cli(['import', file, '--json', '--database', secondDb.url]);
    expect(again.code, again.stderr).toBe(0);
    const copy = await openPgStore(secondDb.url);
    try {
      expect((await copy.getRun(runId))?.status).toBe('succeeded');
      expect(await copy.countEvents({})).toBe(await store.countEvents({}));
      expect(await copy.countRuns({})).toBe(await store.countRuns({}));
      expect((await copy.runHistory(runId)).length).toBe((await store.runHistory(runId)).length);
    } finally {
      await copy.close();
    }
  });
});
