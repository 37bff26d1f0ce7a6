// How PostgreSQL stores the column kinds of ../columns.ts: BOOLEAN and JSONB (bound as JSON text
// cast to jsonb) arrive parsed, and BIGINT times come back as numbers (db.ts), so reading is the
// identity. Statements built from a table cast their parameters to the column types.
import { type Codec, type Column, type ColumnKind, jsonText } from '../columns.js';

export const postgresCodec: Codec = {
  encode(column, value) {
    if (column.kind === 'json') return jsonText(column, value);
    if (column.kind === 'bool') return value === true;
    return value;
  },
  decode: (_column, value) => value,
};

const CASTS: Record<ColumnKind, string> = {
  text: '',
  int: '::int',
  time: '::bigint',
  bool: '::boolean',
  json: '::jsonb',
};

/** `$n` placeholders for `columns` with their casts, numbered from `first`. */
export function placeholders(columns: readonly Column[], first = 1): string[] {
  return columns.map((c, i) => `$${first + i}${CASTS[c.kind]}`);
}
