// Copies the non-TypeScript files that the compiled code reads at run time (SQL migrations,
// dashboard assets) from src/ to dist/, keeping their relative paths.
import { cpSync, existsSync } from 'node:fs';

for (const dir of ['store/migrations', 'web/assets']) {
  const from = new URL(`../src/${dir}`, import.meta.url);
  if (existsSync(from)) cpSync(from, new URL(`../dist/${dir}`, import.meta.url), { recursive: true });
}
