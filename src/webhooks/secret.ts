// The one reading of a `whsec_` secret: the verifier's keys, the signing keys of serve, the
// library, the simulator and replay, and every signature agenthooks sends decode through here, so a
// key that one of them accepts is never read differently by another.
import { AppError } from '../errors.js';

export const SECRET_PREFIX = 'whsec_';

// Canonical padded base64, as the SDK's decoder (@stablelib/base64) requires; Buffer.from would
// silently skip bad characters and turn a mistyped key into a different key.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The HMAC key inside a `whsec_<base64>` secret (the prefix is optional), or null when what follows
 * the prefix is empty or not canonical padded base64.
 */
export function parseSecret(secret: string): Buffer | null {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (b64.length === 0 || !BASE64.test(b64)) return null;
  return Buffer.from(b64, 'base64');
}

/**
 * parseSecret, or invalid_signing_key naming the key by `which` (e.g. "Signing key #2"): never
 * the secret itself, which must not reach logs or answers.
 */
export function secretKey(secret: string, which: string): Buffer {
  const key = parseSecret(secret);
  if (key) return key;
  throw new AppError(
    'invalid_signing_key',
    `${which} is not a whsec_ secret with base64 after the prefix: copy it again from the Console (Manage > Webhooks).`,
  );
}
