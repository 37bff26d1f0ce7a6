// `agenthooks simulator`: the offline platform (API + signed webhook sender with faults), plus
// `simulator send` (one signed event, the tutorial's offline step done properly) and
// `simulator log` (the delivery log of a running simulator).
import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import { parsePort, resolveSigningKeys } from '../config.js';
import { AppError } from '../errors.js';
import {
  DEFAULT_DURATION_MS,
  DEFAULT_PORT,
  type DeliveryRecord,
  isScenario,
  postSigned,
  SCENARIOS,
  type Scenario,
  startSimulator,
} from '../simulator/index.js';
import { signedHeaders } from '../webhooks/sign.js';
import { type CliContext, EXIT, print } from './context.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function num(
  value: string | undefined,
  name: string,
  min: number,
  max = Number.POSITIVE_INFINITY,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new AppError(
      'usage',
      `${name} must be a number from ${min}${max === Number.POSITIVE_INFINITY ? ' up' : ` to ${max}`} (got ${JSON.stringify(value)}).`,
    );
  return n;
}

const rate = (value: string | undefined, name: string) => num(value, name, 0, 1);

interface ServeFlags {
  host: string;
  port: string;
  webhookUrl?: string[];
  webhookTypes?: string;
  signingKey?: string;
  rotateSigningKey?: string | true;
  apiKey?: string[];
  seed: string;
  timeScale: string;
  scenario: string;
  durationMs: string;
  duplicateRate?: string;
  reorderRate?: string;
  reorderWindowMs?: string;
  dropRate?: string;
  attemptFailureRate?: string;
  delayMs?: string;
  badSignatureRate?: string;
  clockSkewS?: string;
  apiErrorRate?: string;
  api429Rate?: string;
  apiLatencyMs?: string;
  streamDropAfter?: string;
  readRpm: string;
  createRpm: string;
}

async function runSimulator(ctx: CliContext, f: ServeFlags): Promise<number> {
  if (!isScenario(f.scenario))
    throw new AppError('usage', `--scenario must be one of ${SCENARIOS.join(', ')} (got ${f.scenario}).`);
  const [envKey] = f.signingKey
    ? resolveSigningKeys([f.signingKey], ctx.env)
    : resolveSigningKeys(undefined, ctx.env);
  const rotate =
    f.rotateSigningKey === true ? `whsec_${randomBytes(32).toString('base64')}` : f.rotateSigningKey;
  if (rotate) resolveSigningKeys([rotate], {});
  const types = f.webhookTypes
    ? f.webhookTypes
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
  for (const u of f.webhookUrl ?? []) {
    try {
      new URL(u);
    } catch {
      throw new AppError('usage', `--webhook-url ${u} is not a URL (e.g. http://127.0.0.1:8787/webhooks).`);
    }
  }
  const sim = await startSimulator({
    host: f.host,
    port: parsePort(f.port, '--port'),
    apiKeys: f.apiKey ?? [],
    seed: num(f.seed, '--seed', 0),
    timeScale: num(f.timeScale, '--time-scale', 0),
    scenario: f.scenario as Scenario,
    durationMs: num(f.durationMs, '--duration-ms', 0),
    webhooks: (f.webhookUrl ?? []).map((url) => ({ url, types })),
    signingKey: envKey,
    rotateSigningKey: rotate,
    faults: {
      duplicateRate: rate(f.duplicateRate, '--duplicate-rate'),
      reorderRate: rate(f.reorderRate, '--reorder-rate'),
      reorderWindowMs: num(f.reorderWindowMs, '--reorder-window-ms', 0),
      dropRate: rate(f.dropRate, '--drop-rate'),
      attemptFailureRate: rate(f.attemptFailureRate, '--attempt-failure-rate'),
      delayMs: num(f.delayMs, '--delay-ms', 0),
      badSignatureRate: rate(f.badSignatureRate, '--bad-signature-rate'),
      clockSkewS: num(f.clockSkewS, '--clock-skew-s', Number.NEGATIVE_INFINITY),
    },
    api: {
      errorRate: rate(f.apiErrorRate, '--api-error-rate'),
      rate429: rate(f.api429Rate, '--api-429-rate'),
      latencyMs: num(f.apiLatencyMs, '--api-latency-ms', 0),
      readRpm: num(f.readRpm, '--read-rpm', 1),
      createRpm: num(f.createRpm, '--create-rpm', 1),
      streamDropAfter: num(f.streamDropAfter, '--stream-drop-after', 0),
    },
  });
  print(ctx.stdout, `simulator listening on ${sim.url} (seed ${sim.seed})`);
  print(
    ctx.stdout,
    `  use it with: ANTHROPIC_BASE_URL=${sim.url} ANTHROPIC_API_KEY=${f.apiKey?.[0] ?? 'any-non-empty-key'}`,
  );
  if (sim.signingKeyGenerated) print(ctx.stdout, `  webhook signing key (shown once): ${sim.signingKey}`);
  if (rotate && f.rotateSigningKey === true)
    print(ctx.stdout, `  rotated signing key (shown once): ${rotate}`);
  for (const u of f.webhookUrl ?? []) print(ctx.stdout, `  delivering webhooks to ${u}`);
  if (!f.webhookUrl?.length) print(ctx.stdout, '  no --webhook-url: events are emitted but not delivered');
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await sim.close();
  print(ctx.stdout, 'simulator stopped');
  return EXIT.ok;
}

async function sendOne(
  ctx: CliContext,
  f: {
    type: string;
    session: string;
    webhookUrl: string;
    signingKey?: string;
    thread?: string;
    timeoutMs: string;
  },
): Promise<number> {
  const [key] = f.signingKey
    ? resolveSigningKeys([f.signingKey], {})
    : resolveSigningKeys(undefined, ctx.env);
  if (!key)
    throw new AppError(
      'signing_key_required',
      'Pass --signing-key whsec_... (or set ANTHROPIC_WEBHOOK_SIGNING_KEY).',
    );
  const id = `whe_011C${randomBytes(16).toString('base64url').slice(0, 22)}`;
  const event = {
    type: 'event',
    id,
    created_at: new Date().toISOString(),
    data: {
      type: f.type,
      id: f.session,
      organization_id: '8a3d2f1e-5b6c-4d7e-9f01-23456789abcd',
      workspace_id: 'c7b0e4d9-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
      ...(f.thread ? { session_thread_id: f.thread } : {}),
    },
  };
  const body = JSON.stringify(event);
  let res: { status: number; text: string };
  try {
    res = await postSigned(
      f.webhookUrl,
      body,
      signedHeaders([key], id, Math.floor(Date.now() / 1000), body),
      Number(f.timeoutMs),
    );
  } catch (err) {
    print(
      ctx.stderr,
      `error: could not deliver to ${f.webhookUrl}: ${err instanceof Error ? err.message : String(err)}`,
    );
    return EXIT.failed;
  }
  print(ctx.stdout, `${id} ${f.type} -> ${res.status}${res.text ? ` ${res.text}` : ''}`);
  return res.status >= 200 && res.status < 300 ? EXIT.ok : EXIT.failed;
}

async function showLog(ctx: CliContext, f: { url: string; event?: string; json?: boolean }): Promise<number> {
  const u = new URL('/_simulator/deliveries', f.url);
  if (f.event) u.searchParams.set('event', f.event);
  let data: DeliveryRecord[];
  try {
    const res = await fetch(u);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    data = ((await res.json()) as { data: DeliveryRecord[] }).data;
  } catch (err) {
    throw new AppError(
      'platform_error',
      `Could not read the delivery log at ${u.origin}: ${err instanceof Error ? err.message : String(err)}. Is \`agenthooks simulator\` running there (--url)?`,
    );
  }
  if (f.json) {
    print(ctx.stdout, JSON.stringify(data, null, 2));
    return EXIT.ok;
  }
  if (data.length === 0) {
    print(ctx.stdout, 'no deliveries yet');
    return EXIT.ok;
  }
  for (const r of data)
    print(
      ctx.stdout,
      [
        r.at,
        r.event_id,
        r.type,
        r.endpoint,
        `attempt ${r.attempt}${r.copy > 1 ? ` (copy ${r.copy})` : ''}`,
        r.status ?? '-',
        r.outcome,
        r.fault ?? '',
      ]
        .join('  ')
        .trimEnd(),
    );
  return EXIT.ok;
}

export function simulatorCommand(ctx: CliContext): Command {
  const cmd = new Command('simulator')
    .description(
      'Run an offline twin of the Claude Managed Agents API and its signed webhook sender. Point the SDK at ' +
        'it with baseURL (or ANTHROPIC_BASE_URL). Sessions follow a seeded script chosen by metadata.sim_scenario: ' +
        `${SCENARIOS.join(', ')}. ` +
        'Rates are fractions 0-1; every fault is seeded (--seed) and counted at GET /_simulator/stats. ' +
        'See docs/simulator.md.',
    )
    .enablePositionalOptions()
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', String(DEFAULT_PORT))
    .option('--webhook-url <url>', 'receiver to deliver signed webhooks to (repeatable)', collect)
    .option(
      '--webhook-types <types>',
      'comma-separated data.type values the endpoints subscribe to (default: all)',
    )
    .option(
      '--signing-key <whsec>',
      'webhook signing secret (default: ANTHROPIC_WEBHOOK_SIGNING_KEY, else generated and printed once)',
    )
    .option(
      '--rotate-signing-key [whsec]',
      'simulate a key rotation: every delivery carries two signatures (old key, new key)',
    )
    .option('--api-key <key>', 'accepted API key (repeatable; default: any non-empty key)', collect)
    .option('--seed <n>', 'seed for ids, replies and every fault decision', '1')
    .option(
      '--time-scale <factor>',
      'multiplies simulated durations and delivery delays (0.01 = 100x faster)',
      '1',
    )
    .option('--scenario <name>', 'default scenario for sessions without metadata.sim_scenario', 'success')
    .option(
      '--duration-ms <ms>',
      'simulated run time of one turn (metadata.sim_duration_ms overrides)',
      String(DEFAULT_DURATION_MS),
    )
    .addOption(new Option('--duplicate-rate <0-1>', 'fraction of events delivered twice'))
    .addOption(new Option('--reorder-rate <0-1>', 'fraction of events held back so later ones overtake them'))
    .addOption(
      new Option('--reorder-window-ms <ms>', 'longest hold-back of a reordered event (default 5000)'),
    )
    .addOption(new Option('--drop-rate <0-1>', 'fraction of events never sent at all'))
    .addOption(
      new Option('--attempt-failure-rate <0-1>', 'fraction of attempts lost on the way (then retried)'),
    )
    .addOption(new Option('--delay-ms <ms>', 'extra delay before every first attempt'))
    .addOption(new Option('--bad-signature-rate <0-1>', 'fraction of attempts signed with a wrong key'))
    .addOption(
      new Option('--clock-skew-s <s>', 'seconds added to webhook-timestamp (negative = in the past)'),
    )
    .addOption(new Option('--api-error-rate <0-1>', 'fraction of API requests answered 500 api_error'))
    .addOption(new Option('--api-429-rate <0-1>', 'fraction of API requests answered 429 with retry-after'))
    .addOption(new Option('--api-latency-ms <ms>', 'latency added to every API request'))
    .addOption(
      new Option('--stream-drop-after <n>', 'cut every event stream after it has sent n events (0: never)'),
    )
    .option('--read-rpm <n>', 'read requests allowed per minute (then 429)', '1200')
    .option('--create-rpm <n>', 'create/write requests allowed per minute (then 429)', '300')
    .action(async (flags: ServeFlags) => {
      ctx.exitCode = await runSimulator(ctx, flags);
    });

  cmd
    .command('send')
    .description('Send one signed webhook event to a receiver and print its answer (exit 1 on non-2xx).')
    .option('--type <type>', 'data.type of the event', 'session.status_idled')
    .requiredOption('--session <id>', 'data.id: the session (or deployment run) the event is about')
    .option('--thread <id>', 'data.session_thread_id (session.thread_* types)')
    .requiredOption('--webhook-url <url>', 'receiver URL, e.g. http://127.0.0.1:8787/webhooks')
    .option('--signing-key <whsec>', 'signing secret (default: ANTHROPIC_WEBHOOK_SIGNING_KEY)')
    .option('--timeout-ms <ms>', 'how long to wait for the answer', '10000')
    .action(async (flags) => {
      ctx.exitCode = await sendOne(ctx, flags);
    });

  cmd
    .command('log')
    .description(
      'Print the delivery log of a running simulator (each attempt: event, endpoint, status, fault).',
    )
    .option('--url <url>', 'the simulator', `http://127.0.0.1:${DEFAULT_PORT}`)
    .option('--event <id>', 'only this event id (whe_...)')
    .option('--json', 'print JSON')
    .action(async (flags) => {
      ctx.exitCode = await showLog(ctx, flags);
    });
  return cmd;
}
