// The 444 engine's view of a configuration: the HTTP model (built once per graph) with every
// directive mapped to the configuration scope nginx runs it in. Pure: no LSP, no file system.

import type { ConfigGraph } from '../configGraph';
import type { Directive, Range } from '../syntax';
import { buildHttpModel, buildModelFromGraph, expanderFor, type HttpModel, type LocationModel, type LocationSet, type Scope, type ServerModel } from '../http/model';

export interface DropsIndex {
  graph: ConfigGraph;
  model: HttpModel;
  /** Each effective directive → the scope whose block holds it (built on first use). */
  readonly scopeOf: Map<Directive, Scope>;
  /** Each block directive (server, location, if, limit_except) → its own scope (built on first use). */
  readonly blockScope: Map<Directive, Scope>;
  /** Every scope in configuration order, in runs: the http scope (no server), then each server's. */
  runs: ScopeRun[];
  /** Each server block directive → its server. */
  serverOf: Map<Directive, ServerModel>;
  /** `file:offset` of every effective directive → the directive (for views whose tree is a newer parse); built on first need. */
  byPosition?: Map<string, Directive>;
}

/** The scopes of one server (or of the http block: no server), in configuration order. */
export interface ScopeRun {
  server?: ServerModel;
  scopes: Scope[];
}

const cache = new WeakMap<ConfigGraph, DropsIndex>();

/** A synthetic block directive: lets a fragment read in http or server context be modelled like a whole config. */
function wrapper(name: string, children: Directive[], file: string): Directive {
  const at = { line: 0, character: 0, offset: 0 };
  const range: Range = { start: at, end: at };
  return { name, nameRange: range, nameQuote: null, args: [], block: { open: range, close: range, children }, range, file };
}

/** The model and scope index for a graph, computed once per graph object. */
export function dropsIndex(graph: ConfigGraph): DropsIndex {
  let ix = cache.get(graph);
  if (!ix) cache.set(graph, (ix = buildIndex(graph)));
  return ix;
}

// A server's scopes, per server object: the model reuses unchanged servers as they are after an
// edit elsewhere, so an edit re-walks one server instead of all 300 of the bench config.
const serverScopes = new WeakMap<ServerModel, Scope[]>();

function scopesOfServer(server: ServerModel): Scope[] {
  let out = serverScopes.get(server);
  if (out) return out;
  const list: Scope[] = [];
  const addScope = (s: Scope) => {
    list.push(s);
    for (const op of s.codes) if (op.op === 'if') addScope(op.scope);
  };
  const addLocation = (l: LocationModel) => {
    addScope(l.scope);
    if (l.limitExcept) addScope(l.limitExcept.scope);
    addSet(l.nested);
  };
  const addSet = (set: LocationSet) => {
    for (const l of set.exact.values()) addLocation(l);
    for (const l of set.prefix) addLocation(l);
    for (const l of set.regex) addLocation(l);
  };
  addScope(server.scope);
  addSet(server.locations);
  for (const l of server.named.values()) addLocation(l);
  serverScopes.set(server, (out = list));
  return out;
}

class Index implements DropsIndex {
  runs: ScopeRun[] = [];
  serverOf = new Map<Directive, ServerModel>();
  byPosition?: Map<string, Directive>;
  private maps?: { scopeOf: Map<Directive, Scope>; blockScope: Map<Directive, Scope> };

  constructor(
    readonly graph: ConfigGraph,
    readonly model: HttpModel,
  ) {}

  get scopeOf(): Map<Directive, Scope> {
    return (this.maps ??= this.buildMaps()).scopeOf;
  }

  get blockScope(): Map<Directive, Scope> {
    return (this.maps ??= this.buildMaps()).blockScope;
  }

  private buildMaps(): { scopeOf: Map<Directive, Scope>; blockScope: Map<Directive, Scope> } {
    const scopeOf = new Map<Directive, Scope>();
    const blockScope = new Map<Directive, Scope>();
    for (const run of this.runs)
      for (const s of run.scopes) {
        if (s.directive) blockScope.set(s.directive, s);
        for (const d of s.items) scopeOf.set(d, s);
      }
    // Server, map and geo blocks are not in the http settings scope, but they sit in its block.
    const http = this.model.http;
    if (http) for (const d of this.model.httpItems) if (!scopeOf.has(d)) scopeOf.set(d, http);
    return { scopeOf, blockScope };
  }
}

function buildIndex(graph: ConfigGraph): DropsIndex {
  const main = graph.files.get(graph.mainFile);
  const expand = expanderFor(graph);
  let top = main ? main.directives : [];
  const root = graph.rootContext;
  if (root[0] === 'http') {
    if (root[1] === 'server' && root.length === 2) top = [wrapper('server', top, graph.mainFile)];
    else if (root.length !== 1) top = [];
    top = [wrapper('http', top, graph.mainFile)];
  } else if (root.length) top = [];
  // A whole configuration: the same model every other consumer of this graph gets.
  const model = root.length === 0 ? buildModelFromGraph(graph) : buildHttpModel(top, { expand });
  const ix = new Index(graph, model);
  if (model.http) ix.runs.push({ scopes: [model.http] });
  for (const s of model.servers) {
    ix.runs.push({ server: s, scopes: scopesOfServer(s) });
    ix.serverOf.set(s.d, s);
  }
  return ix;
}

/** The graph's copy of a directive the editor holds (same object, or same file and offset). */
export function resolveDirective(ix: DropsIndex, d: Directive): Directive | undefined {
  if (ix.scopeOf.has(d)) return d;
  if (!ix.byPosition) {
    ix.byPosition = new Map();
    for (const x of ix.scopeOf.keys()) ix.byPosition.set(`${x.file}:${x.range.start.offset}`, x);
  }
  return ix.byPosition.get(`${d.file}:${d.range.start.offset}`);
}

/** Scopes from the server down to `s` (server, location…, if), outermost first; http excluded. */
export function chainOf(s: Scope | undefined): Scope[] {
  const out: Scope[] = [];
  for (let x = s; x && x.kind !== 'http'; x = x.parent) out.unshift(x);
  return out;
}

/** `sites-enabled/shop.conf:14` — relative to the conf prefix when inside it. */
export function whereOf(graph: ConfigGraph | undefined, d: { file: string; range: Range }): string {
  const prefix = graph?.prefix;
  let f = d.file;
  if (prefix && f.startsWith(prefix)) f = f.slice(prefix.length);
  else f = f.slice(f.lastIndexOf('/') + 1);
  return `${f}:${d.range.start.line + 1}`;
}

/** The HTTP model of a graph, built once and shared by everything that asks through this module. */
export function httpModelOf(graph: ConfigGraph): HttpModel {
  return dropsIndex(graph).model;
}
