// Every way the HTTP configuration can answer 444, with the scope chain it sits in. Which
// directives are 444 sources is model.ts `is444Source`; this adds what the hover and checks say
// about each: `return 444` (rewrite phase), `try_files ... =444`, `limit_req_status 444` /
// `limit_conn_status 444` (in effect wherever limit_req/limit_conn is), `error_page ... @name` when
// the named location returns 444, `error_page ... =444` and the echo module's `echo_status 444`
// (a response logged as 444), and script handlers whose code may close with 444.

import type { Directive } from '../syntax';
import { inherited, is444Source, serverNameText, type LocationModel, type Scope, type ServerModel } from '../http/model';
import { chainOf, type DropsIndex } from './index';
import { condWords, locationWords, serverWords } from './words';

export type SourceKind = 'return' | 'try_files' | 'limit_req_status' | 'limit_conn_status' | 'error_page' | 'error_page_status' | 'echo_status' | 'script';

export interface Source444 {
  d: Directive;
  kind: SourceKind;
  /** The scope whose block holds the directive. */
  scope: Scope;
  /** For error_page: the `return 444` of the named location it leads to. */
  target?: Directive;
  /** For *_status: the locations (or server) where the limit is in effect with this status. */
  appliesIn?: Scope[];
}

const sourceCache = new WeakMap<DropsIndex, Source444[]>();

function kindOf(d: Directive): SourceKind | undefined {
  if (!is444Source(d)) return undefined;
  switch (d.name) {
    case 'return':
    case 'try_files':
    case 'limit_req_status':
    case 'limit_conn_status':
    case 'echo_status':
      return d.name;
    case 'error_page':
      return 'error_page_status';
    default:
      return 'script';
  }
}

/** The `return 444` a named location reaches in its rewrite phase (directly or in an `if`). */
export function named444(loc: LocationModel | undefined): Directive | undefined {
  if (!loc) return undefined;
  const stack = [loc.scope];
  while (stack.length) {
    const s = stack.pop()!;
    for (const op of s.codes) {
      if (op.op === 'return' && op.status === 444) return op.d;
      if (op.op === 'if') stack.push(op.scope);
    }
  }
  return undefined;
}

/** The 444 sources written in `scopes`, in order, each directive once per list; *_status without appliesIn. */
function candidatesIn(scopes: readonly Scope[]): Source444[] {
  const out: Source444[] = [];
  const seen = new Set<Directive>();
  for (const scope of scopes) {
    for (const d of scope.items) {
      if (seen.has(d)) continue;
      const kind = kindOf(d);
      if (kind) {
        seen.add(d);
        out.push({ d, kind, scope });
      } else if (d.name === 'error_page' && d.args.length >= 2) {
        const uri = d.args[d.args.length - 1].value;
        const server = scope.server;
        if (!uri.startsWith('@') || !server) continue;
        const target = named444(server.named.get(uri));
        if (target) {
          seen.add(d);
          out.push({ d, kind: 'error_page', scope, target });
        }
      }
    }
  }
  return out;
}

/** Where limit_req / limit_conn is in effect in a server, with the status directive in effect there. */
interface LimitSite {
  scope: Scope;
  req?: Directive;
  conn?: Directive;
}

function limitSitesIn(scopes: readonly Scope[]): LimitSite[] {
  const out: LimitSite[] = [];
  for (const s of scopes) {
    if (s.kind !== 'location' && s.kind !== 'server') continue;
    const site: LimitSite = { scope: s };
    if (inherited(s, 'limit_req').length) site.req = inherited(s, 'limit_req_status').at(-1);
    if (inherited(s, 'limit_conn').length) site.conn = inherited(s, 'limit_conn_status').at(-1);
    if (site.req || site.conn) out.push(site);
  }
  return out;
}

// Per server object (the model reuses unchanged servers as they are): an edit looks again at the
// edited server only, not at every directive of the 300 servers of the bench config.
const serverParts = new WeakMap<ServerModel, { candidates: Source444[]; limits: LimitSite[] }>();

function partOf(server: ServerModel, scopes: readonly Scope[]): { candidates: Source444[]; limits: LimitSite[] } {
  let part = serverParts.get(server);
  if (!part) serverParts.set(server, (part = { candidates: candidatesIn(scopes), limits: limitSitesIn(scopes) }));
  return part;
}

/** Every 444 source of the HTTP configuration, in configuration order. */
export function sources444(ix: DropsIndex): Source444[] {
  let out = sourceCache.get(ix);
  if (out) return out;
  const parts = ix.runs.map((run) => (run.server ? partOf(run.server, run.scopes) : { candidates: candidatesIn(run.scopes), limits: limitSitesIn(run.scopes) }));
  out = [];
  const seen = new Set<Directive>();
  for (const part of parts) {
    for (const c of part.candidates) {
      if (seen.has(c.d)) continue;
      seen.add(c.d);
      if (c.kind === 'limit_req_status' || c.kind === 'limit_conn_status') {
        const req = c.kind === 'limit_req_status';
        const appliesIn: Scope[] = [];
        for (const p of parts) for (const site of p.limits) if ((req ? site.req : site.conn) === c.d) appliesIn.push(site.scope);
        out.push({ ...c, appliesIn });
      } else out.push(c);
    }
  }
  sourceCache.set(ix, out);
  return out;
}

export function findSource(ix: DropsIndex, d: Directive): Source444 | undefined {
  return sources444(ix).find((s) => s.d === d);
}

/** The whole condition of a source in one line: server, location, if — for lists and symbols. */
export function conditionWords(ix: DropsIndex, src: Source444): string {
  const parts: string[] = [];
  for (const s of chainOf(src.scope)) {
    if (s.kind === 'server' && s.server) parts.push(serverWords(ix.model, s.server));
    else if (s.kind === 'location' && s.location) parts.push(locationWords(ix.graph, s.location));
    else if (s.kind === 'if') {
      const op = s.parent?.codes.find((o) => o.op === 'if' && o.d === s.directive);
      if (op && op.op === 'if') parts.push(`if ${condWords(op.cond)}`);
    }
  }
  if (src.kind === 'error_page') parts.push(`responses ${src.d.args.slice(0, -1).map((a) => a.value).filter((v) => /^\d+$/.test(v)).join(' ')} go to ${src.d.args[src.d.args.length - 1].value}`);
  if (src.appliesIn) parts.push(src.appliesIn.length ? `requests over the ${src.kind === 'limit_req_status' ? 'limit_req' : 'limit_conn'} limit in ${src.appliesIn.length} context${src.appliesIn.length === 1 ? '' : 's'}` : `no ${src.kind.replace('_status', '')} in effect: never applies`);
  return parts.join('; ') || 'every request reaching this context';
}

/** A short label of where a source sits, for symbol lists: `shop.test › = /wp-login.php › if $bad_bot is …`. */
export function shortCondition(ix: DropsIndex, src: Source444): string {
  const parts: string[] = [];
  for (const s of chainOf(src.scope)) {
    if (s.kind === 'server' && s.server) {
      const name = s.server.names.find((n) => n.name && n.name !== '_');
      const isDefault = [...ix.model.groups.values()].some((m) => [...m.values()].some((g) => g.defaultServer === s.server && g.servers.length > 1));
      parts.push(name ? serverNameText(name) + (isDefault ? ' (default)' : '') : `default :${s.server.listens[0]?.port ?? ''}`);
    } else if (s.kind === 'location' && s.location) parts.push(`${s.location.modifier && s.location.modifier !== '@' ? s.location.modifier + ' ' : ''}${s.location.name}`);
    else if (s.kind === 'if') {
      const op = s.parent?.codes.find((o) => o.op === 'if' && o.d === s.directive);
      if (op && op.op === 'if') parts.push(`if ${condWords(op.cond).replace(/`/g, '')}`);
    }
  }
  if (src.kind === 'error_page') parts.push(`error ${src.d.args.slice(0, -1).map((a) => a.value).filter((v) => /^\d+$/.test(v)).join(' ')} → ${src.d.args[src.d.args.length - 1].value}`);
  return parts.join(' › ');
}

/** `file:offset` of every 444 source of the graphs → its short condition. */
export function sourceLabels(ixs: readonly DropsIndex[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const ix of ixs) for (const src of sources444(ix)) {
    const k = `${src.d.file}:${src.d.range.start.offset}`;
    if (!out.has(k)) out.set(k, shortCondition(ix, src));
  }
  return out;
}
