// The context of a file opened on its own. A `sites-enabled/*`, `snippets/*` or `conf.d/*` file
// is not a configuration by itself: nginx reads it where some `include` puts it. So we ask, in
// order: does a known main config include it (then it has exactly the contexts of those
// includes)? Else, what do its own top-level directives say, judged by the reference's
// contexts? Else the context is unknown, and nothing is said about context at all: a wrong
// "not allowed here" is worse than none.

import { posix } from 'node:path';
import type { Directive, ParsedFile } from './syntax';
import type { FileSystem } from './fileSystem';
import { contextsOf, loadConfigGraph, ParseCache, type ConfigGraph, type ConfigGraphOptions } from './configGraph';
import { lookupDirective, resolvePlace, UNKNOWN_CONTEXT } from './reference';
import { walk } from './tree';
import { RAW_CONTENT_BLOCKS } from './structure';

export type ContextSource = 'explicit' | 'main' | 'includer' | 'content' | 'unknown';

export interface FragmentContext {
  /** Contexts the file is read in (block names, outermost first); undefined when unknown. */
  contexts: string[][] | undefined;
  source: ContextSource;
  /** The configuration that includes the file, when one was found. */
  includer?: ConfigGraph;
}

/**
 * Contexts a fragment may be written for, http first (by far the most common), outermost first
 * within each family: the first one that accepts every known directive of the file (nested ones
 * too: `if { add_header }` needs a location around it) wins, so generic lines
 * (`proxy_set_header`) land in `http`, and `proxy_pass` alone in `location`.
 */
const CANDIDATES: string[][] = [
  [],
  ['events'],
  ['http'],
  ['http', 'server'],
  ['http', 'upstream'],
  ['http', 'server', 'location'],
  ['http', 'server', 'if'],
  ['http', 'server', 'location', 'if'],
  ['http', 'server', 'location', 'limit_except'],
  ['stream'],
  ['stream', 'server'],
  ['stream', 'upstream'],
  ['mail'],
  ['mail', 'server'],
];

/** Directives only a whole nginx.conf has: their presence means the file is the main config. */
export function looksLikeMainConfig(file: ParsedFile): boolean {
  return inferContextFromContent(file)?.length === 0;
}

const IP_KEY = /^(?:\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?|[0-9a-fA-F]*:[0-9a-fA-F:.]*(?:\/\d{1,3})?)$/;
const MAP_KEYWORDS = new Set(['default', 'hostnames', 'volatile', 'ranges', 'delete', 'proxy', 'proxy_recursive']);
const DIRECTIVE_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * `"~pattern" value;` lines: a map (or, with address keys, a geo) body. Every line must be a
 * key and one value, and no key may look like a directive name: `brotli_static on;` is a
 * third-party directive, not a map entry.
 */
function entryListKind(dirs: Directive[]): 'map' | 'geo' | undefined {
  const entries = dirs.filter((d) => !MAP_KEYWORDS.has(d.name));
  if (!entries.length) return undefined;
  let ip = 0;
  for (const d of entries) {
    if (d.block || d.args.length !== 1) return undefined;
    if (!d.nameQuote && DIRECTIVE_NAME.test(d.name)) return undefined;
    if (IP_KEY.test(d.name)) ip++;
  }
  return ip === entries.length ? 'geo' : 'map';
}

/** Only a definite yes counts: a context the reference cannot decide is not evidence. */
function fits(d: Directive, ctx: string[]): boolean {
  const look = lookupDirective(d.name, ctx);
  if (!look.isAllowed) return false;
  // `server` is a block in http but a line in upstream: the shape must match too.
  return look.allowed.some((e) => e.isBlock === !!d.block);
}

const MAX_CHECKED = 2000;

/** Whether every known directive of the file, nested ones included, is allowed with the file placed at `ctx`. */
function fileFits(file: ParsedFile, ctx: string[]): boolean {
  let checked = 0;
  let ok = true;
  walk(file.directives, (d, ancestors) => {
    if (!ok || checked > MAX_CHECKED) return 'skip';
    if (d.name === 'include') return 'skip';
    const path = ancestors.length ? [...ctx, ...ancestors.map((a) => a.name)] : ctx;
    if (ancestors.length) {
      const place = resolvePlace(path);
      if (!place || place.opaque || place.unknown) return 'skip';
    }
    if (!lookupDirective(d.name, null).known) return 'skip';
    checked++;
    if (!fits(d, path)) ok = false;
    return undefined;
  });
  return ok;
}

/**
 * The context a fragment's own content implies, or undefined when it does not say (only unknown
 * directives, or a mix no single context accepts).
 */
export function inferContextFromContent(file: ParsedFile): string[] | undefined {
  const top = file.directives.filter((d) => d.name !== 'include');
  if (!top.length) return undefined;
  const entries = entryListKind(top);
  if (entries) return ['http', entries];
  if (!top.some((d) => lookupDirective(d.name, null).known)) return undefined;
  // A directive only the main context takes (events, http, user, worker_processes, load_module...)
  // makes the file a main config, whatever else it holds: its own errors are for validation to find.
  if (top.some((d) => fits(d, []) && !fits(d, ['http']) && !fits(d, ['stream']))) return [];
  for (const ctx of CANDIDATES) {
    if (fileFits(file, ctx)) return ctx;
  }
  return undefined;
}

/** Whether a context path's contents are entries (map, geo, types...) rather than directives. */
export function isEntryContext(ctx: readonly string[]): boolean {
  return ctx.some((n) => RAW_CONTENT_BLOCKS.has(n));
}

export interface FindIncludersOptions {
  /** Main configs the user or the workspace scan knows about (setting nginx-lens.mainConfig). */
  knownMains?: readonly string[];
  /** Do not look for nginx.conf above this directory (the workspace folder). */
  stopAt?: string;
  /** How many directories up to look for nginx.conf. */
  maxLevels?: number;
  graphOptions?: ConfigGraphOptions;
}

/** nginx.conf files that may include `filePath`: beside it, then in each parent, nearest first. */
export function candidateMains(filePath: string, fs: FileSystem, opts: FindIncludersOptions = {}): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (p: string) => {
    if (p !== filePath && !seen.has(p)) {
      seen.add(p);
      out.push(p);
    }
  };
  for (const k of opts.knownMains ?? []) add(k);
  let dir = posix.dirname(filePath);
  const stop = opts.stopAt ? posix.normalize(opts.stopAt) : undefined;
  for (let level = 0; level <= (opts.maxLevels ?? 6); level++) {
    const p = posix.join(dir, 'nginx.conf');
    if (fs.stat(p)?.kind === 'file') add(p);
    if (dir === '/' || dir === stop || (stop && !dir.startsWith(stop + '/') && dir !== stop)) break;
    dir = posix.dirname(dir);
  }
  return out;
}

/**
 * The first candidate config whose include tree reaches the file. A file named nginx.conf is not
 * always a whole configuration (app recipes ship server-level "nginx.conf" snippets): a candidate
 * is read in the context its own content implies, so what it includes gets the right context.
 */
export function findIncluder(filePath: string, fs: FileSystem, opts: FindIncludersOptions = {}): ConfigGraph | undefined {
  const cache = opts.graphOptions?.cache ?? new ParseCache();
  for (const main of candidateMains(filePath, fs, opts)) {
    const r = fs.readFile(main);
    if ('error' in r) continue;
    const own = inferContextFromContent(cache.get(main, r.text));
    const g = loadConfigGraph(main, fs, { ...opts.graphOptions, cache, rootContext: own ?? [UNKNOWN_CONTEXT] });
    if (g.contexts.has(filePath)) return g;
  }
  return undefined;
}

/** The conf prefix to use for a fragment checked alone: the nearest directory above it holding nginx.conf. */
export function guessConfPrefix(filePath: string, fs: FileSystem, stopAt?: string): string {
  let dir = posix.dirname(filePath);
  const stop = stopAt ? posix.normalize(stopAt) : undefined;
  for (let level = 0; level < 8; level++) {
    if (fs.stat(posix.join(dir, 'nginx.conf'))?.kind === 'file') return dir.endsWith('/') ? dir : dir + '/';
    if (dir === '/' || dir === stop) break;
    dir = posix.dirname(dir);
  }
  const own = posix.dirname(filePath);
  return own.endsWith('/') ? own : own + '/';
}

/** Where a file opened on its own is read: as the main config, under its includer, or as its content suggests. */
export function fragmentContext(file: ParsedFile, fs: FileSystem, opts: FindIncludersOptions = {}): FragmentContext {
  const inferred = inferContextFromContent(file);
  if (inferred && inferred.length === 0) return { contexts: [[]], source: 'main' };
  const includer = findIncluder(file.path, fs, opts);
  if (includer) return { contexts: contextsOf(includer, file.path), source: 'includer', includer };
  if (inferred) return { contexts: [inferred], source: 'content' };
  return { contexts: undefined, source: 'unknown' };
}
