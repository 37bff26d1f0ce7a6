// app/webhooks/route.ts: a Next.js route handler. POST /webhooks receives signed deliveries; the
// Request reaches agenthooks untouched (never call request.json() first: the signature covers the
// exact bytes).
import { hooks } from './hooks.js';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  return hooks().toFetchHandler()(request);
}
