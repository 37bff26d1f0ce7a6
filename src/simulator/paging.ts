// Opaque cursors. A cursor encodes the order it was made for and the position after which the
// next page starts, so reusing it with a different order is refused (400) as the platform does.
import { badRequest } from './api-error.js';
import { type Query, queryInt, queryString } from './validate.js';

interface CursorBody {
  o: 'asc' | 'desc';
  /** position: index key of the last (next) or first (prev) item seen */
  k: string;
  d: 'next' | 'prev';
}

export function encodeCursor(body: CursorBody): string {
  return `page_${Buffer.from(JSON.stringify(body)).toString('base64url')}`;
}

export function decodeCursor(value: string, order: 'asc' | 'desc'): CursorBody {
  let body: CursorBody;
  try {
    if (!value.startsWith('page_')) throw new Error('prefix');
    body = JSON.parse(Buffer.from(value.slice(5), 'base64url').toString('utf8')) as CursorBody;
  } catch {
    throw badRequest(
      'Query parameter "page" is not a valid cursor; pass back next_page or prev_page unchanged.',
    );
  }
  if (body.o !== order)
    throw badRequest(`The "page" cursor was made for order=${body.o}; pass the same order again.`);
  return body;
}

/**
 * One page over items already sorted in the requested order. `keyOf` gives a string that sorts in
 * that same order within the list (we search by identity, not by comparison).
 */
export function pageOf<T>(
  items: T[],
  keyOf: (item: T) => string,
  order: 'asc' | 'desc',
  limit: number,
  page: string | undefined,
): { data: T[]; next_page: string | null; prev_page: string | null } {
  let start = 0;
  let end = items.length;
  if (page !== undefined && page !== '') {
    const cursor = decodeCursor(page, order);
    const idx = items.findIndex((it) => keyOf(it) === cursor.k);
    if (cursor.d === 'next') {
      // When the anchor was deleted meanwhile, fall back to the end: better short than repeated.
      start = idx === -1 ? items.length : idx + 1;
    } else {
      end = idx === -1 ? 0 : idx;
      start = Math.max(0, end - limit);
    }
  }
  const data = items.slice(start, Math.min(end, start + limit));
  const hasNext = start + data.length < items.length && data.length > 0;
  const next_page = hasNext ? encodeCursor({ o: order, k: keyOf(data[data.length - 1]), d: 'next' }) : null;
  const prev_page =
    start > 0 && data.length > 0 ? encodeCursor({ o: order, k: keyOf(data[0]), d: 'prev' }) : null;
  return { data, next_page, prev_page };
}

/** A list route's page: `limit` (1 to 1000, default 20) and the `page` cursor come from the query. */
export function queryPage<T>(q: Query, items: T[], keyOf: (item: T) => string, order: 'asc' | 'desc') {
  return pageOf(items, keyOf, order, queryInt(q, 'limit', 1, 1000) ?? 20, queryString(q, 'page'));
}

/** A page of a list that only pages forward: no prev_page. */
export function forwardPage<T>(
  q: Query,
  items: T[],
  keyOf: (item: T) => string,
  order: 'asc' | 'desc',
): { data: T[]; next_page: string | null } {
  const page = queryPage(q, items, keyOf, order);
  return { data: page.data, next_page: page.next_page };
}
