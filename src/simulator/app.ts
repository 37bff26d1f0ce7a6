// The simulator's HTTP surface: the platform's routes under /v1 (beta header, API key, error
// envelope, request-id, limits and faults) and the test-only /_simulator routes (no key needed).
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { ApiError, badRequest } from './api-error.js';
import type { SimContext } from './context.js';
import { MinuteLimiter } from './limits.js';
import { chance } from './rng.js';
import { adminRoutes } from './routes/admin.js';
import { agentRoutes } from './routes/agents.js';
import { deploymentRunRoutes } from './routes/deployment-runs.js';
import { deploymentRoutes } from './routes/deployments.js';
import { environmentRoutes } from './routes/environments.js';
import { eventRoutes } from './routes/events.js';
import { fileRoutes } from './routes/files.js';
import { memoryRoutes } from './routes/memories.js';
import { memoryStoreRoutes } from './routes/memory-stores.js';
import { resourceRoutes } from './routes/resources.js';
import { sessionRoutes } from './routes/sessions.js';
import { vaultRoutes } from './routes/vaults.js';

export const MANAGED_AGENTS_BETA = 'managed-agents-2026-04-01';
const MEMORY_BETA = 'agent-memory-2026-07-22';
/** The beta header each route family needs: what the SDK sends on its own. */
const BETA_PREFIXES: Array<[string, ...string[]]> = [
  ['/v1/agents', MANAGED_AGENTS_BETA],
  ['/v1/environments', MANAGED_AGENTS_BETA],
  ['/v1/sessions', MANAGED_AGENTS_BETA],
  ['/v1/deployment_runs', MANAGED_AGENTS_BETA],
  ['/v1/deployments', MANAGED_AGENTS_BETA],
  ['/v1/vaults', MANAGED_AGENTS_BETA],
  ['/v1/memory_stores', MEMORY_BETA, MANAGED_AGENTS_BETA],
];

declare module 'fastify' {
  interface FastifyRequest {
    simRequestId: string;
  }
}

function routeKey(req: FastifyRequest): string {
  return `${req.method} ${req.routeOptions.url ?? 'unmatched'}`;
}

function apiKeyOf(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  const key = req.headers['x-api-key'];
  return typeof key === 'string' ? key : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function buildApp(ctx: SimContext): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024 });
  const limiter = new MinuteLimiter({ read: ctx.api.readRpm, create: ctx.api.createRpm });
  let requestCount = 0;

  app.decorateRequest('simRequestId', '');

  // The SDK may POST with a JSON content type and no body (archive); an empty body is {}.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(badRequest('The request body is not valid JSON.'), undefined);
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    req.simRequestId = ctx.ids.next('req');
    reply.header('request-id', req.simRequestId);
    if (req.url.startsWith('/_simulator')) return;
    const counter = ctx.stats.counter(routeKey(req));
    counter.requests += 1;
    const key = apiKeyOf(req);
    if (!key || (ctx.apiKeys.length > 0 && !ctx.apiKeys.includes(key)))
      throw new ApiError('authentication_error', 'invalid x-api-key');
    const path = req.url.split('?')[0];
    const needed = BETA_PREFIXES.find(([p]) => path === p || path.startsWith(`${p}/`))?.slice(1);
    if (needed) {
      const sent = String(req.headers['anthropic-beta'] ?? '')
        .split(',')
        .map((s) => s.trim());
      if (!needed.some((b) => sent.includes(b)))
        throw badRequest(`This route needs the beta header "anthropic-beta: ${needed[0]}".`);
    }
    requestCount += 1;
    const n = requestCount;
    if (ctx.api.latencyMs > 0) {
      counter.faults.latency += 1;
      await sleep(ctx.api.latencyMs);
    }
    const kind = req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'create';
    const wait = limiter.take(kind, ctx.clock.now());
    if (wait !== null) {
      counter.faults.rate_limited += 1;
      throw new ApiError(
        'rate_limit_error',
        `Rate limit of ${kind === 'read' ? ctx.api.readRpm : ctx.api.createRpm} ${kind} requests per minute exceeded.`,
        {
          'retry-after': String(wait),
        },
      );
    }
    if (chance(ctx.seed, ctx.api.rate429, 'api429', n)) {
      counter.faults.api_429 += 1;
      throw new ApiError('rate_limit_error', 'Simulated rate limit (--api-429-rate).', {
        'retry-after': '1',
      });
    }
    if (chance(ctx.seed, ctx.api.errorRate, 'api5xx', n)) {
      counter.faults.api_error += 1;
      throw new ApiError('api_error', 'Simulated internal error (--api-error-rate).');
    }
  });

  app.addHook('onResponse', async (req, reply) => {
    if (req.url.startsWith('/_simulator')) return;
    const counter = ctx.stats.counter(routeKey(req));
    const code = String(reply.statusCode);
    counter.statuses[code] = (counter.statuses[code] ?? 0) + 1;
  });

  app.setErrorHandler((err, req, reply) => {
    let apiErr: ApiError;
    if (err instanceof ApiError) apiErr = err;
    else {
      const status = (err as { statusCode?: number }).statusCode ?? 500;
      const message = err instanceof Error ? err.message : String(err);
      if (status === 413) apiErr = new ApiError('request_too_large', message);
      else if (status >= 400 && status < 500) apiErr = badRequest(message);
      else apiErr = new ApiError('api_error', `Simulator failure: ${message}`);
    }
    for (const [k, v] of Object.entries(apiErr.headers)) reply.header(k, v);
    reply.status(apiErr.status).send(apiErr.envelope(req.simRequestId));
  });

  app.setNotFoundHandler((req, reply) => {
    reply
      .status(404)
      .send(
        new ApiError(
          'not_found_error',
          `${req.method} ${req.url.split('?')[0]} is not simulated by agenthooks simulator.`,
        ).envelope(req.simRequestId),
      );
  });

  agentRoutes(app, ctx);
  environmentRoutes(app, ctx);
  sessionRoutes(app, ctx);
  resourceRoutes(app, ctx);
  eventRoutes(app, ctx);
  deploymentRunRoutes(app, ctx);
  deploymentRoutes(app, ctx);
  fileRoutes(app, ctx);
  memoryStoreRoutes(app, ctx);
  memoryRoutes(app, ctx);
  vaultRoutes(app, ctx);
  adminRoutes(app, ctx);
  return app;
}
