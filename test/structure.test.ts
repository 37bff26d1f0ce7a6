// The shape of the tree, checked on every run: dependencies point inward (the import rules of the
// design, type-only imports included) and no source file grows past 400 lines.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

/** folder -> folders it must never import from (any import, `import type` included). */
const FORBIDDEN: Record<string, string[]> = {
  store: ['cli', 'http', 'web', 'platform'],
  platform: ['cli', 'http', 'web'],
  query: ['cli', 'http', 'web'],
  transfer: ['cli', 'http', 'web'],
  doctor: ['cli', 'http', 'web'],
  runs: ['cli', 'http', 'web', 'transfer'],
  chains: ['cli', 'http', 'web', 'transfer'],
  notify: ['cli', 'http', 'web', 'transfer'],
  ingest: ['cli', 'http', 'web', 'platform', 'runs', 'chains', 'notify'],
  webhooks: ['cli', 'http', 'web', 'platform', 'runs', 'chains', 'notify'],
  embed: ['http', 'cli'],
  simulator: ['store'],
};

/** Every file under `dir` whose name ends with one of `suffixes`. */
function sources(dir: string, suffixes: readonly string[] = ['.ts']): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full, suffixes);
    return suffixes.some((s) => name.endsWith(s)) ? [full] : [];
  });
}

/** The top folder under src/ of a file, or '' for a file directly in src/. */
function folderOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length > 1 ? rel[0]! : '';
}

describe('source tree', () => {
  const files = sources(SRC);

  it('has no import that points outward', () => {
    const outward: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      const banned = FORBIDDEN[from];
      if (!banned) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g)) {
        const spec = m[1] ?? m[2]!;
        const to = folderOf(path.resolve(path.dirname(file), spec));
        if (banned.includes(to)) outward.push(`${path.relative(SRC, file)} -> ${spec}`);
      }
    }
    expect(outward).toEqual([]);
  });

  it('the checker sees a forbidden import', () => {
    // Guards the regex above: a store file importing the CLI must be reported.
    const text = "import type { CliContext } from '../cli/context.js';";
    const m = /(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/.exec(text);
    expect(folderOf(path.resolve(path.join(SRC, 'store'), m![1]!))).toBe('cli');
  });

  it('keeps every file at 400 lines or fewer (code, stylesheets, scripts and SQL alike)', () => {
    const long = sources(SRC, ['.ts', '.css', '.js', '.mjs', '.sql'])
      .map((f) => ({ file: path.relative(SRC, f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > 400);
    expect(long).toEqual([]);
  });
});
