// Copies the non-TypeScript files that the compiled code reads at run time (SQL migrations,
// dashboard assets) from src/ to dist/, keeping their relative paths, and makes the CLI entry
// executable: `npx agenthooks` in a checkout runs dist/cli/bin.js itself (npm sets the bit only
// when it installs the package), and tsc writes it without one.
import { chmodSync, cpSync, existsSync } from 'node:fs';

for (const dir of ['store/migrations', 'web/assets']) {
  const from = new URL(`../src/${dir}`, import.meta.url);
  if (existsSync(from)) cpSync(from, new URL(`../dist/${dir}`, import.meta.url), { recursive: true });
}

chmodSync(new URL('../dist/cli/bin.js', import.meta.url), 0o755);
