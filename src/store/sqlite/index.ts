// The SQLite Store: a thin async proxy on the main thread over the writer thread (thread.ts),
// which owns the connection. Each call posts {id, method, args} and resolves on the reply, so an
// fsync or a busy wait on the file never stalls the event loop (DESIGN.md semantics 1 and 7).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type {
  DeploymentRunRecord,
  EventOutcome,
  EventQuery,
  IngestStats,
  InsertResult,
  InsightQuery,
  Launch,
  LaunchPatch,
  LaunchState,
  MetricCounts,
  NewEvent,
  OutboxAttempt,
  OutboxMessage,
  PruneResult,
  RejectCount,
  Run,
  RunCell,
  RunChange,
  RunHistoryEntry,
  RunQuery,
  SkippedStepCount,
  Store,
  StoredEvent,
  StoredTranscript,
} from '../types.js';
import { toAppError } from './failure.js';
import {
  type CallMessage,
  eventRows,
  type ReplyMessage,
  type ThreadApi,
  type ThreadInit,
  type ThreadMethod,
} from './protocol.js';

export interface SqliteStoreOptions {
  create: boolean;
  logger: Logger;
}

/** The compiled thread file next to this module, or under dist/ when running from src/ (vitest). */
export function threadUrl(): URL {
  const here = new URL('./thread.js', import.meta.url);
  if (existsSync(here)) return here;
  const p = fileURLToPath(here);
  const i = p.lastIndexOf('/src/');
  const dist = i >= 0 ? `${p.slice(0, i)}/dist/${p.slice(i + 5)}` : p;
  if (!existsSync(dist)) {
    throw new AppError(
      'store_error',
      `The SQLite writer thread ${dist} is missing; run \`npm run build\` first.`,
    );
  }
  return pathToFileURL(dist);
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly location: string;
  private readonly worker: Worker;
  private readonly logger: Logger;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: AppError | null = null;
  private closing: Promise<void> | null = null;
  private readonly stats: IngestStats = { transactions: 0, inserted: 0, duplicates: 0 };

  /** Use openSqliteStore: it waits for the thread to open and migrate the file. */
  constructor(file: string, worker: Worker, logger: Logger) {
    this.location = file;
    this.worker = worker;
    this.logger = logger;
    worker.on('message', (m: ReplyMessage) => this.onReply(m));
    worker.on('error', (err) =>
      this.fail(
        new AppError('store_unavailable', `The SQLite writer thread crashed: ${err.message}.`, {
          cause: err,
        }),
      ),
    );
    worker.on('exit', (code) => {
      if (!this.closing)
        this.fail(new AppError('store_unavailable', `The SQLite writer thread exited (code ${code}).`));
    });
    // An idle store does not keep the process alive; a call in flight does (see call()).
    worker.unref();
  }

  private onReply(m: ReplyMessage): void {
    if (m.id === 0) return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker.unref();
    if ('ok' in m && m.ok) p.resolve(m.value);
    else if ('error' in m) p.reject(toAppError(this.location, m.error));
  }

  private fail(err: AppError): void {
    if (this.dead) return;
    this.dead = err;
    this.logger.error({ err: err.message }, 'sqlite store unavailable');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** One typed request to the writer thread: the Store methods below are made of it, and
   * test-support.ts uses it for the writer probes. */
  call<K extends ThreadMethod>(
    method: K,
    ...args: Parameters<ThreadApi[K]>
  ): Promise<ReturnType<ThreadApi[K]>> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.closing)
      return Promise.reject(
        new AppError('store_unavailable', `The SQLite store ${this.location} is closed.`),
      );
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      // The method and its arguments correspond (the signature says so); TS cannot follow a
      // generic key into the union, hence the assertion.
      const msg = { id, method, args } as CallMessage;
      this.worker.postMessage(msg);
    });
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        if (!this.dead) {
          const id = this.nextId++;
          // Calls already posted are answered before 'close' (the thread handles them in order).
          await new Promise<void>((resolve) => {
            this.worker.ref();
            this.pending.set(id, { resolve: () => resolve(), reject: () => resolve() });
            this.worker.postMessage({ id, method: 'close', args: [] } satisfies CallMessage);
          });
        }
        await this.worker.terminate();
      })();
    }
    return this.closing;
  }

  ping(): Promise<void> {
    return this.call('ping');
  }

  async insertEvents(events: NewEvent[]): Promise<InsertResult[]> {
    if (events.length === 0) return [];
    const duplicates = await this.call('insertEvents', eventRows(events));
    this.stats.transactions += 1;
    const results = new Array<InsertResult>(events.length);
    for (let i = 0; i < events.length; i++) {
      const duplicate = duplicates[i] === true;
      if (duplicate) this.stats.duplicates += 1;
      else this.stats.inserted += 1;
      results[i] = { id: events[i].id, duplicate };
    }
    return results;
  }

  addRejects(rows: RejectCount[]): Promise<void> {
    return this.call('addRejects', rows);
  }

  listRejects(since: number): Promise<RejectCount[]> {
    return this.call('listRejects', since);
  }

  ingestStats(): IngestStats {
    return { ...this.stats };
  }

  getEvent(id: string): Promise<StoredEvent | null> {
    return this.call('getEvent', id);
  }

  listEvents(query: EventQuery): Promise<StoredEvent[]> {
    return this.call('listEvents', query);
  }

  countEvents(query: Omit<EventQuery, 'before' | 'after' | 'limit'>): Promise<number> {
    return this.call('countEvents', query);
  }

  claimEvents(opts: { owner: string; limit: number; now: number; leaseMs: number }): Promise<StoredEvent[]> {
    return this.call('claimEvents', opts);
  }

  finishEvent(id: string, owner: string, outcome: EventOutcome, now: number): Promise<void> {
    return this.call('finishEvent', id, owner, outcome, now);
  }

  requeueEvents(ids: string[], now: number): Promise<number> {
    return this.call('requeueEvents', ids, now);
  }

  getRun(id: string): Promise<Run | null> {
    return this.call('getRun', id);
  }

  listRuns(query: RunQuery): Promise<Run[]> {
    return this.call('listRuns', query);
  }

  countRuns(query: Omit<RunQuery, 'before' | 'offset' | 'limit'>): Promise<number> {
    return this.call('countRuns', query);
  }

  saveRun(change: RunChange): Promise<boolean> {
    return this.call('saveRun', change);
  }

  runHistory(id: string): Promise<RunHistoryEntry[]> {
    return this.call('runHistory', id);
  }

  runsToReconcile(limit: number): Promise<Run[]> {
    return this.call('runsToReconcile', limit);
  }

  markRunChecked(id: string, at: number): Promise<void> {
    return this.call('markRunChecked', id, at);
  }

  createLaunch(launch: Launch): Promise<{ launch: Launch; created: boolean }> {
    return this.call('createLaunch', launch);
  }

  updateLaunch(id: string, patch: LaunchPatch, now: number): Promise<void> {
    return this.call('updateLaunch', id, patch, now);
  }

  getLaunch(id: string): Promise<Launch | null> {
    return this.call('getLaunch', id);
  }

  listLaunches(query: { state?: LaunchState; parentRunId?: string; limit?: number }): Promise<Launch[]> {
    return this.call('listLaunches', query);
  }

  claimOutbox(opts: { now: number; limit: number }): Promise<OutboxMessage[]> {
    return this.call('claimOutbox', opts);
  }

  finishOutbox(id: string, outcome: OutboxAttempt, now: number): Promise<void> {
    return this.call('finishOutbox', id, outcome, now);
  }

  listOutbox(query: { state?: OutboxMessage['state']; limit?: number }): Promise<OutboxMessage[]> {
    return this.call('listOutbox', query);
  }

  getOutbox(id: string): Promise<OutboxMessage | null> {
    return this.call('getOutbox', id);
  }

  retryOutbox(id: string, now: number): Promise<boolean> {
    return this.call('retryOutbox', id, now);
  }

  saveDeploymentRun(run: DeploymentRunRecord): Promise<void> {
    return this.call('saveDeploymentRun', run);
  }

  listDeploymentRuns(query: { failed?: boolean; limit?: number }): Promise<DeploymentRunRecord[]> {
    return this.call('listDeploymentRuns', query);
  }

  prune(opts: { before: number; dryRun: boolean }): Promise<PruneResult> {
    return this.call('prune', opts);
  }

  metricCounts(): Promise<MetricCounts> {
    return this.call('metricCounts');
  }

  runCells(query: InsightQuery): Promise<RunCell[]> {
    return this.call('runCells', query);
  }

  skippedSteps(query: Omit<InsightQuery, 'agent'>): Promise<SkippedStepCount[]> {
    return this.call('skippedSteps', query);
  }

  getMeta(key: string): Promise<string | null> {
    return this.call('getMeta', key);
  }

  setMeta(key: string, value: string): Promise<void> {
    return this.call('setMeta', key, value);
  }

  tryLease(name: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    return this.call('tryLease', name, owner, now, ttlMs);
  }

  saveTranscript(transcript: StoredTranscript): Promise<void> {
    return this.call('saveTranscript', transcript);
  }

  getTranscript(runId: string): Promise<StoredTranscript | null> {
    return this.call('getTranscript', runId);
  }
}

export async function openSqliteStore(file: string, options: SqliteStoreOptions): Promise<SqliteStore> {
  if (!options.create && !existsSync(file)) {
    throw new AppError(
      'store_not_found',
      `No agenthooks database at ${file}. Start the receiver with \`agenthooks serve\` (it creates the database), or point --database / DATABASE_URL at an existing one.`,
    );
  }
  const init: ThreadInit = { file, create: options.create };
  // The thread is plain compiled JS: it needs none of the parent's entry flags, and some
  // (--input-type with -e) make a Worker fail to start.
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type') && !a.startsWith('--eval'));
  const worker = new Worker(threadUrl(), { workerData: init, execArgv });
  const ready = await new Promise<ReplyMessage>((resolve, reject) => {
    const onMessage = (m: ReplyMessage) => {
      if (m.id !== 0) return;
      cleanup();
      resolve(m);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(
        new AppError('store_error', `The SQLite writer thread failed to start: ${err.message}.`, {
          cause: err,
        }),
      );
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new AppError('store_error', `The SQLite writer thread exited during start (code ${code}).`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
  if ('ready' in ready && !ready.ready) {
    await worker.terminate();
    throw toAppError(file, ready.error);
  }
  if ('applied' in ready && ready.applied.length > 0) {
    options.logger.info({ database: file, migrations: ready.applied }, 'sqlite schema migrated');
  }
  return new SqliteStore(file, worker, options.logger);
}
