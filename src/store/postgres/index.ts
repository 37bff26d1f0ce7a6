// The PostgreSQL Store: every method is a statement or a short transaction on a shared pool, so
// any number of `serve` replicas on one database share the dedupe, the claim queue (SKIP LOCKED,
// leases) and the reconciler lease (DESIGN.md semantics 7). When the server goes away, calls
// reject with store_unavailable; the pool reconnects by itself once it is back.
import pg from 'pg';
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
import { createDb, createPool, type Db } from './db.js';
import * as deploymentRuns from './deployment-runs.js';
import { toAppError } from './errors.js';
import * as events from './events.js';
import * as insight from './insight.js';
import * as launches from './launches.js';
import * as meta from './meta.js';
import * as metrics from './metrics.js';
import { migrate, readMigrations } from './migrate.js';
import * as outbox from './outbox.js';
import * as retention from './retention.js';
import * as runs from './runs.js';
import * as transcripts from './transcripts.js';

export interface PostgresStoreOptions {
  create: boolean;
  logger: Logger;
  /** Printable location (no password), used in messages and as `location`. */
  display: string;
  /** Pool size; 10 unless a caller needs more concurrent statements. */
  poolSize?: number;
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly location: string;
  private readonly db: Db;
  private closing: Promise<void> | null = null;
  private readonly stats: IngestStats = { transactions: 0, inserted: 0, duplicates: 0 };

  /** Use openPostgresStore: it checks the database and applies migrations first. */
  constructor(db: Db, display: string) {
    this.db = db;
    this.location = display;
  }

  /** The pool, for tests that need to observe connections. */
  get pool(): pg.Pool {
    return this.db.pool;
  }

  private open(): void {
    if (this.closing)
      throw new AppError('store_unavailable', `The PostgreSQL store ${this.location} is closed.`);
  }

  close(): Promise<void> {
    if (!this.closing) this.closing = this.db.pool.end();
    return this.closing;
  }

  async ping(): Promise<void> {
    this.open();
    await meta.ping(this.db, this.location);
  }

  async insertEvents(list: NewEvent[]): Promise<InsertResult[]> {
    this.open();
    if (list.length === 0) return [];
    const results = await events.insertEvents(this.db, list);
    this.stats.transactions += 1;
    for (const r of results) {
      if (r.duplicate) this.stats.duplicates += 1;
      else this.stats.inserted += 1;
    }
    return results;
  }

  async addRejects(rows: RejectCount[]): Promise<void> {
    this.open();
    await events.addRejects(this.db, rows);
  }

  async listRejects(since: number): Promise<RejectCount[]> {
    this.open();
    return events.listRejects(this.db, since);
  }

  ingestStats(): IngestStats {
    return { ...this.stats };
  }

  async getEvent(id: string): Promise<StoredEvent | null> {
    this.open();
    return events.getEvent(this.db, id);
  }

  async listEvents(query: EventQuery): Promise<StoredEvent[]> {
    this.open();
    return events.listEvents(this.db, query);
  }

  async countEvents(query: Omit<EventQuery, 'before' | 'after' | 'limit'>): Promise<number> {
    this.open();
    return events.countEvents(this.db, query);
  }

  async claimEvents(opts: {
    owner: string;
    limit: number;
    now: number;
    leaseMs: number;
  }): Promise<StoredEvent[]> {
    this.open();
    return events.claimEvents(this.db, opts);
  }

  async finishEvent(id: string, owner: string, outcome: EventOutcome, now: number): Promise<void> {
    this.open();
    await events.finishEvent(this.db, id, owner, outcome, now);
  }

  async requeueEvents(ids: string[], now: number): Promise<number> {
    this.open();
    return events.requeueEvents(this.db, ids, now);
  }

  async getRun(id: string): Promise<Run | null> {
    this.open();
    return runs.getRun(this.db, id);
  }

  async listRuns(query: RunQuery): Promise<Run[]> {
    this.open();
    return runs.listRuns(this.db, query);
  }

  async countRuns(query: Omit<RunQuery, 'before' | 'offset' | 'limit'>): Promise<number> {
    this.open();
    return runs.countRuns(this.db, query);
  }

  async saveRun(change: RunChange): Promise<boolean> {
    this.open();
    return runs.saveRun(this.db, change);
  }

  async runHistory(id: string): Promise<RunHistoryEntry[]> {
    this.open();
    return runs.runHistory(this.db, id);
  }

  async runsToReconcile(limit: number): Promise<Run[]> {
    this.open();
    return runs.runsToReconcile(this.db, limit);
  }

  async markRunChecked(id: string, at: number): Promise<void> {
    this.open();
    await runs.markRunChecked(this.db, id, at);
  }

  async createLaunch(launch: Launch): Promise<{ launch: Launch; created: boolean }> {
    this.open();
    return launches.createLaunch(this.db, launch);
  }

  async updateLaunch(id: string, patch: LaunchPatch, now: number): Promise<void> {
    this.open();
    await launches.updateLaunch(this.db, id, patch, now);
  }

  async getLaunch(id: string): Promise<Launch | null> {
    this.open();
    return launches.getLaunch(this.db, id);
  }

  async listLaunches(query: {
    state?: LaunchState;
    parentRunId?: string;
    limit?: number;
  }): Promise<Launch[]> {
    this.open();
    return launches.listLaunches(this.db, query);
  }

  async claimOutbox(opts: { now: number; limit: number }): Promise<OutboxMessage[]> {
    this.open();
    return outbox.claimOutbox(this.db, opts);
  }

  async finishOutbox(id: string, outcome: OutboxAttempt, now: number): Promise<void> {
    this.open();
    await outbox.finishOutbox(this.db, id, outcome, now);
  }

  async listOutbox(query: { state?: OutboxMessage['state']; limit?: number }): Promise<OutboxMessage[]> {
    this.open();
    return outbox.listOutbox(this.db, query);
  }

  async getOutbox(id: string): Promise<OutboxMessage | null> {
    this.open();
    return outbox.getOutbox(this.db, id);
  }

  async retryOutbox(id: string, now: number): Promise<boolean> {
    this.open();
    return outbox.retryOutbox(this.db, id, now);
  }

  async saveDeploymentRun(run: DeploymentRunRecord): Promise<void> {
    this.open();
    await deploymentRuns.saveDeploymentRun(this.db, run);
  }

  async listDeploymentRuns(query: { failed?: boolean; limit?: number }): Promise<DeploymentRunRecord[]> {
    this.open();
    return deploymentRuns.listDeploymentRuns(this.db, query);
  }

  async prune(opts: { before: number; dryRun: boolean }): Promise<PruneResult> {
    this.open();
    return retention.prune(this.db, opts);
  }

  async metricCounts(): Promise<MetricCounts> {
    this.open();
    return metrics.metricCounts(this.db);
  }

  async runCells(query: InsightQuery): Promise<RunCell[]> {
    this.open();
    return insight.runCells(this.db, query);
  }

  async skippedSteps(query: Omit<InsightQuery, 'agent'>): Promise<SkippedStepCount[]> {
    this.open();
    return insight.skippedSteps(this.db, query);
  }

  async getMeta(key: string): Promise<string | null> {
    this.open();
    return meta.getMeta(this.db, key);
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.open();
    await meta.setMeta(this.db, key, value);
  }

  async tryLease(name: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    this.open();
    return meta.tryLease(this.db, name, owner, now, ttlMs);
  }

  async saveTranscript(transcript: StoredTranscript): Promise<void> {
    this.open();
    await transcripts.saveTranscript(this.db, transcript);
  }

  async getTranscript(runId: string): Promise<StoredTranscript | null> {
    this.open();
    return transcripts.getTranscript(this.db, runId);
  }
}

/** The same URL with another database name (for CREATE DATABASE, which runs elsewhere). */
function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name)
    throw new AppError(
      'config_invalid',
      `The PostgreSQL URL names no database: add one, as in postgres://user@host/agenthooks.`,
    );
  return name;
}

/** For `create`: makes the named database on the server when it does not exist yet. */
async function createDatabase(url: string, logger: Logger, display: string): Promise<void> {
  const name = databaseName(url);
  const admin = new pg.Client({
    connectionString: withDatabase(url, 'postgres'),
    connectionTimeoutMillis: 5_000,
  });
  admin.on('error', () => undefined); // a late socket error after end() must not crash the process
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
    logger.info({ database: display }, 'postgres database created');
  } catch (err) {
    const code = (err as { code?: string }).code;
    // 42P04: another replica created it first. 23505: the same race caught by pg_database's index.
    if (code === '42P04' || code === '23505') return;
    const mapped = toAppError(err, display);
    if (mapped.code === 'store_unavailable') throw mapped;
    throw new AppError(
      'store_error',
      `The PostgreSQL database ${display} does not exist and creating it failed (${mapped.message}). Create it yourself (createdb ${name}) or give the user the CREATEDB privilege.`,
      { cause: err },
    );
  } finally {
    await admin.end().catch(() => undefined);
  }
}

export async function openPostgresStore(url: string, options: PostgresStoreOptions): Promise<PostgresStore> {
  const { logger, display } = options;
  databaseName(url);
  const pool = createPool(url, logger, display, options.poolSize);
  const db = createDb(pool, display);
  try {
    try {
      await db.query('SELECT 1');
    } catch (err) {
      const sqlstate = (err as AppError).details?.sqlstate;
      if (sqlstate !== '3D000') throw err; // 3D000 invalid_catalog_name: no such database
      if (!options.create) {
        throw new AppError(
          'store_not_found',
          `No PostgreSQL database ${display}. Start the receiver with \`agenthooks serve\` (it creates the database), or point --database / DATABASE_URL at an existing one.`,
        );
      }
      await createDatabase(url, logger, display);
    }
    const applied = await migrate(db, readMigrations(), { create: options.create, now: Date.now(), display });
    if (applied.length > 0)
      logger.info({ database: display, migrations: applied }, 'postgres schema migrated');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return new PostgresStore(db, display);
}
