// The body rule shared by the adapters: frameworks hand over bodies in different shapes, and the
// verifier needs the exact bytes sent.
import { AppError } from '../errors.js';

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
