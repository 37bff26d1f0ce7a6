// A real HTTP receiver for notifications (its answer can be switched, or it can refuse
// connections) and a notify target builder, for the tests of the outbox notifier.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import type { NotifyTarget } from '../../src/notify/targets.js';

export function target(name: string, url: string, over: Partial<NotifyTarget> = {}): NotifyTarget {
  return { name, url, secret: null, agents: [], pipelines: [], statuses: [], ...over };
}

export interface Delivery {
  id: string;
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A notification receiver on 127.0.0.1 (ephemeral port) whose answer can be switched. Made in a
 * test, it stops when that test ends (after a server started later: hooks run in reverse). */
export class Receiver {
  readonly deliveries: Delivery[] = [];
  /** HTTP status to answer with; 'refuse' closes the listening socket (connection refused). */
  answer = 200;
  private server: Server | null = null;
  port = 0;

  constructor() {
    onTestFinished(() => this.stop());
  }

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.deliveries.push({
          id: String(req.headers['webhook-id']),
          headers: req.headers,
          body,
          answered: this.answer,
        });
        res.writeHead(this.answer, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/agents`;
  }

  /** Stops listening (senders get connection refused) until start(this.port) again. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Ids answered with a 2xx, with how many times each. */
  accepted(): Map<string, number> {
    const m = new Map<string, number>();
    for (const d of this.deliveries)
      if (d.answered >= 200 && d.answered < 300) m.set(d.id, (m.get(d.id) ?? 0) + 1);
    return m;
  }
}
