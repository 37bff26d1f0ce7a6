// The notification outbox: messages committed in the same transaction as a run change, then
// claimed and delivered by the notifier on whichever process gets them.

/** How long a claimed outbox message stays invisible to other claimers; a crashed notifier's
 * claims become due again after it. Part of the Store contract: both adapters use it. */
export const OUTBOX_CLAIM_MS = 60_000;

export const OUTBOX_STATES = ['pending', 'delivered', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export interface NewOutboxMessage {
  id: string;
  target: string;
  url: string;
  payload: string;
  createdAt: number;
}

export interface OutboxMessage extends NewOutboxMessage {
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  deliveredAt: number | null;
}

/** How a delivery attempt ended: delivered, or not (retry at nextAttemptAt, or give up when null). */
export type OutboxAttempt =
  | { delivered: true }
  | { delivered: false; error: string; nextAttemptAt: number | null };

/** New messages are written by RunStore.saveRun (RunChange.outbox), in the run change's transaction. */
export interface OutboxStore {
  claimOutbox(opts: { now: number; limit: number }): Promise<OutboxMessage[]>;
  finishOutbox(id: string, outcome: OutboxAttempt, now: number): Promise<void>;
  listOutbox(query: { state?: OutboxMessage['state']; limit?: number }): Promise<OutboxMessage[]>;
  getOutbox(id: string): Promise<OutboxMessage | null>;
  /** Makes a failed (or pending) message due now again; false when no such message or delivered. */
  retryOutbox(id: string, now: number): Promise<boolean>;
}
