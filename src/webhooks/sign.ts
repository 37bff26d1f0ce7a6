// Standard Webhooks signing: base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)) as `v1,<sig>`.
// Used by the simulator's deliverer, `replay --to`, `simulator send` and the notifier.
import { createHmac, randomBytes } from 'node:crypto';
import { SECRET_PREFIX, secretKey } from './secret.js';

/** Throws invalid_signing_key for a secret the verifier would refuse, rather than sign with another key. */
export function signature(secret: string | Buffer, id: string, timestampSec: number, body: string): string {
  const key = typeof secret === 'string' ? secretKey(secret, 'The signing secret') : secret;
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
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}
