// A run's output files: what the session wrote to /mnt/session/outputs/, listed through the Files
// API by scope (the session id = the run id) and saved under a directory without ever letting a
// platform-chosen file name escape it.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Platform, PlatformFile } from '../platform/types.js';

/** A name safe to create inside the output directory: no directories, no dot-files surprises. */
export function safeFileName(name: string, id: string): string {
  const base = path.basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f]/g, '_');
  if (base === '' || base === '.' || base === '..') return id;
  return base;
}

export interface SavedFile extends PlatformFile {
  path: string;
}

/** Downloads every downloadable file into `dir` (created if needed); same names get the id added. */
export async function downloadFiles(
  platform: Platform,
  files: PlatformFile[],
  dir: string,
): Promise<SavedFile[]> {
  await mkdir(dir, { recursive: true });
  const used = new Set<string>();
  const saved: SavedFile[] = [];
  for (const f of files) {
    if (!f.downloadable) continue;
    let name = safeFileName(f.filename, f.id);
    if (used.has(name)) {
      const ext = path.extname(name);
      name = `${name.slice(0, name.length - ext.length)}-${f.id}${ext}`;
    }
    used.add(name);
    const target = path.join(dir, name);
    await writeFile(target, await platform.downloadFile(f.id));
    saved.push({ ...f, path: target });
  }
  return saved;
}
