// Where an `include` points, the way nginx 1.22 resolves it (ngx_conf_include):
// - a relative path is joined to the *conf prefix* (the directory of the main config given with
//   -c, see ngx_process_options), never to the directory of the including file;
// - if the full name contains any of `*?[` it is a glob (ngx_open_glob: glob(3), sorted, a pattern
//   matching nothing is fine); otherwise the file must open, or nginx fails with
//   `open() "<path>" failed (2: No such file or directory)`.
// On top of nginx: path mappings, so `/etc/nginx/...` finds the workspace copy of /etc/nginx.

import { posix } from 'node:path';
import type { Directive } from './syntax';
import type { FileSystem } from './fileSystem';
import { expandGlob, hasGlobChars } from './glob';

export interface PathMapping {
  /** Absolute path as nginx on the server sees it, e.g. `/etc/nginx`. */
  from: string;
  /** Where that tree is here, e.g. `/home/me/infra/etc/nginx`. */
  to: string;
}

export type IncludeStatus =
  /** Read and parsed; its directives count. */
  | 'ok'
  /** Plain path that does not exist: nginx fails. */
  | 'missing'
  /** Exists but could not be read (permissions, a directory, too big, a glob-matched dangling link). */
  | 'unreadable'
  /** Outside what the user allowed us to read; not followed. */
  | 'refused'
  /** Closes an include cycle (already being included further up): not followed, so the graph of 'ok' targets is acyclic. */
  | 'cycle'
  /** Not followed because a limit (files, glob matches) was reached. */
  | 'limit';

export interface IncludeTarget {
  /** The path we read (after path mappings), normalized. */
  path: string;
  /** The path as nginx would open it (conf prefix applied, no mapping). */
  nginxPath: string;
  status: IncludeStatus;
  /** Why it is not 'ok'. */
  reason?: string;
}

/** Whether the directive is an include nginx would execute: `include` with exactly one argument. */
export function isInclude(d: Directive): boolean {
  return d.name === 'include' && d.args.length === 1 && !d.block;
}

/** ngx_conf_full_name with conf_prefix=1: absolute stays, relative is prefixed. */
export function fullName(name: string, confPrefix: string): string {
  if (name.startsWith('/')) return name;
  return (confPrefix.endsWith('/') ? confPrefix : confPrefix + '/') + name;
}

/** nginx's conf prefix for a main config: its directory, with the trailing '/'. */
export function confPrefixOf(mainFile: string): string {
  const dir = posix.dirname(mainFile);
  return dir.endsWith('/') ? dir : dir + '/';
}

export function applyMappings(path: string, mappings: readonly PathMapping[]): string {
  for (const m of mappings) {
    const from = m.from.replace(/\/+$/, '');
    if (path === from) return m.to;
    if (path.startsWith(from + '/')) return m.to.replace(/\/+$/, '') + path.slice(from.length);
  }
  return path;
}

/** Normalizes lexically and keeps a trailing component exact (glob patterns survive since `*?[` are not special to it). */
export function normalizePath(path: string): string {
  return posix.normalize(path);
}

/** Entries of a Debian/RPM/Alpine /etc/nginx that show a directory is a copy of it. */
const ETC_NGINX_MARKERS = ['sites-enabled', 'sites-available', 'conf.d', 'snippets', 'mime.types', 'modules-enabled', 'fastcgi_params', 'nginx.conf'];

/** Server-side directories that hold an nginx configuration tree (Debian/RPM, source builds, BSD, Homebrew, OpenResty). */
const SERVER_CONF_DIR = /^(?:\/[^/]+)*\/nginx(?:\/conf)?$/;

/**
 * Guesses that a workspace directory mirrors the server's configuration directory:
 * - the main config lives at `<x>/etc/nginx/nginx.conf` (→ /etc/nginx);
 * - it sits beside at least two of the usual /etc/nginx entries (→ /etc/nginx);
 * - it includes `/some/nginx/<entry>...` (a directory named nginx, or nginx/conf) and `<entry>`
 *   exists beside it: that directory is the mirror (the Docker image layout, source builds).
 */
export function detectPathMappings(mainFile: string, fs: FileSystem): PathMapping[] {
  const dir = posix.dirname(mainFile);
  if (dir === '/etc/nginx') return [];
  if (dir.endsWith('/etc/nginx')) return [{ from: '/etc/nginx', to: dir }];
  const listed = fs.readDir(dir);
  if (!Array.isArray(listed)) return [];
  const names = new Set(listed);
  const hits = ETC_NGINX_MARKERS.filter((m) => names.has(m)).length;
  if (names.has('nginx.conf') && hits >= 3) return [{ from: '/etc/nginx', to: dir }];
  const text = fs.readFile(mainFile);
  if ('error' in text) return [];
  const out: PathMapping[] = [];
  // Only the first 1 MB: include lines of a main config are near its top, and this runs on every load.
  const re = /(?:^|[\s;{}])include\s+["']?(\/[^\s;"']+)/g;
  const head = text.text.length > 1 << 20 ? text.text.slice(0, 1 << 20) : text.text;
  for (let m = re.exec(head); m; m = re.exec(head)) {
    const parts = m[1].split('/');
    for (let k = 2; k < parts.length; k++) {
      const from = parts.slice(0, k).join('/');
      const entry = parts[k];
      if (!entry || /[*?[\\]/.test(entry) || from === dir || !SERVER_CONF_DIR.test(from)) continue;
      if (names.has(entry) && !out.some((o) => o.from === from)) out.push({ from, to: dir });
    }
  }
  return out;
}

export interface ResolveContext {
  confPrefix: string;
  mappings: readonly PathMapping[];
  fs: FileSystem;
  maxGlobMatches: number;
  readDir?: (path: string) => string[] | { error: string };
}

export interface Resolution {
  /** Paths in nginx's order; status still to be decided by the loader except 'limit'. */
  targets: { path: string; nginxPath: string; glob: boolean }[];
  isGlob: boolean;
  /** Number of matches beyond the cap, when the glob matched too many. */
  truncated?: number;
}

/** The files one include names, in the order nginx would read them. */
export function resolveInclude(arg: string, ctx: ResolveContext): Resolution {
  const nginxFull = fullName(arg, ctx.confPrefix);
  if (!hasGlobChars(nginxFull)) {
    const mapped = normalizePath(applyMappings(nginxFull, ctx.mappings));
    return { targets: [{ path: mapped, nginxPath: nginxFull, glob: false }], isGlob: false };
  }
  const mappedPattern = applyMappings(nginxFull, ctx.mappings);
  const r = expandGlob(mappedPattern, ctx.fs, { maxMatches: ctx.maxGlobMatches, readDir: ctx.readDir });
  const mappedBase = mappedPattern === nginxFull ? undefined : ctx.mappings.find((m) => nginxFull.startsWith(m.from.replace(/\/+$/, '') + '/'));
  const targets = r.paths.map((p) => {
    let nginxPath = p;
    if (mappedBase) {
      const to = mappedBase.to.replace(/\/+$/, '');
      if (p.startsWith(to + '/')) nginxPath = mappedBase.from.replace(/\/+$/, '') + p.slice(to.length);
    }
    return { path: normalizePath(p), nginxPath, glob: true };
  });
  return { targets, isGlob: true, truncated: r.truncated };
}
