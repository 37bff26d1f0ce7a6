// µs per webhook verification: agenthooks' node:crypto verifier vs the SDK's
// client.beta.webhooks.unwrap (standardwebhooks, JavaScript SHA-256), same events, same process.
// Run: npm run bench:verify   (or: npx tsc -p tsconfig.build.json && node bench/verify.mjs [events] [rounds])
import Anthropic from '@anthropic-ai/sdk';
import { Webhook } from 'standardwebhooks';
import { parseEvent } from '../dist/webhooks/event.js';
import { createVerifier } from '../dist/webhooks/verify.js';

const EVENTS = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const nowSec = Math.floor(Date.now() / 1000);
const signer = new Webhook(secret);

// Realistic thin payloads (reference 4.3), each with its own id and signature.
const events = Array.from({ length: EVENTS }, (_, i) => {
  const id = `whe_01HV8Q2M3N4P5R6S7T8U${String(i).padStart(6, '0')}`;
  const body = JSON.stringify({
    type: 'event',
    id,
    created_at: '2026-11-20T10:14:05Z',
    data: {
      type: 'session.status_idled',
      id: 'sesn_011CZkZAtmR3yMPDzynEDxu7',
      organization_id: '8a3d2f1e-5b6c-4d7e-9f01-23456789abcd',
      workspace_id: 'c7b0e4d9-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
    },
  });
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Anthropic-Webhooks/1.0',
    'webhook-id': id,
    'webhook-timestamp': String(nowSec),
    'webhook-signature': signer.sign(id, new Date(nowSec * 1000), body),
  };
  return { body, headers };
});

const ours = createVerifier({ keys: [secret], clock: { now: () => Date.now() } });
const client = new Anthropic({ apiKey: 'x', webhookKey: null });

const candidates = {
  agenthooks: (e) => ours.verify(e.headers, e.body),
  // unwrap also JSON-parses the body; this line is the like-for-like comparison.
  'agenthooks+parse': (e) => parseEvent(e.body, ours.verify(e.headers, e.body).id, 0),
  unwrap: (e) => client.beta.webhooks.unwrap(e.body, { headers: e.headers, key: secret }),
};

function round(fn) {
  const t0 = process.hrtime.bigint();
  for (const e of events) fn(e);
  return Number(process.hrtime.bigint() - t0) / 1000 / EVENTS;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const samples = Object.fromEntries(Object.keys(candidates).map((k) => [k, []]));
// Warm up both (JIT), then alternate rounds so machine noise hits both alike.
for (const fn of Object.values(candidates)) round(fn);
for (let r = 0; r < ROUNDS; r++)
  for (const [name, fn] of Object.entries(candidates)) samples[name].push(round(fn));

const a = median(samples.agenthooks);
const ap = median(samples['agenthooks+parse']);
const u = median(samples.unwrap);
console.log(`verify: ${EVENTS} signed events, median of ${ROUNDS} rounds (node ${process.version})`);
console.log(`  agenthooks createVerifier().verify  ${a.toFixed(2)} µs/event`);
console.log(`  agenthooks verify + parseEvent      ${ap.toFixed(2)} µs/event`);
console.log(`  SDK beta.webhooks.unwrap            ${u.toFixed(2)} µs/event`);
console.log(`  ratio unwrap / agenthooks           ${(u / a).toFixed(2)}x`);
console.log(`  ratio unwrap / agenthooks+parse     ${(u / ap).toFixed(2)}x`);
