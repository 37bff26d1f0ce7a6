// How SQLite stores the column kinds of ../columns.ts: booleans as 0/1 and JSON as text; every
// other kind as it is, with a field a caller left out bound as NULL (better-sqlite3 refuses
// undefined).
import { type Codec, jsonText } from '../columns.js';

export const sqliteCodec: Codec = {
  encode(column, value) {
    if (column.kind === 'json') return jsonText(column, value);
    if (column.kind === 'bool') return value ? 1 : 0;
    return value === undefined ? null : value;
  },
  decode(column, value) {
    if (column.kind === 'json') return value === null ? null : JSON.parse(value as string);
    if (column.kind === 'bool') return value === 1;
    return value;
  },
};
