// Each doctor check passing and failing: signing key format, the public-address rule, the database,
// the API key and clock offset against the simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDatabase } from '../../src/config.js';
import { nonPublicReason } from '../../src/doctor/address.js';
import { checkApi } from '../../src/doctor/api.js';
import { formatChecklist } from '../../src/doctor/check.js';
import { checkDatabase } from '../../src/doctor/database.js';
import { checkSigningKeys } from '../../src/doctor/signing-key.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { openStore } from '../../src/store/open.js';
import { generateSecret } from '../../src/webhooks/sign.js';
import { tempDir } from '../embed/helpers.js';

describe('doctor: signing key', () => {
  it('passes a Console-style key', () => {
    const [r] = checkSigningKeys([generateSecret()]);
    expect(r.status).toBe('pass');
    expect(r.detail).toContain('32 bytes');
  });
  it.each([
    ['no key', [], /no signing key/],
    ['trailing newline', [`${generateSecret()}\n`], /whitespace/],
    ['missing prefix', [generateSecret().slice('whsec_'.length)], /does not start with whsec_/],
    ['not base64', ['whsec_abc$def'], /not base64/],
    ['truncated', ['whsec_QUJDREVGR0g='], /decodes to 8 bytes/],
  ])('fails for %s, with a fix', (_name, keys, detail) => {
    const results = checkSigningKeys(keys as string[]);
    expect(results[0].status).toBe('fail');
    expect(results[0].detail).toMatch(detail);
    expect(results[0].fix).toBeTruthy();
    expect(formatChecklist(results)).toContain('✗');
  });
  it('checks each key during a rotation', () => {
    const results = checkSigningKeys([generateSecret(), 'whsec_bad!']);
    expect(results.map((r) => r.status)).toEqual(['pass', 'fail']);
  });
});

describe('doctor: public-address rule', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.10',
    '169.254.1.1',
    '100.64.0.1',
    '::1',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
  ])('%s is not public', (a) => expect(nonPublicReason(a)).not.toBeNull());
  it.each(['203.0.113.10', '8.8.8.8', '2001:db8::1', '172.32.0.1'])('%s is public', (a) =>
    expect(nonPublicReason(a)).toBeNull(),
  );
});

describe('doctor: database', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('fails with the fix when the database does not exist', async () => {
    const { result, store } = await checkDatabase(resolveDatabase(tmp.db, {}, tmp.dir), silentLogger);
    expect(store).toBeNull();
    expect(result.status).toBe('fail');
    expect(result.fix).toContain('agenthooks serve');
  });

  it('passes for a created, migrated database', async () => {
    const loc = resolveDatabase(tmp.db, {}, tmp.dir);
    await (await openStore(loc, { create: true, logger: silentLogger })).close();
    const { result, store } = await checkDatabase(loc, silentLogger);
    await store?.close();
    expect(result.status).toBe('pass');
    expect(result.detail).toContain('schema migrated');
  });

  it('fails for an unreachable PostgreSQL', async () => {
    const loc = resolveDatabase('postgres://nobody:pw@127.0.0.1:1/none', {}, tmp.dir);
    const { result } = await checkDatabase(loc, silentLogger, 5000);
    expect(result.status).toBe('fail');
    expect(result.fix).toContain('PostgreSQL');
    expect(result.detail).not.toContain(':pw@');
  });
});

describe('doctor: API key and clock offset (simulator)', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKeys: ['sk-good'] });
  });
  afterAll(async () => sim.close());

  it('passes with an accepted key and a synced clock', async () => {
    const [key, clock] = await checkApi({ apiKey: 'sk-good', baseURL: sim.url }, { now: () => Date.now() });
    expect(key.status).toBe('pass');
    expect(clock.status).toBe('pass');
  });

  it('fails with a rejected key, saying what to do', async () => {
    const [key] = await checkApi({ apiKey: 'sk-wrong', baseURL: sim.url }, { now: () => Date.now() });
    expect(key.status).toBe('fail');
    expect(key.detail).toContain('rejected');
    expect(key.fix).toContain('ANTHROPIC_API_KEY');
  });

  it('fails without a key, and when the API is unreachable', async () => {
    const [none] = await checkApi({ apiKey: null, baseURL: sim.url }, { now: () => Date.now() });
    expect(none.status).toBe('fail');
    const [down] = await checkApi(
      { apiKey: 'sk-good', baseURL: 'http://127.0.0.1:1' },
      { now: () => Date.now() },
      3000,
    );
    expect(down.status).toBe('fail');
    expect(down.detail).toContain('could not reach');
  });

  it('fails when the local clock is 10 minutes off', async () => {
    const [, clock] = await checkApi(
      { apiKey: 'sk-good', baseURL: sim.url },
      { now: () => Date.now() + 600_000 },
    );
    expect(clock.status).toBe('fail');
    expect(clock.detail).toMatch(/ahead of/);
    expect(clock.fix).toContain('NTP');
  });
});
