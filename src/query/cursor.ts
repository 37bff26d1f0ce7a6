// The keyset cursor: the (time, id) of the last row of a page, opaque to users. One codec for the
// CLI's `--cursor` and the API's `cursor`/`nextCursor`, so a cursor from either works in both.
// base64url so that shells and URLs carry it unchanged.

export interface Cursor {
  at: number;
  id: string;
}

export function encodeCursor(at: number, id: string): string {
  return Buffer.from(JSON.stringify([at, id]), 'utf8').toString('base64url');
}

/** The cursor, or null when the value is not one this codec wrote. */
export function decodeCursor(value: string): Cursor | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      Number.isSafeInteger(parsed[0]) &&
      typeof parsed[1] === 'string'
    ) {
      return { at: parsed[0], id: parsed[1] };
    }
  } catch {
    // not JSON: not a cursor
  }
  return null;
}
