// The one fetcher of a session's events, as a paged listing through the SDK. Transcripts, the
// stream's gap fill, the snapshot's scans and the pending tool calls all read events through here,
// so paging, ordering and the error mapping live in one place. (The live half, following the SSE
// stream, is session-stream.ts, which fills its gaps with this listing.)
import type Anthropic from '@anthropic-ai/sdk';
import type {
  BetaManagedAgentsSessionEvent,
  BetaManagedAgentsSessionEventType,
  EventListParams,
} from '@anthropic-ai/sdk/resources/beta/sessions/events';
import { platformCall } from './errors.js';

export interface ListSessionEventsOptions {
  /** processed_at order; `asc` (chronological) unless said. */
  order?: 'asc' | 'desc';
  /** Only these event types; all when omitted. */
  types?: readonly BetaManagedAgentsSessionEventType[];
  /** Only events processed at or after this ISO time (inclusive, so callers skip ids they hold). */
  since?: string | null;
  /** Events per request (the API caps it at 100). */
  pageSize?: number;
  /** Stop after this many pages; unbounded when omitted. */
  maxPages?: number;
}

/** One page of the listing: its events, and whether the platform holds more after it. */
export interface SessionEventPage {
  events: BetaManagedAgentsSessionEvent[];
  hasMore: boolean;
}

/**
 * The listing one page request at a time, for callers that decide per page whether to read on (a
 * snapshot stops at the page holding the turn's user event). Stops early when the consumer stops
 * iterating. Failures are platform_error (a 404 keeps its status for isNotFound).
 */
export async function* listSessionEventPages(
  client: Anthropic,
  sessionId: string,
  options: ListSessionEventsOptions = {},
): AsyncGenerator<SessionEventPage> {
  const params: EventListParams = { order: options.order ?? 'asc', limit: options.pageSize ?? 100 };
  if (options.types) params.types = [...options.types];
  if (options.since) params['created_at[gte]'] = options.since;
  const what = `list events of session ${sessionId}`;
  let page = await platformCall(what, () => client.beta.sessions.events.list(sessionId, params));
  for (let n = 1; ; n++) {
    const last = options.maxPages !== undefined && n >= options.maxPages;
    yield { events: page.data, hasMore: page.hasNextPage() };
    if (!page.hasNextPage() || last) return;
    const current = page;
    page = await platformCall(what, () => current.getNextPage());
  }
}

/**
 * Every matching event of the session, one page request at a time, in the platform's
 * processed_at order. Stops early when the consumer stops iterating. Failures are platform_error.
 */
export async function* listSessionEvents(
  client: Anthropic,
  sessionId: string,
  options: ListSessionEventsOptions = {},
): AsyncGenerator<BetaManagedAgentsSessionEvent> {
  for await (const page of listSessionEventPages(client, sessionId, options)) yield* page.events;
}
