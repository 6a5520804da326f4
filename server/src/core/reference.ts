// Directive and variable knowledge, all of it from @nginx/reference-lib (NGINX's own
// reference), indexed once on first use. Nothing here lists directives by hand; the only
// hand-written facts are structural ones the reference does not carry, each citing the
// nginx source that states it (see structure.ts).

import type * as ReferenceLib from '@nginx/reference-lib';
import { argRuleOf, widen, type ArgRule } from './argSyntax';
import { REFERENCE_GAPS, RAW_CONTENT_BLOCKS, isLuaDirective } from './structure';

/** Which configuration tree a module's directives live in. */
export type Family = 'core' | 'http' | 'stream' | 'mail';

/** Marks an enclosing context that is not known (a fragment nothing includes). */
export const UNKNOWN_CONTEXT = '*';

export interface DirectiveInfo {
  name: string;
  /** e.g. ngx_http_rewrite_module, or "ngx_core_module" for the reference's "Core functionality". */
  module: string;
  family: Family;
  /** Contexts exactly as the reference writes them ("http", "server", "if in location", ""...). */
  contexts: string[];
  isBlock: boolean;
  /** Markdown. */
  description: string;
  /** Markdown, one per alternative form, without the directive name. */
  syntax: string[];
  default: string;
  url: string;
  args: ArgRule;
  /**
   * Only in NGINX Plus (the commercial subscription), per the description: always, or before
   * open-source version `until`.
   */
  commercial?: { until?: string };
}

export interface VariableInfo {
  /** As the reference writes it: "$remote_addr", "$http_NAME". */
  name: string;
  module: string;
  family: Family;
  /** For a family such as $http_NAME: "http_". */
  prefix?: string;
  /** Markdown. */
  description: string;
  url: string;
}

export interface DirectiveLookup {
  name: string;
  /** Some module in the reference has a directive of this name. */
  known: boolean;
  /** Entries allowed at the context path (empty when not allowed or the context is unknown). */
  allowed: DirectiveInfo[];
  /**
   * Whether nginx accepts the directive here. Undefined when the name is not known, inside a
   * block whose contents are not directives, or for a name the reference only knows in another
   * tree. Where the enclosing context is unknown (UNKNOWN_CONTEXT) it is true if any context
   * the path could stand for allows it, so it is never false at the top of such a fragment.
   */
  isAllowed: boolean | undefined;
  /** Entries that matter for documentation: allowed ones, else those of this family, else all. */
  entries: DirectiveInfo[];
  /** Known only inside another module's private block (e.g. mgmt's `proxy`): no verdict here. */
  foreign?: boolean;
  /** Human-readable places the directive may appear, e.g. "http server", "stream server". */
  allowedContexts: string[];
}

/** Where a context path points: which tree, and which reference context labels apply there. */
export interface Place {
  family: Family;
  labels: string[];
  /** Inside a block whose contents a module reads itself (map, types, a Lua block...). */
  opaque?: boolean;
  /** Inside a block directive the reference does not know (third-party): nothing to check. */
  unknown?: boolean;
}

interface Index {
  directives: Map<string, DirectiveInfo[]>;
  all: DirectiveInfo[];
  variables: Map<string, VariableInfo[]>;
  variablePrefixes: VariableInfo[];
  /** Every context path reachable from main through block directives whose contents are directives. */
  places: string[][];
}

let index: Index | undefined;

// The reference is a megabyte of object literals: loaded on first use, not with this module.
// `nginx-lens trace` imports this module for a variable or two its routing may ask about, and
// compiling the reference up front was ~40 ms of every start.
let lib: typeof ReferenceLib | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const referenceLib = (): typeof ReferenceLib => (lib ??= require('@nginx/reference-lib') as typeof ReferenceLib);

function moduleFamily(module: string, moduleHasMain: boolean, moduleHasHttp: boolean): Family {
  if (module.startsWith('ngx_http_')) return 'http';
  if (module.startsWith('ngx_stream_')) return 'stream';
  if (module.startsWith('ngx_mail_')) return 'mail';
  if (moduleHasMain) return 'core';
  return moduleHasHttp ? 'http' : 'core';
}

function moduleName(module: string): string {
  return module === 'Core functionality' ? 'ngx_core_module' : module;
}

function docsUrl(module: string, family: Family, anchor: string): string {
  const dir = family === 'core' ? '' : module.startsWith(`ngx_${family}_`) ? `${family}/` : '';
  return `https://nginx.org/en/docs/${dir}${module}.html#${anchor}`;
}

/** The reference ends a Plus-only directive's description with a note saying so. */
function commercialOf(description: string): { until?: string } | undefined {
  const flat = description.replace(/\n>?\s*/g, ' ');
  const prior = /Prior to version ([0-9.]+), this directive was available only as part of our \[commercial subscription\]/.exec(flat);
  if (prior) return { until: prior[1] };
  if (/This directive is available as part of our \[commercial subscription\]/.test(flat)) return {};
  return undefined;
}

/** Compares dotted versions numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

function build(): Index {
  const { Format, getDirectives, getVariables } = referenceLib();
  const raw = getDirectives(Format.Markdown);
  const hasMain = new Set<string>();
  const hasHttp = new Set<string>();
  for (const d of raw) {
    if (d.contexts.includes('main')) hasMain.add(d.module);
    if (d.contexts.includes('http')) hasHttp.add(d.module);
  }
  const directives = new Map<string, DirectiveInfo[]>();
  const all: DirectiveInfo[] = [];
  for (const d of raw) {
    const module = moduleName(d.module);
    const family = moduleFamily(d.module, hasMain.has(d.module), hasHttp.has(d.module));
    let contexts = d.contexts;
    let args = argRuleOf(d.syntax);
    for (const gap of REFERENCE_GAPS.contexts) {
      if (gap.name === d.name && gap.family === family) contexts = [...new Set([...contexts, ...gap.add])];
    }
    for (const gap of REFERENCE_GAPS.args) if (gap.name === d.name) args = widen(args, gap);
    const info: DirectiveInfo = {
      name: d.name,
      module,
      family,
      contexts,
      isBlock: d.isBlock,
      description: d.description,
      syntax: d.syntax.map((s) => s.trim()),
      default: d.default.trim(),
      url: docsUrl(module, family, d.name),
      args,
    };
    const commercial = commercialOf(d.description);
    if (commercial) info.commercial = commercial;
    all.push(info);
    const list = directives.get(d.name);
    if (list) list.push(info);
    else directives.set(d.name, [info]);
  }

  const variables = new Map<string, VariableInfo[]>();
  const variablePrefixes: VariableInfo[] = [];
  for (const v of getVariables(Format.Markdown)) {
    const module = moduleName(v.module);
    const family = moduleFamily(v.module, hasMain.has(v.module), hasHttp.has(v.module));
    const bare = v.name.replace(/^\$/, '');
    const prefix = bare.endsWith('_NAME') ? bare.slice(0, -'NAME'.length) : undefined;
    const info: VariableInfo = {
      name: v.name,
      module,
      family,
      description: v.description,
      url: docsUrl(module, family, `var_${prefix ?? bare}`),
    };
    if (prefix) {
      info.prefix = prefix;
      variablePrefixes.push(info);
    } else {
      const list = variables.get(bare);
      if (list) list.push(info);
      else variables.set(bare, [info]);
    }
  }
  // Longest prefix first, so $upstream_http_x is not taken for $http_...
  variablePrefixes.sort((a, b) => b.prefix!.length - a.prefix!.length);

  index = { directives, all, variables, variablePrefixes, places: [] };
  index.places = reachablePlaces(index);
  return index;
}

function getIndex(): Index {
  return index ?? build();
}

/** Walks from main through every block directive the reference allows, to list the real contexts. */
function reachablePlaces(ix: Index): string[][] {
  const out: string[][] = [[]];
  const queue: string[][] = [[]];
  while (queue.length) {
    const path = queue.shift()!;
    const place = resolvePlace(path);
    if (!place || place.opaque || place.unknown) continue;
    const seen = new Set<string>();
    for (const d of ix.all) {
      if (!d.isBlock || seen.has(d.name) || RAW_CONTENT_BLOCKS.has(d.name)) continue;
      // Nesting a block in itself (location in location) adds no new kind of context.
      if (path.includes(d.name)) continue;
      if (!entryAllowedAt(d, place)) continue;
      seen.add(d.name);
      const next = [...path, d.name];
      out.push(next);
      queue.push(next);
    }
  }
  return out;
}

/**
 * Resolves a context path (outermost first, [] = main) to the family and the reference's context
 * labels there. A path starting with UNKNOWN_CONTEXT has no single place; use candidatePaths.
 */
export function resolvePlace(contextPath: readonly string[]): Place | undefined {
  if (contextPath[0] === UNKNOWN_CONTEXT) return undefined;
  let place: Place = { family: 'core', labels: ['main'] };
  for (let i = 0; i < contextPath.length; i++) {
    const name = contextPath[i];
    if (RAW_CONTENT_BLOCKS.has(name) || isLuaDirective(name)) return { family: place.family, labels: [], opaque: true };
    if (!getIndex().directives.has(name)) return { family: place.family, labels: [], unknown: true };
    if (i === 0 && (name === 'http' || name === 'stream' || name === 'mail')) {
      place = { family: name, labels: [name] };
      continue;
    }
    const prev = place.labels[0];
    // ngx_http_rewrite_module: an "if" block takes its own configuration type depending on where it
    // stands (NGX_HTTP_SIF_CONF in server, NGX_HTTP_LIF_CONF in location); the reference writes
    // these as "if" (both) and "if in location".
    place = name === 'if' ? { family: place.family, labels: ['if', `if in ${prev}`] } : { family: place.family, labels: [name] };
  }
  return place;
}

function entryAllowedAt(d: DirectiveInfo, place: Place): boolean {
  // The reference files `http`, `stream`, `mail` (and js_load_*_native_module) under their
  // family's module, but they are main-level directives of core-type modules.
  if (place.labels[0] === 'main') return d.contexts.some((c) => c === '' || c === 'main');
  if (d.family !== 'core' && d.family !== place.family) return false;
  // "" is how the reference marks a directive allowed in any context (include).
  return d.contexts.some((c) => c === '' || place.labels.includes(c));
}

/** The concrete context paths an UNKNOWN_CONTEXT-prefixed path may stand for. */
export function candidatePaths(contextPath: readonly string[]): string[][] {
  if (contextPath[0] !== UNKNOWN_CONTEXT) return [[...contextPath]];
  const ix = getIndex();
  const rest = contextPath.slice(1);
  const out: string[][] = [];
  for (const prefix of ix.places) {
    const path = [...prefix];
    let ok = true;
    for (const name of rest) {
      const place = resolvePlace(path);
      if (!place) {
        ok = false;
        break;
      }
      if (!place.opaque && !place.unknown) {
        const entries = ix.directives.get(name);
        if (entries && !entries.some((e) => e.isBlock && entryAllowedAt(e, place))) {
          ok = false;
          break;
        }
      }
      path.push(name);
    }
    if (ok) out.push(path);
  }
  return out;
}

/**
 * nginx's own context types (NGX_MAIN_CONF, NGX_EVENT_CONF, NGX_HTTP_{MAIN,SRV,LOC,SIF,LIF,LMT,UPS}_CONF,
 * NGX_STREAM_*, NGX_MAIL_*) as the reference names them; "" is "any". A directive listed only in
 * other contexts lives inside one module's private block (mgmt, acme_issuer, oidc_provider...).
 */
const CONTEXT_TYPES: ReadonlySet<string> = new Set([
  '', 'main', 'events', 'http', 'server', 'location', 'if', 'if in server', 'if in location',
  'limit_except', 'upstream', 'stream', 'mail',
]);

/** Only inside one module's private block: says nothing about the name elsewhere. */
function isScoped(d: DirectiveInfo): boolean {
  return !d.contexts.some((c) => CONTEXT_TYPES.has(c));
}

function describeContext(d: DirectiveInfo, c: string): string {
  if (c === '') return 'any context';
  if (d.family === 'core' || c === d.family || c === 'main') return c;
  return `${d.family} ${c}`;
}

const lookupCache = new Map<string, DirectiveLookup>();
const LOOKUP_CACHE_MAX = 20000;

/**
 * What the reference says about a directive name at a context path ([] = main; may start with
 * UNKNOWN_CONTEXT; null = unknown). The result is shared: do not mutate it.
 */
export function lookupDirective(name: string, contextPath: readonly string[] | null): DirectiveLookup {
  const path = contextPath ?? [UNKNOWN_CONTEXT];
  const key = path.join('\u0001') + '\u0000' + name;
  let hit = lookupCache.get(key);
  if (!hit) {
    if (lookupCache.size >= LOOKUP_CACHE_MAX) lookupCache.clear();
    hit = lookupUncached(name, path);
    lookupCache.set(key, hit);
  }
  return hit;
}

function lookupUncached(name: string, path: readonly string[]): DirectiveLookup {
  const ix = getIndex();
  const all = ix.directives.get(name) ?? [];
  const allowedContexts = [...new Set(all.flatMap((d) => d.contexts.map((c) => describeContext(d, c))))];
  const result: DirectiveLookup = { name, known: all.length > 0, allowed: [], isAllowed: undefined, entries: all, allowedContexts };
  if (!all.length) return result;

  const places: Place[] = [];
  for (const p of candidatePaths(path)) {
    const place = resolvePlace(p);
    if (place) places.push(place);
  }
  // Nothing to decide when no concrete context is known, or every candidate is a block the
  // reference cannot see into.
  const decidable = places.filter((p) => !p.opaque && !p.unknown);
  if (decidable.length === 0 || decidable.length < places.length) {
    const fam = decidable[0]?.family;
    if (fam) result.entries = preferFamily(all, fam);
    return result;
  }
  const allowed = all.filter((d) => decidable.some((p) => entryAllowedAt(d, p)));
  result.allowed = allowed;
  // A name the reference only knows inside some module's private block (mail's `proxy` is
  // missing, only the mgmt block's is there) may be another module's directive it lacks.
  const foreign = all.every(isScoped) && !decidable.some((p) => p.labels.some((l) => !CONTEXT_TYPES.has(l)));
  result.isAllowed = allowed.length > 0 ? true : foreign ? undefined : false;
  result.foreign = allowed.length === 0 && foreign;
  const families = new Set(decidable.map((p) => p.family));
  result.entries = allowed.length ? allowed : families.size === 1 ? preferFamily(all, [...families][0]) : all;
  return result;
}

function preferFamily(all: DirectiveInfo[], family: Family): DirectiveInfo[] {
  const same = all.filter((d) => d.family === family || d.family === 'core');
  return same.length ? same : all;
}

/** Directives nginx accepts at the context path (one entry per name), for completion. */
export function directivesAllowedIn(contextPath: readonly string[] | null): DirectiveInfo[] {
  const ix = getIndex();
  const places = candidatePaths(contextPath ?? [UNKNOWN_CONTEXT])
    .map((p) => resolvePlace(p))
    .filter((p): p is Place => !!p && !p.opaque && !p.unknown);
  const out = new Map<string, DirectiveInfo>();
  for (const d of ix.all) {
    if (out.has(d.name)) continue;
    if (places.some((p) => entryAllowedAt(d, p))) out.set(d.name, d);
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Whether the directive takes a block at this context; undefined when unknown or it depends. */
export function isBlock(name: string, contextPath: readonly string[] | null = null): boolean | undefined {
  const look = lookupDirective(name, contextPath);
  const kinds = new Set(look.entries.map((d) => d.isBlock));
  return kinds.size === 1 ? [...kinds][0] : undefined;
}

/** Every directive name the reference knows. */
export function knownDirectiveNames(): string[] {
  return [...getIndex().directives.keys()];
}

/**
 * Documentation for a variable (with or without the '$'), including families such as
 * $http_user_agent → $http_NAME. `family` picks http or stream where both define the name.
 */
export function lookupVariable(name: string, family?: Family): VariableInfo[] {
  const ix = getIndex();
  const bare = name.replace(/^\$\{?/, '').replace(/\}$/, '');
  let found = ix.variables.get(bare);
  if (!found) {
    for (const v of ix.variablePrefixes) {
      if (bare.length > v.prefix!.length && bare.startsWith(v.prefix!)) {
        found = ix.variablePrefixes.filter((w) => w.prefix === v.prefix);
        break;
      }
    }
  }
  if (!found) return [];
  if (family && family !== 'core') {
    const same = found.filter((v) => v.family === family);
    if (same.length) return same;
  }
  return found;
}

/** All variables (exact names and prefix families), for completion. */
export function allVariables(): VariableInfo[] {
  const ix = getIndex();
  return [...[...ix.variables.values()].flat(), ...ix.variablePrefixes];
}
