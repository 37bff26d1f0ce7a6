// `agenthooks replay`: requeue for the worker without duplicating anything, and --to re-delivery,
// freshly signed, to a real receiver that verifies the signature.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/types.js';
import { generateSecret } from '../../src/webhooks/sign.js';
import {
  cli,
  createStore,
  eventBody,
  newEventId,
  post,
  SECRET,
  startReceiver,
  tempDir,
} from '../cli/helpers.js';

const dir = tempDir();
const db = path.join(dir, 'source.db');
const targetDb = path.join(dir, 'target.db');
let store: Store;
let target: Store;
let source: { url: string; close: () => Promise<void> };
let receiver: { url: string; close: () => Promise<void> };
const TARGET_SECRET = generateSecret();
const ids: string[] = [];

beforeAll(async () => {
  store = await createStore(db);
  target = await createStore(targetDb);
  source = await startReceiver(store, db);
  receiver = await startReceiver(target, targetDb, TARGET_SECRET);
  for (const [type, s] of [
    ['session.status_run_started', 'sesn_x'],
    ['session.status_idled', 'sesn_x'],
    ['session.status_idled', 'sesn_y'],
  ]) {
    const id = newEventId();
    expect((await post(source.url, eventBody(id, type, s))).status).toBe(200);
    ids.push(id);
  }
});

afterAll(async () => {
  await receiver.close();
  await source.close();
  await store.close();
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('agenthooks replay', () => {
  it('requeues selected events for the worker and stores nothing twice', async () => {
    // Finish one event as a worker would, so that replay has something to put back.
    const [claimed] = await store.claimEvents({ owner: 'test', limit: 1, now: Date.now(), leaseMs: 60_000 });
    await store.finishEvent(claimed.id, 'test', { state: 'done' }, Date.now());
    expect((await store.getEvent(claimed.id))!.state).toBe('done');
    const before = await store.countEvents({});

    const r = await cli(['replay', '--database', db, claimed.id]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Requeued 1 of 1 events');
    // The test receiver writes a heartbeat, so the command knows a serve is working on this store.
    expect(r.stdout).toMatch(/A serve is running on this database|No serve heartbeat/);
    expect((await store.getEvent(claimed.id))!.state).toBe('pending');
    expect(await store.countEvents({})).toBe(before);

    const bySession = await cli(['replay', '--database', db, '--session', 'sesn_x', '--json']);
    expect(JSON.parse(bySession.stdout)).toMatchObject({ selected: 2, requeued: 2, skipped: 0 });
    expect(await store.countEvents({})).toBe(before);
    // Delivering the same events again (as the platform's retries would) is deduped too.
    for (const id of ids) {
      const e = await store.getEvent(id);
      const again = await post(source.url, e!.raw!);
      expect(again).toEqual({ status: 200, json: { id, duplicate: true } });
    }
    expect(await store.countEvents({})).toBe(before);
  });

  it('--since selects by time; no selector is a usage error; unknown ids replay nothing', async () => {
    expect(
      JSON.parse((await cli(['replay', '--database', db, '--since', '1h', '--json'])).stdout),
    ).toMatchObject({ selected: 3 });
    const none = await cli(['replay', '--database', db]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--session');
    const unknown = await cli(['replay', '--database', db, ids[0], 'evt_missing']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error [event_not_found]');
  });

  it('--to re-delivers them signed to another receiver, which verifies and stores each once', async () => {
    const r = await cli([
      'replay',
      '--database',
      db,
      '--since',
      '1h',
      '--to',
      receiver.url,
      '--signing-key',
      TARGET_SECRET,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const id of ids) expect(r.stdout).toContain(`${id}  200  {"id":"${id}","duplicate":false}`);
    expect(r.stdout).toContain('Delivered 3 of 3 events');
    for (const id of ids) {
      const got = await target.getEvent(id);
      // Same id and the same bytes as first received.
      expect(got!.raw).toBe((await store.getEvent(id))!.raw);
    }
    const again = await cli([
      'replay',
      '--database',
      db,
      '--session',
      'sesn_y',
      '--to',
      receiver.url,
      '--signing-key',
      TARGET_SECRET,
      '--json',
    ]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).results[0]).toMatchObject({
      id: ids[2],
      ok: true,
      status: 200,
      answer: `{"id":"${ids[2]}","duplicate":true}`,
    });
    expect(await target.countEvents({})).toBe(3);
  });

  it('exits 1 when a delivery fails: wrong secret, or nothing listening', async () => {
    const wrong = await cli([
      'replay',
      '--database',
      db,
      ids[0],
      '--to',
      receiver.url,
      '--signing-key',
      SECRET,
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('401');
    expect(wrong.stdout).toContain('invalid_signature');
    const closed = await cli([
      'replay',
      '--database',
      db,
      ids[0],
      '--to',
      'http://127.0.0.1:9/webhooks',
      '--signing-key',
      SECRET,
    ]);
    expect(closed.code).toBe(1);
    expect(closed.stdout).toContain('not delivered');
    const noKey = await cli(['replay', '--database', db, ids[0], '--to', receiver.url]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('--signing-key');
  });
});
