// `agenthooks runs` and `runs show` on a real SQLite store: every filter, paging (page and cursor),
// JSON/NDJSON shapes, the detail view with chain and timeline, follow mode, and each error.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run, Store } from '../../src/store/types.js';
import {
  Capture,
  cli,
  createStore,
  deliver,
  eventBody,
  eventually,
  makeRun,
  newEventId,
  saveNewRun,
  tempDir,
} from './helpers.js';

const dir = tempDir();
const db = path.join(dir, 'agenthooks.db');
const now = Date.now();
const MIN = 60_000;
let store: Store;

// 12 runs, one every 10 minutes back from now: sesn_r00 is the newest.
const id = (i: number) => `sesn_r${String(i).padStart(2, '0')}`;
const statusOf = (i: number): Run['status'] =>
  (['succeeded', 'failed', 'running', 'blocked'] as const)[i % 4];

beforeAll(async () => {
  store = await createStore(db);
  for (let i = 0; i < 12; i++) {
    const status = statusOf(i);
    await saveNewRun(
      store,
      makeRun(id(i), {
        firstSeenAt: now - i * 10 * MIN,
        sessionCreatedAt: now - i * 10 * MIN,
        status,
        finishedAt: status === 'succeeded' || status === 'failed' ? now - i * 10 * MIN + 90_000 : null,
        agentName: i % 3 === 0 ? 'writer' : 'researcher',
        task: i === 7 ? 'Compare TCP and UDP for a game server' : `task ${i}`,
        output: i === 5 ? 'The answer mentions a zebra.' : `output ${i}`,
        outcomeResult: i === 1 ? 'max_iterations_reached' : null,
        evaluations:
          i === 1
            ? [
                {
                  outcomeId: 'out_1',
                  description: 'cites sources',
                  result: 'max_iterations_reached',
                  explanation: 'Two of five claims lack a source.',
                  iteration: 3,
                  completedAt: null,
                },
              ]
            : [],
      }),
    );
  }
  // A chain: sesn_r03 is the parent of two children.
  await saveNewRun(
    store,
    makeRun('sesn_child1', {
      firstSeenAt: now - 200 * MIN,
      parentRunId: id(3),
      pipeline: 'research-report',
      step: 'report',
    }),
  );
  await saveNewRun(
    store,
    makeRun('sesn_child2', {
      firstSeenAt: now - 201 * MIN,
      parentRunId: id(3),
      pipeline: 'research-report',
      step: 'summary',
    }),
  );
  // Events about sesn_r03, received through the receiver path.
  for (const [i, type] of ['session.status_run_started', 'session.status_idled'].entries())
    await deliver(store, eventBody(newEventId(), type, id(3)), now + i);
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const runs = async (...args: string[]) => cli(['runs', '--database', db, ...args]);
const ids = (json: string) => (JSON.parse(json) as Run[]).map((r) => r.id);

describe('agenthooks runs', () => {
  it('lists a table, newest first, with the documented columns', async () => {
    const r = await runs('--limit', '3');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+AGENT\s+STATUS\s+OUTCOME\s+STOP\s+DURATION\s+COST\s+STARTED$/);
    // The first run started when the suite did: "just now", or seconds ago on a slow machine.
    expect(lines[1]).toMatch(
      /^sesn_r00\s+writer\s+succeeded\s+-\s+end_turn\s+1m 30s\s+\$0\.03\s+(just now|\d+s ago|1m ago)$/,
    );
    expect(lines[2]).toContain('sesn_r01');
    expect(lines[2]).toContain('max_iterations_reached');
    expect(lines[3]).toMatch(/sesn_r02\s+researcher\s+running/);
    expect(lines[4]).toMatch(/^next page: --cursor \S+$/);
    // No colors when stdout is not a TTY.
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('--status takes a comma list', async () => {
    const r = await runs('--status', 'failed,blocked', '--json');
    expect(ids(r.stdout)).toEqual([1, 3, 5, 7, 9, 11].map(id));
    const bad = await runs('--status', 'done');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('pending, running, blocked, succeeded, failed, cancelled, deleted');
  });

  it('--agent matches the agent name or id', async () => {
    expect(ids((await runs('--agent', 'writer', '--json')).stdout)).toEqual([0, 3, 6, 9].map(id));
    expect(ids((await runs('--agent', 'agent_01', '--json', '--limit', '100')).stdout).length).toBe(14);
  });

  it('--since and --until take relative ages and ISO times', async () => {
    expect(ids((await runs('--since', '25m', '--json')).stdout)).toEqual([0, 1, 2].map(id));
    expect(ids((await runs('--since', '45m', '--until', '25m', '--json')).stdout)).toEqual([3, 4].map(id));
    const iso = new Date(now - 15 * MIN).toISOString();
    expect(ids((await runs('--since', iso, '--json')).stdout)).toEqual([0, 1].map(id));
  });

  it('--search looks in the task and the output', async () => {
    expect(ids((await runs('--search', 'TCP and UDP', '--json')).stdout)).toEqual([id(7)]);
    expect(ids((await runs('--search', 'zebra', '--json')).stdout)).toEqual([id(5)]);
    expect(ids((await runs('--search', 'zebra', '--status', 'succeeded', '--json')).stdout)).toEqual([]);
    expect((await runs('--search', 'nothing-like-this')).stdout.trim()).toBe('No runs match these filters.');
  });

  it('pages with --page and with the printed cursor, without gaps or repeats', async () => {
    const all = ids((await runs('--json', '--limit', '100')).stdout);
    expect(all.length).toBe(14);
    const page2 = ids((await runs('--json', '--limit', '5', '--page', '2')).stdout);
    expect(page2).toEqual(all.slice(5, 10));
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const r = await runs('--ndjson', '--limit', '4', ...(cursor ? ['--cursor', cursor] : []));
      seen.push(
        ...r.stdout
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l).id),
      );
      const m = /next page: --cursor (\S+)/.exec(r.stderr);
      if (!m) break;
      cursor = m[1];
    }
    expect(seen).toEqual(all);
    expect((await runs('--limit', '5', '--page', '9')).stdout.trim()).toBe('No more runs.');
    expect((await runs('--cursor', 'not-a-cursor')).code).toBe(2);
  });

  it('--json is an array of runs and --ndjson one run per line', async () => {
    const arr = JSON.parse((await runs('--json', '--limit', '2')).stdout);
    expect(Array.isArray(arr)).toBe(true);
    expect(arr[0]).toMatchObject({
      id: id(0),
      status: 'succeeded',
      agentName: 'writer',
      usage: { costCents: 3 },
      launchedBy: 'agenthooks',
    });
    expect(typeof arr[0].firstSeenAt).toBe('number');
    const lines = (await runs('--ndjson', '--limit', '2')).stdout.trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).id)).toEqual([id(0), id(1)]);
    expect((await runs('--json', '--ndjson')).code).toBe(2);
  });

  it('follow mode prints existing rows, then new and changed runs', async () => {
    const ac = new AbortController();
    const out = new Capture();
    const lines = () =>
      out.text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Run);
    const p = cli(
      ['runs', '--database', db, '--ndjson', '--follow', '--status', 'running,succeeded', '--limit', '2'],
      {
        signal: ac.signal,
        stdout: out,
      },
    );
    // Each step waits for the previous output, so a slow machine changes nothing but the wait.
    await eventually(() => expect(lines()).toHaveLength(2));
    await saveNewRun(
      store,
      makeRun('sesn_follow', { status: 'running', finishedAt: null, firstSeenAt: Date.now() }),
    );
    await eventually(() => expect(lines()).toHaveLength(3));
    const r0 = (await store.getRun('sesn_follow'))!;
    await store.saveRun({
      run: { ...r0, status: 'succeeded', finishedAt: Date.now() },
      expectedVersion: r0.version,
      history: null,
    });
    await eventually(() => expect(lines()).toHaveLength(4));
    ac.abort();
    const r = await p;
    expect(r.code).toBe(0);
    const rows = lines();
    expect(rows.slice(0, 2).map((x) => x.id)).toEqual([id(2), id(0)]);
    expect(rows.slice(2).map((x) => `${x.id}:${x.status}`)).toEqual([
      'sesn_follow:running',
      'sesn_follow:succeeded',
    ]);
  });
});

describe('agenthooks runs show', () => {
  it('prints task, output, evaluations, usage, chain, events and history', async () => {
    const r = await cli(['runs', 'show', id(3), '--database', db]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Run ${id(3)}  blocked`);
    expect(r.stdout).toMatch(/children\s+sesn_child1 succeeded \(step report\)/);
    expect(r.stdout).toContain('sesn_child2 succeeded (step summary)');
    expect(r.stdout).toContain('Task\n  task 3');
    expect(r.stdout).toContain('Output\n  output 3');
    expect(r.stdout).toMatch(/usage\s+100 in, 50 out.*cost \$0\.03/);
    expect(r.stdout).toContain('Events (2)');
    expect(r.stdout).toMatch(/session\.status_run_started\s+pending[\s\S]*session\.status_idled\s+pending/);
    expect(r.stdout).toContain('History (1)');
    const child = await cli(['runs', 'show', 'sesn_child1', '--database', db]);
    expect(child.stdout).toMatch(/parent\s+sesn_r03 blocked/);
    expect(child.stdout).toMatch(/pipeline\s+research-report \/ step report/);
    const evals = await cli(['runs', 'show', id(1), '--database', db]);
    expect(evals.stdout).toContain('Outcome evaluations\n  4. max_iterations_reached  cites sources');
    expect(evals.stdout).toContain('Two of five claims lack a source.');
  });

  it('--json gives the run with parent, children, history and events', async () => {
    const r = await cli(['runs', 'show', id(3), '--database', db, '--json']);
    const d = JSON.parse(r.stdout);
    expect(d.run.id).toBe(id(3));
    expect(d.children.map((c: Run) => c.id).sort()).toEqual(['sesn_child1', 'sesn_child2']);
    expect(d.events.map((e: { type: string }) => e.type)).toEqual([
      'session.status_run_started',
      'session.status_idled',
    ]);
    expect(d.history).toHaveLength(1);
    expect(d.parent).toBeNull();
  });

  it('an unknown id is run_not_found, exit 1', async () => {
    const r = await cli(['runs', 'show', 'sesn_nope', '--database', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error [run_not_found]');
  });
});

describe('runs errors', () => {
  it('a bad time expression exits 2 and lists the accepted forms', async () => {
    const r = await runs('--since', 'yesterday');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error [invalid_time]');
    expect(r.stderr).toContain('30m, 2h, 7d');
    expect(r.stderr).toContain('2026-11-27T03:00:00Z');
  });

  it('a missing database is store_not_found, exit 2, and says how to start serve', async () => {
    const r = await cli(['runs', '--database', path.join(dir, 'missing', 'x.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error [store_not_found]');
    expect(r.stderr).toContain('agenthooks serve');
  });

  it('the default database is ./.agenthooks/agenthooks.db under the working directory, or DATABASE_URL', async () => {
    const r = await cli(['runs'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(path.join(dir, '.agenthooks', 'agenthooks.db'));
    const viaEnv = await cli(['runs', '--json', '--limit', '1'], { cwd: dir, env: { DATABASE_URL: db } });
    expect(viaEnv.code).toBe(0);
    expect(ids(viaEnv.stdout)).toHaveLength(1);
  });

  it('an empty database says there are no runs yet and how to launch one', async () => {
    const empty = path.join(dir, 'empty.db');
    await (await createStore(empty)).close();
    const r = await cli(['runs', '--database', empty]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No runs yet');
    expect(r.stdout).toContain('agenthooks launch');
    expect(JSON.parse((await cli(['runs', '--database', empty, '--json'])).stdout)).toEqual([]);
  });
});
