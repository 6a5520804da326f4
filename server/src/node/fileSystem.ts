// The core's FileSystem on the real disk. Never throws: every failure becomes an error string
// worded like nginx's own (`open() "/x" failed (2: No such file or directory)`).

import * as fs from 'node:fs';
import { dirname } from 'node:path';
import type { FileStat, FileSystem, ReadResult } from '../core/fileSystem';

/** Files bigger than this are refused: no real nginx config is, and reading one would stall the editor. */
export const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;

const ERRNO: Record<string, [number, string]> = {
  ENOENT: [2, 'No such file or directory'],
  EACCES: [13, 'Permission denied'],
  EPERM: [1, 'Operation not permitted'],
  EISDIR: [21, 'Is a directory'],
  ENOTDIR: [20, 'Not a directory'],
  ELOOP: [40, 'Too many levels of symbolic links'],
  EMFILE: [24, 'Too many open files'],
  ENFILE: [23, 'Too many open files in system'],
  ENAMETOOLONG: [36, 'File name too long'],
  EIO: [5, 'Input/output error'],
  ENXIO: [6, 'No such device or address'],
};

function listDir(path: string): string[] | { error: string } {
  try {
    return fs.readdirSync(path);
  } catch (e) {
    return { error: `opendir() "${path}" failed (${describe(e)})` };
  }
}

function describe(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code && ERRNO[code]) return `${ERRNO[code][0]}: ${ERRNO[code][1]}`;
  return code ?? String((err as Error)?.message ?? err);
}

export interface NodeFileSystemOptions {
  maxFileBytes?: number;
  /**
   * Keep decoded texts and hand back the very same string while a file's size, mtime and inode
   * are unchanged: re-analysis after an edit then costs a stat per file, and the parse cache's
   * text comparison is a pointer check. Default true.
   */
  reuseTexts?: boolean;
  /**
   * A kept text, or a directory's listing, is trusted without a stat (a fresh listing) for this
   * long after it was last checked (default 0: always check). The language server re-analyses on
   * every keystroke; a stat of each of 300 files was ~3 ms of every re-analysis, and listing the
   * include globs' directories ~0.6 ms. It hears of changes to watched files at once (`forget`).
   */
  revalidateAfterMs?: number;
  /** Clock for revalidateAfterMs (tests). */
  now?: () => number;
}

export class NodeFileSystem implements FileSystem {
  private readonly maxFileBytes: number;
  // Invalid UTF-8 becomes U+FFFD instead of an exception; a BOM is kept, since nginx reads it
  // as part of the first token too.
  private readonly decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

  private readonly texts = new Map<string, { size: number; mtimeMs: number; ino: number; text: string; checkedAt: number }>();
  /** Directory listings kept for revalidateAfterMs (never without it). */
  private readonly listings = new Map<string, { entries: readonly string[]; checkedAt: number }>();
  private readonly reuseTexts: boolean;
  private readonly revalidateAfterMs: number;
  private readonly now: () => number;

  constructor(options: NodeFileSystemOptions = {}) {
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.reuseTexts = options.reuseTexts ?? true;
    this.revalidateAfterMs = options.revalidateAfterMs ?? 0;
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * The file changed on disk (a watcher said so): its kept text is not used again, nor the
   * listing of its directory (it may have been created or deleted), nor its own if it is one.
   */
  forget(path: string): void {
    this.texts.delete(path);
    this.listings.delete(path);
    this.listings.delete(dirname(path));
  }

  readFile(path: string): ReadResult {
    if (this.reuseTexts) {
      const known = this.texts.get(path);
      if (known) {
        const now = this.revalidateAfterMs > 0 ? this.now() : 0;
        if (this.revalidateAfterMs > 0 && now - known.checkedAt < this.revalidateAfterMs) return { text: known.text };
        let st: fs.Stats | undefined;
        try {
          st = fs.statSync(path, { throwIfNoEntry: false });
        } catch {
          st = undefined;
        }
        if (st && st.isFile() && st.size === known.size && st.mtimeMs === known.mtimeMs && st.ino === known.ino) {
          known.checkedAt = now;
          return { text: known.text };
        }
        this.texts.delete(path);
      }
    }
    let fd: number;
    try {
      // O_NONBLOCK: opening a FIFO someone left in conf.d must not block the server forever.
      fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (e) {
      return { error: `open() "${path}" failed (${describe(e)})` };
    }
    try {
      const st = fs.fstatSync(fd);
      if (st.isDirectory()) return { error: `pread() "${path}" failed (21: Is a directory)` };
      if (!st.isFile()) return { error: `"${path}" is not a regular file` };
      if (st.size > this.maxFileBytes) {
        return { error: `"${path}" is ${st.size} bytes, over the ${this.maxFileBytes}-byte limit for configuration files` };
      }
      const buf = Buffer.allocUnsafe(st.size);
      let off = 0;
      while (off < st.size) {
        const n = fs.readSync(fd, buf, off, st.size - off, off);
        if (n === 0) break;
        off += n;
      }
      const text = this.decoder.decode(buf.subarray(0, off));
      if (this.reuseTexts && off === st.size) this.texts.set(path, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, text, checkedAt: this.revalidateAfterMs > 0 ? this.now() : 0 });
      return { text };
    } catch (e) {
      return { error: `pread() "${path}" failed (${describe(e)})` };
    } finally {
      try {
        fs.closeSync(fd);
      } catch {
        // nothing useful to do: the read already succeeded or failed
      }
    }
  }

  readDir(path: string): string[] | { error: string } {
    if (this.revalidateAfterMs <= 0) return listDir(path);
    const now = this.now();
    const known = this.listings.get(path);
    // A copy: callers sort and filter what they get.
    if (known && now - known.checkedAt < this.revalidateAfterMs) return known.entries.slice();
    const r = listDir(path);
    if (Array.isArray(r)) this.listings.set(path, { entries: r.slice(), checkedAt: now });
    else this.listings.delete(path);
    return r;
  }

  stat(path: string): FileStat | undefined {
    try {
      const st = fs.statSync(path, { throwIfNoEntry: false });
      if (!st) return undefined;
      return { kind: st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other', size: st.size, mtimeMs: st.mtimeMs };
    } catch {
      return undefined;
    }
  }
}
