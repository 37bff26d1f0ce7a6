// Starts the Express example: `node --import tsx examples/express/main.ts` (or compile it).
import { createAgenthooks } from '../../src/index.js';
import { createExpressApp } from './app.js';

const hooks = createAgenthooks({
  database: process.env.DATABASE_URL ?? './.agenthooks/agenthooks.db',
  signingKeys: process.env.ANTHROPIC_WEBHOOK_SIGNING_KEY,
  apiKey: process.env.ANTHROPIC_API_KEY,
});
if (hooks.platform) await hooks.worker.start();
const server = createExpressApp(hooks).listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`listening on :${process.env.PORT ?? 3000}, webhooks at POST /webhooks`);
});
process.on('SIGTERM', () => server.close(() => void hooks.close()));
