// Every knob of the simulator in one place, with the defaults the CLI documents.
import type { Clock } from '../clock.js';

export const SCENARIOS = [
  'success',
  'retries_exhausted',
  'refusal',
  'budget_reached',
  'requires_action',
  'terminated',
  'outcome_revise_then_satisfied',
  'outcome_max_iterations',
  'outcome_failed',
  'multiagent',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export function isScenario(value: string): value is Scenario {
  return (SCENARIOS as readonly string[]).includes(value);
}

/** Timers, injectable so that tests or a demo can drive time themselves. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Simulated work must never keep a finished test or CLI process alive.
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface WebhookEndpointOption {
  url: string;
  /** Subscribed `data.type` values; empty or absent means all. */
  types?: string[];
}

export interface DeliveryFaults {
  duplicateRate: number;
  reorderRate: number;
  reorderWindowMs: number;
  dropRate: number;
  attemptFailureRate: number;
  delayMs: number;
  badSignatureRate: number;
  clockSkewS: number;
}

export interface ApiFaults {
  errorRate: number;
  rate429: number;
  latencyMs: number;
  readRpm: number;
  createRpm: number;
  /** Cuts every event stream after it has sent this many events (0: never), to test reconnects. */
  streamDropAfter: number;
}

export interface SimulatorOptions {
  host?: string;
  /** 0 picks a free port (tests); the CLI default is 8790. */
  port?: number;
  /** Accepted API keys; empty means any non-empty key. */
  apiKeys?: string[];
  seed?: number;
  /** Multiplies every simulated duration and delivery delay (0.01 makes a 5 s backoff 50 ms). */
  timeScale?: number;
  scenario?: Scenario;
  /** Simulated run time of one turn, before scaling. */
  durationMs?: number;
  webhooks?: Array<string | WebhookEndpointOption>;
  signingKey?: string;
  /** A second key: while set, each delivery carries two signatures (old key, new key). */
  rotateSigningKey?: string;
  faults?: Partial<DeliveryFaults>;
  api?: Partial<ApiFaults>;
  /** Attempt timeout for one delivery, in real milliseconds. */
  deliveryTimeoutMs?: number;
  organizationId?: string;
  workspaceId?: string;
  clock?: Clock;
  timers?: Timers;
}

export const DEFAULT_FAULTS: DeliveryFaults = {
  duplicateRate: 0,
  reorderRate: 0,
  reorderWindowMs: 5_000,
  dropRate: 0,
  attemptFailureRate: 0,
  delayMs: 0,
  badSignatureRate: 0,
  clockSkewS: 0,
};

export const DEFAULT_API: ApiFaults = {
  errorRate: 0,
  rate429: 0,
  latencyMs: 0,
  readRpm: 1200,
  createRpm: 300,
  streamDropAfter: 0,
};

export const DEFAULT_PORT = 8790;
export const DEFAULT_DURATION_MS = 3_000;
