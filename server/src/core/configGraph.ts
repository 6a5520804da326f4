// The whole configuration as nginx reads it: the main file plus everything its includes pull in,
// each file parsed once (and re-used across analyses while its text is unchanged), with the
// contexts each file is included under and every include problem as a diagnostic.
//
// Loading is an iterative depth-first walk in nginx's own order, so `files` lists files in the
// order nginx first reads them. A file included several times in the same context is expanded
// once (its includes resolve the same way every time: relative paths are against the conf
// prefix, not the includer), which keeps diamond-shaped include trees linear.

import { posix } from 'node:path';
import type { Directive, ParsedFile, Range } from './syntax';
import type { Diagnostic } from './diagnostic';
import type { FileSystem } from './fileSystem';
import { parse } from './parser';
import { reparse } from './reparse';
import {
  confPrefixOf,
  detectPathMappings,
  isInclude,
  resolveInclude,
  type IncludeTarget,
  type PathMapping,
  type ResolveContext,
  type Resolution,
} from './includes';

export const DEFAULT_MAX_FILES = 20000;
export const DEFAULT_MAX_GLOB_MATCHES = 10000;
/** Include expansions (file × context) before giving up: bounds pathological diamond trees. */
export const DEFAULT_MAX_EXPANSIONS = 200000;

/** Parsed files keyed by path, re-used while the text is identical. Share one across analyses. */
export class ParseCache {
  private readonly map = new Map<string, ParsedFile>();
  hits = 0;
  misses = 0;

  get(path: string, text: string): ParsedFile {
    const cached = this.map.get(path);
    if (cached && cached.text === text) {
      this.hits++;
      return cached;
    }
    this.misses++;
    // A small edit inside one statement re-reads only that statement (same tree as a full parse).
    const parsed = (cached && reparse(cached, text)) || parse(text, path);
    this.map.set(path, parsed);
    return parsed;
  }

  delete(path: string): void {
    this.map.delete(path);
  }

  /** Drops every entry not in `paths` (e.g. the union of the files of the graphs still open), so a long session does not keep deleted files. */
  retain(paths: Iterable<string>): void {
    const keep = new Set(paths);
    for (const p of this.map.keys()) if (!keep.has(p)) this.map.delete(p);
  }

  get size(): number {
    return this.map.size;
  }
}

export interface ConfigGraphOptions {
  /** The conf prefix (nginx: directory of the -c file). Relative includes resolve against it. */
  prefix?: string;
  /** Absolute server paths mapped onto local directories. Default: detected (see detectPathMappings). */
  pathMappings?: PathMapping[];
  /** Security: paths outside the workspace or configured roots are not read unless this allows them. */
  allowRead?: (path: string) => boolean;
  cache?: ParseCache;
  /** Context the main file is read in; [] = nginx's main context. A fragment checked alone uses e.g. ['http', 'server']. */
  rootContext?: string[];
  maxFiles?: number;
  maxGlobMatches?: number;
  maxExpansions?: number;
}

export interface ConfigGraph {
  mainFile: string;
  /** Conf prefix, ending in '/'. */
  prefix: string;
  rootContext: string[];
  pathMappings: PathMapping[];
  /** Every file read (main first; then in discovery order: an include's targets are read together). For nginx's reading order use walkEffective. */
  files: Map<string, ParsedFile>;
  /** Each include directive seen → its targets in nginx order. */
  includes: Map<Directive, IncludeTarget[]>;
  /** File → the distinct contexts (block names, outermost first) it is read in. */
  contexts: Map<string, string[][]>;
  /** File → the include directives that pull it in. */
  includedBy: Map<string, Directive[]>;
  /** Include problems (not syntax errors: those live on each ParsedFile). */
  diagnostics: Diagnostic[];
}

/** An include directive's position in its own file: the block names around it. */
interface IncludeSite {
  directive: Directive;
  context: string[];
}

const siteCache = new WeakMap<ParsedFile, IncludeSite[]>();

/** The include directives of a file with the blocks around them (computed once per parse). */
export function includeSites(file: ParsedFile): IncludeSite[] {
  let sites = siteCache.get(file);
  if (sites) return sites;
  sites = [];
  const stack: { list: Directive[]; i: number; ctx: string[] }[] = [{ list: file.directives, i: 0, ctx: [] }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i >= top.list.length) {
      stack.pop();
      continue;
    }
    const d = top.list[top.i++];
    if (isInclude(d)) sites.push({ directive: d, context: top.ctx });
    if (d.block && d.block.children.length) stack.push({ list: d.block.children, i: 0, ctx: [...top.ctx, d.name] });
  }
  siteCache.set(file, sites);
  return sites;
}

// A plain include path is a pure function of its argument, the prefix and the mappings: resolved
// once per parsed directive instead of on every reload (600 per edit of the bench config). Glob
// includes list directories, so they are resolved by each load.
const plainIncludes = new WeakMap<Directive, { key: string; res: Resolution }>();
function resolveIncludeOf(d: Directive, ctx: ResolveContext, key: string): Resolution {
  const hit = plainIncludes.get(d);
  if (hit && hit.key === key) return hit.res;
  const res = resolveInclude(d.args[0].value, ctx);
  if (!res.isGlob) plainIncludes.set(d, { key, res });
  return res;
}

const ZERO: Range = { start: { line: 0, character: 0, offset: 0 }, end: { line: 0, character: 0, offset: 0 } };

export function loadConfigGraph(mainFile: string, fs: FileSystem, options: ConfigGraphOptions = {}): ConfigGraph {
  mainFile = posix.normalize(mainFile);
  const cache = options.cache ?? new ParseCache();
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  const maxExpansions = options.maxExpansions ?? DEFAULT_MAX_EXPANSIONS;
  const allowRead = options.allowRead ?? (() => true);
  const rootContext = options.rootContext ?? [];
  let prefix = options.prefix ?? confPrefixOf(mainFile);
  if (!prefix.endsWith('/')) prefix += '/';
  const pathMappings = options.pathMappings ?? detectPathMappings(mainFile, fs);

  const graph: ConfigGraph = {
    mainFile,
    prefix,
    rootContext,
    pathMappings,
    files: new Map(),
    includes: new Map(),
    contexts: new Map(),
    includedBy: new Map(),
    diagnostics: [],
  };

  // One analysis sees one state of the disk: each directory listed once, each file read once.
  const dirMemo = new Map<string, string[] | { error: string }>();
  // Directories a glob wanted to list but the caller does not allow: not even their names are read.
  let refusedDirs: string[] = [];
  const readDir = (p: string) => {
    let r = dirMemo.get(p);
    if (!r) {
      const dir = p.endsWith('/') || p === '' ? p || '/' : p;
      dirMemo.set(p, (r = allowRead(dir) || allowRead(dir + '/') ? fs.readDir(p) : { error: `refused: ${dir}` }));
    }
    if ('error' in r && r.error.startsWith('refused: ')) refusedDirs.push(p);
    return r;
  };
  const resolveCtx: ResolveContext = { confPrefix: prefix, mappings: pathMappings, fs, maxGlobMatches: options.maxGlobMatches ?? DEFAULT_MAX_GLOB_MATCHES, readDir };
  const failed = new Map<string, { status: IncludeTarget['status']; reason: string }>();
  const resolveKey = `${prefix}\u0000${pathMappings.map((m) => `${m.from}\u0001${m.to}`).join('\u0000')}`;

  const report = (d: Directive, severity: Diagnostic['severity'], code: string, message: string): void => {
    const range = d.args[0]?.range ?? d.nameRange;
    graph.diagnostics.push({ severity, code, message, file: d.file, range });
  };

  const read = (path: string): ParsedFile | { status: IncludeTarget['status']; reason: string } => {
    const have = graph.files.get(path);
    if (have) return have;
    const f = failed.get(path);
    if (f) return f;
    let result: ParsedFile | { status: IncludeTarget['status']; reason: string };
    if (!allowRead(path)) {
      result = { status: 'refused', reason: `"${path}" is outside the workspace and the configured include roots; not read` };
    } else if (graph.files.size >= maxFiles) {
      result = { status: 'limit', reason: `more than ${maxFiles} configuration files; "${path}" and later ones are not read` };
    } else {
      const r = fs.readFile(path);
      // Only a failed read needs to know whether the path exists (one stat per file saved per analysis).
      if ('error' in r) result = { status: fs.stat(path) ? 'unreadable' : 'missing', reason: r.error };
      else {
        const parsed = cache.get(path, r.text);
        graph.files.set(path, parsed);
        return parsed;
      }
    }
    failed.set(path, result);
    return result;
  };

  // File → context keys already recorded; a file recorded under a context was also expanded there.
  const contextKeys = new Map<string, Set<string>>();
  const addContext = (path: string, ctx: string[], key: string): boolean => {
    let keys = contextKeys.get(path);
    if (!keys) contextKeys.set(path, (keys = new Set()));
    if (keys.has(key)) return false;
    keys.add(key);
    let list = graph.contexts.get(path);
    if (!list) graph.contexts.set(path, (list = []));
    list.push(ctx);
    return true;
  };

  const main = read(mainFile);
  if (!('directives' in main)) {
    graph.diagnostics.push({ severity: 'error', code: 'file-unreadable', message: main.reason, file: mainFile, range: ZERO });
    return graph;
  }
  addContext(mainFile, rootContext, rootContext.join('\u0000'));

  interface Frame {
    file: ParsedFile;
    ctx: string[];
    ctxKey: string;
    sites: IncludeSite[];
    site: number;
    target: number;
  }
  const stack: Frame[] = [{ file: main, ctx: rootContext, ctxKey: rootContext.join('\u0000'), sites: includeSites(main), site: 0, target: 0 }];
  const onStack = new Map<string, number>([[mainFile, 1]]);
  const reported = new Set<string>();
  const edges = new Map<Directive, Set<string>>();
  let expansions = 0;
  let expansionLimitReported = false;

  while (stack.length) {
    const fr = stack[stack.length - 1];
    if (fr.site >= fr.sites.length) {
      stack.pop();
      const n = onStack.get(fr.file.path)! - 1;
      if (n) onStack.set(fr.file.path, n);
      else onStack.delete(fr.file.path);
      continue;
    }
    const site = fr.sites[fr.site];
    const d = site.directive;
    let targets = graph.includes.get(d);
    if (!targets) {
      refusedDirs = [];
      const res = resolveIncludeOf(d, resolveCtx, resolveKey);
      if (refusedDirs.length) {
        report(d, 'information', 'include-outside-workspace', `"${refusedDirs[0]}" is outside the workspace and the configured include roots; "${d.args[0].value}" was not expanded`);
      }
      targets = res.targets.map((t) => ({ path: t.path, nginxPath: t.nginxPath, status: 'ok' as const }));
      graph.includes.set(d, targets);
      if (res.truncated) {
        report(d, 'warning', 'include-limit', `"${d.args[0].value}" matches ${res.truncated} files; only the first ${targets.length} are analysed`);
      }
      // Resolve every target's readability once, in order, so statuses are final for consumers.
      for (const t of targets) {
        const r = read(t.path);
        if ('directives' in r) continue;
        // A name the glob listed but that does not open is a dangling symlink (or vanished).
        const status = r.status === 'missing' && res.isGlob ? 'unreadable' : r.status;
        t.status = status;
        t.reason = r.reason;
        const key = `${d.file}\u0000${d.range.start.offset}\u0000${t.path}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const mapped = t.path !== t.nginxPath ? ` (looked for it at "${t.path}")` : '';
        if (status === 'missing') {
          const reason = r.reason.includes(`"${t.path}"`) ? r.reason.replace(`"${t.path}"`, `"${t.nginxPath}"`) : r.reason;
          report(d, 'error', 'include-not-found', reason + mapped);
        } else if (status === 'unreadable') report(d, 'error', 'include-unreadable', r.reason + mapped + (r.status === 'missing' ? ' (a dangling symbolic link?)' : ''));
        else if (r.status === 'refused') report(d, 'information', 'include-outside-workspace', r.reason);
        else if (r.status === 'limit') report(d, 'warning', 'include-limit', r.reason);
      }
    }
    if (fr.target >= targets.length) {
      fr.site++;
      fr.target = 0;
      continue;
    }
    const t = targets[fr.target++];
    if (t.status !== 'ok' && t.status !== 'cycle') continue;
    const ctx = site.context.length ? [...fr.ctx, ...site.context] : fr.ctx;
    const ctxKey = site.context.length ? ctx.join('\u0000') : fr.ctxKey;
    if (onStack.has(t.path)) {
      const key = `cycle\u0000${d.file}\u0000${d.range.start.offset}\u0000${t.path}`;
      if (!reported.has(key)) {
        reported.add(key);
        const chain = stack.map((f) => f.file.path);
        const from = chain.indexOf(t.path);
        const loop = [...chain.slice(from), t.path].map((p) => posix.basename(p)).join(' → ');
        const self = t.path === d.file;
        report(d, 'error', 'include-cycle', self ? `"${d.file}" includes itself; nginx would recurse until it runs out of files` : `include cycle: ${loop}; nginx would recurse until it runs out of files`);
      }
      // The edge that closes the cycle is marked, so every consumer that follows only 'ok'
      // targets sees an acyclic include graph (a depth-first search minus its back edges is
      // acyclic), however it recurses.
      t.status = 'cycle';
      t.reason = t.path === d.file ? 'includes itself' : 'closes an include cycle';
      continue;
    }
    if (t.status === 'cycle') continue; // marked on an earlier path: consumers never follow it either
    const file = graph.files.get(t.path);
    if (!file) continue;
    let targetsSeen = edges.get(d);
    if (!targetsSeen) edges.set(d, (targetsSeen = new Set()));
    if (!targetsSeen.has(t.path)) {
      targetsSeen.add(t.path);
      let list = graph.includedBy.get(t.path);
      if (!list) graph.includedBy.set(t.path, (list = []));
      list.push(d);
    }
    if (!addContext(t.path, ctx, ctxKey)) continue;
    if (++expansions > maxExpansions) {
      if (!expansionLimitReported) {
        expansionLimitReported = true;
        report(d, 'warning', 'include-limit', `more than ${maxExpansions} include expansions; the rest of the include tree is not analysed`);
      }
      continue;
    }
    const sites = includeSites(file);
    onStack.set(t.path, (onStack.get(t.path) ?? 0) + 1);
    stack.push({ file, ctx, ctxKey, sites, site: 0, target: 0 });
  }
  return graph;
}

/** The contexts (block names, outermost first) under which a file of the graph is read. */
export function contextsOf(graph: ConfigGraph, filePath: string): string[][] {
  return graph.contexts.get(filePath) ?? [];
}

export type WalkVisitor = (
  d: Directive,
  /** Enclosing block directives, across files, outermost first (the graph's rootContext is not in it). */
  ancestors: readonly Directive[],
  /** The include directives that brought this directive in, outermost first; empty in the main file. */
  viaIncludes: readonly Directive[],
) => void | 'skip';

export interface WalkOptions {
  maxVisits?: number;
  /** Walk below these directives (one block's children) instead of from the main file. */
  from?: { list: Directive[]; openFiles: readonly string[] };
  /** Each included file as its directives are entered. */
  onFile?: (path: string, directives: Directive[]) => void;
  /** Each include directive with its targets, before they are expanded. */
  onInclude?: (d: Directive, targets: IncludeTarget[]) => void;
}

/**
 * Visits the configuration as nginx sees it: depth first, includes replaced in place by the
 * directives of their targets (the include directive itself is visited first; returning 'skip'
 * for it does not expand it). Cycle-safe, iterative, and bounded by `maxVisits`.
 */
export function walkEffective(graph: ConfigGraph, visit: WalkVisitor, options: WalkOptions = {}): void {
  let start: { list: Directive[]; openFiles: readonly string[]; file?: string };
  if (options.from) start = options.from;
  else {
    const main = graph.files.get(graph.mainFile);
    if (!main) return;
    start = { list: main.directives, openFiles: [main.path], file: main.path };
  }
  let budget = options.maxVisits ?? 5_000_000;
  type Frame =
    | { kind: 'list'; list: Directive[]; i: number; ancestors: readonly Directive[]; via: readonly Directive[]; file?: string }
    | { kind: 'targets'; targets: IncludeTarget[]; k: number; ancestors: readonly Directive[]; via: readonly Directive[] };
  const stack: Frame[] = [{ kind: 'list', list: start.list, i: 0, ancestors: [], via: [], file: start.file }];
  const active = new Set<string>(start.openFiles);
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.kind === 'targets') {
      if (top.k >= top.targets.length) {
        stack.pop();
        continue;
      }
      const t = top.targets[top.k++];
      if (t.status !== 'ok' || active.has(t.path)) continue;
      const f = graph.files.get(t.path);
      if (!f) continue;
      active.add(t.path);
      options.onFile?.(t.path, f.directives);
      stack.push({ kind: 'list', list: f.directives, i: 0, ancestors: top.ancestors, via: top.via, file: t.path });
      continue;
    }
    if (top.i >= top.list.length) {
      stack.pop();
      if (top.file) active.delete(top.file);
      continue;
    }
    if (--budget < 0) return;
    const d = top.list[top.i++];
    if (visit(d, top.ancestors, top.via) === 'skip') continue;
    const targets = graph.includes.get(d);
    if (targets) {
      options.onInclude?.(d, targets);
      stack.push({ kind: 'targets', targets, k: 0, ancestors: top.ancestors, via: [...top.via, d] });
      continue;
    }
    if (d.block && d.block.children.length) {
      stack.push({ kind: 'list', list: d.block.children, i: 0, ancestors: [...top.ancestors, d], via: top.via });
    }
  }
}

/** The context path (block names, outermost first) of a directive visited by walkEffective. */
export function effectiveContext(graph: ConfigGraph, ancestors: readonly Directive[]): string[] {
  return ancestors.length ? [...graph.rootContext, ...ancestors.map((a) => a.name)] : graph.rootContext;
}
