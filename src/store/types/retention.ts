// Retention: `prune` removes what is old, keeping every event id so that dedupe still holds.

/** What `prune` removed (or, with dryRun, would remove). */
export interface PruneResult {
  /** Events whose raw payload was cleared (their ids stay, so dedupe holds). */
  payloads: number;
  runHistory: number;
  /** Delivered or failed notifications deleted. */
  outbox: number;
  rejects: number;
}

export interface RetentionStore {
  /** Clears raw payloads of settled events received before `before` (ids stay: dedupe holds),
   * deletes run history, settled outbox rows and reject counts older than it. One transaction. */
  prune(opts: { before: number; dryRun: boolean }): Promise<PruneResult>;
}
