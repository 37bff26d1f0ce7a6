// Standard Webhooks signing: base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)) as `v1,<sig>`.
// Used by the simulator's deliverer, `replay --to`, `simulator send` and the notifier.
import { createHmac, randomBytes } from 'node:crypto';

/** The HMAC key inside a `whsec_<base64>` secret. */
export function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

export function signature(secret: string | Buffer, id: string, timestampSec: number, body: string): string {
  const key = typeof secret === 'string' ? secretBytes(secret) : secret;
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSec}.${body}`).digest('base64')}`;
}

/** The three headers of one delivery; several secrets give several space-separated signatures. */
export function signedHeaders(
  secrets: string[],
  id: string,
  timestampSec: number,
  body: string,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSec),
    'webhook-signature': secrets.map((s) => signature(s, id, timestampSec, body)).join(' '),
  };
}

/** A fresh 32-byte secret in the Console's format. */
export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
