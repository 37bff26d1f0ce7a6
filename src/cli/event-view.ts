// How the CLI shows events: the `agenthooks events` columns, the JSON rows, and one event in full.
import { eventPayload, summarizeEvent } from '../query/events.js';
import type { StoredEvent } from '../store/types.js';
import { type Column, formatTime, paint, type Style, statusColor } from './format.js';
import { safeDeep, safeText } from './safe-text.js';

/** A ledger row for JSON output: everything but the raw body (`events show` has that). */
export function eventRow(e: StoredEvent): Omit<StoredEvent, 'raw'> & { pruned: boolean } {
  return { ...summarizeEvent(e), pruned: e.raw === null };
}

export const EVENT_COLUMNS: Column<StoredEvent>[] = [
  { header: 'RECEIVED', value: (e) => formatTime(e.receivedAt) },
  { header: 'TYPE', value: (e) => e.type, max: 40 },
  { header: 'SESSION', value: (e) => e.subjectId ?? '-', max: 40 },
  { header: 'STATE', value: (e) => e.state, color: (e) => statusColor(e.state), max: 10 },
  { header: 'TRIES', value: (e) => String(e.attempts), align: 'right', max: 5 },
  { header: 'ID', value: (e) => e.id, max: 48 },
];

export function renderEvent(event: StoredEvent, style: Style): string {
  const e = safeDeep(event);
  const out: string[] = [];
  const field = (name: string, value: string) => out.push(`  ${name.padEnd(12)} ${value}`);
  out.push(`${paint(style, 'bold', `Event ${e.id}`)}  ${paint(style, statusColor(e.state), e.state)}`);
  field('type', e.type);
  field('session', e.subjectId ?? '-');
  if (e.threadId) field('thread', e.threadId);
  field('created', formatTime(e.createdAt));
  field('received', formatTime(e.receivedAt));
  field('processed', formatTime(e.processedAt));
  field('attempts', String(e.attempts));
  if (e.nextAttemptAt !== null) field('next try', formatTime(e.nextAttemptAt));
  if (e.lastError) field('last error', paint(style, 'red', e.lastError));
  if (e.leaseOwner) field('claimed by', `${e.leaseOwner} until ${formatTime(e.leaseExpiresAt)}`);
  out.push('', paint(style, 'bold', 'Raw JSON'));
  if (e.raw === null) out.push('  (pruned: only the id is kept, so duplicates are still recognised)');
  else {
    const body = eventPayload(event);
    out.push(safeText(body === null ? (event.raw as string) : JSON.stringify(body, null, 2)));
  }
  return `${out.join('\n')}\n`;
}
