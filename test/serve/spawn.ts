// Starts the real binary (`node dist/cli/bin.js serve`) as a child process, waits for its URL, and
// collects its output, for tests that signal, kill and restart it.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export const BIN = path.resolve(import.meta.dirname, '../../dist/cli/bin.js');

export interface ServeProcess {
  proc: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A clean environment: nothing from the developer's shell leaks into the child's behaviour. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', AGENTHOOKS_LOG_LEVEL: 'warn', ...extra };
}

export function runServe(args: string[], env: Record<string, string>, cwd: string) {
  const proc = spawn(process.execPath, [BIN, 'serve', ...args], {
    env,
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  proc.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { proc, exited, stdout: () => out, stderr: () => err };
}

export async function startServe(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<ServeProcess> {
  const p = runServe(['--port', '0', ...args], env, cwd);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not start:\n${p.stdout()}\n${p.stderr()}`)),
      30_000,
    );
    const check = () => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(p.stdout());
      if (m) {
        clearTimeout(timer);
        p.proc.stdout?.off('data', check);
        resolve(m[1]);
      }
    };
    p.proc.stdout?.on('data', check);
    p.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code ?? signal}) before listening:\n${p.stdout()}\n${p.stderr()}`));
    });
  });
  return { ...p, url };
}
