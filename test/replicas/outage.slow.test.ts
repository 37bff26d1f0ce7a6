// PostgreSQL goes away under load and comes back (issue 6, item 4): a real `serve` on a dedicated
// embedded PostgreSQL takes deliveries from concurrent senders; the server is stopped (fast
// shutdown) and started again. While it is down every answer is 503 store_unavailable with
// Retry-After and /ready is 503; nothing answered 2xx is missing afterwards; 2xx resume without
// restarting serve; re-sent deliveries are stored; the worker finishes every event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createPlatform } from '../../src/platform/client.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import type { Store } from '../../src/store/types.js';
import { type EmbeddedServer, startEmbeddedPostgres } from '../support/embedded-postgres.js';
import { createTestDatabase } from '../support/postgres.js';
import {
  type Answer,
  type Delivery,
  delivery,
  getJson,
  openPgStore,
  pick,
  post,
  type Replicas,
  startReplicas,
  until,
} from './helpers.js';

const API_KEY = 'sk-outage';
const SENDERS = 16;

let pg: EmbeddedServer;
let sim: RunningSimulator;
let replicas: Replicas | null = null;
let store: Store | null = null;

beforeAll(async () => {
  pg = await startEmbeddedPostgres();
  sim = await startSimulator({ timeScale: 0.01, durationMs: 2_000, apiKeys: [API_KEY], seed: 77 });
});

afterAll(async () => {
  await replicas?.stopAll();
  await store?.close();
  await sim?.close();
  await pg?.destroy();
});

type Phase = 'before' | 'down' | 'after';

describe('PostgreSQL outage under load', () => {
  it('503 while down, no acknowledged delivery lost, 2xx and processing resume', {
    timeout: 300_000,
  }, async () => {
    const db = await createTestDatabase(pg.url);
    const secret = `whsec_${Buffer.from('outage-test-secret-0123456789abc').toString('base64')}`;
    replicas = await startReplicas(1, db.url, ['--signing-key', secret], {
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: sim.url,
    });
    const url = replicas.urls[0]!;

    const platform = createPlatform({ apiKey: API_KEY, baseURL: sim.url, logger: silentLogger });
    const agent = await platform.ensureAgent('outage', { model: 'claude-sonnet-4-6' });
    const environment = await platform.ensureEnvironment('outage', {});
    const sessionIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await platform.createSession({
        agent: agent.id,
        environment_id: environment.id,
        initial_events: [{ type: 'user.message', content: [{ type: 'text', text: `outage ${i}` }] }],
        metadata: { sim_scenario: 'success' },
      });
      sessionIds.push(s.id);
    }

    let phase: Phase = 'before';
    let stop = false;
    const log: Array<{ d: Delivery; phase: Phase; answer: Answer }> = [];
    const sent: Delivery[] = [];
    const sender = async () => {
      while (!stop) {
        // ~10% re-sends of an earlier delivery (the platform's at-least-once), signed afresh.
        const earlier = sent.length > 0 && Math.random() < 0.1 ? pick(sent) : null;
        const d = earlier
          ? delivery(secret, 'session.status_idled', JSON.parse(earlier.body).data.id, earlier.id)
          : delivery(secret, 'session.status_idled', pick(sessionIds));
        if (!earlier) sent.push(d);
        const at = phase;
        const answer = await post(url, d);
        log.push({ d, phase: at === phase ? at : 'down', answer });
        if (answer.status !== 200) await new Promise((r) => setTimeout(r, 20));
      }
    };
    const senders = Array.from({ length: SENDERS }, sender);

    await until(
      async () => log.filter((l) => l.answer.status === 200).length >= 200,
      '200 stored deliveries',
      30_000,
    );
    phase = 'down';
    await pg.stop();
    // While down: 503s, and /ready fails.
    await until(
      async () => log.filter((l) => l.phase === 'down' && l.answer.status === 503).length >= 50,
      '503 answers',
      30_000,
    );
    const readyDown = await until(
      async () => {
        const r = await getJson(`${url}/ready`);
        return r.status === 503 ? r : undefined;
      },
      '/ready to fail',
      15_000,
    );
    expect((readyDown.body?.error as { code?: string } | undefined)?.code).toBe('store_unavailable');
    expect((await getJson(`${url}/health`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2_000));

    await pg.start();
    const restartedAt = log.length;
    phase = 'after';
    await until(
      async () => log.slice(restartedAt).filter((l) => l.answer.status === 200).length >= 100,
      '2xx to resume after PostgreSQL is back',
      60_000,
    );
    stop = true;
    await Promise.all(senders);
    expect(replicas.list[0]!.proc.exitCode).toBeNull();
    expect(
      (
        await until(
          async () => {
            const r = await getJson(`${url}/ready`);
            return r.status === 200 ? r : undefined;
          },
          '/ready to pass again',
          15_000,
        )
      ).body?.status,
    ).toBe('ready');

    // Only 200 or 503 store_unavailable with Retry-After: no 500, no dropped connection.
    const statuses = new Set(log.map((l) => l.answer.status));
    expect([...statuses].sort()).toEqual([200, 503]);
    for (const l of log.filter((x) => x.answer.status === 503)) {
      expect(l.answer.body?.error?.code).toBe('store_unavailable');
      expect(Number(l.answer.retryAfter)).toBeGreaterThan(0);
    }
    const downAnswers = log.filter((l) => l.phase === 'down');
    expect(downAnswers.filter((l) => l.answer.status === 503).length).toBeGreaterThan(0);

    // Every delivery answered 2xx is stored.
    store = await openPgStore(db.url);
    const acked = new Set(log.filter((l) => l.answer.status === 200).map((l) => l.d.id));
    const missing: string[] = [];
    for (const id of acked) if (!(await store.getEvent(id))) missing.push(id);
    expect(missing).toEqual([]);

    // The platform retries what got 503: re-sent now, all are stored (once).
    const refused = [...new Set(log.filter((l) => l.answer.status !== 200).map((l) => l.d.id))].filter(
      (id) => !acked.has(id),
    );
    const byId = new Map(sent.map((d) => [d.id, d]));
    for (const id of refused) {
      const d = byId.get(id)!;
      const again = await post(url, delivery(secret, 'session.status_idled', JSON.parse(d.body).data.id, id));
      expect(again.status).toBe(200);
    }
    expect(await store.countEvents({})).toBe(new Set(sent.map((d) => d.id)).size);

    // Processing resumes: claims cut off by the outage expire and are taken again; nothing fails.
    await until(
      async () =>
        (await store!.countEvents({ state: 'pending' })) +
          (await store!.countEvents({ state: 'processing' })) ===
        0,
      'the worker to finish every event',
      150_000,
    );
    expect(await store.countEvents({ state: 'failed' })).toBe(0);
    for (const id of sessionIds) expect((await store.getRun(id))?.status).toBe('succeeded');
    console.log(
      `outage: ${log.length} posts; before ${log.filter((l) => l.phase === 'before').length}, ` +
        `down ${downAnswers.length} (${downAnswers.filter((l) => l.answer.status === 503).length} x 503, ` +
        `${downAnswers.filter((l) => l.answer.status === 200).length} x 200 committed before the stop), ` +
        `after ${log.filter((l) => l.phase === 'after').length}; ${acked.size} acked ids all stored; ${refused.length} re-sent`,
    );
  });
});
