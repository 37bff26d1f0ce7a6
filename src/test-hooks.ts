// Test-only crash points (DESIGN.md conventions): a process started with
// AGENTHOOKS_TEST_CRASH_AT=<name> SIGKILLs itself when it reaches that named point, so the
// durability tests can cut it off exactly where a real power loss would hurt most. Off by default:
// the hook is built once from the setting (src/config.ts reads it) and injected through the
// runtime, never held in a module global.

export type CrashPointName =
  | 'after-commit-before-ack'
  // launches: intent stored / session created but not recorded
  | 'after-intent'
  | 'after-create'
  // chains: children launched, the event not marked done yet
  | 'before-mark-done';

export type CrashHook = (name: CrashPointName) => void;

export const noCrash: CrashHook = () => undefined;

/** A hook that kills the process with SIGKILL (no cleanup, no flush) at the named points. */
export function crashHook(value: string | undefined): CrashHook {
  const armed = new Set(
    (value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );
  if (armed.size === 0) return noCrash;
  return (name) => {
    if (armed.has(name)) process.kill(process.pid, 'SIGKILL');
  };
}
