// Test-only crash points (DESIGN.md conventions): a process started with
// AGENTHOOKS_TEST_CRASH_AT=<name> SIGKILLs itself when it reaches that named point, so the
// durability tests can cut it off exactly where a real power loss would hurt most.
// Off by default: configureCrashPoints is called once by `serve` with the value from ctx.env.

export type CrashPointName =
  | 'after-commit-before-ack'
  // chains (src/chains): intent stored / session created but not recorded / children launched, event not done
  | 'after-intent'
  | 'after-create'
  | 'before-mark-done';

let armed: ReadonlySet<string> = new Set();

/** Arms the comma-separated crash points named in `value` (undefined or empty disarms all). */
export function configureCrashPoints(value: string | undefined): void {
  armed = new Set(
    (value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );
}

/** Kills the process with SIGKILL (no cleanup, no flush) when `name` is armed. */
export function crashPoint(name: CrashPointName): void {
  if (armed.size > 0 && armed.has(name)) process.kill(process.pid, 'SIGKILL');
}
