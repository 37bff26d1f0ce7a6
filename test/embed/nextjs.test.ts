// The Next.js route handler, called as Next calls it: POST(new Request(...)). Real signed deliveries
// are stored; a Request whose body was already read, and a re-serialised body, are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setHooks } from '../../examples/nextjs/app/webhooks/hooks.js';
import { POST } from '../../examples/nextjs/app/webhooks/route.js';
import { type Agenthooks, createAgenthooks } from '../../src/index.js';
import { delivery, SECRET, tempDir } from './helpers.js';

const request = (body: string, headers: Record<string, string>) =>
  new Request('https://example.com/webhooks', { method: 'POST', headers, body });

describe('Next.js route handler example', () => {
  const tmp = tempDir();
  let hooks: Agenthooks;

  beforeAll(() => {
    hooks = createAgenthooks({ database: tmp.db, signingKeys: [SECRET] });
    setHooks(hooks);
  });
  afterAll(async () => {
    setHooks(null);
    await hooks.close();
    tmp.remove();
  });

  it('stores a signed delivery and answers duplicates', async () => {
    const d = delivery();
    const res = await POST(request(d.body, d.headers));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: d.id, duplicate: false });
    const again = await POST(request(d.body, d.headers));
    expect(await again.json()).toEqual({ id: d.id, duplicate: true });
    expect((await hooks.events.get(d.id))?.raw).toBe(d.body);
    expect((await hooks.runs.list()).length).toBe(0);
  });

  it('refuses a Request whose body was already parsed, naming the cause', async () => {
    const d = delivery();
    const req = request(d.body, d.headers);
    await req.json();
    const res = await POST(req);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('raw_body_required');
    expect(body.error.message).toContain('re-serialised by a JSON body parser');
  });

  it('a re-serialised body no longer matches its signature', async () => {
    const d = delivery();
    const reserialised = JSON.stringify(JSON.parse(d.body), null, 2);
    const res = await POST(request(reserialised, d.headers));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_signature');
    expect(await hooks.events.get(d.id)).toBeNull();
  });
});
