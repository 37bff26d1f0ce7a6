// Following a run's session events from the CLI (`transcript RUN --follow`, `launch --wait
// --follow`). While a serve works on the same store (a fresh heartbeat with its url), the events
// come through that serve's /api/runs/:id/transcript/stream, so the CLI shares serve's one upstream
// stream per session instead of opening its own; otherwise, or when serve cannot be used, straight
// from the platform with followSessionEvents. The follow ends when the run settles (the same wait
// as `launch --wait`), after the events that settled it have been shown.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseDuration, resolveLogLevel, resolvePlatform } from '../config.js';
import { loadConfigFile } from '../config-file.js';
import { AppError } from '../errors.js';
import { createLogger } from '../logger.js';
import type { SessionEvent } from '../platform/types.js';
import { freshHeartbeat } from '../runs/heartbeat.js';
import { type WaitResult, waitForRun } from '../runs/wait.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { type CliContext, print } from './context.js';
import { platformFor } from './runtime.js';
import { withStore } from './store.js';
import { report } from './wait-report.js';

/** Events after which the session waits (or never runs again): what a settled run shows last. */
const SETTLING = new Set(['session.status_idle', 'session.status_terminated', 'session.deleted']);
/** How long a settled run's follow waits for its settling event to arrive after the store says so. */
const DRAIN_MS = 3_000;
const SERVE_RETRY_MS = 1_000;

export interface FollowRunOptions {
  afterId?: string | null;
  signal: AbortSignal;
  /** AGENTHOOKS_TOKEN, sent as Bearer to serve. */
  token?: string | null;
  /** Told which way the events come (again after a fall-back to the platform). */
  onSource?: (source: 'serve' | 'platform', url?: string) => void;
}

/** Why serve's stream could not be used (the caller falls back to the platform). */
class ServeUnavailable extends Error {}

/** serve's address as a client dials it: a wildcard bind is reached on loopback. */
export function dialable(url: string): string {
  const u = new URL(url);
  if (u.hostname === '0.0.0.0') u.hostname = '127.0.0.1';
  else if (u.hostname === '[::]') u.hostname = '[::1]';
  return u.origin;
}

/**
 * One serve's SSE endpoint as events. Reconnects after a drop with the last id (serve's hub
 * resumes there); ends after `terminated`; throws ServeUnavailable when serve answers anything but
 * a stream, is gone, or ends the stream itself (shutting down).
 */
export async function* followThroughServe(
  baseUrl: string,
  runId: string,
  o: { afterId?: string | null; signal: AbortSignal; token?: string | null },
): AsyncGenerator<SessionEvent> {
  let last = o.afterId ?? null;
  let failures = 0;
  while (!o.signal.aborted) {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (last) headers['last-event-id'] = last;
    let res: Response;
    try {
      res = await fetch(`${baseUrl}/api/runs/${encodeURIComponent(runId)}/transcript/stream`, {
        headers,
        signal: o.signal,
      });
    } catch (err) {
      if (o.signal.aborted) return;
      throw new ServeUnavailable(`serve at ${baseUrl} is unreachable (${(err as Error).message})`);
    }
    if (res.status !== 200 || !res.body) {
      const body = await res.text().catch(() => '');
      throw new ServeUnavailable(`serve answered ${res.status} ${body.slice(0, 200)}`);
    }
    let ended: string | null = null;
    try {
      for await (const frame of sseFrames(res.body)) {
        if (frame.event === 'end') {
          ended = (JSON.parse(frame.data) as { reason?: string }).reason ?? 'closed';
          break;
        }
        if (frame.event !== 'session_event') continue;
        const event = JSON.parse(frame.data) as SessionEvent;
        last = event.id;
        failures = 0;
        yield event;
      }
    } catch (err) {
      if (o.signal.aborted) return;
      if (err instanceof SyntaxError)
        throw new ServeUnavailable(`serve sent a malformed event: ${err.message}`);
    }
    if (ended === 'terminated') return;
    if (ended !== null) throw new ServeUnavailable(`serve ended the stream (${ended})`);
    // The connection dropped: try the same serve again, a few times, before giving up on it.
    failures += 1;
    if (failures > 3) throw new ServeUnavailable('serve keeps dropping the stream');
    await sleep(SERVE_RETRY_MS, undefined, { signal: o.signal }).catch(() => {});
  }
}

/** Server-sent event frames (event name, data) of a response body. */
async function* sseFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let cut = buffer.indexOf('\n\n'); cut !== -1; cut = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) yield { event, data: data.join('\n') };
    }
  }
}

/**
 * A run's events as they happen: through a fresh serve when there is one, else (or when serve
 * cannot be used) from the platform. Runs until the signal aborts or the session ends.
 */
export async function* followRunEvents(
  runtime: Runtime,
  runId: string,
  o: FollowRunOptions,
): AsyncGenerator<SessionEvent> {
  let last = o.afterId ?? null;
  const serving = await freshHeartbeat(runtime.store, runtime.clock.now());
  if (serving?.url) {
    const url = dialable(serving.url);
    o.onSource?.('serve', url);
    try {
      for await (const e of followThroughServe(url, runId, { ...o, afterId: last })) {
        last = e.id;
        yield e;
      }
      return;
    } catch (err) {
      if (!(err instanceof ServeUnavailable)) throw err;
      runtime.logger.warn({ reason: err.message }, 'following through serve failed; following the platform');
    }
  }
  if (o.signal.aborted) return;
  if (!runtime.platform)
    throw new AppError(
      'api_key_required',
      "Following a run without a running serve reads the session's event stream: set ANTHROPIC_API_KEY.",
    );
  o.onSource?.('platform');
  yield* runtime.platform.followSessionEvents(runId, { afterId: last, signal: o.signal });
}

export interface FollowUntilSettledOptions {
  afterId?: string | null;
  timeoutMs?: number;
  onEvent: (event: SessionEvent) => void;
  onSource?: FollowRunOptions['onSource'];
}

/**
 * Shows the run's events as they happen until the run settles (final, blocked, deleted), the
 * timeout passes or Ctrl-C; the result is `launch --wait`'s, for the same exit codes. A follow that
 * fails (the platform refused the stream) is reported on stderr; the wait still decides the end.
 */
export async function followUntilSettled(
  ctx: CliContext,
  runtime: Runtime,
  runId: string,
  o: FollowUntilSettledOptions,
): Promise<WaitResult> {
  const follow = new AbortController();
  const stop = () => follow.abort();
  ctx.signal.addEventListener('abort', stop, { once: true });
  let settledShown = false;
  let onSettled: () => void = () => {};
  const reading = (async () => {
    const events = followRunEvents(runtime, runId, {
      afterId: o.afterId,
      signal: follow.signal,
      token: ctx.env.AGENTHOOKS_TOKEN?.trim() || null,
      onSource: o.onSource,
    });
    for await (const e of events) {
      o.onEvent(e);
      settledShown = SETTLING.has(e.type);
      if (settledShown) onSettled();
    }
  })().catch((err: unknown) => {
    if (!follow.signal.aborted)
      ctx.stderr.write(`could not follow the events of ${runId}: ${(err as Error).message}\n`);
  });
  try {
    const { store, platform, clock, logger, effects } = runtime;
    const result = await waitForRun({ store, platform, clock, logger, effects }, runId, {
      timeoutMs: o.timeoutMs,
      signal: ctx.signal,
    });
    const settled = result.end === 'final' || result.end === 'blocked' || result.end === 'deleted';
    if (settled && !settledShown) {
      const drained = new Promise<void>((r) => (onSettled = r));
      await Promise.race([
        drained,
        reading,
        sleep(DRAIN_MS, undefined, { signal: follow.signal }).catch(() => {}),
      ]);
    }
    return result;
  } finally {
    ctx.signal.removeEventListener('abort', stop);
    follow.abort();
    await reading;
  }
}

export interface TranscriptFollowFlags {
  database?: string;
  config?: string;
  json?: boolean;
  ndjson?: boolean;
  timeout?: string;
  apiKey?: string;
  baseUrl?: string;
}

/**
 * `transcript RUN --follow`: every event of the session from the first (or NDJSON with --ndjson),
 * then each as it happens, until the run settles; exit codes as `launch --wait`. Needs no API key
 * while a serve works on the store (its stream is read), else follows the platform itself.
 */
export async function followTranscript(
  ctx: CliContext,
  runId: string,
  flags: TranscriptFollowFlags,
  format: (event: SessionEvent) => string,
): Promise<number> {
  if (flags.json)
    throw new AppError(
      'usage',
      '--follow prints events as they happen: use --ndjson (one JSON event per line) instead of --json.',
    );
  const timeoutMs = flags.timeout !== undefined ? parseDuration(flags.timeout, '--timeout') : undefined;
  return withStore(ctx, flags.database, { create: false }, async (store) => {
    if (!(await store.getRun(runId)))
      throw new AppError(
        'run_not_found',
        `No run ${runId} is stored. List runs with \`npx agenthooks runs\` (a session started elsewhere appears once serve has seen it).`,
      );
    const platform = resolvePlatform(flags, ctx.env).apiKey
      ? platformFor(ctx, flags, 'transcript --follow reads the session stream').platform
      : null;
    const runtime = createRuntime({
      store,
      platform,
      clock: ctx.clock,
      logger: createLogger({ level: resolveLogLevel(ctx.env, 'warn'), destination: ctx.stderr }),
      configFile: loadConfigFile(flags.config, ctx.cwd),
    });
    const result = await followUntilSettled(ctx, runtime, runId, {
      timeoutMs,
      onEvent: (e) => ctx.stdout.write(flags.ndjson ? `${JSON.stringify(e)}\n` : format(e)),
      onSource: (via, url) =>
        print(
          ctx.stderr,
          via === 'serve' ? `following through serve at ${url}` : 'following the platform stream',
        ),
    });
    return report(ctx, platform, result, false, false);
  });
}
