// Hono + agenthooks. hooks.hono() reads the untouched Request body; do not put a JSON validator
// (or c.req.json()) in front of it. In your app import from 'agenthooks'.
import { Hono } from 'hono';
import type { Agenthooks } from '../../src/index.js';

export function createHonoApp(hooks: Agenthooks): Hono {
  const app = new Hono();
  app.post('/webhooks', hooks.hono());
  app.get('/runs/:id', async (c) => {
    const run = await hooks.runs.get(c.req.param('id'));
    return run ? c.json(run) : c.json({ error: 'no such run' }, 404);
  });
  return app;
}
