// `files --out` against a hostile Files API: names `..`, `.`, `''`, duplicates, `a/b`, ids with
// `/` and `..`, a 300-character name and a symlink planted in the folder. Nothing lands outside
// the folder, nothing follows the symlink, every name is one segment of at most 200 bytes.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_NAME_BYTES, safeFileName } from '../../src/runs/files.js';
import { cli, tempDir } from '../cli/helpers.js';
import { type HostileApi, startHostileFilesApi } from './hostile-files-api.js';

const LONG = `${'x'.repeat(300)}.txt`;

describe('files --out with a hostile Files API', () => {
  let api: HostileApi;
  let root: string;
  let out: string;
  let victim: string;

  beforeAll(async () => {
    root = tempDir();
    out = path.join(root, 'out');
    mkdirSync(out);
    victim = path.join(root, 'victim.txt');
    writeFileSync(victim, 'original');
    // A symlink already in the folder, named like a file the API will send.
    symlinkSync(victim, path.join(out, 'report.md'));
    api = await startHostileFilesApi([
      { id: '../../escape-1', filename: '..', content: 'dotdot' },
      { id: '../escape-2', filename: '.', content: 'dot' },
      { id: '/tmp/escape-3', filename: '', content: 'empty' },
      { id: 'file_dup1', filename: 'dup.txt', content: 'first' },
      { id: 'file_dup2', filename: 'dup.txt', content: 'second' },
      { id: 'file_dup3', filename: 'dup.txt', content: 'third' },
      { id: 'file_ab', filename: 'a/b', content: 'a slash b' },
      { id: 'file_back', filename: '..\\..\\win.ini', content: 'backslash' },
      { id: 'file_long', filename: LONG, content: 'long' },
      { id: 'file_link', filename: 'report.md', content: 'not through the link' },
    ]);
  });

  afterAll(async () => {
    await api.close();
  });

  it('keeps every file inside the folder, with safe unique names', async () => {
    const r = await cli(['files', 'sesn_hostile', '--out', out, '--json'], {
      cwd: root,
      env: { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: api.url },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const saved = JSON.parse(r.stdout) as { id: string; path: string }[];
    expect(saved).toHaveLength(10);
    for (const s of saved) {
      expect(path.dirname(s.path), s.id).toBe(out);
      expect(Buffer.byteLength(path.basename(s.path)), s.id).toBeLessThanOrEqual(MAX_NAME_BYTES);
      expect(lstatSync(s.path).isFile(), s.id).toBe(true);
    }
    const names = saved.map((s) => path.basename(s.path));
    expect(new Set(names).size).toBe(names.length);
    const byId = new Map(saved.map((s) => [s.id, path.basename(s.path)]));
    expect(byId.get('../../escape-1')).toBe('escape-1');
    expect(byId.get('../escape-2')).toBe('escape-2');
    expect(byId.get('/tmp/escape-3')).toBe('escape-3');
    expect([byId.get('file_dup1'), byId.get('file_dup2'), byId.get('file_dup3')]).toEqual([
      'dup.txt',
      'dup-2.txt',
      'dup-3.txt',
    ]);
    expect(readFileSync(path.join(out, 'dup-3.txt'), 'utf8')).toBe('third');
    expect(byId.get('file_ab')).toBe('b');
    expect(byId.get('file_back')).toBe('win.ini');
    const long = byId.get('file_long') as string;
    expect(long.endsWith('.txt')).toBe(true);
    expect(Buffer.byteLength(long)).toBe(MAX_NAME_BYTES);
    // The planted symlink is left alone and not followed: the file got the next name.
    expect(byId.get('file_link')).toBe('report-2.md');
    expect(lstatSync(path.join(out, 'report.md')).isSymbolicLink()).toBe(true);
    expect(readFileSync(victim, 'utf8')).toBe('original');
    // Nothing was written next to the folder or in /tmp.
    expect(readdirSync(root).sort()).toEqual(['out', 'victim.txt']);
    expect(existsSync('/tmp/escape-3')).toBe(false);
  });

  it('never overwrites: a second download gets new numbers', async () => {
    const r = await cli(['files', 'sesn_hostile', '--out', out, '--json'], {
      cwd: root,
      env: { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: api.url },
    });
    expect(r.code).toBe(0);
    const saved = JSON.parse(r.stdout) as { id: string; path: string }[];
    expect(path.basename(saved.find((s) => s.id === 'file_dup1')?.path ?? '')).toBe('dup-4.txt');
    expect(readFileSync(path.join(out, 'dup.txt'), 'utf8')).toBe('first');
  });
});

describe('safeFileName', () => {
  it('reduces any name (or id) to one segment of at most 200 bytes', () => {
    expect(safeFileName('é'.repeat(300), 'x')).toBe('é'.repeat(100));
    // An id of `..` never reaches here (the SDK refuses it as a path parameter), but a name of
    // `..` with an id of `../..` must still give a plain name.
    expect(safeFileName('..', '../..')).toBe('file');
    expect(safeFileName('', 'a/b/c')).toBe('c');
    expect(safeFileName('a\u001b]0;x\u0007b', 'x')).toBe('a_]0;x_b');
    expect(safeFileName('\u009bname', 'x')).toBe('_name');
  });
});
