// What every command receives instead of reaching for process globals, so tests can run commands
// in-process with their own environment, working directory and output streams.
import type { Writable } from 'node:stream';
import type { Clock } from '../clock.js';
import type { Env } from '../config.js';

export interface CliContext {
  env: Env;
  cwd: string;
  stdout: Writable;
  stderr: Writable;
  /** Aborted on SIGINT/SIGTERM; long-running commands stop on it and return their exit code. */
  signal: AbortSignal;
  /** Time for everything the command does (tests inject their own). */
  clock: Clock;
  /** Set by a command's action; bin.ts exits with it. */
  exitCode: number;
}

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  blocked: 3,
  timeout: 4,
  interrupted: 130,
} as const;

export function print(stream: Writable, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}
