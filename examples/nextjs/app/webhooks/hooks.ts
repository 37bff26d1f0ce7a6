// One agenthooks instance per server process, shared by the route handlers. Next.js runs route
// handlers on Node by default; agenthooks needs the Node runtime (SQLite, node:crypto).
// In your app import from 'agenthooks'.
import { type Agenthooks, createAgenthooks } from '../../../../src/index.js';

let instance: Agenthooks | null = null;

export function hooks(): Agenthooks {
  instance ??= createAgenthooks({
    database: process.env.DATABASE_URL ?? './.agenthooks/agenthooks.db',
    signingKeys: process.env.ANTHROPIC_WEBHOOK_SIGNING_KEY,
    apiKey: process.env.ANTHROPIC_API_KEY,
  });
  return instance;
}

/** For tests: use this instance instead of one built from the environment. */
export function setHooks(h: Agenthooks | null): void {
  instance = h;
}
