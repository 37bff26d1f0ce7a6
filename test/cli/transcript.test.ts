// `agenthooks transcript RUN` against the simulator over real sockets and the SDK: a transcript for
// every scenario (multiagent threads, outcomes with several iterations), --json/--ndjson exactly
// as the SDK lists the events, a final run cached once so the second read makes no platform
// request (and needs no API key), control characters made visible, and unknown runs refused.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createPlatform } from '../../src/platform/client.js';
import type { Platform, SessionEvent } from '../../src/platform/types.js';
import { refreshSession } from '../../src/runs/refresh.js';
import { transcriptFor } from '../../src/runs/transcript.js';
import {
  type RunningSimulator,
  SCENARIOS,
  type Scenario,
  startSimulator,
} from '../../src/simulator/index.js';
import type { Store } from '../../src/store/types.js';
import { client, settle, setup, task } from '../simulator/helpers.js';
import { cli, createStore, makeRun, saveNewRun, tempDir } from './helpers.js';

let sim: RunningSimulator;
let c: Anthropic;
let ids: { agent: string; environment: string };
let store: Store;
let platform: Platform;
let db: string;
let env: Record<string, string>;
const clock = { now: () => Date.now() };
const bin = path.resolve('dist/cli/bin.js');

beforeAll(async () => {
  sim = await startSimulator({ seed: 18, timeScale: 0.005 });
  c = client(sim.url);
  const { agent, environment } = await setup(c);
  ids = { agent: agent.id, environment: environment.id };
  db = `${tempDir()}/agenthooks.db`;
  store = await createStore(db);
  platform = createPlatform({ apiKey: 'sk-test', baseURL: sim.url, logger: silentLogger });
  env = { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: sim.url };
});
afterAll(async () => {
  await store?.close();
  await sim?.close();
});

const OUTCOME_SCENARIOS: ReadonlySet<Scenario> = new Set([
  'outcome_revise_then_satisfied',
  'outcome_max_iterations',
  'outcome_failed',
  'multiagent',
]);

/** A settled session of `scenario`, its run stored the way the worker stores it. */
async function runOf(scenario: Scenario, text = `run ${scenario}`): Promise<string> {
  const outcome = {
    type: 'user.define_outcome' as const,
    description: `Write a haiku (${scenario})`,
    rubric: { type: 'text' as const, content: '- 3 lines' },
    max_iterations: 3,
  };
  const s = await c.beta.sessions.create({
    agent: ids.agent,
    environment_id: ids.environment,
    metadata: { sim_scenario: scenario },
    // A task and an outcome would be two turns: an outcome scenario starts with its outcome alone.
    initial_events: OUTCOME_SCENARIOS.has(scenario) ? [outcome] : [task(text)],
    ...(scenario === 'budget_reached'
      ? { budget: { type: 'limit' as const, max_list_cost: { amount: '50', currency: 'USD' as const } } }
      : {}),
  });
  await settle(c, s.id);
  await refreshSession({ store, platform, clock, logger: silentLogger }, s.id, 'test');
  return s.id;
}

/** Every event of the session straight from the SDK (auto-paging). */
async function sdkEvents(id: string): Promise<SessionEvent[]> {
  const all: SessionEvent[] = [];
  for await (const e of c.beta.sessions.events.list(id, { limit: 7 })) all.push(e);
  return all;
}

/** What each scenario's terminal transcript must show, besides the task. */
const EXPECT: Record<Scenario, RegExp[]> = {
  success: [/agent\s+Simulated answer/, /idle: end_turn/],
  retries_exhausted: [/session\s+model_overloaded_error.*\(retrying\)/, /idle: retries_exhausted/],
  refusal: [/idle: refusal \(general_harms: The simulated model declined/],
  budget_reached: [/idle: budget_reached/, /cost 50/],
  requires_action: [
    /agent\s+calls bash \(needs confirmation\)/,
    /^\s+command: rm -rf \.\/build$/m,
    /idle: requires_action \(waiting on sevt_/,
  ],
  terminated: [/session\s+unknown_error.*\(terminal\)/, /session\s+terminated/],
  outcome_revise_then_satisfied: [
    /evaluator\s+needs_revision iteration 1\n\s+Some rubric criteria are not met yet/,
    /evaluator\s+satisfied iteration 2/,
  ],
  outcome_max_iterations: [
    /needs_revision iteration 1/,
    /needs_revision iteration 2/,
    /max_iterations_reached iteration 3/,
    /Reached the iteration limit/,
  ],
  outcome_failed: [/evaluator\s+failed iteration 1\n\s+The rubric does not apply/],
  multiagent: [
    /researcher\s+created \[researcher\]/,
    /reviewer\s+idle \[reviewer\]: end_turn/,
    /agent\s+message to researcher\n\s+Please help with/,
    /agent\s+message from reviewer\n\s+reviewer is done\./,
    /evaluator\s+satisfied iteration 1/,
  ],
};

describe('agenthooks transcript', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario}: every event in order, readable, and --json exactly as the SDK lists them`, async () => {
      const id = await runOf(scenario);
      const want = await sdkEvents(id);
      const json = await cli(['transcript', id, '--database', db, '--json'], { env });
      expect(json.stderr).toBe('');
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(want)));
      const shown = await cli(['transcript', id, '--database', db], { env });
      expect(shown.code).toBe(0);
      const lines = shown.stdout.split('\n');
      expect(lines[0]).toMatch(new RegExp(`^Transcript of ${id}: ${want.length} events`));
      expect(shown.stdout).toMatch(
        OUTCOME_SCENARIOS.has(scenario)
          ? new RegExp(
              `user\\s+Write a haiku \\(${scenario}\\) \\(defines the outcome; max 3 iterations; rubric: - 3 lines\\)`,
            )
          : new RegExp(`user\\s+run ${scenario}`),
      );
      for (const re of EXPECT[scenario]) expect(shown.stdout).toMatch(re);
      // One first line per event, in the platform's order.
      const firsts = lines.filter((l) => /^(\d\d:\d\d:\d\d|--:--:--) {2}/.test(l));
      expect(firsts).toHaveLength(want.length);
    });
  }

  it('a final run is listed once and cached: the next read makes no platform request, even without a key', async () => {
    const id = await runOf('outcome_revise_then_satisfied');
    expect(await store.getTranscript(id)).toBeNull();
    const before = platform.requestCounts();
    const first = await transcriptFor({ store, platform, clock }, (await store.getRun(id)) as never);
    const listed = platform.requestCounts();
    expect(first).toMatchObject({ source: 'platform', final: true, truncated: false, cacheError: null });
    expect(listed.reads - before.reads).toBe(1);
    expect(listed.writes).toBe(before.writes);
    const row = await store.getTranscript(id);
    expect(row).toMatchObject({ runId: id, turn: 1, eventCount: first.events.length, truncated: false });
    const second = await transcriptFor({ store, platform, clock }, (await store.getRun(id)) as never);
    expect(platform.requestCounts()).toEqual(listed);
    expect(second.source).toBe('cache');
    expect(JSON.stringify(second.events)).toBe(JSON.stringify(first.events));
    // The CLI reads the cached copy with no API key at all (the read-only path).
    const nd = await cli(['transcript', id, '--database', db, '--ndjson'], { env: {} });
    expect(nd.code).toBe(0);
    const rows = nd.stdout.trimEnd().split('\n');
    expect(rows).toHaveLength(first.events.length);
    expect(rows.map((r) => JSON.parse(r))).toEqual(JSON.parse(JSON.stringify(await sdkEvents(id))));
    expect(rows[0]).toBe(JSON.stringify(first.events[0]));
  });

  it('a run that is not final is read from the platform each time and not cached', async () => {
    const id = await runOf('requires_action');
    expect((await store.getRun(id))?.status).toBe('blocked');
    const t = await transcriptFor({ store, platform, clock }, (await store.getRun(id)) as never);
    expect(t).toMatchObject({ source: 'platform', final: false });
    expect(await store.getTranscript(id)).toBeNull();
    const shown = await cli(['transcript', id, '--database', db], { env });
    expect(shown.stdout).toMatch(/still running: more will come/);
    // Without a key there is nothing to read it from: said, with the code.
    const nokey = await cli(['transcript', id, '--database', db], { env: {} });
    expect(nokey.code).not.toBe(0);
    expect(nokey.stderr).toMatch(/api_key_required/);
  });

  it('control characters in the session are made visible in the terminal, kept as JSON escapes in --json', async () => {
    const id = await runOf('success', 'evil \u001b]52;c;cHduZWQ=\u0007 and \u001b[2J done');
    const shown = await cli(['transcript', id, '--database', db], { env });
    expect(shown.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(shown.stdout).toContain('evil \\u001b]52;c;cHduZWQ=\\u0007 and \\u001b[2J done');
    const json = await cli(['transcript', id, '--database', db, '--json'], { env });
    expect(json.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    const user = (JSON.parse(json.stdout) as SessionEvent[]).find((e) => e.type === 'user.message');
    expect(user?.type === 'user.message' && user.content[0]).toMatchObject({
      text: 'evil \u001b]52;c;cHduZWQ=\u0007 and \u001b[2J done',
    });
  });

  it('an unknown run is refused with run_not_found; --json with --ndjson is a usage error; --help explains', async () => {
    const r = await cli(['transcript', 'sesn_nope', '--database', db], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/run_not_found/);
    expect(r.stderr).toMatch(/No run sesn_nope is stored/);
    const both = await cli(['transcript', 'sesn_nope', '--database', db, '--json', '--ndjson'], { env });
    expect(both.code).toBe(2);
    const help = spawnSync(process.execPath, [bin, 'transcript', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/every event of a run's session in order/i);
    expect(help.stdout).toMatch(/--ndjson/);
    for (const l of help.stdout.split('\n')) expect(l.length, l).toBeLessThanOrEqual(80);
  });

  it('a closed stdout ends the command quietly (a long cached transcript into head -1)', async () => {
    await saveNewRun(store, makeRun('sesn_pipe', { status: 'succeeded', turn: 1 }));
    const events = Array.from({ length: 3000 }, (_, i) => ({
      type: 'agent.message',
      id: `sevt_${i}`,
      content: [{ type: 'text', text: `line ${i}` }],
      processed_at: '2026-11-30T10:00:00Z',
    }));
    await store.saveTranscript({
      runId: 'sesn_pipe',
      turn: 1,
      eventsJson: JSON.stringify(events),
      eventCount: events.length,
      truncated: false,
      storedAt: Date.now(),
    });
    // No API key: the cached copy is all this command reads.
    const r = spawnSync(
      'bash',
      [
        '-c',
        `node ${bin} transcript sesn_pipe --database ${db} 2>"${db}.err" | head -1; echo "exit=\${PIPESTATUS[0]}"; cat "${db}.err"`,
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 },
    );
    const [first, exit, ...rest] = r.stdout.split('\n');
    expect(first).toBe('Transcript of sesn_pipe: 3000 events (stored)');
    expect(exit).toBe('exit=0');
    expect(rest.join('\n').trim()).toBe('');
  });
});
