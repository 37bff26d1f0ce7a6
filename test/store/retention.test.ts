// Retention end to end: prune clears old payloads while a re-delivered old event stays a
// duplicate, and the prune command's --older-than, --dry-run and refusal of a too-short age.
import { describe, expect, it } from 'vitest';
import { signedHeaders } from '../../src/webhooks/sign.js';
import { cli } from '../cli/helpers.js';
import {
  cliEnv,
  type Env,
  type Serving,
  session,
  setup,
  startServeWithNotify,
  until,
} from '../e2e/serving.js';

let env: Env | null = null;
let serve: Serving | null = null;

describe('retention', () => {
  it('prune clears old payloads but a re-delivered old event is still a duplicate', async () => {
    env = await setup();
    serve = await startServeWithNotify(env, undefined);
    const id = await session(env);
    await until(async () => (await env!.platform.getSession(id))?.status === 'idle', 'idle');
    const eventId = 'evt_retention_1';
    const body = JSON.stringify({
      type: 'event',
      id: eventId,
      created_at: new Date().toISOString(),
      data: { type: 'session.status_idled', id },
    });
    const deliver = () =>
      fetch(`${serve!.url}/webhooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signedHeaders([env!.sim.signingKey], eventId, Math.floor(Date.now() / 1000), body),
        },
        body,
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect(await deliver()).toEqual({ status: 200, body: { id: eventId, duplicate: false } });
    const store = env.store;
    await until(async () => (await store.getEvent(eventId))?.state === 'done', 'the event processed');
    // Everything is "old" relative to a cutoff just ahead of now.
    const r = await store.prune({ before: Date.now() + 1000, dryRun: false });
    expect(r.payloads).toBeGreaterThanOrEqual(1);
    expect((await store.getEvent(eventId))?.raw).toBeNull();
    expect(await store.runHistory(id)).toEqual([]);
    expect(await deliver()).toEqual({ status: 200, body: { id: eventId, duplicate: true } });
    expect((await store.getRun(id))?.status).toBe('succeeded');
  });

  it('prune CLI: --older-than, --dry-run, and a refusal of a too-short age', async () => {
    env = await setup();
    const old = Date.now() - 100 * 86_400_000;
    await env.store.insertEvents([
      {
        id: 'evt_old',
        type: 'session.status_idled',
        createdAt: old,
        receivedAt: old,
        subjectId: 'sesn_x',
        threadId: null,
        raw: '{"x":1}',
        state: 'done',
      },
      {
        id: 'evt_new',
        type: 'session.status_idled',
        createdAt: Date.now(),
        receivedAt: Date.now(),
        subjectId: 'sesn_x',
        threadId: null,
        raw: '{"x":2}',
        state: 'done',
      },
    ]);
    const dry = await cli(['prune', '--older-than', '90d', '--dry-run', '--json'], { env: cliEnv(env) });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, payloads: 1 });
    expect((await env.store.getEvent('evt_old'))?.raw).toBe('{"x":1}');
    const real = await cli(['prune', '--older-than', '90d'], { env: cliEnv(env) });
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('event payloads removed: 1');
    expect((await env.store.getEvent('evt_old'))?.raw).toBeNull();
    expect((await env.store.getEvent('evt_new'))?.raw).toBe('{"x":2}');
    expect((await cli(['prune', '--older-than', '2h'], { env: cliEnv(env) })).code).toBe(2);
    expect((await cli(['prune'], { env: cliEnv(env) })).code).toBe(2);
  });
});
