// Header and body helpers shared by the adapters: frameworks hand over headers and bodies in
// different shapes; the verifier needs the headers by name and the body as the exact bytes sent.
import { AppError } from '../errors.js';

/** A Fetch `Headers` object as the plain lower-case object the verifier and logs expect. */
export function headersToObject(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}

/**
 * The failure the raw body prevents: a framework parsed the JSON body before agenthooks saw it, so
 * the bytes the signature covers are gone (re-serialising changes spacing, key order, escapes).
 */
export function reserialisedBody(where: string, fix: string): AppError {
  return new AppError(
    'raw_body_required',
    `The webhook body was already parsed by ${where} before agenthooks saw it: the body was re-serialised by a JSON body parser, so the signed bytes are gone and no signature can match. ${fix}`,
  );
}
