// The public URL the endpoint is registered with in the Console: HTTPS, port 443, every address it
// resolves to is public, it answers without a redirect (a 3xx disables the endpoint), and it reaches
// THIS receiver: a signed probe event sent through it is answered 200 and found in this database.
// Resolver, port policy and address rule are injectable so tests can run it against 127.0.0.1.
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { request } from 'node:https';
import type { Clock } from '../clock.js';
import type { Store } from '../store/types.js';
import { signedHeaders } from '../webhooks/sign.js';
import { nonPublicReason } from './address.js';
import { type CheckResult, fail, pass } from './check.js';

const NAME = 'public URL';
export const PROBE_TYPE = 'agenthooks.doctor_probe';

export interface PublicUrlPolicy {
  /** Host name -> addresses; default: the system resolver (all addresses). */
  resolve?: (host: string) => Promise<string[]>;
  /** Ports the platform delivers to; default [443]. */
  allowedPorts?: number[];
  /** Why an address is not public (null when it is); default the rule in address.ts. */
  nonPublicReason?: (address: string) => string | null;
  /** Extra CA certificates to trust (tests with a self-signed certificate). */
  ca?: string | Buffer;
  timeoutMs?: number;
}

export interface PublicUrlDeps {
  clock: Clock;
  /** Keys to sign the probe with (the first); the check is a failure without one. */
  signingKeys: string[];
  /** This receiver's store: the probe must land here. */
  store: Store | null;
}

const systemResolve = async (host: string) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export async function checkPublicUrl(
  raw: string,
  deps: PublicUrlDeps,
  policy: PublicUrlPolicy = {},
): Promise<CheckResult> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(
      NAME,
      `${raw} is not a URL`,
      'pass the full endpoint URL, e.g. --public-url https://hooks.example.com/webhooks',
    );
  }
  if (url.protocol !== 'https:')
    return fail(
      NAME,
      `${raw} uses ${url.protocol.slice(0, -1)}`,
      'the platform delivers only to HTTPS: put a TLS proxy or tunnel in front and register its https:// URL',
    );
  const port = url.port === '' ? 443 : Number(url.port);
  const allowed = policy.allowedPorts ?? [443];
  if (!allowed.includes(port))
    return fail(
      NAME,
      `${raw} uses port ${port}`,
      `serve the endpoint on port ${allowed.join(' or ')} (a reverse proxy on 443 forwarding to agenthooks on 8787)`,
    );
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = await (policy.resolve ?? systemResolve)(host);
  } catch (err) {
    return fail(
      NAME,
      `${host} does not resolve: ${(err as Error).message}`,
      'create the DNS record for this host (or fix the typo)',
    );
  }
  if (addresses.length === 0)
    return fail(NAME, `${host} resolves to no address`, 'create the DNS record for this host');
  const rule = policy.nonPublicReason ?? nonPublicReason;
  for (const a of addresses) {
    const why = rule(a);
    if (why)
      return fail(
        NAME,
        `${host} resolves to ${a}, ${why}: the platform cannot reach it`,
        'register a publicly reachable URL (a public DNS name, or a tunnel for local development: see docs/deploy.md)',
      );
  }
  const secret = deps.signingKeys[0];
  if (!secret)
    return fail(
      NAME,
      'cannot send the signed probe without a signing key',
      'configure the signing key first (see the signing key check)',
    );

  const id = `evt_doctor_${randomBytes(8).toString('hex')}`;
  const body = JSON.stringify({
    type: 'event',
    id,
    created_at: new Date(deps.clock.now()).toISOString(),
    data: { type: PROBE_TYPE, id: 'agenthooks_doctor' },
  });
  const headers = signedHeaders([secret], id, Math.floor(deps.clock.now() / 1000), body);
  let answer: { status: number; location?: string; body: string };
  try {
    answer = await post(url, addresses[0], { ...headers, 'content-type': 'application/json' }, body, policy);
  } catch (err) {
    const msg = (err as Error).message;
    const tls = /certificate|self.signed|SSL|TLS/i.test(msg);
    return fail(
      NAME,
      `${raw} did not answer: ${msg}`,
      tls
        ? 'install a certificate from a public CA for this host (the platform does not accept self-signed ones)'
        : 'check that the proxy or tunnel forwards this URL to agenthooks serve and that the firewall allows port 443',
    );
  }
  if (answer.status >= 300 && answer.status < 400)
    return fail(
      NAME,
      `${raw} answers ${answer.status} redirect${answer.location ? ` to ${answer.location}` : ''}: a 3xx disables the endpoint`,
      'register the final URL (exact scheme, host, path, no trailing slash) in the Console',
    );
  if (answer.status === 401)
    return fail(
      NAME,
      `${raw} reached a receiver that refused the probe's signature (${errorCode(answer.body)})`,
      'the receiver behind this URL uses a different signing key: give serve the same whsec_ secret as this check',
    );
  if (answer.status !== 200)
    return fail(
      NAME,
      `${raw} answered HTTP ${answer.status} (${errorCode(answer.body) || 'not agenthooks'})`,
      'point the proxy at agenthooks serve, path /webhooks (or /webhook/agent-outcome)',
    );
  if (!deps.store)
    return pass(
      NAME,
      `${raw} answered the signed probe with 200 (not checked against a database: the database check failed)`,
    );
  const stored = await deps.store.getEvent(id).catch(() => null);
  if (!stored)
    return fail(
      NAME,
      `${raw} answered 200 but the probe is not in ${deps.store.location}`,
      'the URL reaches another agenthooks (another database): point the proxy at this one, or run doctor with its --database',
    );
  return pass(NAME, `${raw} reaches this receiver (signed probe ${id} stored)`);
}

function errorCode(body: string): string {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? '';
  } catch {
    return '';
  }
}

function post(
  url: URL,
  address: string,
  headers: Record<string, string>,
  body: string,
  policy: PublicUrlPolicy,
): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        // Connect to the address that passed the public rule (no second DNS answer in between).
        lookup: (_host, opts, cb) => {
          const family = address.includes(':') ? 6 : 4;
          if ((opts as { all?: boolean }).all)
            (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
          else (cb as (e: null, a: string, f: number) => void)(null, address, family);
        },
        ca: policy.ca,
        timeout: policy.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}
