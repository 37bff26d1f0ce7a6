// GET /health: the process and its event loop are alive (never touches the store, so it answers
// even while the writer is stalled on an fsync or a lock). GET /ready: the store can commit, checked
// with a short timeout, plus what the background worker is doing.
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../clock.js';
import type { Store } from '../store/types.js';

export const READY_TIMEOUT_MS = 1000;

export interface HealthDeps {
  store: Pick<Store, 'ping' | 'kind'>;
  clock: Clock;
  startedAt: number;
  /** e.g. "running", "not started", "disabled (no API key)". */
  workerState: () => string;
  readyTimeoutMs?: number;
}

export function registerHealth(server: FastifyInstance, deps: HealthDeps): void {
  server.get('/health', async (_req, reply) => {
    return reply.header('cache-control', 'no-store').send({
      status: 'ok',
      pid: process.pid,
      uptimeS: Math.round((deps.clock.now() - deps.startedAt) / 1000),
    });
  });

  server.get('/ready', async (_req, reply) => {
    const worker = deps.workerState();
    const timeoutMs = deps.readyTimeoutMs ?? READY_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the store did not answer within ${timeoutMs} ms (writer busy or stalled)`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([deps.store.ping(), timeout]);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return reply
        .code(503)
        .header('cache-control', 'no-store')
        .header('retry-after', '5')
        .send({
          status: 'unavailable',
          store: `unavailable: ${message}`,
          worker,
          error: { code: 'store_unavailable', message: `The store cannot commit: ${message}` },
        });
    } finally {
      clearTimeout(timer);
    }
    return reply
      .header('cache-control', 'no-store')
      .send({ status: 'ready', store: deps.store.kind, worker });
  });
}
