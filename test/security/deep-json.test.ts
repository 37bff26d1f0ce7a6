// Pathological JSON: a signed body nested deeper than 64 levels, or not UTF-8, is 400 invalid_json
// with a message saying why; and a 100,000-deep row put into the store directly (as older versions
// accepted) crashes no reader: `events show`, `events --json`, /api/events/:id, the event page, export.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, newEventId } from '../cli/helpers.js';
import { KEY_A, send, startServer, type TestServer } from '../http/helpers.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer();
});
afterAll(() => srv.close());

/** Standard Webhooks headers over raw bytes (the helpers sign strings, which are always UTF-8). */
function signBytes(id: string, body: Buffer): Record<string, string> {
  const ts = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(KEY_A.slice('whsec_'.length), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${ts}.`).update(body).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': `v1,${mac}` };
}

function envelope(id: string, data: string): string {
  return `{"type":"event","id":"${id}","created_at":"${new Date().toISOString()}","data":${data}}`;
}

/** `data` nested so the whole body is exactly `depth` levels deep. */
function nested(id: string, depth: number): string {
  const inner = depth - 2;
  return envelope(
    id,
    `{"type":"session.status_idled","id":"sesn_deep","x":${'['.repeat(inner)}${']'.repeat(inner)}}`,
  );
}

async function post(id: string, body: Buffer) {
  return send(srv.url, { headers: signBytes(id, body), body });
}

describe('pathological webhook bodies', () => {
  it('accepts 64 levels and answers 400 invalid_json, saying why, to 65 and to 100,000', async () => {
    const ok = newEventId();
    expect((await post(ok, Buffer.from(nested(ok, 64)))).status).toBe(200);
    for (const depth of [65, 100_000]) {
      const id = newEventId();
      const r = await post(id, Buffer.from(nested(id, depth)));
      expect(r.status, `depth ${depth}`).toBe(400);
      expect(r.json().error.code).toBe('invalid_json');
      expect(r.json().error.message).toContain('deeper than 64 levels');
      expect(await srv.store.getEvent(id)).toBeNull();
    }
  });

  it('does not count brackets inside strings as nesting', async () => {
    const id = newEventId();
    const body = envelope(
      id,
      `{"type":"session.status_idled","id":"sesn_s","text":"${'[{'.repeat(200)}\\"]"}`,
    );
    expect((await post(id, Buffer.from(body))).status).toBe(200);
  });

  it('answers 400 invalid_json to a signed body that is not valid UTF-8', async () => {
    const id = newEventId();
    const text = Buffer.from(envelope(id, '{"type":"session.status_idled","id":"sesn_u","t":"XX"}'));
    const at = text.indexOf('XX');
    text[at] = 0xc3; // a lead byte...
    text[at + 1] = 0x28; // ...followed by a byte that cannot continue it
    const r = await post(id, text);
    expect(r.status).toBe(400);
    expect(r.json().error.code).toBe('invalid_json');
    expect(r.json().error.message).toContain('UTF-8');
    expect(await srv.store.getEvent(id)).toBeNull();
  });
});

describe('readers of a 100,000-deep stored row', () => {
  const id = newEventId();
  const db = () => srv.config.database.url;

  beforeAll(async () => {
    const now = Date.now();
    await srv.store.insertEvents([
      {
        id,
        type: 'session.status_idled',
        createdAt: now,
        receivedAt: now,
        subjectId: 'sesn_deep',
        threadId: null,
        raw: nested(id, 100_000),
        state: 'ignored',
      },
    ]);
  });

  it('events show prints it as stored and exits 0', async () => {
    const r = await cli(['events', 'show', id, '--database', db()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('[[[[');
    const json = await cli(['events', 'show', id, '--json', '--database', db()]);
    expect(json.code, json.stderr).toBe(0);
    expect(() => JSON.parse(json.stdout)).not.toThrow();
  });

  it('events --json lists it', async () => {
    const r = await cli(['events', '--json', '--database', db()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(id);
  });

  it('/api/events/:id and the event page answer 200', async () => {
    const api = await fetch(`${srv.url}/api/events/${id}`);
    expect(api.status).toBe(200);
    const { event } = (await api.json()) as { event: { id: string; payload: unknown } };
    expect(event.id).toBe(id);
    expect(event.payload).toBeNull();
    const page = await fetch(`${srv.url}/events/${id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('[[[[');
  });

  it('export writes it and exits 0', async () => {
    const r = await cli(['export', '--database', db()]);
    expect(r.code, r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.includes(id));
    expect(line && JSON.parse(line).raw.length).toBeGreaterThan(200_000);
  });
});
