// SQLite errors as the store reports them: a plain ThreadFailure crosses the thread boundary,
// and the main thread (the writer's proxy or the read-only connection) turns it into an AppError.
import { AppError } from '../../errors.js';
import type { ThreadFailure } from './protocol.js';

export function failure(err: unknown, phase: ThreadFailure['phase']): ThreadFailure {
  const code = (err as { code?: unknown })?.code;
  return {
    sqliteCode: typeof code === 'string' && code.startsWith('SQLITE_') ? code : null,
    message: err instanceof Error ? err.message : String(err),
    phase,
  };
}

/** SQLite result codes that mean "cannot commit right now": the receiver answers 503 so the sender retries. */
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|READONLY|FULL|CANTOPEN|PROTOCOL|NOTADB|CORRUPT)/;

export function toAppError(file: string, f: ThreadFailure): AppError {
  if (f.phase === 'migrate' && !f.sqliteCode?.match(UNAVAILABLE)) {
    return new AppError('migration_failed', `Migrating the SQLite database ${file} failed: ${f.message}.`);
  }
  if (f.sqliteCode && UNAVAILABLE.test(f.sqliteCode)) {
    const hint =
      f.sqliteCode.startsWith('SQLITE_BUSY') || f.sqliteCode.startsWith('SQLITE_LOCKED')
        ? 'another process held the write lock for more than 5 s; retry, or look for a stuck process using the file'
        : 'check that the disk is not full, the file and its directory are writable, and the file is an agenthooks database';
    return new AppError(
      'store_unavailable',
      `The SQLite database ${file} cannot commit (${f.sqliteCode}: ${f.message}): ${hint}.`,
      {
        details: { sqliteCode: f.sqliteCode },
      },
    );
  }
  return new AppError('store_error', `The SQLite database ${file} failed: ${f.message}.`, {
    details: { sqliteCode: f.sqliteCode },
  });
}
