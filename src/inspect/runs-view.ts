// What `agenthooks runs` shows for a run row: the table columns and how flags become a RunQuery.
import { AppError } from '../errors.js';
import type { Run, RunQuery, RunStatus } from '../store/types.js';
import { decodeCursor, parsePositiveInt } from './cursor.js';
import { type Color, type Column, formatDuration, formatRelative } from './format.js';
import { timeRange } from './time.js';

export const RUN_STATUSES: RunStatus[] = ['pending', 'running', 'blocked', 'succeeded', 'failed', 'deleted'];
export const FINAL_STATUSES: RunStatus[] = ['succeeded', 'failed', 'deleted'];

export interface RunListFlags {
  status?: string;
  agent?: string;
  since?: string;
  until?: string;
  search?: string;
  limit?: string;
  page?: string;
  cursor?: string;
}

export interface RunListQuery {
  /** Filters only: what --follow re-polls. */
  filter: Omit<RunQuery, 'before' | 'offset' | 'limit'>;
  limit: number;
  page: number | null;
  before: { firstSeenAt: number; id: string } | undefined;
}

export function parseStatuses(value: string | undefined): RunStatus[] | undefined {
  if (value === undefined) return undefined;
  const list = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
  for (const s of list) {
    if (!RUN_STATUSES.includes(s as RunStatus)) {
      throw new AppError(
        'usage',
        `--status ${JSON.stringify(s)} is not a run status; use a comma list of ${RUN_STATUSES.join(', ')}.`,
      );
    }
  }
  return list.length > 0 ? (list as RunStatus[]) : undefined;
}

export function runListQuery(flags: RunListFlags, now: number): RunListQuery {
  const { since, until } = timeRange(flags, now);
  const limit = flags.limit === undefined ? 50 : parsePositiveInt(flags.limit, '--limit', 10_000);
  if (flags.page !== undefined && flags.cursor !== undefined) {
    throw new AppError('usage', 'Pass either --page or --cursor, not both.');
  }
  const page = flags.page === undefined ? null : parsePositiveInt(flags.page, '--page');
  const c = flags.cursor === undefined ? undefined : decodeCursor(flags.cursor);
  const filter: RunListQuery['filter'] = {};
  const status = parseStatuses(flags.status);
  if (status) filter.status = status;
  if (flags.agent !== undefined) filter.agent = flags.agent;
  if (since !== undefined) filter.since = since;
  if (until !== undefined) filter.until = until;
  if (flags.search !== undefined && flags.search !== '') filter.search = flags.search;
  return { filter, limit, page, before: c ? { firstSeenAt: c.at, id: c.id } : undefined };
}

export function hasFilters(filter: RunListQuery['filter']): boolean {
  return Object.keys(filter).length > 0;
}

/** When the run started: the session's creation time when known, else when agenthooks first saw it. */
export function runStart(run: Run): number {
  return run.sessionCreatedAt ?? run.firstSeenAt;
}

/** Finished runs: start to finish. Runs still going: elapsed so far, marked with "+". */
export function runDuration(run: Run, now: number): string {
  // The tutorial's log has one receive time per line and no start: no duration to show.
  if (run.launchedBy === 'tutorial-import') return '-';
  if (run.finishedAt !== null) return formatDuration(run.finishedAt - runStart(run));
  if (FINAL_STATUSES.includes(run.status)) return '-';
  return `${formatDuration(now - runStart(run))}+`;
}

export function runCost(run: Run): string {
  const u = run.usage;
  if (!u) return '-';
  if (u.costCents !== null && u.costCents !== undefined) return `$${(u.costCents / 100).toFixed(2)}`;
  const tokens = u.inputTokens + u.outputTokens + u.cacheReadInputTokens + u.cacheCreationInputTokens;
  return tokens >= 10_000 ? `${(tokens / 1000).toFixed(1)}k tok` : `${tokens} tok`;
}

export function statusColor(status: string): Color | null {
  switch (status) {
    case 'succeeded':
    case 'done':
      return 'green';
    case 'failed':
      return 'red';
    case 'blocked':
    case 'processing':
      return 'yellow';
    case 'running':
    case 'pending':
      return 'cyan';
    default:
      return 'dim';
  }
}

export function runColumns(now: number): Column<Run>[] {
  return [
    { header: 'ID', value: (r) => r.id, max: 40 },
    { header: 'AGENT', value: (r) => r.agentName ?? r.agentId ?? '-', max: 24 },
    {
      header: 'STATUS',
      value: (r) => (r.archived ? `${r.status} (archived)` : r.status),
      color: (r) => statusColor(r.status),
    },
    { header: 'OUTCOME', value: (r) => r.outcomeResult ?? '-', max: 24 },
    { header: 'STOP', value: (r) => r.stopReason ?? '-', max: 20 },
    { header: 'DURATION', value: (r) => runDuration(r, now), align: 'right' },
    { header: 'COST', value: runCost, align: 'right' },
    { header: 'STARTED', value: (r) => formatRelative(runStart(r), now) },
  ];
}
