#!/usr/bin/env node
// The only place that touches process globals: argv, env, signals and the exit code.
import { systemClock } from '../clock.js';
import { isBrokenPipe, runCli } from './program.js';

// A closed stdout (`agenthooks runs show ID | head -1`) ends any command quietly with exit 0.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (isBrokenPipe(err)) process.exit(0);
    throw err;
  });
}

const controller = new AbortController();
let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    signals += 1;
    // A second Ctrl-C means "now": do not wait for a graceful shutdown.
    if (signals > 1) process.exit(130);
    controller.abort(sig);
  });
}

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
  clock: systemClock,
  exitCode: 0,
});
process.exitCode = code;
// Give stdout a chance to flush, then leave even if a stray handle is still open.
setImmediate(() => process.exit(code));
