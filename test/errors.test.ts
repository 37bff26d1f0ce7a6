import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, ERROR_CODES } from '../src/errors.js';

describe('error registry', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

  it('docs/errors.md lists every code with its HTTP status and exit code', () => {
    const missing: string[] = [];
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
      if (!row) {
        missing.push(code);
        continue;
      }
      const cells = row.split('|').map((c) => c.trim());
      expect(cells[3], `exit code of ${code}`).toBe(String(info.exit));
      if (cells[2] !== '–') expect(cells[2], `HTTP status of ${code}`).toBe(String(info.status));
    }
    expect(missing).toEqual([]);
  });

  it('docs/errors.md lists no code that the registry lacks', () => {
    const listed = [...doc.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(listed.filter((c) => !(c in ERROR_CODES))).toEqual([]);
  });

  it('serialises to the documented envelope', () => {
    const err = new AppError('invalid_signature', 'No signature matched.');
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      error: { code: 'invalid_signature', message: 'No signature matched.' },
    });
    expect(err.status).toBe(401);
  });
});
