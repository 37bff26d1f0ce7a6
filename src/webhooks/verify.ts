// Standard Webhooks verification on node:crypto (native HMAC), several keys for rotation, injected
// clock. It agrees with the SDK's `client.beta.webhooks.unwrap` (standardwebhooks 1.1.1) on every
// well-formed delivery and is deliberately stricter on malformed ones (test/webhooks/differential).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { type HeaderBag, header } from './headers.js';
import { secretKey } from './secret.js';

export interface VerifierOptions {
  /** `whsec_<base64>` secrets (the prefix is optional); several = rotation, any one may match. */
  keys: string[];
  clock: Clock;
  /** Allowed distance between webhook-timestamp and now, both ways, in seconds. Default 300. */
  toleranceSec?: number;
}

export interface VerifiedDelivery {
  id: string;
  /** webhook-timestamp in Unix seconds. */
  timestamp: number;
}

export interface Verifier {
  /** Throws AppError (missing_headers, invalid_timestamp, timestamp_too_old/new, invalid_signature). */
  verify(headers: HeaderBag, rawBody: string | Buffer): VerifiedDelivery;
  /** The header checks of verify() alone, so a receiver can refuse before reading any body. */
  checkHeaders(headers: HeaderBag): VerifiedDelivery & { signatures: string };
}

export const DEFAULT_TOLERANCE_SEC = 300;

const DIGITS = /^\d+$/;
// base64 of a 32-byte SHA-256 MAC is always 44 characters.
const SIG_LEN = 44;

/** The HMAC keys inside `whsec_` secrets, decoded once; throws invalid_signing_key for a bad one. */
export function webhookKeysFromSecrets(secrets: string[]): Buffer[] {
  return secrets.map((secret, i) => secretKey(secret, `Signing key #${i + 1}`));
}

export function createVerifier(options: VerifierOptions): Verifier {
  if (options.keys.length === 0) {
    throw new AppError(
      'signing_key_required',
      'No webhook signing key configured: pass --signing-key whsec_... or set ANTHROPIC_WEBHOOK_SIGNING_KEY.',
    );
  }
  const keys = webhookKeysFromSecrets(options.keys);
  const tolerance = options.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
  const clock = options.clock;

  function checkHeaders(headers: HeaderBag): VerifiedDelivery & { signatures: string } {
    const id = header(headers, 'webhook-id');
    const tsHeader = header(headers, 'webhook-timestamp');
    const sigHeader = header(headers, 'webhook-signature');
    if (id === undefined || tsHeader === undefined || sigHeader === undefined) {
      const missing = [
        id === undefined ? 'webhook-id' : null,
        tsHeader === undefined ? 'webhook-timestamp' : null,
        sigHeader === undefined ? 'webhook-signature' : null,
      ].filter((n) => n !== null);
      throw new AppError(
        'missing_headers',
        `Missing or empty ${missing.join(', ')} header: send webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks); proxies must pass them through.`,
      );
    }
    // Digits only: the SDK's parseInt also takes "+1700000000", " 1700000000" or "1700000000.9".
    if (!DIGITS.test(tsHeader)) {
      throw new AppError(
        'invalid_timestamp',
        'webhook-timestamp must be a whole number of Unix seconds (digits only).',
      );
    }
    const timestamp = Number(tsHeader);
    const now = Math.floor(clock.now() / 1000);
    if (now - timestamp > tolerance) {
      throw new AppError(
        'timestamp_too_old',
        `webhook-timestamp is ${now - timestamp} s in the past (limit ${tolerance} s): check this machine's clock (NTP), or the delivery was replayed too late.`,
      );
    }
    if (timestamp - now > tolerance) {
      throw new AppError(
        'timestamp_too_new',
        `webhook-timestamp is ${timestamp - now} s in the future (limit ${tolerance} s): check this machine's clock (NTP).`,
      );
    }
    return { id, timestamp, signatures: sigHeader };
  }

  return {
    checkHeaders,
    verify(headers, rawBody) {
      const { id, timestamp, signatures: sigHeader } = checkHeaders(headers);
      // The signed content uses the number as the SDK re-formats it (leading zeros dropped), so
      // both verifiers hash the same bytes.
      const prefix = `${id}.${timestamp}.`;
      const entries = sigHeader.split(' ');
      for (const key of keys) {
        const hmac = createHmac('sha256', key).update(prefix);
        // A Buffer body is hashed as received; no decode/re-encode round trip.
        if (typeof rawBody === 'string') hmac.update(rawBody, 'utf8');
        else hmac.update(rawBody);
        const expected = Buffer.from(hmac.digest('base64'), 'latin1');
        for (const entry of entries) {
          // Exactly "v1,<44 base64 chars>"; other versions and malformed entries are skipped. One
          // trailing comma is allowed: Node joins a repeated header as "v1,A, v1,B".
          const len = entry.length === SIG_LEN + 4 && entry.endsWith(',') ? SIG_LEN + 3 : entry.length;
          if (len !== SIG_LEN + 3 || !entry.startsWith('v1,')) continue;
          // utf8, not latin1: a non-ASCII character changes the byte length instead of aliasing.
          const given = Buffer.from(entry.slice(3, len), 'utf8');
          if (given.length === SIG_LEN && timingSafeEqual(given, expected)) return { id, timestamp };
        }
      }
      throw new AppError(
        'invalid_signature',
        `No v1 signature in webhook-signature matches any of the ${keys.length} configured signing key(s): check the signing key matches the endpoint's secret in the Console; during rotation pass both keys; and verify the raw body bytes (not re-serialised JSON).`,
      );
    },
  };
}
