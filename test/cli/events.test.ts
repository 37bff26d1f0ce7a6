// `agenthooks events` and `events show` on a store filled through the real receiver (createApp +
// signed deliveries over a socket): filters, paging, JSON shapes, follow mode, errors.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/types.js';
import {
  Capture,
  cli,
  createStore,
  eventBody,
  eventually,
  newEventId,
  post,
  startReceiver,
  tempDir,
} from './helpers.js';

const dir = tempDir();
const db = path.join(dir, 'agenthooks.db');
let store: Store;
let receiver: { url: string; close: () => Promise<void> };
const sent: string[] = [];

beforeAll(async () => {
  store = await createStore(db);
  receiver = await startReceiver(store, db);
  // 6 events about two sessions, and one type the worker does not know (stored as ignored).
  const plan: Array<[string, string]> = [
    ['session.status_run_started', 'sesn_a'],
    ['session.status_idled', 'sesn_a'],
    ['session.status_run_started', 'sesn_b'],
    ['session.outcome_evaluation_ended', 'sesn_b'],
    ['session.status_idled', 'sesn_b'],
    ['vault.created', 'vlt_1'],
  ];
  for (const [type, subject] of plan) {
    const id = newEventId();
    const r = await post(receiver.url, eventBody(id, type, subject));
    expect(r).toEqual({ status: 200, json: { id, duplicate: false } });
    sent.push(id);
    // Distinct receive times make "newest first" a fixed order.
    await new Promise((res) => setTimeout(res, 5));
  }
});

afterAll(async () => {
  await receiver.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const events = (...args: string[]) => cli(['events', '--database', db, ...args]);
const ids = (json: string) => (JSON.parse(json) as Array<{ id: string }>).map((e) => e.id);

describe('agenthooks events', () => {
  it('lists the ledger newest first as a table', async () => {
    const r = await events();
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^RECEIVED\s+TYPE\s+SESSION\s+STATE\s+TRIES\s+ID$/);
    expect(lines[1]).toMatch(/vault\.created\s+vlt_1\s+ignored\s+0\s+evt_/);
    expect(lines).toHaveLength(7);
  });

  it('filters by type, session, state and time', async () => {
    expect(ids((await events('--type', 'session.status_idled', '--json')).stdout)).toEqual([
      sent[4],
      sent[1],
    ]);
    expect(ids((await events('--session', 'sesn_a', '--json')).stdout)).toEqual([sent[1], sent[0]]);
    expect(ids((await events('--state', 'ignored', '--json')).stdout)).toEqual([sent[5]]);
    expect(ids((await events('--state', 'pending', '--session', 'sesn_b', '--json')).stdout)).toEqual([
      sent[4],
      sent[3],
      sent[2],
    ]);
    expect(ids((await events('--since', '1h', '--json')).stdout)).toHaveLength(6);
    expect(ids((await events('--until', '1h', '--json')).stdout)).toEqual([]);
    expect((await events('--state', 'weird')).code).toBe(2);
    expect((await events('--since', '5 minutes')).code).toBe(2);
  });

  it('pages with --limit and the cursor it prints', async () => {
    const first = await events('--limit', '4', '--ndjson');
    const m = /next page: --cursor (\S+)/.exec(first.stderr);
    expect(m).not.toBeNull();
    const second = await events('--limit', '4', '--ndjson', '--cursor', m![1]);
    const all = [...first.stdout.trim().split('\n'), ...second.stdout.trim().split('\n')].map(
      (l) => JSON.parse(l).id,
    );
    expect(all).toEqual([...sent].reverse());
    expect(second.stderr).toBe('');
  });

  it('JSON rows carry the ledger fields but not the raw body', async () => {
    const [row] = JSON.parse((await events('--json', '--limit', '1', '--session', 'sesn_a')).stdout);
    expect(row).toMatchObject({
      id: sent[1],
      type: 'session.status_idled',
      subjectId: 'sesn_a',
      state: 'pending',
      attempts: 0,
      pruned: false,
    });
    expect(typeof row.receivedAt).toBe('number');
    expect(row).not.toHaveProperty('raw');
  });

  it('events show prints the event and its raw JSON, pretty-printed', async () => {
    const r = await cli(['events', 'show', sent[3], '--database', db]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/type\s+session\.outcome_evaluation_ended/);
    expect(r.stdout).toContain(`Raw JSON\n{\n  "type": "event",\n  "id": "${sent[3]}"`);
    const j = JSON.parse((await cli(['events', 'show', sent[3], '--database', db, '--json'])).stdout);
    expect(j.body).toMatchObject({
      type: 'event',
      id: sent[3],
      data: { type: 'session.outcome_evaluation_ended', id: 'sesn_b' },
    });
    expect(typeof j.raw).toBe('string');
  });

  it('an unknown event id is event_not_found, exit 1', async () => {
    const r = await cli(['events', 'show', 'evt_nope', '--database', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error [event_not_found]');
  });

  it('follow mode picks up a new delivery', async () => {
    const ac = new AbortController();
    const out = new Capture();
    const running = cli(['events', '--database', db, '--follow', '--session', 'sesn_c'], {
      signal: ac.signal,
      stdout: out,
    });
    await eventually(() => expect(out.text).toMatch(/^RECEIVED\s+TYPE/));
    const id = newEventId();
    expect((await post(receiver.url, eventBody(id, 'session.status_idled', 'sesn_c'))).status).toBe(200);
    // A delivery about another session must not show up.
    await post(receiver.url, eventBody(newEventId(), 'session.status_idled', 'sesn_other'));
    await eventually(() => expect(out.text).toContain(id));
    // A few more polls: nothing else (no repeats, no other session) may appear.
    await new Promise((r) => setTimeout(r, 1200));
    ac.abort();
    const r = await running;
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(1)).toHaveLength(1);
    expect(lines[1]).toContain(id);
    expect(lines[1]).toContain('sesn_c');
  });
});
