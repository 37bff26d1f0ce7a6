// Opaque keyset cursors for --cursor: the (time, id) of the last row shown, base64url-encoded so
// that shells and URLs carry them unchanged.
import { AppError } from '../errors.js';

export function encodeCursor(at: number, id: string): string {
  return Buffer.from(`${at}:${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { at: number; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const i = text.indexOf(':');
  const at = Number(text.slice(0, i));
  if (i <= 0 || !Number.isSafeInteger(at) || i === text.length - 1) {
    throw new AppError(
      'usage',
      `--cursor ${JSON.stringify(cursor)} is not a cursor printed by this command; copy it from the "next page" line.`,
    );
  }
  return { at, id: text.slice(i + 1) };
}

export function parsePositiveInt(value: string, flag: string, max = 1_000_000): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new AppError(
      'usage',
      `${flag} must be a whole number from 1 to ${max} (got ${JSON.stringify(value)}).`,
    );
  }
  return n;
}
