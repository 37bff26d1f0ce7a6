// Builds dist/ once before the suites, because several tests start the real `agenthooks` binary
// (serve, simulator) as child processes to kill and restart them.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
}
