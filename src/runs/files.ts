// A run's output files: what the session wrote to /mnt/session/outputs/, listed through the Files
// API by scope (the session id = the run id) and saved under a directory without ever letting a
// platform-chosen file name (or file id) escape it: the names come from an outside service.
import { constants } from 'node:fs';
import { mkdir, open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import type { Platform, PlatformFile } from '../platform/types.js';

/** Longest saved name in bytes; most file systems stop at 255, and room is left for `-N`. */
export const MAX_NAME_BYTES = 200;

/** Cuts `s` to at most `max` UTF-8 bytes without splitting a character. */
function truncateBytes(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > max) break;
    out += ch;
  }
  return out;
}

/** One path segment or '' when nothing usable is left: the last component, no control characters. */
function segment(raw: string): string {
  const base = path.posix.basename(raw.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f-\u009f]/g, '_');
  if (base === '.' || base === '..') return '';
  // Keep the extension when a long name is cut, so the file still opens with the right program.
  const ext = path.posix.extname(base);
  if (Buffer.byteLength(base) <= MAX_NAME_BYTES) return base;
  if (ext.length > 1 && Buffer.byteLength(ext) <= 20)
    return truncateBytes(base.slice(0, -ext.length), MAX_NAME_BYTES - Buffer.byteLength(ext)) + ext;
  return truncateBytes(base, MAX_NAME_BYTES);
}

/** A name safe to create inside the output directory: one path segment of at most 200 bytes,
 * from the file name, else from the file id (sanitised the same way), else `file`. */
export function safeFileName(name: string, id: string): string {
  return segment(name) || segment(id) || 'file';
}

/** `name-2.ext`, `name-3.ext`, ...: the n-th file that wanted `name`, still within the byte limit. */
function numbered(name: string, n: number): string {
  if (n === 1) return name;
  const ext = path.posix.extname(name);
  const stem = ext.length > 0 && ext.length < name.length ? name.slice(0, -ext.length) : name;
  const suffix = `-${n}${stem === name ? '' : ext}`;
  return truncateBytes(stem, MAX_NAME_BYTES - Buffer.byteLength(suffix)) + suffix;
}

export interface SavedFile extends PlatformFile {
  path: string;
}

// Exclusive create, and never through a symlink planted in the folder.
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/** Creates `name` (or `name-2`, `name-3`, ... when taken) inside `dir`; returns its path. */
async function createInside(dir: string, name: string, data: Buffer): Promise<string> {
  for (let n = 1; ; n++) {
    const target = path.join(dir, numbered(name, n));
    if (path.dirname(target) !== dir)
      throw new AppError('usage', `Refusing to write ${JSON.stringify(target)}: outside ${dir}.`);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(target, CREATE_FLAGS, 0o644);
    } catch (err) {
      // Taken (a file, a directory or a symlink of that name): try the next number.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ELOOP' || code === 'EISDIR') continue;
      throw err;
    }
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
    return target;
  }
}

/** Downloads every downloadable file into `dir` (created if needed); taken names get -2, -3, ... */
export async function downloadFiles(
  platform: Platform,
  files: PlatformFile[],
  dir: string,
): Promise<SavedFile[]> {
  await mkdir(dir, { recursive: true });
  // The real folder, so a symlinked --out is fine but nothing resolves outside what it names.
  const root = await realpath(dir);
  const saved: SavedFile[] = [];
  for (const f of files) {
    if (!f.downloadable) continue;
    const data = await platform.downloadFile(f.id);
    const target = await createInside(root, safeFileName(f.filename, f.id), data);
    saved.push({ ...f, path: target });
  }
  return saved;
}
