// The webhook sender: thin BetaWebhookEvent payloads, Standard Webhooks signatures, the platform's
// retry rule (3 attempts, jittered 5-120 s backoff, then a silent drop), auto-disable on 3xx, and
// seeded faults. Every decision is a pure function of (seed, event id, endpoint, copy, attempt),
// so the same seed produces the same delivery log however the deliveries interleave.
import type { BetaWebhookEvent } from '@anthropic-ai/sdk/resources/beta/webhooks';
import type { Clock } from '../clock.js';
import { signedHeaders } from '../webhooks/sign.js';
import type { IdSource } from './ids.js';
import type { DeliveryFaults, Timers, WebhookEndpointOption } from './options.js';
import { chance, tokenFor, unitFor } from './rng.js';

export const MAX_ATTEMPTS = 3;
export const BACKOFF_MIN_S = 5;
export const BACKOFF_MAX_S = 120;

export type DeliveryFault = 'dropped' | 'attempt_lost' | 'bad_signature' | 'endpoint_disabled' | null;

export interface DeliveryRecord {
  event_id: string;
  type: string;
  endpoint: string;
  /** 1..3; 0 for an event that never got an attempt (dropped, endpoint disabled). */
  attempt: number;
  /** 1, or 2 for the extra copy of a duplicated event. */
  copy: number;
  /** HTTP status, or null when nothing was answered (lost attempt, network error, never sent). */
  status: number | null;
  fault: DeliveryFault;
  /** What happened next: delivered, retry scheduled, dropped for good, endpoint disabled, not sent. */
  outcome: 'delivered' | 'retry' | 'dropped' | 'disabled' | 'not_sent';
  /** Unscaled wait before this attempt (initial delay for attempt 1, backoff for 2 and 3), in ms. */
  wait_ms: number;
  error?: string;
  at: string;
}

export interface EndpointState {
  url: string;
  types: string[];
  state: 'enabled' | 'disabled';
  disabled_reason: string;
}

export interface DeliveryCounters {
  emitted: number;
  attempts: number;
  delivered: number;
  failed_attempts: number;
  dropped_after_retries: number;
  auto_disabled: number;
  not_sent_disabled: number;
  faults: {
    duplicate: number;
    reorder: number;
    drop: number;
    attempt_failure: number;
    bad_signature: number;
    delay: number;
    clock_skew: number;
    rotation: number;
  };
}

export interface DelivererOptions {
  seed: number;
  endpoints: WebhookEndpointOption[];
  signingKey: string;
  rotateSigningKey?: string;
  faults: DeliveryFaults;
  timeScale: number;
  clock: Clock;
  timers: Timers;
  ids: IdSource;
  organizationId: string;
  workspaceId: string;
  timeoutMs: number;
}

export type WebhookData = BetaWebhookEvent['data'];

/** An event's data beyond its subject's id and the organization and workspace, which emit fills in. */
export type WebhookDetail = WebhookData extends infer D
  ? D extends { workspace_id: string }
    ? Omit<D, 'id' | 'organization_id' | 'workspace_id'>
    : never
  : never;

/** Sends one signed body; the shared primitive of the deliverer and `simulator send`. */
export async function postSigned(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'agenthooks-simulator', ...headers },
    body,
    // A redirect is an answer to record (it disables the endpoint), never something to follow.
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text().catch(() => '');
  return { status: res.status, text };
}

export class Deliverer {
  private readonly records: DeliveryRecord[] = [];
  private readonly endpointStates: EndpointState[];
  private readonly handles = new Set<unknown>();
  private inFlight = 0;
  private waiters: Array<() => void> = [];
  private closed = false;
  readonly counters: DeliveryCounters = {
    emitted: 0,
    attempts: 0,
    delivered: 0,
    failed_attempts: 0,
    dropped_after_retries: 0,
    auto_disabled: 0,
    not_sent_disabled: 0,
    faults: {
      duplicate: 0,
      reorder: 0,
      drop: 0,
      attempt_failure: 0,
      bad_signature: 0,
      delay: 0,
      clock_skew: 0,
      rotation: 0,
    },
  };

  constructor(private readonly o: DelivererOptions) {
    this.endpointStates = o.endpoints.map((e) => ({
      url: e.url,
      types: e.types ?? [],
      state: 'enabled',
      disabled_reason: '',
    }));
  }

  /** Registers an endpoint at run time (e.g. a receiver whose port is known only after start). */
  addEndpoint(e: WebhookEndpointOption): void {
    this.endpointStates.push({ url: e.url, types: e.types ?? [], state: 'enabled', disabled_reason: '' });
  }

  endpoints(): EndpointState[] {
    return this.endpointStates.map((e) => ({ ...e, types: [...e.types] }));
  }

  log(): DeliveryRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  /** Builds the thin event and queues it for every subscribed endpoint. */
  emit(detail: WebhookDetail, subjectId: string): BetaWebhookEvent {
    const { type } = detail;
    const data: WebhookData = {
      ...detail,
      id: subjectId,
      organization_id: this.o.organizationId,
      workspace_id: this.o.workspaceId,
    };
    const event: BetaWebhookEvent = {
      type: 'event',
      id: this.o.ids.next('whe', subjectId),
      created_at: new Date(this.o.clock.now()).toISOString(),
      data,
    };
    this.counters.emitted += 1;
    const body = JSON.stringify(event);
    this.endpointStates.forEach((ep, index) => {
      if (ep.types.length > 0 && !ep.types.includes(type)) return;
      this.route(event, body, ep, index);
    });
    return event;
  }

  /** Resolves when no delivery is scheduled or in flight. */
  async idle(): Promise<void> {
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const h of this.handles) this.o.timers.clearTimeout(h);
    this.handles.clear();
    this.inFlight = 0;
    this.flushWaiters();
  }

  private route(event: BetaWebhookEvent, body: string, ep: EndpointState, index: number): void {
    const f = this.o.faults;
    const seed = this.o.seed;
    if (ep.state === 'disabled') {
      // Events emitted while an endpoint is disabled are never replayed (reference 6.2).
      this.counters.not_sent_disabled += 1;
      this.record(event, ep, {
        attempt: 0,
        copy: 1,
        status: null,
        fault: 'endpoint_disabled',
        outcome: 'not_sent',
        wait_ms: 0,
      });
      return;
    }
    if (chance(seed, f.dropRate, 'drop', event.id, index)) {
      this.counters.faults.drop += 1;
      this.record(event, ep, {
        attempt: 0,
        copy: 1,
        status: null,
        fault: 'dropped',
        outcome: 'not_sent',
        wait_ms: 0,
      });
      return;
    }
    const copies = chance(seed, f.duplicateRate, 'duplicate', event.id, index) ? 2 : 1;
    if (copies === 2) this.counters.faults.duplicate += 1;
    let wait = f.delayMs;
    if (f.delayMs > 0) this.counters.faults.delay += 1;
    if (f.reorderWindowMs > 0 && chance(seed, f.reorderRate, 'reorder', event.id, index)) {
      // Holding an event back for a random part of the window lets later events overtake it.
      this.counters.faults.reorder += 1;
      wait += Math.round(unitFor(seed, 'reorder-wait', event.id, index) * f.reorderWindowMs);
    }
    for (let copy = 1; copy <= copies; copy++) {
      // The second copy follows shortly after the first, as a real duplicate would.
      this.schedule(wait + (copy - 1) * 10, () => this.attempt(event, body, ep, index, copy, 1, wait));
    }
  }

  private schedule(unscaledMs: number, fn: () => Promise<void>): void {
    if (this.closed) return;
    this.inFlight += 1;
    const handle = this.o.timers.setTimeout(
      () => {
        this.handles.delete(handle);
        fn()
          .catch(() => undefined)
          .finally(() => {
            this.inFlight = Math.max(0, this.inFlight - 1);
            if (this.inFlight === 0) this.flushWaiters();
          });
      },
      Math.max(0, unscaledMs * this.o.timeScale),
    );
    this.handles.add(handle);
  }

  private flushWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Unscaled backoff before attempt `next` (2 or 3): exponential from 5 s, jittered, within 5-120 s. */
  backoffMs(eventId: string, index: number, copy: number, next: number): number {
    const base = BACKOFF_MIN_S * 4 ** (next - 2);
    const jittered = base * (1 + unitFor(this.o.seed, 'backoff', eventId, index, copy, next));
    return Math.round(Math.min(BACKOFF_MAX_S, Math.max(BACKOFF_MIN_S, jittered)) * 1000);
  }

  private async attempt(
    event: BetaWebhookEvent,
    body: string,
    ep: EndpointState,
    index: number,
    copy: number,
    attempt: number,
    waitMs: number,
  ): Promise<void> {
    if (this.closed) return;
    const f = this.o.faults;
    const seed = this.o.seed;
    if (ep.state === 'disabled') {
      this.counters.not_sent_disabled += 1;
      this.record(event, ep, {
        attempt,
        copy,
        status: null,
        fault: 'endpoint_disabled',
        outcome: 'not_sent',
        wait_ms: waitMs,
      });
      return;
    }
    this.counters.attempts += 1;
    let status: number | null = null;
    let fault: DeliveryFault = null;
    let error: string | undefined;
    if (chance(seed, f.attemptFailureRate, 'lost', event.id, index, copy, attempt)) {
      // The attempt is lost on the way: the receiver never sees it and the sender sees a failure.
      fault = 'attempt_lost';
      this.counters.faults.attempt_failure += 1;
    } else {
      const skew = f.clockSkewS;
      if (skew !== 0) this.counters.faults.clock_skew += 1;
      const ts = Math.floor(this.o.clock.now() / 1000) + skew;
      let keys = [this.o.signingKey];
      if (this.o.rotateSigningKey) {
        keys = [this.o.signingKey, this.o.rotateSigningKey];
        this.counters.faults.rotation += 1;
      }
      if (chance(seed, f.badSignatureRate, 'badsig', event.id, index, copy, attempt)) {
        fault = 'bad_signature';
        this.counters.faults.bad_signature += 1;
        keys = [`whsec_${Buffer.from(tokenFor(seed, 32, 'wrong-key', event.id)).toString('base64')}`];
      }
      try {
        const res = await postSigned(ep.url, body, signedHeaders(keys, event.id, ts, body), this.o.timeoutMs);
        status = res.status;
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
    }
    if (this.closed) return;
    if (status !== null && status >= 200 && status < 300) {
      this.counters.delivered += 1;
      this.record(event, ep, { attempt, copy, status, fault, outcome: 'delivered', wait_ms: waitMs, error });
      return;
    }
    if (status !== null && status >= 300 && status < 400) {
      // A redirect disables the endpoint at once; nothing is retried or sent there afterwards.
      ep.state = 'disabled';
      ep.disabled_reason = 'auto-disabled: endpoint URL returned a redirect (3xx)';
      this.counters.auto_disabled += 1;
      this.record(event, ep, { attempt, copy, status, fault, outcome: 'disabled', wait_ms: waitMs, error });
      return;
    }
    this.counters.failed_attempts += 1;
    if (attempt >= MAX_ATTEMPTS) {
      this.counters.dropped_after_retries += 1;
      this.record(event, ep, { attempt, copy, status, fault, outcome: 'dropped', wait_ms: waitMs, error });
      return;
    }
    this.record(event, ep, { attempt, copy, status, fault, outcome: 'retry', wait_ms: waitMs, error });
    const backoff = this.backoffMs(event.id, index, copy, attempt + 1);
    this.schedule(backoff, () => this.attempt(event, body, ep, index, copy, attempt + 1, backoff));
  }

  private record(
    event: BetaWebhookEvent,
    ep: EndpointState,
    r: Omit<DeliveryRecord, 'event_id' | 'type' | 'endpoint' | 'at'>,
  ): void {
    this.records.push({
      event_id: event.id,
      type: event.data.type,
      endpoint: ep.url,
      ...r,
      ...(r.error === undefined ? {} : { error: r.error }),
      at: new Date(this.o.clock.now()).toISOString(),
    });
  }
}
