import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveSigningKeys } from '../../src/config.js';
import { AppError, type ErrorCode } from '../../src/errors.js';
import { parseSecret, secretKey } from '../../src/webhooks/secret.js';
import { generateSecret, signature } from '../../src/webhooks/sign.js';
import { webhookKeysFromSecrets } from '../../src/webhooks/verify.js';

function codeOf(fn: () => unknown): ErrorCode | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).code;
  }
}

const b64 = (n: number) => randomBytes(n).toString('base64');

describe('parseSecret', () => {
  it('decodes the base64 after whsec_, with or without the prefix', () => {
    const bytes = randomBytes(32);
    expect(parseSecret(`whsec_${bytes.toString('base64')}`)).toEqual(bytes);
    expect(parseSecret(bytes.toString('base64'))).toEqual(bytes);
    expect(parseSecret(`whsec_${b64(1)}`)).toHaveLength(1);
  });

  it('refuses empty and non-canonical base64 rather than decoding another key', () => {
    const unpadded = b64(32).replace(/=+$/, '');
    for (const bad of [
      '',
      'whsec_',
      'whsec_abc',
      'whsec_ab!d',
      'whsec_QUFB\n',
      ' whsec_QUFB',
      unpadded,
      `whsec_${unpadded}`,
    ]) {
      expect(parseSecret(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it('secretKey throws invalid_signing_key naming the key, never echoing it', () => {
    try {
      secretKey('whsec_not*base64', 'Signing key #3');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('invalid_signing_key');
      expect((err as AppError).message).toContain('Signing key #3');
      expect((err as AppError).message).not.toContain('not*base64');
    }
  });
});

describe('every reader of a secret agrees with the parser', () => {
  const unpadded = `whsec_${b64(32).replace(/=+$/, '')}`;
  const cases = [
    generateSecret(),
    `whsec_${b64(16)}`,
    `whsec_${b64(24)}`,
    unpadded,
    'whsec_abc',
    'whsec_ab!d',
    'whsec_',
  ];

  it('the verifier and the signer accept exactly what parseSecret accepts', () => {
    for (const s of cases) {
      const expected = parseSecret(s) ? 'ok' : 'invalid_signing_key';
      expect(
        codeOf(() => webhookKeysFromSecrets([s])),
        s,
      ).toBe(expected);
      expect(
        codeOf(() => signature(s, 'whe_1', 1, '{}')),
        s,
      ).toBe(expected);
    }
  });

  it('configured keys are parseable secrets with the prefix and 16 bytes or more', () => {
    for (const s of cases) {
      const bytes = parseSecret(s);
      const expected = bytes && bytes.length >= 16 ? 'ok' : 'invalid_signing_key';
      expect(
        codeOf(() => resolveSigningKeys([s], {})),
        s,
      ).toBe(expected);
    }
    expect(codeOf(() => resolveSigningKeys([generateSecret().slice('whsec_'.length)], {}))).toBe(
      'invalid_signing_key',
    );
    expect(codeOf(() => resolveSigningKeys([`whsec_${b64(8)}`], {}))).toBe('invalid_signing_key');
  });

  it('a Buffer key is used as given', () => {
    const key = randomBytes(32);
    expect(signature(key, 'whe_1', 1, '{}')).toBe(
      signature(`whsec_${key.toString('base64')}`, 'whe_1', 1, '{}'),
    );
  });
});
