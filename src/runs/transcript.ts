// A run's transcript: every event of its session, in order. A final run's events no longer change,
// so the first read lists them through the platform (paged, all of them) and stores them; every
// later read comes from the store, and a final run's transcript costs the platform one listing,
// ever. Caching is the one write a transcript makes; a run that is not final is listed each time.
import { AppError } from '../errors.js';
import type { Platform, SessionEvent } from '../platform/types.js';
import type { Run, TranscriptStore } from '../store/types.js';
import { isFinal } from './state.js';

/** What keeps one cached row bounded, whatever the session did. */
export interface TranscriptLimits {
  /** Events kept per run (the first ones; the rest are counted, not kept). */
  maxEvents: number;
  /** Bytes of JSON per event; longer strings inside a larger event are cut to fit. */
  maxEventBytes: number;
  /** Bytes of JSON for the whole run; events past it are counted, not kept. */
  maxTotalBytes: number;
}

export const TRANSCRIPT_LIMITS: TranscriptLimits = {
  maxEvents: 10_000,
  maxEventBytes: 64 * 1024,
  maxTotalBytes: 16 * 1024 * 1024,
};

export interface Transcript {
  runId: string;
  /** The events, oldest first, as the SDK types them (a cut string ends with a note saying so). */
  events: SessionEvent[];
  /** Events the platform listed; more than `events` holds when the cache cut some. */
  eventCount: number;
  truncated: boolean;
  source: 'cache' | 'platform';
  /** The run has ended: these are all the events its turn will have. */
  final: boolean;
  /** Why caching a final run's events failed (the events are still returned); null otherwise. */
  cacheError: string | null;
}

export interface TranscriptDeps {
  store: TranscriptStore;
  /** Null without an API key: then only cached transcripts can be read. */
  platform: Pick<Platform, 'listSessionEvents'> | null;
  clock: { now(): number };
  limits?: TranscriptLimits;
}

/** The run's cached transcript for its current turn, or null (none, an older turn, unreadable). */
export async function cachedTranscript(store: TranscriptStore, run: Run): Promise<Transcript | null> {
  const row = await store.getTranscript(run.id);
  if (!row || row.turn !== run.turn) return null;
  let events: unknown;
  try {
    events = JSON.parse(row.eventsJson);
  } catch {
    return null;
  }
  if (!Array.isArray(events)) return null;
  return {
    runId: run.id,
    events: events as SessionEvent[],
    eventCount: row.eventCount,
    truncated: row.truncated,
    source: 'cache',
    final: true,
    cacheError: null,
  };
}

/** From the cache when it holds the run's current turn; otherwise listed (and cached when final). */
export async function transcriptFor(deps: TranscriptDeps, run: Run): Promise<Transcript> {
  const cached = await cachedTranscript(deps.store, run);
  if (cached) return cached;
  if (!deps.platform)
    throw new AppError(
      'api_key_required',
      `The transcript of ${run.id} is not stored yet; set ANTHROPIC_API_KEY (or --api-key) to read it from the platform.`,
    );
  const listed: SessionEvent[] = [];
  for await (const e of deps.platform.listSessionEvents(run.id)) listed.push(e);
  const final = isFinal(run.status);
  if (!final)
    return {
      runId: run.id,
      events: listed,
      eventCount: listed.length,
      truncated: false,
      source: 'platform',
      final,
      cacheError: null,
    };
  // A final run shows what the cache holds from now on, so the first read shows the same.
  const bounded = boundEvents(listed, deps.limits ?? TRANSCRIPT_LIMITS);
  let cacheError: string | null = null;
  try {
    await deps.store.saveTranscript({
      runId: run.id,
      turn: run.turn,
      eventsJson: bounded.json,
      eventCount: listed.length,
      truncated: bounded.truncated,
      storedAt: deps.clock.now(),
    });
  } catch (err) {
    cacheError = err instanceof Error ? err.message : String(err);
  }
  return {
    runId: run.id,
    events: bounded.events,
    eventCount: listed.length,
    truncated: bounded.truncated,
    source: 'platform',
    final,
    cacheError,
  };
}

/** The events within the limits, as kept and as the JSON array text the store holds. */
export function boundEvents(
  events: readonly SessionEvent[],
  limits: TranscriptLimits,
): { events: SessionEvent[]; json: string; truncated: boolean } {
  const kept: SessionEvent[] = [];
  const parts: string[] = [];
  let total = 2;
  let truncated = events.length > limits.maxEvents;
  for (const e of events.slice(0, limits.maxEvents)) {
    let json = JSON.stringify(e);
    let event = e;
    if (Buffer.byteLength(json) > limits.maxEventBytes) {
      event = shrinkEvent(e, limits.maxEventBytes);
      json = JSON.stringify(event);
      truncated = true;
    }
    const bytes = Buffer.byteLength(json) + 1;
    if (total + bytes > limits.maxTotalBytes) {
      truncated = true;
      break;
    }
    total += bytes;
    kept.push(event);
    parts.push(json);
  }
  return { events: kept, json: `[${parts.join(',')}]`, truncated };
}

/** The event with its long strings cut until its JSON fits `maxBytes`; its shape stays the SDK's. */
function shrinkEvent(e: SessionEvent, maxBytes: number): SessionEvent {
  for (let keep = Math.floor(maxBytes / 2); keep >= 64; keep = Math.floor(keep / 2)) {
    const cut = cutStrings(e, keep) as SessionEvent;
    if (Buffer.byteLength(JSON.stringify(cut)) <= maxBytes) return cut;
  }
  // Too many fields to fit even with short strings: keep what identifies the event.
  const { id, type, processed_at } = e as { id: string; type: string; processed_at?: string | null };
  return { id, type, processed_at: processed_at ?? null } as SessionEvent;
}

function cutStrings(value: unknown, keep: number): unknown {
  if (typeof value === 'string')
    return value.length <= keep
      ? value
      : `${value.slice(0, keep)}… [${value.length - keep} more characters not stored by agenthooks]`;
  if (Array.isArray(value)) return value.map((v) => cutStrings(v, keep));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cutStrings(v, keep)]));
  return value;
}
