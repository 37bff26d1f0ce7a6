// The library causes what serve causes when a run ends: with notify: targets in its config,
// createAgenthooks delivers signed run.finished notifications, and onOutcome (the option and the
// method) sees the final run. Real simulator, real sockets, real signatures.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { createAgenthooks } from '../../src/index.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import type { Run } from '../../src/store/types.js';
import { generateSecret } from '../../src/webhooks/sign.js';
import { SECRET, tempDir } from './helpers.js';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('createAgenthooks: what a final run causes', () => {
  const servers: Server[] = [];
  let sim: RunningSimulator | null = null;
  afterAll(async () => {
    await sim?.close();
    for (const s of servers) await new Promise((r) => s.close(r));
  });

  it('delivers run.finished to notify: targets and calls every onOutcome', async () => {
    const db = tempDir();
    const notifySecret = generateSecret();
    const received: Array<{ body: string; headers: IncomingHttpHeaders }> = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
        res.writeHead(200).end();
      });
    });
    servers.push(receiver);
    const receiverUrl = await listen(receiver);

    sim = await startSimulator({ port: 0, signingKey: SECRET, timeScale: 0.01, seed: 11 });
    const fromOption: Run[] = [];
    const hooks = createAgenthooks({
      database: db.db,
      signingKeys: [SECRET],
      apiKey: 'sk-test',
      baseURL: sim.url,
      config: {
        path: null,
        agents: {},
        environments: {},
        pipelines: {},
        notify: [
          {
            name: 'svc',
            url: `${receiverUrl}/hook`,
            secret: notifySecret,
            agents: [],
            pipelines: [],
            statuses: [],
          },
        ],
      },
      worker: { worker: { idleMs: 20 }, notify: { idleMs: 50 } },
      onOutcome: (run) => void fromOption.push(run),
    });
    const fromMethod: Run[] = [];
    const off = hooks.onOutcome((run) => void fromMethod.push(run));
    const front = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const a = await hooks.handler(Buffer.concat(chunks), req.headers);
        res.writeHead(a.status, a.headers).end(a.body);
      });
    });
    servers.push(front);
    sim.addWebhook(`${await listen(front)}/webhooks`);
    try {
      await hooks.worker.start();
      const { run } = await hooks.launch({ task: 'Notify me' });
      const result = await hooks.wait(run.id, { timeoutMs: 30_000, storeIntervalMs: 50 });
      expect(result.run?.status).toBe('succeeded');

      const deadline = Date.now() + 15_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(received).toHaveLength(1);
      const [note] = received;
      // Signed as the platform signs: the receiver verifies it with the target's secret.
      const verified = new Webhook(notifySecret).verify(note!.body, {
        'webhook-id': String(note!.headers['webhook-id']),
        'webhook-timestamp': String(note!.headers['webhook-timestamp']),
        'webhook-signature': String(note!.headers['webhook-signature']),
      }) as { data: { type: string; id: string; status: string } };
      expect(verified.data).toMatchObject({ type: 'run.finished', id: run.id, status: 'succeeded' });

      expect(fromOption.map((r) => [r.id, r.status])).toEqual([[run.id, 'succeeded']]);
      expect(fromMethod.map((r) => [r.id, r.status])).toEqual([[run.id, 'succeeded']]);
      off();
    } finally {
      await hooks.close();
      db.remove();
    }
  });
});
