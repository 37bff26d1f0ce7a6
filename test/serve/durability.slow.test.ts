// Durability that a toy cannot pass: 32 concurrent senders of distinct signed events against the
// real `serve` process, SIGKILLed mid-load six times and restarted on the same SQLite file. Every
// delivery that was answered 2xx must be in the database afterwards (DESIGN.md semantics 1).
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/open.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { eventBody, eventId, KEY_A, signed } from '../http/helpers.js';
import { childEnv, startServe } from './spawn.js';

const SENDERS = 32;
const KILLS = 6;

const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-durability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function post(url: string, agent: Agent, id: string): Promise<number> {
  const body = eventBody(id);
  return new Promise((resolve, reject) => {
    const req = request(`${url}/webhooks`, { method: 'POST', headers: signed(id, body), agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('serve under SIGKILL', () => {
  it(`loses no acknowledged delivery across ${KILLS} kills with ${SENDERS} concurrent senders`, async () => {
    const db = path.join(dir, 'agenthooks.db');
    const acked: string[] = [];
    const unansweredAtKill: number[] = [];
    let failed = 0;

    for (let round = 0; round < KILLS; round++) {
      const s = await startServe(['--database', db, '--signing-key', KEY_A], childEnv(), dir);
      const agent = new Agent({ keepAlive: true, maxSockets: SENDERS });
      let inflight = 0;
      let ackedThisRound = 0;
      let stop = false;
      const sender = async () => {
        while (!stop) {
          const id = eventId();
          inflight += 1;
          try {
            const status = await post(s.url, agent, id);
            if (status >= 200 && status < 300) {
              acked.push(id);
              ackedThisRound += 1;
            } else failed += 1;
          } catch {
            // The process died under this request: it was never answered, so it may or may not be stored.
            stop = true;
          } finally {
            inflight -= 1;
          }
        }
      };
      const senders = Array.from({ length: SENDERS }, sender);
      // Let some deliveries complete, then kill while requests are certainly in flight.
      while (ackedThisRound < 150 + round * 20 || inflight === 0) await new Promise((r) => setTimeout(r, 5));
      unansweredAtKill.push(inflight);
      s.proc.kill('SIGKILL');
      await s.exited;
      stop = true;
      await Promise.all(senders);
      agent.destroy();
    }

    // Restart once more (as an operator would) and read what is stored.
    const last = await startServe(['--database', db, '--signing-key', KEY_A], childEnv(), dir);
    last.proc.kill('SIGTERM');
    expect((await last.exited).code).toBe(0);
    const store = await openSqliteStore(db, { create: false, logger: silentLogger });
    let lost = 0;
    try {
      for (const id of acked) if (!(await store.getEvent(id))) lost += 1;
    } finally {
      await store.close();
    }
    // The file has the lean event ledger, and the read commands' path (a read-only connection on
    // the main thread) sees every acknowledged delivery as well.
    const file = new Database(db, { readonly: true });
    const indexes = file
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name`)
      .all()
      .map((r) => (r as { name: string }).name);
    file.close();
    expect(indexes).toEqual([
      'events_failed',
      'events_pending',
      'events_processing',
      'events_received',
      'events_subject',
      'sqlite_autoindex_events_1',
    ]);
    const reader = await openStore(
      { kind: 'sqlite', url: db, display: db, source: 'flag' },
      { create: false, logger: silentLogger },
    );
    let lostToReader = 0;
    try {
      for (const id of acked) if (!(await reader.getEvent(id))) lostToReader += 1;
    } finally {
      await reader.close();
    }
    expect(lostToReader).toBe(0);
    console.log(
      `durability: ${KILLS} SIGKILLs, unanswered at each kill ${JSON.stringify(unansweredAtKill)}, acked ${acked.length}, lost ${lost}, non-2xx ${failed}`,
    );
    expect(unansweredAtKill).toHaveLength(KILLS);
    for (const u of unansweredAtKill) expect(u).toBeGreaterThanOrEqual(1);
    expect(acked.length).toBeGreaterThan(KILLS * 150);
    expect(lost).toBe(0);
    expect(failed).toBe(0);
  }, 240_000);
});
