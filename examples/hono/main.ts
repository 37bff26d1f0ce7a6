// Starts the Hono example on Node with @hono/node-server.
import { serve } from '@hono/node-server';
import { createAgenthooks } from '../../src/index.js';
import { createHonoApp } from './app.js';

const hooks = createAgenthooks({
  database: process.env.DATABASE_URL ?? './.agenthooks/agenthooks.db',
  signingKeys: process.env.ANTHROPIC_WEBHOOK_SIGNING_KEY,
  apiKey: process.env.ANTHROPIC_API_KEY,
});
if (hooks.platform) await hooks.worker.start();
serve({ fetch: createHonoApp(hooks).fetch, port: Number(process.env.PORT ?? 3000) });
