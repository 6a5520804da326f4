// The server's view of the workspace: open documents (their unsaved text wins over disk), parsed
// trees cached by version, the settings, and which main config(s) each open file belongs to.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parse } from '../core/parser';
import { ParseCache } from '../core/configGraph';
import type { ParsedFile } from '../core/syntax';
import { uriToPath } from '../service/convert';
import { LogFileLines } from '../node/logFile';
import type { Settings } from './protocol';

export const CONFIG_LANGUAGE = 'nginx';
export const LOG_LANGUAGE = 'nginx-access-log';
/** VS Code hands extensions files up to 50 MB; a log read from disk may be a little bigger by then. */
const MAX_DISK_LOG_BYTES = 256 * 1024 * 1024;

export const DEFAULT_SETTINGS: Settings = {
  mainConfig: '',
  prefix: '',
  extraDirectives: [],
  logFiles: {},
  allowIncludesOutsideWorkspace: false,
};

/** A log open in the editor whose bytes the server read from disk (it was never sent as text). */
export interface DiskLog {
  readonly uri: string;
  readonly languageId: typeof LOG_LANGUAGE;
  readonly version: number;
  readonly lines: LogFileLines;
}

export class Workspace {
  readonly documents = new TextDocuments(TextDocument);
  settings: Settings = { ...DEFAULT_SETTINGS };
  /** false in an untrusted workspace: parse open documents only, never read the disk. */
  trusted = true;
  /** Absolute paths of the workspace folders (or the root path). */
  roots: string[] = [];
  private parsedCache = new Map<string, { version: number; file: ParsedFile }>();
  /** Shared with the config graphs, so an open document is parsed once for every feature. */
  readonly parseCache = new ParseCache();

  setSettings(s: Partial<Settings> | undefined): void {
    this.settings = { ...DEFAULT_SETTINGS, ...(s ?? {}) };
  }

  /**
   * Large logs open in the editor but read from disk (the client sends no text for them, see
   * DiskLogNotification): shipping an 18 MB log through JSON-RPC took longer than reading it.
   */
  private readonly diskLogs = new Map<string, DiskLog>();

  document(uri: string): TextDocument | DiskLog | undefined {
    return this.documents.get(uri) ?? this.diskLogs.get(uri);
  }

  /** Every open document: synced ones, then the logs read from disk. */
  openDocuments(): (TextDocument | DiskLog)[] {
    return [...this.documents.all(), ...this.diskLogs.values()];
  }

  isConfig(uri: string): boolean {
    const d = this.documents.get(uri);
    return !!d && d.languageId !== LOG_LANGUAGE;
  }

  isLog(uri: string): boolean {
    return this.document(uri)?.languageId === LOG_LANGUAGE;
  }

  /** Whether a log is open as read from disk (not synced). */
  isDiskLog(uri: string): boolean {
    return this.diskLogs.has(uri);
  }

  /**
   * Reads (again) a log the editor has open without sending its text. Only file: URIs of a
   * trusted workspace, up to MAX_DISK_LOG_BYTES; an error string when it cannot be read.
   */
  readDiskLog(uri: string): string | undefined {
    if (!uri.startsWith('file:')) return 'not a file: URI';
    if (!this.trusted) return 'untrusted workspace: logs are not read from disk';
    const path = uriToPath(uri);
    let lines: LogFileLines;
    try {
      const st = statSync(path);
      if (!st.isFile()) return `"${path}" is not a regular file`;
      if (st.size > MAX_DISK_LOG_BYTES) return `"${path}" is ${st.size} bytes, over the ${MAX_DISK_LOG_BYTES}-byte limit`;
      lines = new LogFileLines(path);
    } catch (err) {
      return `cannot read "${path}": ${(err as Error).message}`;
    }
    const was = this.diskLogs.get(uri);
    this.diskLogs.set(uri, { uri, languageId: LOG_LANGUAGE, version: (was?.version ?? 0) + 1, lines });
    return undefined;
  }

  closeDiskLog(uri: string): boolean {
    return this.diskLogs.delete(uri);
  }

  /** The parsed tree of an open document, reparsed only when its version changed. */
  parsed(uri: string): ParsedFile | undefined {
    const doc = this.documents.get(uri);
    if (!doc) return undefined;
    const hit = this.parsedCache.get(uri);
    if (hit && hit.version === doc.version) return hit.file;
    const path = uriToPath(uri);
    const file = uri.startsWith('file:') ? this.parseCache.get(path, doc.getText()) : parse(doc.getText(), path);
    this.parsedCache.set(uri, { version: doc.version, file });
    return file;
  }

  forget(uri: string): void {
    this.parsedCache.delete(uri);
  }

  /** Open document text for a path, so analyses see unsaved edits. */
  openText(path: string): string | undefined {
    for (const d of this.documents.all()) {
      if (uriToPath(d.uri) === path) return d.getText();
    }
    return undefined;
  }

  /**
   * The main config a file belongs to: the `nginx-lens.mainConfig` setting, else the nearest
   * nginx.conf in the file's directory or above (within the workspace), else one found in the
   * workspace. Undefined when none exists: the file is then analysed on its own.
   */
  mainConfigFor(path: string): string | undefined {
    if (!this.trusted) return undefined;
    const configured = this.settings.mainConfig;
    if (configured) {
      const candidates = isAbsolute(configured) ? [configured] : this.roots.map((r) => resolve(r, configured));
      for (const c of candidates) if (isFile(c)) return c;
    }
    if (!isAbsolute(path)) return undefined;
    const root = this.roots.find((r) => path === r || path.startsWith(r.endsWith('/') ? r : r + '/'));
    let dir = dirname(path);
    for (let i = 0; i < 64; i++) {
      const c = join(dir, 'nginx.conf');
      if (isFile(c)) return c;
      if (root && dir === root) break;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    if (root) return findNginxConf(root);
    return undefined;
  }
}

function isFile(p: string): boolean {
  try {
    // A missing file is the common answer here: no exception (and stack trace) for it.
    return statSync(p, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
}

/** Breadth-first, shallow and bounded: a workspace may be a home directory. */
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out']);
const foundCache = new Map<string, { at: number; found: string | undefined }>();
export function findNginxConf(root: string, maxDepth = 4, maxDirs = 2000): string | undefined {
  const cached = foundCache.get(root);
  if (cached && Date.now() - cached.at < 5000) return cached.found;
  let found: string | undefined;
  let level = [root];
  let visited = 0;
  outer: for (let depth = 0; depth <= maxDepth && level.length; depth++) {
    const next: string[] = [];
    for (const dir of level.sort()) {
      if (++visited > maxDirs) break outer;
      let entries: import('node:fs').Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      if (entries.some((e) => e.name === 'nginx.conf' && (e.isFile() || e.isSymbolicLink())) && existsSync(join(dir, 'nginx.conf'))) {
        found = join(dir, 'nginx.conf');
        break outer;
      }
      for (const e of entries) if (e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) next.push(join(dir, e.name));
    }
    level = next;
  }
  foundCache.set(root, { at: Date.now(), found });
  return found;
}
