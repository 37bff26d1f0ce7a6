// The doctor and serve --no-webhooks: without a public URL the doctor points at --no-webhooks, and
// `doctor --no-webhooks` checks that setup (no signing key or public URL needed, the API key is).
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { resolveDatabase } from '../../src/config.js';
import { runDoctor } from '../../src/doctor/run.js';
import { checkSigningKeys } from '../../src/doctor/signing-key.js';
import { silentLogger } from '../../src/logger.js';
import { generateSecret } from '../../src/webhooks/sign.js';
import { doctorFixture } from './helpers.js';

describe('doctor: no public URL', () => {
  const { tmp, simUrl } = doctorFixture();
  const base = () => ({
    database: resolveDatabase(tmp.db, {}, tmp.dir),
    platform: { apiKey: 'sk-good', baseURL: simUrl() },
    clock: systemClock,
    logger: silentLogger,
  });

  it('without --public-url the skipped check names serve --no-webhooks for a laptop', async () => {
    const results = await runDoctor({ ...base(), signingKeys: [generateSecret()] });
    const url = results.find((r) => r.name === 'public URL')!;
    expect(url.status).toBe('skip');
    expect(url.fix).toContain('--public-url');
    expect(url.fix).toContain('serve --no-webhooks');
  });

  it('no signing key: the fix names --no-webhooks too', () => {
    const [r] = checkSigningKeys([]);
    expect(r!.status).toBe('fail');
    expect(r!.fix).toContain('--no-webhooks');
  });

  it('--no-webhooks: no signing key or public URL needed, the API key still checked', async () => {
    const results = await runDoctor({ ...base(), signingKeys: [], webhooks: false });
    expect(results.find((r) => r.name === 'signing key')?.status).toBe('skip');
    expect(results.find((r) => r.name === 'public URL')?.status).toBe('skip');
    expect(results.find((r) => r.name === 'API key')?.status).toBe('pass');
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);
    const bad = await runDoctor({
      ...base(),
      platform: { apiKey: null, baseURL: simUrl() },
      signingKeys: [],
      webhooks: false,
    });
    expect(bad.find((r) => r.name === 'API key')?.status).toBe('fail');
  });
});
