// Express + agenthooks: the webhook route gets the raw body (express.raw), the rest of the app keeps
// its JSON parser. In your app import from 'agenthooks' instead of the relative path.
// Run: ANTHROPIC_WEBHOOK_SIGNING_KEY=whsec_... node dist/examples/express/app.js (or tsx).
import express from 'express';
import type { Agenthooks } from '../../src/index.js';

export function createExpressApp(hooks: Agenthooks): express.Express {
  const app = express();
  // Registered before express.json(): the signature covers the exact bytes sent.
  app.post('/webhooks', express.raw({ type: '*/*', limit: '256kb' }), hooks.express());
  app.use(express.json());
  app.get('/runs/:id', async (req, res) => {
    const run = await hooks.runs.get(req.params.id);
    if (run) res.json(run);
    else res.status(404).json({ error: 'no such run' });
  });
  return app;
}
