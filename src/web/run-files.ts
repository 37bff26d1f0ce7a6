// A run's output files for the run page and /api/runs/:id/files, without turning every open tab
// into Files API traffic: live pages re-render on every store change, and each render used to list
// the files again. A final run's list is kept in the store (it no longer changes once it has had
// time to appear), and any run's list is read from the platform at most once a minute.
import type { Clock } from '../clock.js';
import type { Platform, PlatformFile } from '../platform/types.js';
import { isFinal } from '../runs/state.js';
import type { MetaStore, Run } from '../store/types.js';
import { perServer, RecentMap } from './recent.js';

/** At most one Files API read per run in this window. */
export const FILES_READ_INTERVAL_MS = 60_000;
/** Files appear a few seconds after the session goes idle: an empty list is kept only after this. */
const SETTLE_MS = 60_000;
/** Runs remembered in memory at most (oldest dropped first). */
const MAX_REMEMBERED = 1000;
const META_PREFIX = 'run.files.';

type Read = { at: number; files: PlatformFile[] } | { at: number; error: unknown };

export class RunFiles {
  private readonly recent = new RecentMap<Read>(MAX_REMEMBERED);

  constructor(
    private readonly platform: Platform,
    private readonly meta: MetaStore,
    private readonly clock: Clock,
  ) {}

  /** The run's files; throws the platform's error when the last read (within the minute) failed. */
  async list(run: Run): Promise<PlatformFile[]> {
    const kept = await this.meta.getMeta(META_PREFIX + run.id);
    if (kept !== null) return JSON.parse(kept) as PlatformFile[];
    const now = this.clock.now();
    let read = this.recent.get(run.id);
    if (!read || now - read.at >= FILES_READ_INTERVAL_MS) {
      read = await this.read(run.id, now);
      this.recent.set(run.id, read);
      if ('files' in read && this.settled(run, read.files, now))
        await this.meta.setMeta(META_PREFIX + run.id, JSON.stringify(read.files));
    }
    if ('error' in read) throw read.error;
    return read.files;
  }

  private async read(runId: string, at: number): Promise<Read> {
    try {
      return { at, files: await this.platform.listFiles(runId) };
    } catch (err) {
      return { at, error: err };
    }
  }

  /** A final run's list is kept for good once it has files, or once files had time to appear. */
  private settled(run: Run, files: PlatformFile[], now: number): boolean {
    if (!isFinal(run.status)) return false;
    return files.length > 0 || (run.finishedAt !== null && now - run.finishedAt >= SETTLE_MS);
  }
}

/** The one RunFiles of a server (keyed by its deps object), or null without a platform. */
export const runFilesOf = perServer(
  (deps: { platform?: Platform | null; store: MetaStore; clock: Clock }): RunFiles | null =>
    deps.platform ? new RunFiles(deps.platform, deps.store, deps.clock) : null,
);
