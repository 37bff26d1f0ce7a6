// Request checks shared by the routes. The platform rejects unknown body fields and query
// parameters with 400 invalid_request_error; so does the simulator, so that a client sending a
// misspelt filter learns it here rather than getting silently unfiltered results.
import { badRequest } from './api-error.js';

export type Query = Record<string, string | string[] | undefined>;
export type Json = Record<string, unknown>;

export function asObject(value: unknown, where: string): Json {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw badRequest(`${where}: expected a JSON object.`);
  return value as Json;
}

export function onlyKeys(obj: Json, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key))
      throw badRequest(`${where}: unknown field "${key}". Allowed: ${allowed.join(', ')}.`);
  }
}

export function onlyQuery(query: Query, allowed: readonly string[]): void {
  for (const key of Object.keys(query)) {
    if (!allowed.includes(key))
      throw badRequest(`Unknown query parameter "${key}". Allowed: ${allowed.join(', ')}.`);
  }
}

export function requireString(obj: Json, key: string, where: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.length === 0)
    throw badRequest(`${where}: "${key}" is required and must be a non-empty string.`);
  return v;
}

export function optionalString(obj: Json, key: string, where: string): string | null | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return v;
  if (typeof v !== 'string') throw badRequest(`${where}: "${key}" must be a string.`);
  return v;
}

export function metadataOf(value: unknown, where: string, allowNull = false): Record<string, string | null> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw badRequest(`${where}: "metadata" must be an object of strings.`);
  const entries = Object.entries(value as Json);
  if (entries.length > 16) throw badRequest(`${where}: "metadata" has more than 16 pairs.`);
  const out: Record<string, string | null> = {};
  for (const [k, v] of entries) {
    if (k.length > 64)
      throw badRequest(`${where}: metadata key "${k.slice(0, 20)}..." is longer than 64 characters.`);
    if (v === null && allowNull) {
      out[k] = null;
      continue;
    }
    if (typeof v !== 'string') throw badRequest(`${where}: metadata value for "${k}" must be a string.`);
    if (v.length > 512)
      throw badRequest(`${where}: metadata value for "${k}" is longer than 512 characters.`);
    out[k] = v;
  }
  return out;
}

function single(query: Query, key: string): string | undefined {
  const v = query[key];
  if (Array.isArray(v)) throw badRequest(`Query parameter "${key}" was given more than once.`);
  return v;
}

export function queryArray(query: Query, key: string): string[] | undefined {
  const v = query[`${key}[]`] ?? query[key];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v : [v];
}

export function queryString(query: Query, key: string): string | undefined {
  return single(query, key);
}

export function queryInt(query: Query, key: string, min: number, max: number): number | undefined {
  const v = single(query, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw badRequest(`Query parameter "${key}" must be an integer from ${min} to ${max}.`);
  return n;
}

export function queryBool(query: Query, key: string): boolean | undefined {
  const v = single(query, key);
  if (v === undefined) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw badRequest(`Query parameter "${key}" must be true or false.`);
}

export function queryTime(query: Query, key: string): number | undefined {
  const v = single(query, key);
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw badRequest(`Query parameter "${key}" must be an RFC 3339 timestamp.`);
  return t;
}

export function queryOrder(query: Query, fallback: 'asc' | 'desc'): 'asc' | 'desc' {
  const v = single(query, 'order');
  if (v === undefined) return fallback;
  if (v !== 'asc' && v !== 'desc') throw badRequest('Query parameter "order" must be asc or desc.');
  return v;
}

/** created_at[gt|gte|lt|lte] filters as a predicate over epoch milliseconds. */
export function timeRange(query: Query): (ms: number) => boolean {
  const gt = queryTime(query, 'created_at[gt]');
  const gte = queryTime(query, 'created_at[gte]');
  const lt = queryTime(query, 'created_at[lt]');
  const lte = queryTime(query, 'created_at[lte]');
  return (ms) =>
    (gt === undefined || ms > gt) &&
    (gte === undefined || ms >= gte) &&
    (lt === undefined || ms < lt) &&
    (lte === undefined || ms <= lte);
}

export const TIME_FILTERS = [
  'created_at[gt]',
  'created_at[gte]',
  'created_at[lt]',
  'created_at[lte]',
] as const;

/** Metadata of a new object: strings only (null removes a key on update, and means nothing here). */
export function newMetadata(value: unknown, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadataOf(value, where))) if (v !== null) out[k] = v;
  return out;
}

/** Applies a metadata update: null clears all, a null value removes its key, strings set. */
export function patchMetadata(target: Record<string, string>, value: unknown, where: string): void {
  if (value === null) {
    for (const k of Object.keys(target)) delete target[k];
    return;
  }
  for (const [k, v] of Object.entries(metadataOf(value, where, true))) {
    if (v === null) delete target[k];
    else target[k] = v;
  }
}
