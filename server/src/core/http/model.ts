// The HTTP configuration as nginx 1.22 builds it at startup: servers grouped by listen socket
// with their name tables, location trees, the rewrite-phase program of every level, and the
// per-context settings later phases read (access rules, limits, error_page, access_log).
//
// Built from the effective tree (includes expanded) in one pass; cheap enough to rebuild after
// every edit. Inherited settings are resolved on demand by walking up the scope chain, which is
// what nginx's merge_loc_conf computes eagerly: for list-valued directives (allow/deny,
// access_log, error_page, limit_req) a level that has any replaces all inherited ones.

import { ipv4ToNumber, listenAddrKey, parseCidr, parseCidr6, type Cidr, type Net6 } from './ip';

export { ipv4ToNumber, parseCidr, type Cidr };
import type { Directive, ParsedFile, Range } from '../syntax';
import type { ConfigGraph } from '../configGraph';
import { compileNginxRegex, type NginxRegex } from './regex';
import { bytesToText, lowerAscii, textToBytes } from '../regex';
import { compileValue, type ComplexValue } from './values';
import { scriptMay444, type DirectiveText } from './scripts';

export interface RuleRef {
  file: string;
  range: Range;
  directive: Directive;
}

const scopeLists = new WeakMap<HttpModel, readonly Scope[]>();

/**
 * Every configuration scope of the model: http, servers, their locations (nested, named), `if`
 * and `limit_except` blocks. Listed once per model: a log's first lens request walks them, and a
 * generator over thousands of locations ran there still unoptimized.
 */
export function scopesOf(model: HttpModel): readonly Scope[] {
  let out = scopeLists.get(model) as Scope[] | undefined;
  if (out) return out;
  out = [];
  if (model.http) out.push(model.http);
  const locs: LocationModel[] = [];
  const pushSet = (set: LocationSet) => {
    for (const l of set.exact.values()) locs.push(l);
    for (const l of set.prefix) locs.push(l);
    for (const l of set.regex) locs.push(l);
  };
  for (const s of model.servers) {
    out.push(s.scope);
    for (const c of s.scope.codes) if (c.op === 'if') out.push(c.scope);
    pushSet(s.locations);
    for (const l of s.named.values()) locs.push(l);
    while (locs.length) {
      const l = locs.pop()!;
      out.push(l.scope);
      for (const c of l.scope.codes) if (c.op === 'if') out.push(c.scope);
      if (l.limitExcept) out.push(l.limitExcept.scope);
      pushSet(l.nested);
    }
  }
  scopeLists.set(model, out);
  return out;
}

const sourcePlaces = new WeakMap<HttpModel, readonly Source444Place[]>();

/** A 444 source with the server and location whose blocks hold it (none: the http level). */
export interface Source444Place {
  rule: RuleRef;
  server?: ServerModel;
  location?: LocationModel;
}

/** Every 444 source of the model with where it is written, scope by scope. */
export function sources444Places(model: HttpModel): readonly Source444Place[] {
  let out = sourcePlaces.get(model) as Source444Place[] | undefined;
  if (out) return out;
  out = [];
  for (const scope of scopesOf(model)) for (const d of scope.items) if (is444Source(d)) out.push({ rule: ruleOf(d), server: scope.server, location: scope.location });
  sourcePlaces.set(model, out);
  return out;
}

export function ruleOf(d: Directive): RuleRef {
  return { file: d.file, range: d.range, directive: d };
}

/**
 * A directive that makes nginx log 444: `return 444`, `limit_req_status`/`limit_conn_status 444`,
 * `try_files ... =444`, an `error_page ... =444` (not a drop: the page is sent with the status
 * line 444, but its requests are logged as 444; so is the echo module's `echo_status 444`), and
 * script handlers whose code may close with 444.
 */
export function is444Source(d: DirectiveText): boolean {
  const a0 = d.args[0]?.value;
  if (d.name === 'return' || d.name === 'limit_req_status' || d.name === 'limit_conn_status' || d.name === 'echo_status') return a0 === '444';
  if (d.name === 'try_files') return d.args[d.args.length - 1]?.value === '=444';
  if (d.name === 'error_page') return d.args.some((a) => a.value === '=444');
  return scriptMay444(d);
}

export type ScopeKind = 'http' | 'server' | 'location' | 'if' | 'limit_except';

export interface Scope {
  kind: ScopeKind;
  directive?: Directive;
  parent?: Scope;
  /** The effective directives directly in this block (includes expanded). */
  items: Directive[];
  /** Rewrite-phase program of this level (not inherited: nginx merges no codes). */
  codes: Op[];
  server?: ServerModel;
  /** The location this scope belongs to (itself for a location; the enclosing one for if/limit_except). */
  location?: LocationModel;
  /** Directive name → directives in this block, for inheritance look-ups. */
  byName: Map<string, Directive[]>;
}

export type Cond =
  | { kind: 'value'; value: ComplexValue }
  | { kind: 'eq'; negative: boolean; left: ComplexValue; right: ComplexValue }
  | { kind: 'regex'; negative: boolean; left: ComplexValue; re: NginxRegex; caseless: boolean }
  | { kind: 'file'; op: string; negative: boolean; value: ComplexValue }
  | { kind: 'invalid' };

export type Op =
  | { op: 'if'; cond: Cond; scope: Scope; body: Op[]; d: Directive }
  | { op: 'set'; name: string; value: ComplexValue; d: Directive }
  | { op: 'return'; status: number; text?: ComplexValue; d: Directive }
  | {
      op: 'rewrite';
      re: NginxRegex;
      replacement: ComplexValue;
      flag: 'last' | 'break' | 'redirect' | 'permanent' | null;
      /** 301/302 when the rewrite answers with a redirect, else 0. */
      redirect: number;
      addArgs: boolean;
      d: Directive;
    }
  | { op: 'break'; d: Directive };

export interface Listen {
  addr: string;
  port: number;
  defaultServer: boolean;
  ssl: boolean;
  http2: boolean;
  proxyProtocol: boolean;
  /** Absent for the implicit listen of a server without one. */
  d?: Directive;
  /** `addr` is a host name we could not resolve: it stands for addresses unknown here. */
  unresolved?: boolean;
}

export interface ServerName {
  /** For non-regex names their bytes, A-Z lower-cased (serverNameText shows them); for regexes the pattern without `~`. */
  name: string;
  kind: 'exact' | 'wildHead' | 'dotHead' | 'wildTail' | 'regex';
  re?: NginxRegex;
  d: Directive;
}

/** A server name as the user wrote it (`~regex`, or the name's bytes back as text). */
export function serverNameText(n: ServerName): string {
  return n.kind === 'regex' ? '~' + n.name : bytesToText(n.name);
}

export interface LocationModel {
  scope: Scope;
  d: Directive;
  modifier: '=' | '^~' | '~' | '~*' | '' | '@';
  /** As written (text, for display). */
  name: string;
  /** What nginx compares URIs with: the name's bytes (the regex's source for `~`/`~*`, compiled in `re`). */
  key: string;
  re?: NginxRegex;
  internal: boolean;
  /** Has a *_pass: a request for the name without its trailing slash gets a 301. */
  autoRedirect: boolean;
  nested: LocationSet;
  limitExcept?: { allowed: Set<string>; scope: Scope; d: Directive };
  server: ServerModel;
}

export interface LocationSet {
  exact: Map<string, LocationModel>;
  prefix: LocationModel[];
  regex: LocationModel[];
}

export interface ServerModel {
  index: number;
  d: Directive;
  scope: Scope;
  listens: Listen[];
  names: ServerName[];
  /** What `$server_name` and, without Host, `$host` hold (ngx_http_core_merge_srv_conf). */
  primaryName: string;
  locations: LocationSet;
  named: Map<string, LocationModel>;
  mergeSlashes: boolean;
}

/** The servers sharing one listen address:port, with nginx's name tables for them. */
export interface ListenGroup {
  addr: string;
  port: number;
  /** A host name we could not resolve (Listen.unresolved). */
  unresolved?: boolean;
  servers: ServerModel[];
  /**
   * The servers some Host can select: the default one and each that keeps a name in the tables
   * below (a name another server claimed first is ignored, "conflicting server name").
   */
  reachable: ServerModel[];
  defaultServer: ServerModel;
  defaultListen?: Listen;
  exact: Map<string, ServerModel>;
  /** `*.x` / `.x`, longest suffix first. */
  wildHead: { suffix: string; dot: boolean; server: ServerModel; sn: ServerName }[];
  /** `x.*`, longest prefix first. */
  wildTail: { prefix: string; server: ServerModel; sn: ServerName }[];
  regex: { re: NginxRegex; server: ServerModel; sn: ServerName }[];
}

export interface MapModel {
  d: Directive;
  source: ComplexValue;
  target: string;
  hostnames: boolean;
  exact: Map<string, ComplexValue>;
  wildHead: { suffix: string; dot: boolean; value: ComplexValue }[];
  wildTail: { prefix: string; value: ComplexValue }[];
  regex: { re: NginxRegex; value: ComplexValue }[];
  defaultValue: ComplexValue;
  /** Every value is a literal: the result depends on the key alone. */
  constant: boolean;
}

/** The values of a map's entries (exact, wildcard, regex; not the default), in that order. */
export function mapValues(m: MapModel): ComplexValue[] {
  return [...m.exact.values(), ...m.wildHead.map((w) => w.value), ...m.wildTail.map((w) => w.value), ...m.regex.map((r) => r.value)];
}

export interface GeoModel {
  d: Directive;
  source?: ComplexValue;
  target: string;
  ranges: boolean;
  entries: { net: Cidr; value: string }[];
  /** IPv6 networks (CIDR geos only; a ranges geo looks an IPv6 client up as 255.255.255.255). */
  entries6: { net: Net6; value: string }[];
  defaultValue: string;
  proxies: Cidr[];
  proxies6: Net6[];
  proxyRecursive: boolean;
}

export interface LogFormatDef {
  name: string;
  escape: 'default' | 'json' | 'none';
  format: string;
  d?: Directive;
}

export interface AccessLogDef {
  off: boolean;
  path?: ComplexValue;
  /** Resolved path when it has no variables. */
  resolvedPath?: string;
  format: string;
  ifCond?: ComplexValue;
  d?: Directive;
}

/**
 * The log nginx writes where no access_log is in effect: NGX_HTTP_LOG_PATH as Debian's and
 * nginx.org's packages build it (--http-log-path); absolute, so the prefix (-p) does not move it.
 */
export const DEFAULT_ACCESS_LOG = '/var/log/nginx/access.log';

export interface HttpModel {
  prefix: string;
  /** Whether `prefix` is nginx's real one (given by the caller), not Debian's default guessed. */
  prefixGiven?: boolean;
  /**
   * The http block's settings: the scope every server inherits from. Its items are the http-level
   * directives except the server, map and geo blocks (which nothing inherits), so that after an
   * edit of one server or of a blocklist entry it is the same object as before and every other
   * server is reused as it is (see serverHit).
   */
  http?: Scope;
  /** The http block's whole expanded list (servers, maps and geos included), in nginx's order. */
  httpItems: Directive[];
  servers: ServerModel[];
  /** port → address → group; address '*' is the wildcard. */
  groups: Map<number, Map<string, ListenGroup>>;
  maps: Map<string, MapModel>;
  geos: Map<string, GeoModel>;
  logFormats: Map<string, LogFormatDef>;
  /** Every rule that can produce a 444 (return 444, *_status 444, try_files =444). */
  sources444: RuleRef[];
  /** The default port of a server without `listen` (nginx: 80 as root, 8000 otherwise). */
  defaultPort: number;
  /** Every variable name the http configuration mentions (decides which logged values matter). */
  referencedVars: Set<string>;
  /** Some decision depends on the client address (allow/deny, geo, `$remote_addr`). */
  usesRemoteAddr: boolean;
  /**
   * Variables the configuration itself defines with `set` or as named regex captures: until a
   * request assigns them they are empty (nginx's "uninitialized variable"), never unknown. A
   * capture's name is also held as `<name` (no variable name has a `<`; see isCaptureName), so
   * that the set travels whole through the server and map memos.
   */
  declaredVars: Set<string>;
}

export type ExpandList = (list: Directive[]) => Directive[];

/**
 * What a list's expansion read: each include directive met (in order), with the targets the graph
 * gave it and the parse of each target. The same directives, targets and parses in a later graph
 * expand the list to the same directives.
 */
interface Expansion {
  result: Directive[];
  includes: Directive[];
  /** undefined: the graph did not resolve that include (it expanded to itself). */
  targets: ({ path: string; status: string }[] | undefined)[];
  files: (ParsedFile | undefined)[][];
}

// Per list across graphs: after an edit elsewhere, a blocklist's 7k-entry map body (which
// includes files) or the http block's 300 servers expand to the very same array as before, so
// everything keyed on that array (map and server memos) hits at once instead of comparing and
// copying thousands of entries per edit.
const expansions = new WeakMap<Directive[], Expansion>();

function stillValid(e: Expansion, graph: ConfigGraph): boolean {
  for (let i = 0; i < e.includes.length; i++) {
    const now = graph.includes.get(e.includes[i]);
    const was = e.targets[i];
    if (!now || !was) {
      if (now || was) return false;
      continue;
    }
    if (now.length !== was.length) return false;
    for (let k = 0; k < now.length; k++) {
      if (now[k].path !== was[k].path || now[k].status !== was[k].status) return false;
      if (graph.files.get(now[k].path) !== e.files[i][k]) return false;
    }
  }
  return true;
}

/** Includes replaced in place by their targets' directives, as nginx reads them. */
export function expanderFor(graph: ConfigGraph): ExpandList {
  const memo = new Map<Directive[], Directive[]>();
  let seen: Expansion | undefined;
  const expand = (list: Directive[], active: Set<string>, depth: number): Directive[] => {
    const at = includesIn(list);
    if (seen) {
      for (const i of at) {
        const targets = graph.includes.get(list[i]);
        seen.includes.push(list[i]);
        seen.targets.push(targets?.map((t) => ({ path: t.path, status: t.status })));
        seen.files.push(targets ? targets.map((t) => graph.files.get(t.path)) : []);
      }
    }
    if (!at.some((i) => graph.includes.has(list[i]))) return list;
    const out: Directive[] = [];
    for (const d of list) {
      const targets = graph.includes.get(d);
      if (!targets) {
        out.push(d);
        continue;
      }
      for (const t of targets) {
        if (t.status !== 'ok' || active.has(t.path) || depth > 50) continue;
        const f = graph.files.get(t.path);
        if (!f) continue;
        active.add(t.path);
        out.push(...expand(f.directives, active, depth + 1));
        active.delete(t.path);
      }
    }
    return out;
  };
  return (list) => {
    let r = memo.get(list);
    if (r) return r;
    const was = expansions.get(list);
    if (was && stillValid(was, graph)) r = was.result;
    else {
      seen = { result: list, includes: [], targets: [], files: [] };
      try {
        r = seen.result = expand(list, new Set(), 0);
        if (seen.includes.length) expansions.set(list, seen);
      } finally {
        seen = undefined;
      }
    }
    memo.set(list, r);
    return r;
  };
}

// Where a list has `include` directives (the only keys of graph.includes), per list across
// graphs: parsed lists never change, and the 10k-entry geo and map bodies are expanded again by
// every graph's expander.
const includeIndexes = new WeakMap<Directive[], number[]>();
function includesIn(list: Directive[]): number[] {
  let r = includeIndexes.get(list);
  if (!r) {
    r = [];
    for (let i = 0; i < list.length; i++) if (list[i].name === 'include') r.push(i);
    includeIndexes.set(list, r);
  }
  return r;
}

export interface BuildOptions {
  expand?: ExpandList;
  /** nginx's prefix (-p), for relative access_log paths. Default: the conf directory's parent convention is not guessed; '/usr/share/nginx/' (Debian). */
  prefix?: string;
  /**
   * Port of a `server` without `listen`. nginx uses 80 when the master runs as root and 8000
   * otherwise (ngx_http_core_merge_srv_conf); production nginx runs as root, so 80.
   */
  defaultPort?: number;
  /** false: nothing memoised across builds is used or kept (the from-scratch reference the incremental tests compare with). */
  memo?: boolean;
  /**
   * The addresses a listen's host name resolves to where nginx runs (as its getaddrinfo would
   * give them), undefined when unknown. Default: `localhost` is 127.0.0.1, other names unknown.
   */
  resolveHost?: (name: string) => readonly string[] | undefined;
}

const graphModels = new WeakMap<ConfigGraph, HttpModel>();

/**
 * The model of a whole configuration. With default options it is built once per graph object and
 * shared (the 444 checks, the log lenses and the caller of an edit all ask for it): read-only.
 */
export function buildModelFromGraph(graph: ConfigGraph, options: Omit<BuildOptions, 'expand'> = {}): HttpModel {
  const shared = options.prefix === undefined && options.defaultPort === undefined && options.memo === undefined && options.resolveHost === undefined;
  const hit = shared ? graphModels.get(graph) : undefined;
  if (hit) return hit;
  const main = graph.files.get(graph.mainFile);
  const expand = expanderFor(graph);
  const model = buildHttpModel(main ? main.directives : [], { ...options, expand });
  if (shared) graphModels.set(graph, model);
  return model;
}

export function buildModelFromFile(file: ParsedFile, options: BuildOptions = {}): HttpModel {
  return buildHttpModel(file.directives, options);
}

export function buildHttpModel(top: Directive[], options: BuildOptions = {}): HttpModel {
  const expand = options.expand ?? ((l: Directive[]) => l);
  const model: HttpModel = {
    prefix: options.prefix ?? '/usr/share/nginx/',
    prefixGiven: options.prefix !== undefined,
    httpItems: [],
    servers: [],
    groups: new Map(),
    maps: new Map(),
    geos: new Map(),
    logFormats: new Map(),
    sources444: [],
    defaultPort: options.defaultPort ?? 80,
    referencedVars: new Set(),
    usesRemoteAddr: false,
    declaredVars: new Set(),
  };
  if (!model.prefix.endsWith('/')) model.prefix += '/';
  const b = new Builder(model, expand, options.memo ?? true, options.resolveHost);
  declaring = model.declaredVars;
  try {
    for (const d of expand(top)) {
      if (d.name === 'http' && d.block) b.http(d);
    }
  } finally {
    declaring = undefined;
  }
  b.groupServers();
  b.collectVars();
  return model;
}

// Named captures declare variables; builds are synchronous, so the model being built is at hand.
let declaring: Set<string> | undefined;
function rx(pattern: string, caseless: boolean): NginxRegex {
  const r = compileNginxRegex(pattern, caseless);
  if (declaring) for (const n of r.names) declareCapture(declaring, n);
  return r;
}

function declareCapture(into: Set<string>, name: string): void {
  const n = name.toLowerCase();
  into.add(n);
  into.add('<' + n);
}

/** Whether a variable is a named capture of some regex of the configuration (it may also be a `set` target). */
export function isCaptureName(model: HttpModel, name: string): boolean {
  return model.declaredVars.has('<' + name);
}

function scopeOf(kind: ScopeKind, items: Directive[], d?: Directive, parent?: Scope): Scope {
  const byName = new Map<string, Directive[]>();
  for (const c of items) {
    let l = byName.get(c.name);
    if (!l) byName.set(c.name, (l = []));
    l.push(c);
  }
  return { kind, directive: d, parent, items, codes: [], byName, server: parent?.server, location: parent?.location };
}

// map and geo bodies compiled once per parse: a blocklist's 10k-entry geo and 600-regex maps are
// the bulk of a model build, and after an edit elsewhere the same block (same Directive objects,
// includes expanded to the same parses) would compile to the same model. Measured on the
// 300-vhost bench config (bench/config.mjs): they were ~60% of every rebuild after an edit.
const mapMemo = new WeakMap<Directive, { children: Directive[]; model: MapModel }>();
const geoMemo = new WeakMap<Directive, { children: Directive[]; model: GeoModel }>();

/** The same directives in the same order (the same array at once). */
function sameList(a: readonly Directive[], b: readonly Directive[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function reuse<T>(memo: WeakMap<Directive, { children: Directive[]; model: T }>, d: Directive, children: Directive[]): T | undefined {
  const hit = memo.get(d);
  return hit && sameList(hit.children, children) ? hit.model : undefined;
}

const bodyVarsMemo = new WeakMap<Directive, { children: Directive[]; model: string[] }>();

/** Variable names ($name, ${name}) the values mention, lowercased, appended to `out`. */
export function argVars(args: readonly { value: string }[], add: (name: string) => void): void {
  for (const a of args) {
    if (a.value.indexOf('$') === -1) continue;
    const re = /\$\{?([A-Za-z0-9_]+)/g;
    for (let m = re.exec(a.value); m; m = re.exec(a.value)) add(m[1].toLowerCase());
  }
}

const REWRITE_OPS = new Set(['if', 'set', 'return', 'rewrite', 'break']);

// A server's part of the model after an edit elsewhere is the same as before: servers are
// memoised per server directive with what their build read (every list it expanded, the variables
// it declared, its 444 sources, its variable names) and re-linked under the new http scope.
// Measured on the 300-vhost bench config: building the servers was most of every rebuild.
interface ServerMemo {
  /** Raw block lists and what they expanded to, in build order: all equal again ⇒ same server. */
  expanded: Directive[][];
  defaultPort: number;
  /** Detached (no parent): a template never keeps an older http scope (and its generation of directives) alive. */
  template: ServerModel;
  declared: string[];
  sources444: RuleRef[];
  /** The server last built or re-linked from this memo: used as it is under the same http scope at the same index. */
  last?: ServerModel;
  /** collectVars' part for this server block, filled on the first collectVars after the build. */
  vars?: { names: string[]; remoteAddr: boolean; visited: number };
}
const serverMemo = new WeakMap<Directive, ServerMemo>();
/** The last http settings scope built for an http directive (see HttpModel.http). */
const httpMemo = new WeakMap<Directive, Scope>();

const serverOrigins = new WeakMap<ServerModel, ServerMemo>();

/**
 * What a server was built from, when memoised: the same object for two servers (of any builds)
 * means the same directives, expanded the same way; `expanded` lists every block list it read
 * (raw, expanded, raw, expanded, ...). Lets later analyses memoise per server in turn.
 */
export function serverOrigin(server: ServerModel): { readonly expanded: readonly (readonly Directive[])[] } | undefined {
  return serverOrigins.get(server);
}

class Builder {
  /** Set while a server is being built: every (raw, expanded) list pair, for its memo. */
  private recording: Directive[][] | undefined;
  /** Server directives whose memo held in this build (collectVars can replay their part). */
  private readonly current = new Map<Directive, ServerMemo>();
  readonly expand: ExpandList;

  constructor(
    readonly model: HttpModel,
    expand: ExpandList,
    readonly memo: boolean,
    readonly resolveHost?: (name: string) => readonly string[] | undefined,
  ) {
    this.expand = (list) => {
      const r = expand(list);
      if (this.recording) this.recording.push(list, r);
      return r;
    };
  }

  /** The memo of a server directive when everything its build read is unchanged. */
  private serverHit(d: Directive): ServerMemo | undefined {
    const m = this.memo ? serverMemo.get(d) : undefined;
    if (!m || m.defaultPort !== this.model.defaultPort) return undefined;
    const e = m.expanded;
    for (let i = 0; i < e.length; i += 2) if (!sameList(this.expand(e[i]), e[i + 1])) return undefined;
    return m;
  }

  http(d: Directive): void {
    const items = this.expand(d.block!.children);
    const settings = items.filter((c) => !(c.block && (c.name === 'server' || c.name === 'map' || c.name === 'geo')));
    const was = this.memo ? httpMemo.get(d) : undefined;
    const scope = was && sameList(was.items, settings) ? was : scopeOf('http', settings, d);
    if (this.memo) httpMemo.set(d, scope);
    this.model.http = scope;
    this.model.httpItems = items;
    for (const c of items) {
      switch (c.name) {
        case 'server':
          if (c.block) this.server(c, scope);
          break;
        case 'map':
          this.map(c);
          break;
        case 'geo':
          this.geo(c);
          break;
        case 'log_format':
          if (c.args.length >= 2) {
            const args = c.args.slice(1).map((a) => a.value);
            let escape: LogFormatDef['escape'] = 'default';
            if (args[0]?.startsWith('escape=')) {
              const e = args.shift()!.slice(7);
              if (e === 'json' || e === 'none') escape = e;
            }
            if (!this.model.logFormats.has(c.args[0].value))
              this.model.logFormats.set(c.args[0].value, { name: c.args[0].value, escape, format: args.join(''), d: c });
          }
          break;
      }
    }
    this.note444(scope);
  }

  server(d: Directive, http: Scope): void {
    const hit = this.serverHit(d);
    if (hit) {
      const index = this.model.servers.length;
      const last = hit.last;
      const server = last && last.index === index && last.scope.parent === http ? last : (hit.last = relinkServer(hit.template, http, index));
      this.model.servers.push(server);
      serverOrigins.set(server, hit);
      const into = declaring ?? this.model.declaredVars;
      for (const n of hit.declared) into.add(n);
      this.model.sources444.push(...hit.sources444);
      this.current.set(d, hit);
      return;
    }
    if (!this.memo) {
      this.buildServer(d, http);
      return;
    }
    const outer = declaring;
    const declared = new Set<string>();
    const from444 = this.model.sources444.length;
    const recording: Directive[][] = [];
    this.recording = recording;
    declaring = declared;
    let server: ServerModel;
    try {
      server = this.buildServer(d, http);
    } finally {
      this.recording = undefined;
      declaring = outer;
    }
    const into = declaring ?? this.model.declaredVars;
    for (const n of declared) into.add(n);
    const memo: ServerMemo = {
      expanded: recording,
      defaultPort: this.model.defaultPort,
      template: relinkServer(server, undefined, 0),
      last: server,
      declared: [...declared],
      sources444: this.model.sources444.slice(from444),
    };
    serverMemo.set(d, memo);
    serverOrigins.set(server, memo);
    this.current.set(d, memo);
  }

  private buildServer(d: Directive, http: Scope): ServerModel {
    const items = this.expand(d.block!.children);
    const scope = scopeOf('server', items, d, http);
    const server: ServerModel = {
      index: this.model.servers.length,
      d,
      scope,
      listens: [],
      names: [],
      primaryName: '',
      locations: { exact: new Map(), prefix: [], regex: [] },
      named: new Map(),
      mergeSlashes: true,
    };
    scope.server = server;
    this.model.servers.push(server);
    for (const c of items) {
      if (c.name === 'listen') this.listen(c, server);
      else if (c.name === 'server_name') this.serverName(c, server);
    }
    // ngx_http_core_merge_srv_conf: a server without server_name is named "" (it takes Host-less requests).
    if (!scope.byName.has('server_name')) server.names.push({ name: '', kind: 'exact', d });
    if (!server.listens.length)
      server.listens.push({ addr: '*', port: this.model.defaultPort, defaultServer: false, ssl: false, http2: false, proxyProtocol: false });
    const ms = lastArg(scope, 'merge_slashes') ?? lastArg(http, 'merge_slashes');
    server.mergeSlashes = ms !== 'off';
    const first = server.names[0];
    if (!first) server.primaryName = '';
    else if (first.kind === 'regex') server.primaryName = '~' + first.name;
    else if (first.kind === 'dotHead') server.primaryName = first.name.slice(1);
    else server.primaryName = first.name;
    scope.codes = this.codes(items, scope);
    this.locations(items, scope, server.locations, server, undefined);
    this.note444(scope);
    return server;
  }

  listen(d: Directive, server: ServerModel): void {
    const a = d.args[0]?.value;
    if (!a || a.startsWith('unix:')) return;
    let host = '*';
    let port = 80;
    const m6 = /^\[([^\]]*)\](?::(\d+))?$/.exec(a);
    if (m6) {
      host = '[' + m6[1] + ']';
      if (m6[2]) port = +m6[2];
    } else if (/^\d+$/.test(a)) port = +a;
    else {
      const i = a.lastIndexOf(':');
      if (i >= 0) {
        host = a.slice(0, i);
        port = +a.slice(i + 1);
      } else host = a;
    }
    // nginx compares the addresses the text gives, not the text: a name gives every address it
    // resolves to, each a listen of its own (ngx_http_core_listen, one ngx_http_add_listen each).
    let addrs: string[];
    let unresolved = false;
    const key = listenAddrKey(host);
    if (key !== undefined) addrs = [key];
    else {
      const name = host.toLowerCase();
      const found = this.resolveHost?.(name) ?? (name === 'localhost' ? ['127.0.0.1'] : undefined);
      const keys = (found ?? []).map(listenAddrKey).filter((x): x is string => x !== undefined);
      addrs = keys.length ? [...new Set(keys)] : [name];
      unresolved = !keys.length;
    }
    const flags = new Set(d.args.slice(1).map((x) => x.value));
    for (const addr of addrs)
      server.listens.push({
        addr,
        port,
        defaultServer: flags.has('default_server') || flags.has('default'),
        ssl: flags.has('ssl'),
        http2: flags.has('http2'),
        proxyProtocol: flags.has('proxy_protocol'),
        d,
        ...(unresolved ? { unresolved } : {}),
      });
  }

  serverName(d: Directive, server: ServerModel): void {
    for (const a of d.args) {
      const v = a.value;
      if (v.startsWith('~') && v.length > 1) {
        const pat = v.slice(1);
        // ngx_http_core_server_name: caseless only when the pattern has an upper-case letter.
        server.names.push({ name: pat, kind: 'regex', re: rx(pat, /[A-Z]/.test(pat)), d });
        continue;
      }
      // nginx compares names as the bytes of the file, lower-casing only A-Z (ngx_strlow).
      const name = lowerAscii(textToBytes(v));
      if (name.startsWith('*.')) server.names.push({ name, kind: 'wildHead', d });
      else if (name.startsWith('.') && name.length > 1) server.names.push({ name, kind: 'dotHead', d });
      else if (name.endsWith('.*')) server.names.push({ name, kind: 'wildTail', d });
      else server.names.push({ name, kind: 'exact', d });
    }
  }

  codes(items: Directive[], scope: Scope): Op[] {
    const ops: Op[] = [];
    for (const c of items) {
      if (!REWRITE_OPS.has(c.name)) continue;
      const a = c.args.map((x) => x.value);
      switch (c.name) {
        case 'if': {
          if (!c.block) break;
          const inner = this.expand(c.block.children);
          const s = scopeOf('if', inner, c, scope);
          s.codes = this.codes(inner, s);
          ops.push({ op: 'if', cond: parseCond(c), scope: s, body: s.codes, d: c });
          this.note444(s);
          break;
        }
        case 'set':
          if (a.length >= 2 && a[0].startsWith('$')) {
            const name = a[0].slice(1).toLowerCase();
            (declaring ?? this.model.declaredVars).add(name);
            ops.push({ op: 'set', name, value: compileValue(a[1]), d: c });
          }
          break;
        case 'return': {
          if (!a.length) break;
          let status = /^\d+$/.test(a[0]) ? +a[0] : NaN;
          let text: ComplexValue | undefined;
          if (isNaN(status)) {
            if (/^(https?:\/\/|\$scheme)/.test(a[0])) {
              status = 302;
              text = compileValue(a[0]);
            } else break;
          } else if (a.length > 1) text = compileValue(a[1]);
          ops.push({ op: 'return', status, text, d: c });
          break;
        }
        case 'rewrite': {
          if (a.length < 2) break;
          let repl = a[1];
          let addArgs = true;
          if (repl.endsWith('?')) {
            repl = repl.slice(0, -1);
            addArgs = false;
          }
          let redirect = 0;
          if (/^(https?:\/\/|\$scheme)/.test(repl)) redirect = 302;
          const f = a[2] as 'last' | 'break' | 'redirect' | 'permanent' | undefined;
          if (f === 'redirect') redirect = 302;
          if (f === 'permanent') redirect = 301;
          ops.push({
            op: 'rewrite',
            re: rx(a[0], false),
            replacement: compileValue(repl),
            flag: f ?? null,
            redirect,
            addArgs,
            d: c,
          });
          break;
        }
        case 'break':
          ops.push({ op: 'break', d: c });
          break;
      }
    }
    return ops;
  }

  locations(items: Directive[], parent: Scope, set: LocationSet, server: ServerModel, outer: LocationModel | undefined): void {
    for (const c of items) {
      if (c.name !== 'location' || !c.block) continue;
      const a = c.args.map((x) => x.value);
      let modifier: LocationModel['modifier'] = '';
      let name: string;
      if (a.length >= 2 && (a[0] === '=' || a[0] === '^~' || a[0] === '~' || a[0] === '~*')) {
        modifier = a[0] as LocationModel['modifier'];
        name = a[1];
      } else {
        name = a[0] ?? '';
        // nginx also accepts the modifier glued to the name (`location =/x`, `location ~^/x`).
        if (name.startsWith('=')) (modifier = '='), (name = name.slice(1));
        else if (name.startsWith('^~')) (modifier = '^~'), (name = name.slice(2));
        else if (name.startsWith('~*')) (modifier = '~*'), (name = name.slice(2));
        else if (name.startsWith('~')) (modifier = '~'), (name = name.slice(1));
        else if (name.startsWith('@')) modifier = '@';
      }
      const inner = this.expand(c.block.children);
      const scope = scopeOf('location', inner, c, parent);
      const loc: LocationModel = {
        scope,
        d: c,
        modifier,
        name,
        key: modifier === '@' ? name : textToBytes(name),
        // ngx_http_core_merge_loc_conf merges `internal` like any flag: a nested location is
        // internal when the one it is in is.
        internal: outer?.internal === true,
        autoRedirect: false,
        nested: { exact: new Map(), prefix: [], regex: [] },
        server,
      };
      scope.location = loc;
      if (modifier === '~' || modifier === '~*') loc.re = rx(name, modifier === '~*');
      for (const x of inner) {
        if (x.name === 'internal') loc.internal = true;
        if (/^(proxy|fastcgi|uwsgi|scgi|memcached|grpc)_pass$/.test(x.name)) loc.autoRedirect = true;
        if (x.name === 'limit_except' && x.block) {
          const allowed = new Set(x.args.map((m) => m.value.toUpperCase()));
          if (allowed.has('GET')) allowed.add('HEAD');
          const ls = scopeOf('limit_except', this.expand(x.block.children), x, scope);
          loc.limitExcept = { allowed, scope: ls, d: x };
        }
      }
      scope.codes = this.codes(inner, scope);
      this.note444(scope);
      if (modifier === '@') {
        if (!outer && !server.named.has(name)) server.named.set(name, loc);
        continue;
      }
      if (modifier === '=') {
        if (!set.exact.has(loc.key)) set.exact.set(loc.key, loc);
      } else if (modifier === '~' || modifier === '~*') set.regex.push(loc);
      else if (!set.prefix.some((p) => p.key === loc.key)) set.prefix.push(loc);
      this.locations(inner, scope, loc.nested, server, loc);
    }
  }

  /**
   * ngx_http_add_variable hands a map or geo the variable an earlier map or geo made (both are
   * CHANGEABLE) and each then sets its own get_handler: the last definition is the one nginx uses.
   */
  defineVar(kind: 'map', target: string, m: MapModel): void;
  defineVar(kind: 'geo', target: string, g: GeoModel): void;
  defineVar(kind: 'map' | 'geo', target: string, v: MapModel | GeoModel): void {
    this.model.maps.delete(target);
    this.model.geos.delete(target);
    if (kind === 'map') this.model.maps.set(target, v as MapModel);
    else this.model.geos.set(target, v as GeoModel);
  }

  map(d: Directive): void {
    if (d.args.length < 2 || !d.block) return;
    const target = d.args[1].value.replace(/^\$/, '').toLowerCase();
    const children = this.expand(d.block.children);
    const hit = this.memo ? reuse(mapMemo, d, children) : undefined;
    if (hit) {
      if (declaring) for (const r of hit.regex) for (const n of r.re.names) declareCapture(declaring, n);
      this.defineVar('map', target, hit);
      return;
    }
    const m: MapModel = {
      d,
      source: compileValue(d.args[0].value),
      target,
      hostnames: false,
      exact: new Map(),
      wildHead: [],
      wildTail: [],
      regex: [],
      defaultValue: compileValue(''),
      constant: false,
    };
    let hasDefault = false;
    for (const e of children) {
      const key = e.name;
      if (key === 'hostnames' && !e.args.length) {
        m.hostnames = true;
        continue;
      }
      if (key === 'volatile' && !e.args.length) continue;
      if (e.args.length !== 1) continue;
      const value = compileValue(e.args[0].value);
      if (key === 'default') {
        if (!hasDefault) (m.defaultValue = value), (hasDefault = true);
        continue;
      }
      if (key.startsWith('~')) {
        const ci = key.startsWith('~*');
        m.regex.push({ re: rx(key.slice(ci ? 2 : 1), ci), value });
        continue;
      }
      let k = lowerAscii(textToBytes(key.startsWith('\\') ? key.slice(1) : key));
      if (m.hostnames) {
        if (k.startsWith('*.')) {
          m.wildHead.push({ suffix: k.slice(1), dot: false, value });
          continue;
        }
        if (k.startsWith('.') && k.length > 1) {
          m.wildHead.push({ suffix: k, dot: true, value });
          if (!m.exact.has(k.slice(1))) m.exact.set(k.slice(1), value);
          continue;
        }
        if (k.endsWith('.*')) {
          m.wildTail.push({ prefix: k.slice(0, -1), value });
          continue;
        }
        if (k.endsWith('.')) k = k.slice(0, -1);
      }
      // ngx_hash_add_key: a repeated key keeps its first value ("conflicting parameter").
      if (!m.exact.has(k)) m.exact.set(k, value);
    }
    m.wildHead.sort((x, y) => y.suffix.length - x.suffix.length);
    m.wildTail.sort((x, y) => y.prefix.length - x.prefix.length);
    m.constant =
      m.defaultValue.literal &&
      [...m.exact.values()].every((v) => v.literal) &&
      m.wildHead.every((w) => w.value.literal) &&
      m.wildTail.every((w) => w.value.literal) &&
      m.regex.every((r) => r.value.literal);
    if (this.memo) mapMemo.set(d, { children, model: m });
    this.defineVar('map', target, m);
  }

  geo(d: Directive): void {
    if (!d.block || d.args.length < 1) return;
    const source = d.args.length >= 2 ? compileValue(d.args[0].value) : undefined;
    const target = d.args[d.args.length - 1].value.replace(/^\$/, '').toLowerCase();
    const children = this.expand(d.block.children);
    const hit = this.memo ? reuse(geoMemo, d, children) : undefined;
    if (hit) {
      this.defineVar('geo', target, hit);
      return;
    }
    const at = `${d.file}\u0000${d.range.start.offset}`;
    const patched = this.memo ? patchGeo(geoLast.get(at), d, children) : undefined;
    if (patched) {
      geoLast.set(at, patched);
      geoMemo.set(d, { children, model: patched.model });
      this.defineVar('geo', target, patched.model);
      return;
    }
    const g: GeoModel = { d, source, target, ranges: false, entries: [], entries6: [], defaultValue: '', proxies: [], proxies6: [], proxyRecursive: false };
    const slots = new Int32Array(children.length).fill(NO_SLOT);
    let deletes = false;
    let rangesAt = -1;
    for (let i = 0; i < children.length; i++) {
      const e = children[i];
      const n = e.args.length;
      if (e.name === 'ranges' && !n) {
        if (!g.ranges) rangesAt = i;
        g.ranges = true;
      } else if (e.name === 'proxy_recursive') g.proxyRecursive = true;
      else if (e.name === 'proxy' && n === 1) {
        const c = parseCidr(e.args[0].value);
        if (c) g.proxies.push(c);
        else {
          const c6 = parseCidr6(e.args[0].value);
          if (c6) g.proxies6.push(c6);
        }
      } else if (e.name === 'default' && n === 1) g.defaultValue = e.args[0].value;
      else if (e.name === 'delete' && n === 1) {
        deletes = true;
        const c = parseCidr(e.args[0].value);
        const c6 = c ? undefined : parseCidr6(e.args[0].value);
        if (c) g.entries = g.entries.filter((x) => !(x.net.lo === c.lo && x.net.hi === c.hi));
        else if (c6) g.entries6 = g.entries6.filter((x) => !(x.net.lo === c6.lo && x.net.hi === c6.hi));
      } else if (n === 1) {
        const entry = this.memo ? geoEntryOf(e, g.ranges) : parseGeoEntry(e, g.ranges);
        if (entry?.v6) slots[i] = -g.entries6.push(entry.v6);
        else if (entry?.v4) slots[i] = g.entries.push(entry.v4) - 1;
      }
    }
    if (this.memo) geoLast.set(at, deletes ? undefined : { children, model: g, slots, rangesAt });
    if (this.memo) geoMemo.set(d, { children, model: g });
    this.defineVar('geo', target, g);
  }

  note444(scope: Scope): void {
    for (const c of scope.items) if (is444Source(c)) this.model.sources444.push(ruleOf(c));
  }

  collectVars(): void {
    const http = this.model.http;
    if (!http) return;
    const vars = this.model.referencedVars;
    let budget = 2_000_000;
    // Depth-first, so a server block's names form one contiguous run of additions: a memoised
    // server replays its run where its block would have been walked, in the same order.
    const walk = (start: Directive[], add: (v: string) => void, memos: boolean): number => {
      const stack: (Directive[] | ServerMemo)[] = [start];
      let visited = 0;
      while (stack.length && budget-- > 0) {
        visited++;
        const top = stack.pop()!;
        if (!Array.isArray(top)) {
          const v = top.vars!;
          if (budget < v.visited) {
            stack.push(this.expand(top.template.d.block!.children));
            budget++;
            visited--;
            continue;
          }
          budget -= v.visited - 1;
          visited += v.visited - 1;
          for (const n of v.names) add(n);
          if (v.remoteAddr) this.model.usesRemoteAddr = true;
          continue;
        }
        for (const d of top) {
          if (d.name === 'allow' || d.name === 'deny') this.model.usesRemoteAddr = true;
          // What a log format writes decides nothing about routing.
          if (d.name === 'log_format') continue;
          if (d.name === 'geo' && d.block) {
            // geo values are literal strings (ngx_http_geo_module never compiles them): only the
            // source variable counts, and a 10k-entry blocklist body is not scanned at all.
            argVars(d.args, add);
            continue;
          }
          if (d.name === 'map' && d.block) {
            // A blocklist body is thousands of entries: scanned once per parse (see mapMemo).
            const children = this.expand(d.block.children);
            let hit = this.memo ? reuse(bodyVarsMemo, d, children) : undefined;
            if (!hit) {
              const names = new Set<string>();
              const into = (v: string) => void names.add(v);
              for (const c of children) argVars(c.args, into);
              argVars(d.args, into);
              hit = [...names];
              if (this.memo) bodyVarsMemo.set(d, { children, model: hit });
            }
            for (const v of hit) add(v);
            continue;
          }
          argVars(d.args, add);
          if (d.block) {
            const memo = memos && d.name === 'server' ? this.current.get(d) : undefined;
            if (memo && !memo.vars) {
              const names = new Set<string>();
              const outer = this.model.usesRemoteAddr;
              this.model.usesRemoteAddr = false;
              const before = budget;
              const n = walk(this.expand(d.block.children), (v) => names.add(v), false);
              const complete = budget >= 0;
              const remoteAddr = this.model.usesRemoteAddr;
              this.model.usesRemoteAddr = outer;
              // Counted when the replay below is popped, as if the block were walked there.
              budget = before;
              if (complete) memo.vars = { names: [...names], remoteAddr, visited: n };
            }
            stack.push(memo?.vars ? memo : this.expand(d.block.children));
          }
        }
      }
      return visited;
    };
    walk(this.model.httpItems, (v) => vars.add(v), true);
    // Variables computed from a request header: that header is what the log must give.
    if (vars.has('modern_browser') || vars.has('ancient_browser') || vars.has('msie')) vars.add('http_user_agent');
    // $secure_link compares its expiry with the request's time.
    if (vars.has('secure_link')) for (const v of ['msec', 'time_iso8601', 'time_local', 'request_time']) vars.add(v);
    if (this.model.geos.size || vars.has('remote_addr') || vars.has('binary_remote_addr')) this.model.usesRemoteAddr = true;
  }

  groupServers(): void {
    for (const s of this.model.servers) {
      for (const l of s.listens) {
        let byAddr = this.model.groups.get(l.port);
        if (!byAddr) this.model.groups.set(l.port, (byAddr = new Map()));
        let g = byAddr.get(l.addr);
        if (!g) {
          g = { addr: l.addr, port: l.port, servers: [], reachable: [], defaultServer: s, exact: new Map(), wildHead: [], wildTail: [], regex: [], ...(l.unresolved ? { unresolved: true } : {}) };
          byAddr.set(l.addr, g);
        }
        if (g.servers.includes(s)) continue;
        g.servers.push(s);
        if (l.defaultServer && !g.defaultListen) {
          g.defaultServer = s;
          g.defaultListen = l;
        }
      }
    }
    for (const byAddr of this.model.groups.values())
      for (const g of byAddr.values()) {
        for (const { sn, server: s, by } of claimServerNames(g.servers)) {
          if (by) continue;
          switch (sn.kind) {
            case 'exact':
              g.exact.set(sn.name, s);
              break;
            case 'dotHead':
              // `.x` also matches `x` itself (in nginx through its wildcard hash, after exact names,
              // which cannot hold `x` then).
              g.exact.set(sn.name.slice(1), s);
              g.wildHead.push({ suffix: sn.name, dot: true, server: s, sn });
              break;
            case 'wildHead':
              g.wildHead.push({ suffix: sn.name.slice(1), dot: false, server: s, sn });
              break;
            case 'wildTail':
              g.wildTail.push({ prefix: sn.name.slice(0, -1), server: s, sn });
              break;
            case 'regex':
              g.regex.push({ re: sn.re!, server: s, sn });
              break;
          }
        }
        g.wildHead.sort((x, y) => y.suffix.length - x.suffix.length);
        g.wildTail.sort((x, y) => y.prefix.length - x.prefix.length);
        const named = new Set<ServerModel>([g.defaultServer, ...g.exact.values(), ...[...g.wildHead, ...g.wildTail, ...g.regex].map((w) => w.server)]);
        g.reachable = g.servers.filter((s) => named.has(s));
      }
  }
}

/**
 * Whether nginx looks the Host up among the names of an address:port at all
 * (ngx_http_optimize_servers builds the tables only for several servers, or for a default one
 * whose captures flag is set; ngx_http_core_server_name sets that flag from each regex name in
 * turn, so it is the last regex name's). Without the tables its regexes never run: their
 * captures stay unset.
 */
export function namesLookedUp(g: ListenGroup): boolean {
  if (g.servers.length > 1) return true;
  const regexes = g.defaultServer.names.filter((n) => n.re);
  return regexes.length > 0 && regexes[regexes.length - 1].re!.captures > 0;
}

/** A server name of a listen socket, and the earlier name that made nginx ignore it, if any. */
export interface NameClaim {
  sn: ServerName;
  server: ServerModel;
  by?: { sn: ServerName; server: ServerModel };
}

/**
 * The names of a socket's servers as nginx hashes them (ngx_http_server_names, in config order,
 * through ngx_hash_add_key): a name whose key an earlier one holds is ignored ("conflicting server
 * name ... ignored", a warning). The keys: an exact `x`; for `.x`, first `x` as an exact key (taken:
 * the whole name is ignored), then `x` as a head-wildcard key (taken: ignored, though it keeps the
 * exact key, which later `x` and `.x` then find taken); for `*.x`, `x` as a head-wildcard key; for
 * `x.*`, a tail-wildcard key. Regexes hold no key.
 */
export function claimServerNames(servers: readonly ServerModel[]): NameClaim[] {
  type Holder = NonNullable<NameClaim['by']>;
  const exactKeys = new Map<string, Holder>();
  const headKeys = new Map<string, Holder>();
  const tailKeys = new Map<string, Holder>();
  const out: NameClaim[] = [];
  const claim = (keys: Map<string, Holder>, key: string, me: Holder): Holder | undefined => {
    const held = keys.get(key);
    if (!held) keys.set(key, me);
    return held;
  };
  for (const server of servers)
    for (const sn of server.names) {
      const me = { sn, server };
      let by: Holder | undefined;
      if (sn.kind === 'exact') by = claim(exactKeys, sn.name, me);
      else if (sn.kind === 'dotHead') by = claim(exactKeys, sn.name.slice(1), me) ?? claim(headKeys, sn.name.slice(1), me);
      else if (sn.kind === 'wildHead') by = claim(headKeys, sn.name.slice(2), me);
      else if (sn.kind === 'wildTail') by = claim(tailKeys, sn.name.slice(0, -2), me);
      out.push(by ? { sn, server, by } : me);
    }
  return out;
}

/**
 * A copy of a built server under another http scope (or none, for a memo's template): new scope,
 * location and `if` objects, since each points up its chain; everything without such a link
 * (directives, byName, names, listens, compiled values and regexes, other ops) is shared.
 */
function relinkServer(t: ServerModel, http: Scope | undefined, index: number): ServerModel {
  // Literals in the builder's field order: the copies share the built objects' shapes.
  const server: ServerModel = {
    index,
    d: t.d,
    scope: undefined!,
    listens: t.listens,
    names: t.names,
    primaryName: t.primaryName,
    locations: undefined!,
    named: new Map(),
    mergeSlashes: true,
  };
  const scope = relinkScope(t.scope, http, server, undefined);
  server.scope = scope;
  server.mergeSlashes = (lastArg(scope, 'merge_slashes') ?? (http && lastArg(http, 'merge_slashes'))) !== 'off';
  server.locations = relinkSet(t.locations, scope, server);
  for (const [k, l] of t.named) server.named.set(k, relinkLocation(l, scope, server));
  return server;
}

function relinkScope(t: Scope, parent: Scope | undefined, server: ServerModel, location: LocationModel | undefined): Scope {
  const s: Scope = { kind: t.kind, directive: t.directive, parent, items: t.items, codes: [], byName: t.byName, server, location };
  s.codes = relinkOps(t.codes, s);
  return s;
}

function relinkOps(ops: Op[], scope: Scope): Op[] {
  if (!ops.length) return [];
  return ops.map((o) => {
    if (o.op !== 'if') return o;
    const s = relinkScope(o.scope, scope, scope.server!, scope.location);
    return { op: 'if', cond: o.cond, scope: s, body: s.codes, d: o.d };
  });
}

function relinkSet(t: LocationSet, parent: Scope, server: ServerModel): LocationSet {
  // Most locations nest none: their (never modified) empty set is shared with the template.
  if (!t.exact.size && !t.prefix.length && !t.regex.length) return t;
  const exact = new Map<string, LocationModel>();
  for (const [k, l] of t.exact) exact.set(k, relinkLocation(l, parent, server));
  const prefix: LocationModel[] = [];
  for (const l of t.prefix) prefix.push(relinkLocation(l, parent, server));
  const regex: LocationModel[] = [];
  for (const l of t.regex) regex.push(relinkLocation(l, parent, server));
  return { exact, prefix, regex };
}

function relinkLocation(t: LocationModel, parent: Scope, server: ServerModel): LocationModel {
  const loc: LocationModel = { scope: undefined!, d: t.d, modifier: t.modifier, name: t.name, key: t.key, internal: t.internal, autoRedirect: t.autoRedirect, nested: undefined!, server };
  if (t.re) loc.re = t.re;
  const scope: Scope = { kind: t.scope.kind, directive: t.scope.directive, parent, items: t.scope.items, codes: [], byName: t.scope.byName, server, location: loc };
  loc.scope = scope;
  if (t.limitExcept) loc.limitExcept = { ...t.limitExcept, scope: relinkScope(t.limitExcept.scope, scope, server, loc) };
  scope.codes = relinkOps(t.scope.codes, scope);
  loc.nested = relinkSet(t.nested, scope, server);
  return loc;
}

/** ngx_http_rewrite_if_condition: the parentheses are the first and last characters of the args. */
function parseCond(d: Directive): Cond {
  const v = d.args.map((x) => x.value);
  if (!v.length || !v[0].startsWith('(') || !v[v.length - 1].endsWith(')')) return { kind: 'invalid' };
  let a = v.slice();
  if (a[0] === '(') a.shift();
  else a[0] = a[0].slice(1);
  if (!a.length) return { kind: 'invalid' };
  const last = a[a.length - 1];
  if (last === ')') a.pop();
  else a[a.length - 1] = last.slice(0, -1);
  if (!a.length) return { kind: 'invalid' };
  if (a[0].length > 1 && a[0].startsWith('$')) {
    const left = compileValue(a[0]);
    if (a.length === 1) return { kind: 'value', value: left };
    if (a.length !== 3) return { kind: 'invalid' };
    switch (a[1]) {
      case '=':
      case '!=':
        return { kind: 'eq', negative: a[1] === '!=', left, right: compileValue(a[2]) };
      case '~':
      case '~*':
      case '!~':
      case '!~*': {
        const ci = a[1].endsWith('*');
        return { kind: 'regex', negative: a[1].startsWith('!'), left, re: rx(a[2], ci), caseless: ci };
      }
    }
    return { kind: 'invalid' };
  }
  if (a.length === 2) {
    const m = /^(!?)(-[fdex])$/.exec(a[0]);
    if (m) return { kind: 'file', op: m[2], negative: m[1] === '!', value: compileValue(a[1]) };
  }
  return { kind: 'invalid' };
}

function lastArg(scope: Scope, name: string): string | undefined {
  const l = scope.byName.get(name);
  return l ? l[l.length - 1].args[0]?.value : undefined;
}

/** Directives of `name` in effect for a scope: the nearest level that has any (nginx merge). */
export function inherited(scope: Scope | undefined, name: string): Directive[] {
  for (let s = scope; s; s = s.parent) {
    const l = s.byName.get(name);
    if (l && l.length) return l;
  }
  return [];
}

/** Several directive names that nginx stores in one list (allow+deny, access rules). */
export function inheritedAny(scope: Scope | undefined, names: readonly string[]): Directive[] {
  for (let s = scope; s; s = s.parent) {
    const hit = s.items.filter((d) => names.includes(d.name));
    if (hit.length) return hit;
  }
  return [];
}

type GeoEntry = { v4?: { net: Cidr; value: string }; v6?: { net: Net6; value: string } };

function parseGeoEntry(e: Directive, ranges: boolean): GeoEntry | undefined {
  const value = e.args[0].value;
  const net = ranges ? parseRange(e.name) : parseCidr(e.name);
  if (net) return { v4: { net, value } };
  if (!ranges && e.name.includes(':')) {
    const net6 = parseCidr6(e.name);
    if (net6) return { v6: { net: net6, value } };
  }
  return undefined;
}

// A geo's entries parsed once per entry directive (per mode): after an edit of one entry of a
// 10k-entry blocklist geo, the geo is built again from 9,999 parsed entries and one new one.
// Entry objects are shared by the models that have them (read-only).
const geoCidrEntries = new WeakMap<Directive, GeoEntry | null>();
const geoRangeEntries = new WeakMap<Directive, GeoEntry | null>();
function geoEntryOf(e: Directive, ranges: boolean): GeoEntry | undefined {
  const memo = ranges ? geoRangeEntries : geoCidrEntries;
  let r = memo.get(e);
  if (r === undefined) memo.set(e, (r = parseGeoEntry(e, ranges) ?? null));
  return r ?? undefined;
}

// After an edit of one entry of a 10k-entry blocklist geo, the geo directive is a new object (its
// children changed) and was built again entry by entry: ~5 ms of every such keystroke. The last
// build of the geo at the same place keeps where each child landed, so a new build that differs
// from it only in a few plain entries copies it and replaces those. A geo with `delete` (which
// moves later entries) is always built in full.
const NO_SLOT = 0x7fffffff;
interface GeoBuild {
  children: Directive[];
  model: GeoModel;
  /** Per child: its index in entries (>= 0), -1 - index in entries6, or NO_SLOT. */
  slots: Int32Array;
  /** The first `ranges` child (entries after it are read as ranges), or -1. */
  rangesAt: number;
}
const geoLast = new Map<string, GeoBuild | undefined>();
const GEO_KEYWORDS = new Set(['ranges', 'proxy_recursive', 'proxy', 'default', 'delete', 'include']);
const MAX_GEO_PATCH = 16;

function patchGeo(last: GeoBuild | undefined, d: Directive, children: Directive[]): GeoBuild | undefined {
  if (!last || last.children.length !== children.length) return undefined;
  const was = last.model.d;
  if (was.args.length !== d.args.length || was.args.some((a, i) => a.value !== d.args[i].value)) return undefined;
  const changed: number[] = [];
  for (let i = 0; i < children.length; i++) {
    if (children[i] === last.children[i]) continue;
    if (changed.push(i) > MAX_GEO_PATCH) return undefined;
  }
  const m = last.model;
  const entries = m.entries.slice();
  const entries6 = m.entries6.slice();
  for (const i of changed) {
    const before = last.children[i];
    const now = children[i];
    const slot = last.slots[i];
    if (slot === NO_SLOT || now.args.length !== 1 || GEO_KEYWORDS.has(now.name) || GEO_KEYWORDS.has(before.name)) return undefined;
    const entry = geoEntryOf(now, last.rangesAt >= 0 && i > last.rangesAt);
    if (slot >= 0 && entry?.v4) entries[slot] = entry.v4;
    else if (slot < 0 && entry?.v6) entries6[-1 - slot] = entry.v6;
    else return undefined;
  }
  const model: GeoModel = { ...m, d, entries, entries6 };
  return { children, model, slots: last.slots, rangesAt: last.rangesAt };
}

function parseRange(s: string): Cidr | undefined {
  const [a, b] = s.split('-');
  const lo = ipv4ToNumber(a);
  const hi = b === undefined ? lo : ipv4ToNumber(b);
  if (lo === undefined || hi === undefined) return undefined;
  return { lo, hi, bits: -1 };
}
