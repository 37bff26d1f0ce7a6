// Differential test: our node:crypto verifier against the SDK's `client.beta.webhooks.unwrap` on
// seeded, generated deliveries. Every verdict (accept/reject) must agree, except the deliberate
// differences listed in DELIBERATE below, whose counts per category are asserted too.
import Anthropic from '@anthropic-ai/sdk';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HeaderBag } from '../../src/webhooks/headers.js';
import { createVerifier } from '../../src/webhooks/verify.js';

type Headers3 = Record<string, string | string[] | undefined>;
type Deliberate = keyof typeof DELIBERATE;
interface Case {
  category: string;
  keys: string[];
  headers: Headers3;
  body: string;
  nowMs: number;
  /** Set by the generator when the case is built to hit a known, deliberate difference. */
  deliberate?: Deliberate;
}

/** Where our verifier deliberately differs from unwrap, and which way. */
const DELIBERATE = {
  // parseInt(" 1790000000"), parseInt("1790000000.5"), parseInt("+1790000000"), parseInt("1790000000abc")
  // all give the signed number, so unwrap accepts headers that are not a number of seconds.
  ts_not_digits: { ours: 'reject', reason: 'webhook-timestamp not /^\\d+$/ (parseInt accepts it)' },
  // "v1,<valid>,junk": unwrap only looks between the first and second comma.
  sig_entry_extra_comma: { ours: 'reject', reason: 'a v1 entry with a trailing ",junk" is malformed' },
  // The brief says: arrays take the first value. unwrap throws a TypeError on an array signature
  // and joins an array id with commas.
  sig_array: {
    ours: 'accept',
    reason: 'array webhook-signature: we take the first, unwrap throws TypeError',
  },
  id_array_multi: {
    ours: 'accept',
    reason: 'array webhook-id of 2+: we take the first, unwrap joins with ","',
  },
} as const;

/** The deliberate differences each category must show, exactly (the generator is seeded). */
const EXPECTED_DIFFERENCES: Record<string, Partial<Record<Deliberate, number>>> = {
  valid: {},
  tampered_body: {},
  tampered_id: {},
  tampered_timestamp: {},
  wrong_key: {},
  decoys: { sig_entry_extra_comma: 35 },
  clock_edges: {},
  header_forms: { ts_not_digits: 38, sig_array: 16, id_array_multi: 14 },
  rotation: {},
};
const PER_CATEGORY = 240;

const ALNUM = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];

// mulberry32: small, seeded, reproducible.
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(0, 255)));
  const word = (n: number) => Array.from({ length: n }, () => pick(ALNUM)).join('');
  return { next, int, pick, bytes, word };
}

const R = prng(20261127);
const BASE_NOW = 1_790_000_000;
const TYPES = [
  'session.status_idled',
  'session.status_run_started',
  'deployment_run.failed',
  'vault.created',
  'session.thread_created',
];
const TEXTS = ['plain', 'ünïcødé', '日本語', 'emoji 🎉', 'quote " and \\ backslash', 'line\nbreak', ''];

const newKey = () => `whsec_${R.bytes(R.pick([1, 5, 16, 24, 32, 32, 32, 48, 64])).toString('base64')}`;
const sign = (secret: string, id: string, ts: number, body: string) =>
  new Webhook(secret).sign(id, new Date(ts * 1000), body);

function baseCase(category: string, keyCount = 1) {
  const keys = Array.from({ length: keyCount }, newKey);
  const signKey = R.pick(keys);
  const id = `whe_${R.word(R.int(4, 26))}`;
  const nowMs = BASE_NOW * 1000 + R.int(0, 999);
  const ts = BASE_NOW + R.int(-290, 290);
  const data: Record<string, unknown> = {
    type: R.pick(TYPES),
    id: `sesn_${R.word(20)}`,
    organization_id: R.word(8),
  };
  if (R.next() < 0.3) data.note = R.pick(TEXTS);
  const body = JSON.stringify({ type: 'event', id, created_at: '2026-11-20T10:14:05Z', data });
  const headers: Headers3 = {
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': sign(signKey, id, ts, body),
  };
  return { category, keys, signKey, id, ts, body, nowMs, headers } satisfies Case & Record<string, unknown>;
}

function mutateString(s: string): string {
  if (s.length === 0) return 'x';
  const at = R.int(0, s.length - 1);
  const c = s[at] === 'a' ? 'b' : 'a';
  return s.slice(0, at) + c + s.slice(at + 1);
}

const garbage = () =>
  R.pick([
    () => `v1,${R.bytes(32).toString('base64')}`,
    () => `v1,${R.word(R.int(1, 60))}`,
    () => `v2,${R.bytes(32).toString('base64')}`,
    () => `v1a,${R.bytes(32).toString('base64')}`,
    () => 'v1',
    () => 'v1,',
    () => ',',
    () => `v1,${'!'.repeat(44)}`,
    () => R.word(10),
  ])();

const generators: Record<string, () => Case> = {
  valid: () => baseCase('valid'),
  tampered_body: () => {
    const c = baseCase('tampered_body');
    const parsed = JSON.parse(c.body);
    const kind = R.int(0, 4);
    let body =
      kind === 0
        ? `${c.body} `
        : kind === 1
          ? JSON.stringify(parsed, null, 2)
          : kind === 2
            ? JSON.stringify({ ...parsed, data: { ...parsed.data, id: mutateString(parsed.data.id) } })
            : kind === 3
              ? JSON.stringify({ data: parsed.data, ...parsed })
              : c.body.replace('"event"', '"Event"');
    if (body === c.body) body = `\n${c.body}`;
    return { ...c, body };
  },
  tampered_id: () => {
    const c = baseCase('tampered_id');
    const id = R.pick([
      mutateString(c.id),
      `${c.id}x`,
      c.id.slice(0, -1),
      c.id.toUpperCase() === c.id ? `${c.id}_` : c.id.toUpperCase(),
    ]);
    return { ...c, headers: { ...c.headers, 'webhook-id': id } };
  },
  tampered_timestamp: () => {
    const c = baseCase('tampered_timestamp');
    const delta = R.pick([-1, 1]) * R.int(1, 9);
    return { ...c, headers: { ...c.headers, 'webhook-timestamp': String(c.ts + delta) } };
  },
  wrong_key: () => {
    const c = baseCase('wrong_key');
    const raw = Buffer.from(c.keys[0]!.slice(6), 'base64');
    const flipped = Buffer.from(raw);
    flipped[R.int(0, flipped.length - 1)]! ^= 1 << R.int(0, 7);
    // Not raw + 0x00: HMAC zero-pads short keys (RFC 2104), so that key is the same key to both.
    const other = R.pick([
      newKey(),
      `whsec_${flipped.toString('base64')}`,
      `whsec_${Buffer.concat([raw, Buffer.from([1])]).toString('base64')}`,
    ]);
    return { ...c, headers: { ...c.headers, 'webhook-signature': sign(other, c.id, c.ts, c.body) } };
  },
  decoys: () => {
    const c = baseCase('decoys');
    const valid = c.headers['webhook-signature'] as string;
    const entries = Array.from({ length: R.int(1, 5) }, garbage);
    const mode = R.int(0, 6);
    let deliberate: Deliberate | undefined;
    if (mode === 6)
      entries.splice(R.int(0, entries.length), 0, `${valid},`); // Node's join of a repeated header
    else if (mode <= 2)
      entries.splice(R.int(0, entries.length), 0, valid); // one valid among decoys
    else if (mode === 3)
      entries.push(`v2,${valid.slice(3)}`, `V1,${valid.slice(3)}`, `${valid}=`, valid.slice(0, -1)); // near misses
    else if (mode === 4)
      entries.push(sign(newKey(), c.id, c.ts, c.body)); // several v1, none valid
    else {
      entries.push(`${valid},${R.word(R.int(1, 8))}`);
      deliberate = 'sig_entry_extra_comma';
    }
    return { ...c, headers: { ...c.headers, 'webhook-signature': entries.join(' ') }, deliberate };
  },
  clock_edges: () => {
    const c = baseCase('clock_edges');
    const offset = R.pick([-301, -300, 300, 301, -302, 302, -299, 299, 0, R.int(-1000, 1000)]);
    // now = ts - offset: a positive offset puts the timestamp in the future.
    return { ...c, nowMs: (c.ts - offset) * 1000 + R.int(0, 999) };
  },
  header_forms: () => {
    const c = baseCase('header_forms');
    const h = { ...c.headers };
    const ts = String(c.ts);
    const sig = h['webhook-signature'] as string;
    const form = R.int(0, 20);
    let deliberate: Deliberate | undefined;
    const rename = (f: (k: string) => string) =>
      Object.fromEntries(Object.entries(h).map(([k, v]) => [f(k), v]));
    let headers: Headers3 = h;
    switch (form) {
      case 0:
        headers = rename((k) => k.toUpperCase());
        break;
      case 1:
        headers = rename((k) => k.replace(/\b\w/g, (x) => x.toUpperCase()));
        break;
      case 2:
        headers = {
          ...h,
          'webhook-signature': R.pick([
            ` ${sig}`,
            `${sig} `,
            `  ${sig}  ${garbage()}`,
            `${garbage()}  ${sig}`,
          ]),
        };
        break;
      case 3:
        headers = { ...h, 'webhook-signature': `${sig}\t${garbage()}` }; // a tab is not a separator
        break;
      case 4:
        headers = { ...h, 'webhook-timestamp': R.pick([` ${ts}`, `${ts} `, `\t${ts}`, `${ts}\n`]) };
        deliberate = 'ts_not_digits';
        break;
      case 5:
        headers = { ...h, 'webhook-timestamp': R.pick([`${ts}.5`, `${ts}.0`, `${ts}.999`]) };
        deliberate = 'ts_not_digits';
        break;
      case 6:
        headers = { ...h, 'webhook-timestamp': R.pick([`+${ts}`, `${ts}abc`, `${ts}e0`]) };
        deliberate = 'ts_not_digits';
        break;
      case 7:
        headers = {
          ...h,
          'webhook-timestamp': R.pick([
            `-${ts}`,
            'abc',
            '',
            '1e9',
            `0x${c.ts.toString(16)}`,
            '-1',
            'NaN',
            'Infinity',
          ]),
        };
        break;
      case 8:
        headers = { ...h, 'webhook-timestamp': `00${ts}` }; // both read the same number
        break;
      case 9: {
        const drop = R.pick(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
        headers = { ...h };
        if (R.next() < 0.5) delete headers[drop];
        else headers[drop] = R.pick(['', undefined]);
        break;
      }
      case 10:
        headers = {};
        break;
      case 11:
        headers = { ...h, 'webhook-id': [c.id] };
        break;
      case 12:
        headers = { ...h, 'webhook-timestamp': [ts, R.pick(['1', 'x', ts])] }; // unwrap: parseInt("ts,..") = ts
        break;
      case 13:
        headers = { ...h, 'webhook-signature': [sig] };
        deliberate = 'sig_array';
        break;
      case 14:
        headers = { ...h, 'webhook-id': [c.id, `whe_${R.word(5)}`] };
        deliberate = 'id_array_multi';
        break;
      case 15: {
        // An id with spaces, signed as sent: both verifiers hash it verbatim.
        const id = ` ${c.id} `;
        headers = { ...h, 'webhook-id': id, 'webhook-signature': sign(c.signKey, id, c.ts, c.body) };
        break;
      }
      case 16:
        headers = {
          ...rename((k) => k.toUpperCase()),
          'WEBHOOK-SIGNATURE': sign(newKey(), c.id, c.ts, c.body),
        };
        break;
      case 17:
        headers = {
          ...h,
          'webhook-timestamp': `${ts}.5`,
          'webhook-signature': sign(newKey(), c.id, c.ts, c.body),
        }; // both reject
        break;
      case 18:
        headers = { ...h, 'content-type': 'application/json', 'user-agent': 'x', 'x-webhook-signature': sig };
        break;
      case 19:
        headers = { 'x-webhook-signature': sig, 'webhook-id': c.id, 'webhook-timestamp': ts }; // the tutorial's wrong header
        break;
      default:
        headers = { ...h, 'webhook-id': c.id.toUpperCase(), 'WEBHOOK-ID': undefined }; // tampered id in upper case
        if (c.id.toUpperCase() === c.id) headers['webhook-id'] = `${c.id}x`;
    }
    return { ...c, headers, deliberate };
  },
  rotation: () => {
    const c = baseCase('rotation', R.int(2, 3));
    const mode = R.int(0, 2);
    if (mode === 1)
      return { ...c, headers: { ...c.headers, 'webhook-signature': sign(newKey(), c.id, c.ts, c.body) } };
    if (mode === 2) {
      const both = c.keys.map((k) => sign(k, c.id, c.ts, c.body)).join(' ');
      return { ...c, headers: { ...c.headers, 'webhook-signature': both } };
    }
    return c;
  },
};

function ours(c: Case): boolean {
  const v = createVerifier({ keys: c.keys, clock: { now: () => c.nowMs } });
  try {
    v.verify(c.headers as HeaderBag, c.body);
    return true;
  } catch (err) {
    if (!(err instanceof Error) || err.name !== 'AppError') throw err;
    return false;
  }
}

const sdk = new Anthropic({ apiKey: 'x', webhookKey: null });
function theirs(c: Case): boolean {
  vi.setSystemTime(c.nowMs);
  return c.keys.some((key) => {
    try {
      sdk.beta.webhooks.unwrap(c.body, { headers: c.headers as Record<string, string>, key });
      return true;
    } catch {
      return false; // WebhookVerificationError, or the TypeError an array signature causes
    }
  });
}

describe('differential: createVerifier vs client.beta.webhooks.unwrap', () => {
  beforeAll(() => {
    vi.useFakeTimers();
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  it('agrees on every generated delivery except the listed deliberate differences', () => {
    const rows: {
      category: string;
      cases: number;
      accepted: number;
      agree: number;
      differences: Partial<Record<Deliberate, number>>;
    }[] = [];
    const unexpected: string[] = [];
    for (const [category, gen] of Object.entries(generators)) {
      const row = {
        category,
        cases: 0,
        accepted: 0,
        agree: 0,
        differences: {} as Partial<Record<Deliberate, number>>,
      };
      for (let i = 0; i < PER_CATEGORY; i++) {
        const c = gen();
        const a = ours(c);
        const b = theirs(c);
        row.cases++;
        if (a) row.accepted++;
        if (a === b) {
          row.agree++;
          if (c.deliberate)
            unexpected.push(
              `${category}#${i}: expected a ${c.deliberate} difference, both ${a ? 'accept' : 'reject'}`,
            );
          continue;
        }
        if (c.deliberate && DELIBERATE[c.deliberate].ours === (a ? 'accept' : 'reject')) {
          row.differences[c.deliberate] = (row.differences[c.deliberate] ?? 0) + 1;
        } else {
          unexpected.push(
            `${category}#${i}: ours ${a ? 'accepts' : 'rejects'}, unwrap ${b ? 'accepts' : 'rejects'}: ${JSON.stringify(c.headers)}`,
          );
        }
      }
      rows.push(row);
    }

    const table = [
      'category           | cases | ours accepts | agree | deliberate differences',
      '-------------------|-------|--------------|-------|-----------------------',
      ...rows.map(
        (r) =>
          `${r.category.padEnd(18)} | ${String(r.cases).padStart(5)} | ${String(r.accepted).padStart(12)} | ${String(r.agree).padStart(5)} | ${
            Object.entries(r.differences)
              .map(([k, n]) => `${k}=${n} (ours ${DELIBERATE[k as Deliberate].ours}s)`)
              .join(', ') || '-'
          }`,
      ),
    ];
    console.log(`\n${table.join('\n')}\n`);

    expect(unexpected).toEqual([]);
    for (const r of rows) {
      expect(r.cases).toBeGreaterThanOrEqual(200);
      expect(r.differences, r.category).toEqual(EXPECTED_DIFFERENCES[r.category]);
    }
    // The generator must exercise both verdicts where both are possible, or agreement means little.
    const byName = Object.fromEntries(rows.map((r) => [r.category, r]));
    expect(byName.valid!.accepted).toBe(PER_CATEGORY);
    for (const name of ['tampered_body', 'tampered_id', 'tampered_timestamp', 'wrong_key'])
      expect(byName[name]!.accepted, name).toBe(0);
    for (const name of ['decoys', 'clock_edges', 'header_forms', 'rotation']) {
      expect(byName[name]!.accepted, name).toBeGreaterThan(20);
      expect(byName[name]!.accepted, name).toBeLessThan(PER_CATEGORY - 20);
    }
  });
});
