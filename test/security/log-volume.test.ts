// Logs under a scan of bad requests: every 4xx is one debug line without a stack, nothing at info
// or above; and a warning that every request can trigger (the store down) is written once per
// window, then says how many times it repeated.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveServeConfig } from '../../src/http/serve-config.js';
import { createWebhookCore } from '../../src/ingest/receiver.js';
import { createLogger, warnLimiter } from '../../src/logger.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { createVerifier } from '../../src/webhooks/verify.js';
import { eventBody, eventId, KEY_A, signed } from '../http/helpers.js';
import { appOver } from '../support/app.js';

const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

class Lines extends Writable {
  text = '';
  _write(chunk: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
  lines(): Array<Record<string, unknown>> {
    return this.text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  }
}

function raw(url: string, method: string, p: string, headers: Record<string, string>, body?: string) {
  return new Promise<number>((resolve) => {
    const req = request(`${url}${p}`, { method, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    // Early answers (405, 401) may close before the body is written: the status is what counts.
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}

/** 100 bad requests of five kinds, each a 4xx. */
async function scan(url: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < 20; i++) {
    statuses.push(await raw(url, 'POST', '/login', { 'content-type': 'application/json' }, '{bad'));
    statuses.push(await raw(url, 'POST', '/logout', { 'content-type': 'application/x-evil' }, 'x'));
    statuses.push(await raw(url, 'GET', '/api/runs?limit=abc', {}));
    statuses.push(await raw(url, 'POST', '/webhooks', { 'content-type': 'application/json' }, '{}'));
    const id = eventId();
    const body = eventBody(id);
    statuses.push(
      await raw(url, 'POST', '/webhooks', { ...signed(id, body), 'webhook-signature': 'v1,x' }, body),
    );
  }
  return statuses;
}

async function logsOfScan(level: string): Promise<{ statuses: number[]; out: Lines }> {
  const out = new Lines();
  const logger = createLogger({ level, destination: out });
  const sub = mkdtempSync(path.join(dir, `${level}-`));
  const config = resolveServeConfig({ port: '0', signingKey: [KEY_A] }, {}, sub);
  const store = await openSqliteStore(config.database.url, { create: true, logger });
  const app = appOver({ config, store, platform: null, logger });
  const url = (await app.listen()) as string;
  // Only what the scan writes counts, not the start-up lines.
  const startup = out.text.length;
  try {
    const statuses = await scan(url);
    out.text = out.text.slice(startup);
    return { statuses, out };
  } finally {
    await app.close();
    await store.close();
  }
}

describe('log volume', () => {
  it('100 bad requests write nothing at info and one short debug line each, without stacks', async () => {
    const info = await logsOfScan('info');
    for (const s of info.statuses) expect(s === -1 || (s >= 400 && s < 500), String(s)).toBe(true);
    const debug = await logsOfScan('debug');
    const refusals = debug.out
      .lines()
      .filter((l) => l.msg === 'request refused' || l.msg === 'webhook rejected');
    console.info(
      `log volume for 100 bad requests: ${Buffer.byteLength(info.out.text)} bytes at info, ` +
        `${Buffer.byteLength(debug.out.text)} bytes at debug (${debug.out.lines().length} lines)`,
    );
    expect(info.out.text, info.out.text).toBe('');
    expect(refusals.length).toBeGreaterThanOrEqual(100);
    expect(debug.out.text).not.toContain('stack');
    expect(debug.out.lines().every((l) => (l.level as number) <= 20)).toBe(true);
    expect(Buffer.byteLength(debug.out.text)).toBeLessThan(100 * 300);
  });

  it('a store that fails every delivery writes one warning per minute, then how often it repeated', async () => {
    const out = new Lines();
    const logger = createLogger({ level: 'info', destination: out });
    let now = Date.now();
    const clock = { now: () => now };
    const core = createWebhookCore({
      verifier: createVerifier({ keys: [KEY_A], clock }),
      committer: { enqueue: (_event, done) => done(new Error('disk I/O error'), null) },
      rejects: { count: () => undefined },
      clock,
      logger,
      bodyLimit: 1 << 20,
    });
    for (let i = 0; i < 100; i++) {
      const id = eventId();
      const body = eventBody(id);
      const r = await core.handle({ rawBody: body, headers: signed(id, body) });
      expect(r.status).toBe(503);
    }
    expect(out.lines()).toHaveLength(1);
    now += 61_000;
    const id = eventId();
    const body = eventBody(id, 'session.status_idled');
    const late = await core.handle({ rawBody: body, headers: signed(id, body, [KEY_A], new Date(now)) });
    expect(late.body).toContain('store_unavailable');
    const lines = out.lines();
    expect(lines).toHaveLength(2);
    expect(lines[1].repeated).toBe(99);
  });

  it('warnLimiter keeps distinct warnings apart', () => {
    const out = new Lines();
    const warn = warnLimiter(createLogger({ destination: out }), { now: () => 0 });
    for (let i = 0; i < 10; i++) {
      warn({ code: 'a' }, 'same');
      warn({ code: 'b' }, 'same');
    }
    expect(out.lines().map((l) => l.code)).toEqual(['a', 'b']);
  });
});
