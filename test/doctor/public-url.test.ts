// The public URL check against a self-signed HTTPS server on 127.0.0.1 (certificate made with
// openssl), with the resolver, the port policy and the address rule injected: the probe is signed,
// sent through the URL, answered by an embedded agenthooks receiver and found in this store.
import type { Server } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDatabase } from '../../src/config.js';
import { checkPublicUrl, type PublicUrlPolicy } from '../../src/doctor/public-url.js';
import { type Agenthooks, createAgenthooks } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { generateSecret } from '../../src/webhooks/sign.js';
import { tempDir } from '../embed/helpers.js';
import { HOST, httpsServer, selfSigned } from './tls.js';

const clock = { now: () => Date.now() };

describe('doctor: public URL', () => {
  const tmp = tempDir();
  const secret = generateSecret();
  let tls: { cert: string; key: string };
  let store: Store;
  let hooks: Agenthooks;
  let server: Server;
  let port: number;
  let policy: PublicUrlPolicy;

  beforeAll(async () => {
    tls = selfSigned();
    store = await openStore(resolveDatabase(tmp.db, {}, tmp.dir), { create: true, logger: silentLogger });
    hooks = createAgenthooks({ store, signingKeys: [secret] });
    ({ server, port } = await httpsServer(tls, (req, res) => {
      if (req.url === '/moved') {
        res.writeHead(301, { location: `https://${HOST}/webhooks` }).end();
        return;
      }
      if (req.url !== '/webhooks') {
        res.writeHead(404).end('{}');
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const a = await hooks.handler(Buffer.concat(chunks), req.headers);
        res.writeHead(a.status, a.headers).end(a.body);
      });
    }));
    // Injected: HOST resolves to the test server, its port is allowed, loopback counts as public here.
    policy = {
      resolve: async () => ['127.0.0.1'],
      allowedPorts: [port],
      nonPublicReason: () => null,
      ca: tls.cert,
    };
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await hooks.close();
    await store.close();
    tmp.remove();
  });

  const url = (path = '/webhooks') => `https://${HOST}:${port}${path}`;
  const deps = () => ({ clock, signingKeys: [secret], store });

  it('passes: HTTPS, allowed port, no redirect, the signed probe is stored here', async () => {
    const r = await checkPublicUrl(url(), deps(), policy);
    expect(r.status, r.detail).toBe('pass');
    expect(r.detail).toContain('reaches this receiver');
    const probes = await store.listEvents({ type: 'agenthooks.doctor_probe' });
    expect(probes.length).toBe(1);
    expect(probes[0].state).toBe('ignored');
  });

  it('fails the public-address rule: loopback is unreachable for the platform', async () => {
    const r = await checkPublicUrl(url(), deps(), { ...policy, nonPublicReason: undefined });
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('127.0.0.1, a loopback address');
  });

  it('fails the port policy (443 only by default)', async () => {
    const r = await checkPublicUrl(url(), deps(), { ...policy, allowedPorts: undefined });
    expect(r.status).toBe('fail');
    expect(r.detail).toContain(`port ${port}`);
    expect(r.fix).toContain('443');
  });

  it('fails plain http', async () => {
    const r = await checkPublicUrl(`http://${HOST}/webhooks`, deps(), policy);
    expect(r.status).toBe('fail');
    expect(r.fix).toContain('HTTPS');
  });

  it('fails a redirect, since a 3xx disables the endpoint', async () => {
    const r = await checkPublicUrl(url('/moved'), deps(), policy);
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('301');
  });

  it('fails an untrusted (self-signed) certificate', async () => {
    const r = await checkPublicUrl(url(), deps(), { ...policy, ca: undefined });
    expect(r.status).toBe('fail');
    expect(r.fix).toContain('certificate');
  });

  it('fails when the receiver there uses another signing key', async () => {
    const r = await checkPublicUrl(url(), { ...deps(), signingKeys: [generateSecret()] }, policy);
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('invalid_signature');
  });

  it('fails when the URL reaches another agenthooks (probe not in this database)', async () => {
    const other = tempDir();
    const otherStore = await openStore(resolveDatabase(other.db, {}, other.dir), {
      create: true,
      logger: silentLogger,
    });
    try {
      const r = await checkPublicUrl(url(), { ...deps(), store: otherStore }, policy);
      expect(r.status).toBe('fail');
      expect(r.detail).toContain('not in');
    } finally {
      await otherStore.close();
      other.remove();
    }
  });

  it('fails a host that does not resolve', async () => {
    const r = await checkPublicUrl(url(), deps(), {
      ...policy,
      resolve: async () => {
        throw new Error('ENOTFOUND');
      },
    });
    expect(r.status).toBe('fail');
    expect(r.fix).toContain('DNS');
  });
});
