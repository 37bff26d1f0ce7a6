// Shared pieces of the simulator tests: an SDK client pointed at a simulator, polling, and a tiny
// webhook receiver over node:http that records what it gets.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import type { BetaManagedAgentsSession } from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import type { Timers } from '../../src/simulator/index.js';

export function client(baseURL: string, apiKey = 'sk-test'): Anthropic {
  return new Anthropic({ baseURL, apiKey, maxRetries: 0, webhookKey: null });
}

export async function setup(c: Anthropic, agentName = 'tester') {
  const agent = await c.beta.agents.create({
    name: agentName,
    model: 'claude-sonnet-4-6',
    system: 'You test.',
  });
  const environment = await c.beta.environments.create({
    name: 'env',
    config: { type: 'cloud', networking: { type: 'unrestricted' } },
  });
  return { agent, environment };
}

export const task = (text: string) => ({
  type: 'user.message' as const,
  content: [{ type: 'text' as const, text }],
});

export async function waitFor<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Polls until the session is no longer running (idle or terminated) and the outcome, if any, is final. */
export async function settle(c: Anthropic, id: string): Promise<BetaManagedAgentsSession> {
  return waitFor(async () => {
    const s = await c.beta.sessions.retrieve(id);
    if (s.status === 'running' || s.status === 'rescheduling') return undefined;
    if (
      s.outcome_evaluations.some((o) => ['pending', 'running', 'evaluating'].includes(o.result)) &&
      s.status !== 'idle'
    )
      return undefined;
    return s;
  }, `session ${id} to settle`);
}

export interface Received {
  body: string;
  headers: IncomingHttpHeaders;
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Status to answer with, per request (default 200). */
  answer: (r: Received, n: number) => number;
  close(): Promise<void>;
}

export async function receiver(answer: (r: Received, n: number) => number = () => 200): Promise<Receiver> {
  const rec: Receiver = { url: '', received: [], answer, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        body: Buffer.concat(chunks).toString('utf8'),
        headers: req.headers,
        at: Date.now(),
      };
      rec.received.push(r);
      const status = rec.answer(r, rec.received.length);
      res.writeHead(status, status >= 300 && status < 400 ? { location: 'https://example.invalid/' } : {});
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  rec.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return rec;
}

/** Timers that fire only when the test says so, in due order: simulated time without waiting. */
export class ManualTimers implements Timers {
  private now = 0;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    this.seq += 1;
    this.pending.set(this.seq, { at: this.now + ms, fn });
    return this.seq;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Fires every timer, including ones scheduled by the timers fired, until none is left. */
  runAll(limit = 10_000): void {
    for (let i = 0; i < limit && this.pending.size > 0; i++) {
      const [id, next] = [...this.pending].reduce((a, b) => (b[1].at < a[1].at ? b : a));
      this.pending.delete(id);
      this.now = Math.max(this.now, next.at);
      next.fn();
    }
  }
}
