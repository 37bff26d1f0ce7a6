// Shared pieces of the library/adapter tests: a temporary SQLite database, real signed deliveries
// (signed with the standardwebhooks package, as the platform signs), and an HTTP POST helper.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { generateSecret } from '../../src/webhooks/sign.js';

export const SECRET = generateSecret();

export interface Delivery {
  id: string;
  body: string;
  headers: Record<string, string>;
}

let seq = 0;

/** A session.status_idled event signed with `secret`, as the platform would deliver it. */
export function delivery(secret = SECRET, id = `evt_lib_${process.pid}_${++seq}`): Delivery {
  const body = JSON.stringify({
    type: 'event',
    id,
    created_at: new Date().toISOString(),
    data: { type: 'session.status_idled', id: `sesn_lib_${seq}` },
  });
  const at = new Date();
  return {
    id,
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
    },
  };
}

export function tempDir(): { dir: string; db: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-lib-'));
  return {
    dir,
    db: path.join(dir, 'agenthooks.db'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function post(
  url: string,
  d: Pick<Delivery, 'body' | 'headers'>,
): Promise<{
  status: number;
  json: { id?: string; duplicate?: boolean; error?: { code: string; message: string } };
}> {
  const res = await fetch(url, { method: 'POST', headers: d.headers, body: d.body });
  return { status: res.status, json: (await res.json()) as never };
}
