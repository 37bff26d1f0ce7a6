// What the ingest benchmarks send: pre-signed webhook deliveries (distinct ids plus a share of
// re-sends of earlier ones, as the platform's retries would), and one autocannon run that posts
// them over real sockets in turn.
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { signature } from '../dist/webhooks/sign.js';

let pools = 0;

/** `count` deliveries signed with `secret` just now; ~`duplicateShare` of them are re-sends. */
export function signedDeliveries(secret, count, duplicateShare = 0.1) {
  pools += 1;
  const now = new Date();
  const ts = Math.floor(now.getTime() / 1000);
  const out = [];
  for (let i = 0; i < count; i++) {
    if (i > 10 && Math.random() < duplicateShare) {
      out.push(out[Math.floor(Math.random() * (i - 1))]);
      continue;
    }
    const id = `whe_bench${pools}_${i}_${randomBytes(4).toString('hex')}`;
    const body = JSON.stringify({
      type: 'event',
      id,
      created_at: now.toISOString(),
      data: {
        type: 'session.status_idled',
        id: 'sesn_011CZkZAtmR3yMPDzynEDxu7',
        organization_id: '8a3d2f1e-5b6c-4d7e-9f01-23456789abcd',
        workspace_id: 'c7b0e4d9-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
      },
    });
    out.push({
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(ts),
        'webhook-signature': signature(secret, id, ts, body),
      },
    });
  }
  return out;
}

/** One autocannon run against `url`'s /webhooks, posting `pool` in turn (wrapping around). */
export function post(url, { connections, duration, pool }) {
  let next = 0;
  return autocannon({
    url,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        path: '/webhooks',
        setupRequest: (req) => {
          const d = pool[next++ % pool.length];
          return { ...req, headers: d.headers, body: d.body };
        },
      },
    ],
  });
}
