// The 444 engine's view of a configuration: the HTTP model (built once per graph) with every
// directive mapped to the configuration scope nginx runs it in. Pure: no LSP, no file system.

import type { ConfigGraph } from '../configGraph';
import type { Directive, Range } from '../syntax';
import { buildHttpModel, buildModelFromGraph, expanderFor, type HttpModel, type LocationModel, type LocationSet, type Op, type Scope } from '../http/model';

export interface DropsIndex {
  graph: ConfigGraph;
  model: HttpModel;
  /** Each effective directive → the scope whose block holds it. */
  scopeOf: Map<Directive, Scope>;
  /** Each block directive (server, location, if, limit_except) → its own scope. */
  blockScope: Map<Directive, Scope>;
  /** Every scope, in configuration order. */
  scopes: Scope[];
  /** `file:offset` of every effective directive → the directive (for views whose tree is a newer parse); built on first need. */
  byPosition?: Map<string, Directive>;
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
  const ix: DropsIndex = { graph, model, scopeOf: new Map(), blockScope: new Map(), scopes: [] };
  const addScope = (s: Scope) => {
    ix.scopes.push(s);
    if (s.directive) ix.blockScope.set(s.directive, s);
    for (const d of s.items) ix.scopeOf.set(d, s);
    for (const op of s.codes) addOps(op);
  };
  const addOps = (op: Op) => {
    if (op.op === 'if') addScope(op.scope);
  };
  const addLocation = (l: LocationModel) => {
    addScope(l.scope);
    if (l.limitExcept) addScope(l.limitExcept.scope);
    addSet(l.nested);
  };
  const addSet = (set: LocationSet) => {
    for (const l of [...set.exact.values(), ...set.prefix, ...set.regex]) addLocation(l);
  };
  if (model.http) {
    addScope(model.http);
    // Server, map and geo blocks are not in the http settings scope, but they sit in its block.
    for (const d of model.httpItems) if (!ix.scopeOf.has(d)) ix.scopeOf.set(d, model.http);
  }
  for (const s of model.servers) {
    addScope(s.scope);
    addSet(s.locations);
    for (const l of s.named.values()) addLocation(l);
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
