// The only way the core reads files. Everything answers with data, never throws: include
// resolution runs on whatever the user's disk holds (dangling symlinks, unreadable files,
// directories where files were expected), and the editor overlays its unsaved buffers on top.
// Paths are absolute POSIX paths, as nginx sees them.

export type ReadResult = { text: string } | { error: string };

export interface FileStat {
  kind: 'file' | 'dir' | 'other';
  size: number;
  mtimeMs: number;
}

export interface FileSystem {
  /** The decoded text, or an error worded like nginx's: `open() "/x" failed (2: No such file or directory)`. */
  readFile(path: string): ReadResult;
  /** Entry names (not paths), including dot-files, excluding `.` and `..`; order unspecified. */
  readDir(path: string): string[] | { error: string };
  /** Follows symlinks; undefined when nothing is there (or a symlink dangles). */
  stat(path: string): FileStat | undefined;
}

export function isReadError(r: ReadResult): r is { error: string } {
  return 'error' in r;
}

/** ENOENT in nginx's wording, so messages read like `nginx -t`'s. */
export function notFoundError(path: string): string {
  return `open() "${path}" failed (2: No such file or directory)`;
}

/** In-memory tree for tests and for editor buffers. Directories exist implicitly above every file. */
export class MemoryFileSystem implements FileSystem {
  private readonly files = new Map<string, { text: string; mtimeMs: number } | { error: string }>();
  private readonly dirs = new Map<string, Set<string>>([['/', new Set()]]);
  private clock = 1;

  constructor(files: Record<string, string> = {}) {
    for (const [p, t] of Object.entries(files)) this.write(p, t);
  }

  write(path: string, text: string): void {
    this.files.set(path, { text, mtimeMs: this.clock++ });
    this.link(path);
  }

  /** A file that exists but cannot be read (e.g. mode 000, which root would read anyway on a real disk). */
  writeUnreadable(path: string, error = `open() "${path}" failed (13: Permission denied)`): void {
    this.files.set(path, { error });
    this.link(path);
  }

  mkdir(path: string): void {
    if (!this.dirs.has(path)) this.dirs.set(path, new Set());
    this.link(path);
  }

  delete(path: string): void {
    this.files.delete(path);
    const slash = path.lastIndexOf('/');
    this.dirs.get(path.slice(0, slash) || '/')?.delete(path.slice(slash + 1));
  }

  private link(path: string): void {
    let child = path;
    for (;;) {
      const slash = child.lastIndexOf('/');
      if (slash < 0) return;
      const parent = child.slice(0, slash) || '/';
      let set = this.dirs.get(parent);
      if (!set) this.dirs.set(parent, (set = new Set()));
      const name = child.slice(slash + 1);
      if (name) set.add(name);
      if (parent === '/') return;
      child = parent;
    }
  }

  readFile(path: string): ReadResult {
    const f = this.files.get(path);
    if (f) return 'error' in f ? { error: f.error } : { text: f.text };
    if (this.dirs.has(path)) return { error: `pread() "${path}" failed (21: Is a directory)` };
    return { error: notFoundError(path) };
  }

  readDir(path: string): string[] | { error: string } {
    const d = this.dirs.get(path);
    if (d) return [...d];
    if (this.files.has(path)) return { error: `opendir() "${path}" failed (20: Not a directory)` };
    return { error: `opendir() "${path}" failed (2: No such file or directory)` };
  }

  stat(path: string): FileStat | undefined {
    const f = this.files.get(path);
    if (f) return { kind: 'file', size: 'text' in f ? f.text.length : 0, mtimeMs: 'mtimeMs' in f ? f.mtimeMs : 0 };
    if (this.dirs.has(path)) return { kind: 'dir', size: 0, mtimeMs: 0 };
    return undefined;
  }
}

/**
 * Editor buffers over a base file system: an open document wins over what is on disk, and a new,
 * unsaved file shows up in its directory so globs see it.
 */
export class OverlayFileSystem implements FileSystem {
  private readonly overlays = new Map<string, string>();

  constructor(private readonly base: FileSystem) {}

  set(path: string, text: string): void {
    this.overlays.set(path, text);
  }

  remove(path: string): void {
    this.overlays.delete(path);
  }

  has(path: string): boolean {
    return this.overlays.has(path);
  }

  readFile(path: string): ReadResult {
    const t = this.overlays.get(path);
    return t !== undefined ? { text: t } : this.base.readFile(path);
  }

  readDir(path: string): string[] | { error: string } {
    const listed = this.base.readDir(path);
    const extra: string[] = [];
    const prefix = path.endsWith('/') ? path : path + '/';
    for (const p of this.overlays.keys()) {
      if (p.startsWith(prefix) && p.indexOf('/', prefix.length) === -1) extra.push(p.slice(prefix.length));
    }
    if (!extra.length) return listed;
    if (!Array.isArray(listed)) return extra;
    const set = new Set(listed);
    for (const e of extra) set.add(e);
    return [...set];
  }

  stat(path: string): FileStat | undefined {
    const t = this.overlays.get(path);
    if (t !== undefined) return { kind: 'file', size: t.length, mtimeMs: this.base.stat(path)?.mtimeMs ?? 0 };
    return this.base.stat(path);
  }
}
