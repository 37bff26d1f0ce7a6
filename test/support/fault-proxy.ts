// A real HTTP proxy in front of the simulator that injects API faults at chosen points: a 429
// (with retry-after), a 500, a connection reset before the request reaches the platform, or a
// reset after it did (the response is lost, the effect is not). The SDK talks to it over real
// sockets, exactly as to the platform.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = '429' | '500' | 'reset' | 'lost';

export interface FaultRule {
  method: string;
  /** Path prefix after /v1, e.g. '/agents' or '/sessions'. */
  path: string;
  fault: Fault;
  /** How many matching requests fail; Infinity until clear(). */
  times: number;
}

export interface FaultProxy {
  url: string;
  set(rules: FaultRule[]): void;
  clear(): void;
  /** Faults injected so far, per rule index. */
  injected(): number[];
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let rules: FaultRule[] = [];
  let counts: number[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/^\/v1/, '');
    const i = rules.findIndex(
      (r, n) => r.method === req.method && path.startsWith(r.path) && counts[n]! < r.times,
    );
    const rule = i >= 0 ? rules[i]! : null;
    if (rule) counts[i]! += 1;
    if (rule?.fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (rule?.fault === '429' || rule?.fault === '500') {
      const body = JSON.stringify({
        type: 'error',
        error: {
          type: rule.fault === '429' ? 'rate_limit_error' : 'api_error',
          message: `injected ${rule.fault}`,
        },
      });
      res.writeHead(Number(rule.fault), {
        'content-type': 'application/json',
        ...(rule.fault === '429' ? { 'retry-after': '0' } : {}),
      });
      res.end(body);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const up = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          if (rule?.fault === 'lost') {
            // The platform did the work; the caller never hears about it.
            answer.resume();
            answer.on('end', () => req.socket.destroy());
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      up.on('error', () => req.socket.destroy());
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    set(r) {
      rules = r;
      counts = r.map(() => 0);
    },
    clear() {
      rules = [];
      counts = [];
    },
    injected: () => [...counts],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
