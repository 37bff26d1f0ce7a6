// API key accepted (one cheap authenticated call: agents.list limit 1) and clock offset (the Date
// header of that answer against the local clock). The SDK client is the platform's own
// (createSdkClient: explicit options, DESIGN.md semantics 8), with a fetch that keeps the Date header.
import type { Clock } from '../clock.js';
import { createSdkClient } from '../platform/sdk.js';
import { type CheckResult, fail, pass, skip } from './check.js';

const KEY = 'API key';
const CLOCK = 'clock offset';
/** Webhook timestamps are accepted within 300 s; warn well before that. */
export const MAX_CLOCK_OFFSET_S = 60;

export async function checkApi(
  settings: { apiKey: string | null; baseURL: string },
  clock: Clock,
  timeoutMs = 15_000,
): Promise<CheckResult[]> {
  if (!settings.apiKey)
    return [
      fail(
        KEY,
        'ANTHROPIC_API_KEY is not set: serve stores events but the worker and reconciler stay off',
        'set ANTHROPIC_API_KEY (a Console API key of the workspace that owns the webhook endpoint)',
      ),
      skip(CLOCK, 'not measured (needs an API answer)'),
    ];
  let date: string | null = null;
  let sentAt = 0;
  let answeredAt = 0;
  const capture: typeof fetch = async (input, init) => {
    sentAt = clock.now();
    const res = await fetch(input, init);
    answeredAt = clock.now();
    date = res.headers.get('date');
    return res;
  };
  const client = createSdkClient({
    apiKey: settings.apiKey,
    baseURL: settings.baseURL,
    timeoutMs,
    fetch: capture,
  });
  const results: CheckResult[] = [];
  try {
    await client.beta.agents.list({ limit: 1 });
    results.push(pass(KEY, `accepted by ${settings.baseURL}`));
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 401 || status === 403)
      results.push(
        fail(
          KEY,
          `rejected by ${settings.baseURL} (HTTP ${status})`,
          'create a new API key in the Console and set ANTHROPIC_API_KEY to it (no quotes, no whitespace)',
        ),
      );
    else if (status === undefined)
      results.push(
        fail(
          KEY,
          `could not reach ${settings.baseURL}: ${err instanceof Error ? err.message : String(err)}`,
          'check outbound HTTPS from this machine (proxy, firewall) and ANTHROPIC_BASE_URL',
        ),
      );
    else results.push(pass(KEY, `accepted by ${settings.baseURL} (the call itself answered HTTP ${status})`));
  }
  results.push(clockOffset(date, sentAt, answeredAt));
  return results;
}

function clockOffset(date: string | null, sentAt: number, answeredAt: number): CheckResult {
  const remote = date ? Date.parse(date) : Number.NaN;
  if (!Number.isFinite(remote)) return skip(CLOCK, 'the API answer had no Date header');
  // The server stamped its Date somewhere between send and answer: compare with the midpoint.
  // Date has whole seconds, so offsets under about a second are noise.
  const local = (sentAt + answeredAt) / 2;
  const offsetS = Math.round((local - remote) / 1000);
  const text = `local clock is ${Math.abs(offsetS)} s ${offsetS >= 0 ? 'ahead of' : 'behind'} the API's`;
  if (Math.abs(offsetS) > MAX_CLOCK_OFFSET_S)
    return fail(
      CLOCK,
      text,
      "sync this machine's clock (enable NTP: timedatectl set-ntp true); webhooks are refused beyond 300 s of skew",
    );
  return pass(CLOCK, text);
}
