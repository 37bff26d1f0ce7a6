import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../../src/errors.js';
import type { HeaderBag } from '../../src/webhooks/headers.js';
import { createVerifier, webhookKeysFromSecrets } from '../../src/webhooks/verify.js';

const NOW = 1_790_000_000; // seconds
const clock = { now: () => NOW * 1000 + 999 }; // sub-second part must not matter
const secretOf = (bytes: number) => `whsec_${randomBytes(bytes).toString('base64')}`;
const KEY = secretOf(32);
const BODY = JSON.stringify({
  type: 'event',
  id: 'whe_01',
  created_at: '2026-11-20T10:14:05Z',
  data: { type: 'session.status_idled', id: 'sesn_01' },
});

/** Headers signed by the reference implementation (standardwebhooks), never by our own signer. */
function signed(secret: string, id = 'whe_01', ts = NOW, body = BODY): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': new Webhook(secret).sign(id, new Date(ts * 1000), body),
  };
}

function codeOf(fn: () => unknown): ErrorCode | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).code;
  }
}

const verifier = createVerifier({ keys: [KEY], clock });
const check = (headers: HeaderBag, body: string | Buffer = BODY) =>
  codeOf(() => verifier.verify(headers, body));

describe('createVerifier', () => {
  it('accepts a valid delivery and returns id and timestamp', () => {
    expect(verifier.verify(signed(KEY), BODY)).toEqual({ id: 'whe_01', timestamp: NOW });
    expect(verifier.verify(signed(KEY), Buffer.from(BODY))).toEqual({ id: 'whe_01', timestamp: NOW });
  });

  it('missing_headers for each absent or empty header, and for an empty array', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const h: Record<string, string | string[] | undefined> = signed(KEY);
      delete h[name];
      expect(check(h), `${name} absent`).toBe('missing_headers');
      expect(check({ ...signed(KEY), [name]: '' }), `${name} empty`).toBe('missing_headers');
      expect(check({ ...signed(KEY), [name]: [] }), `${name} []`).toBe('missing_headers');
      expect(check({ ...signed(KEY), [name]: undefined }), `${name} undefined`).toBe('missing_headers');
    }
    expect(check({})).toBe('missing_headers');
  });

  it('invalid_timestamp for anything but digits (stricter than parseInt)', () => {
    for (const ts of [
      `${NOW}.5`,
      `-${NOW}`,
      `+${NOW}`,
      ` ${NOW}`,
      `${NOW} `,
      `${NOW}abc`,
      '1e9',
      'abc',
      '0x6a',
      '١٢٣',
    ]) {
      expect(check({ ...signed(KEY), 'webhook-timestamp': ts }), ts).toBe('invalid_timestamp');
    }
  });

  it('±300 s passes, ±301 s fails, both ways', () => {
    expect(check(signed(KEY, 'whe_01', NOW - 300))).toBe('ok');
    expect(check(signed(KEY, 'whe_01', NOW + 300))).toBe('ok');
    expect(check(signed(KEY, 'whe_01', NOW - 301))).toBe('timestamp_too_old');
    expect(check(signed(KEY, 'whe_01', NOW + 301))).toBe('timestamp_too_new');
    expect(check({ ...signed(KEY), 'webhook-timestamp': '0' })).toBe('timestamp_too_old');
    expect(check({ ...signed(KEY), 'webhook-timestamp': '9'.repeat(400) })).toBe('timestamp_too_new');
  });

  it('honours a custom tolerance', () => {
    const strict = createVerifier({ keys: [KEY], clock, toleranceSec: 10 });
    expect(codeOf(() => strict.verify(signed(KEY, 'whe_01', NOW - 10), BODY))).toBe('ok');
    expect(codeOf(() => strict.verify(signed(KEY, 'whe_01', NOW - 11), BODY))).toBe('timestamp_too_old');
  });

  it('checks run in order: headers, timestamp format, age, signature', () => {
    expect(check({ 'webhook-id': 'x', 'webhook-timestamp': 'bad' })).toBe('missing_headers');
    expect(check({ ...signed(KEY, 'whe_01', NOW - 1000), 'webhook-signature': 'v1,bad' })).toBe(
      'timestamp_too_old',
    );
    expect(check({ ...signed(KEY), 'webhook-timestamp': 'x', 'webhook-signature': 'v1,bad' })).toBe(
      'invalid_timestamp',
    );
  });

  it('invalid_signature for a wrong key, tampered parts, or a re-serialised body', () => {
    expect(check(signed(secretOf(32)))).toBe('invalid_signature');
    expect(check(signed(KEY), `${BODY} `)).toBe('invalid_signature');
    expect(check({ ...signed(KEY), 'webhook-id': 'whe_02' })).toBe('invalid_signature');
    expect(check({ ...signed(KEY), 'webhook-timestamp': String(NOW - 1) })).toBe('invalid_signature');
    const reserialised = JSON.stringify(JSON.parse(BODY), null, 2);
    expect(reserialised).not.toBe(BODY);
    expect(check(signed(KEY), reserialised)).toBe('invalid_signature');
  });

  it('accepts a multi-signature header with one valid entry, ignoring other versions and junk', () => {
    const good = signed(KEY)['webhook-signature'];
    const other = signed(secretOf(32))['webhook-signature'];
    const sig = `v2,${good.slice(3)} ${other} v1,!!!! garbage  ${good} v1,${'A'.repeat(44)}`;
    expect(check({ ...signed(KEY), 'webhook-signature': sig })).toBe('ok');
    expect(check({ ...signed(KEY), 'webhook-signature': `${other} v2,${good.slice(3)} v1` })).toBe(
      'invalid_signature',
    );
    // Malformed forms of the valid MAC are not accepted.
    expect(check({ ...signed(KEY), 'webhook-signature': `${good},x` })).toBe('invalid_signature');
    expect(check({ ...signed(KEY), 'webhook-signature': `V1,${good.slice(3)}` })).toBe('invalid_signature');
    expect(check({ ...signed(KEY), 'webhook-signature': good.slice(0, -1) })).toBe('invalid_signature');
  });

  it('accepts a repeated header as Node joins it ("v1,A, v1,B"), whichever copy is valid', () => {
    const good = signed(KEY)['webhook-signature'];
    const other = signed(secretOf(32))['webhook-signature'];
    expect(check({ ...signed(KEY), 'webhook-signature': `${good}, ${other}` })).toBe('ok');
    expect(check({ ...signed(KEY), 'webhook-signature': `${other}, ${good}` })).toBe('ok');
    expect(check({ ...signed(KEY), 'webhook-signature': `${good},, ${other}` })).toBe('invalid_signature');
  });

  it('supports rotation: two keys configured, signed with the second (or with both)', () => {
    const oldKey = secretOf(32);
    const v = createVerifier({ keys: [oldKey, KEY], clock });
    expect(codeOf(() => v.verify(signed(KEY), BODY))).toBe('ok');
    expect(codeOf(() => v.verify(signed(oldKey), BODY))).toBe('ok');
    expect(codeOf(() => v.verify(signed(secretOf(32)), BODY))).toBe('invalid_signature');
    const both = `${signed(oldKey)['webhook-signature']} ${signed(KEY)['webhook-signature']}`;
    expect(codeOf(() => v.verify({ ...signed(KEY), 'webhook-signature': both }, BODY))).toBe('ok');
  });

  it('whsec keys of several lengths, with or without the prefix', () => {
    for (const n of [1, 2, 3, 16, 24, 32, 33, 64, 100]) {
      const secret = secretOf(n);
      const v = createVerifier({ keys: [secret], clock });
      expect(
        codeOf(() => v.verify(signed(secret), BODY)),
        `${n} bytes`,
      ).toBe('ok');
      const bare = createVerifier({ keys: [secret.slice(6)], clock });
      expect(
        codeOf(() => bare.verify(signed(secret), BODY)),
        `${n} bytes, no prefix`,
      ).toBe('ok');
    }
  });

  it('rejects bad keys at construction without echoing them', () => {
    expect(codeOf(() => createVerifier({ keys: [], clock }))).toBe('signing_key_required');
    for (const bad of ['whsec_', 'whsec_abc', 'whsec_ab!d', 'whsec_QUFB\n', '']) {
      expect(
        codeOf(() => webhookKeysFromSecrets([bad])),
        JSON.stringify(bad),
      ).toBe('invalid_signing_key');
    }
    let caught: unknown;
    try {
      createVerifier({ keys: [KEY, 'whsec_not*base64'], clock });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('invalid_signing_key');
    expect((caught as AppError).message).not.toContain('not*base64');
    expect((caught as AppError).message).toContain('#2');
  });

  it('Fetch Headers, upper-case names and array values work', () => {
    expect(check(new Headers(signed(KEY)))).toBe('ok');
    const upper = Object.fromEntries(Object.entries(signed(KEY)).map(([k, v]) => [k.toUpperCase(), v]));
    expect(check(upper)).toBe('ok');
    const mixed = Object.fromEntries(
      Object.entries(signed(KEY)).map(([k, v]) => [k.replace(/\b\w/g, (c) => c.toUpperCase()), v]),
    );
    expect(check(mixed)).toBe('ok');
    const arrays = Object.fromEntries(Object.entries(signed(KEY)).map(([k, v]) => [k, [v, 'second']]));
    expect(check(arrays)).toBe('ok');
    const h = new Headers(signed(KEY));
    h.delete('webhook-signature');
    expect(check(h)).toBe('missing_headers');
  });

  it('error messages never contain the secret or the signature', () => {
    const sig = signed(secretOf(32))['webhook-signature'];
    try {
      verifier.verify({ ...signed(KEY), 'webhook-signature': sig }, BODY);
      expect.unreachable();
    } catch (err) {
      const msg = (err as Error).message;
      expect(msg).toContain('signing key');
      expect(msg).not.toContain(sig.slice(3));
      expect(msg).not.toContain(KEY.slice(6));
      expect(JSON.stringify(err)).not.toContain(sig.slice(3));
    }
  });

  it('the 300 s default is checked against the injected clock, not the system clock', () => {
    const past = { now: () => 1_000_000_000_000 };
    const v = createVerifier({ keys: [KEY], clock: past });
    expect(codeOf(() => v.verify(signed(KEY, 'a', 1_000_000_000), BODY))).toBe('ok');
    expect(codeOf(() => v.verify(signed(KEY, 'a', NOW), BODY))).toBe('timestamp_too_new');
  });
});
