// The tool calls a blocked run waits for, for its run page. Live pages re-render on every store
// change, so each open tab would otherwise ask the platform again each time: a run's list is kept
// while its stored version stays the same (a new snapshot is what can change it), and read again at
// most once a minute after a failed read.
import type { PendingToolUse, Platform } from '../platform/types.js';
import type { Run } from '../store/types.js';
import { perServer, RecentMap } from './recent.js';

const RETRY_AFTER_MS = 60_000;
/** Runs remembered at most (oldest dropped first). */
const MAX_REMEMBERED = 200;

type Kept = { version: number; at: number; tools: PendingToolUse[] | null };

export class PendingTools {
  private readonly kept = new RecentMap<Kept>(MAX_REMEMBERED);

  constructor(
    private readonly platform: Platform,
    private readonly now: () => number,
  ) {}

  /** The run's pending tool calls; null when it is not blocked or the platform could not say. */
  async of(run: Run): Promise<PendingToolUse[] | null> {
    if (run.status !== 'blocked') return null;
    const held = this.kept.get(run.id);
    const fresh =
      held?.version === run.version && (held.tools !== null || this.now() - held.at < RETRY_AFTER_MS);
    if (held && fresh) return held.tools;
    let tools: PendingToolUse[] | null;
    try {
      tools = await this.platform.pendingToolUses(run.id);
    } catch {
      // The panel still shows the command that answers the run; the tool names wait for a later read.
      tools = null;
    }
    this.kept.set(run.id, { version: run.version, at: this.now(), tools });
    return tools;
  }
}

/** The one PendingTools of a server (keyed by its deps object), or null without a platform. */
export const pendingToolsOf = perServer(
  (deps: { platform?: Platform | null; clock: { now(): number } }): PendingTools | null =>
    deps.platform ? new PendingTools(deps.platform, () => deps.clock.now()) : null,
);
