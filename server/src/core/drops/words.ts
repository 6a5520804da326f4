// nginx decisions in plain words: which hosts reach a server, which URIs reach a location, what an
// `if` tests and where its variables come from. Used by the hover and the list of 444 rules.

import type { ConfigGraph } from '../configGraph';
import { mapValues, serverNameText, type Cond, type HttpModel, type ListenGroup, type LocationModel, type MapModel, type ServerModel, type GeoModel, type Scope } from '../http/model';
import { variablesOf, type ComplexValue } from '../http/values';
import { whereOf } from './index';

const MAX_EXAMPLES = 3;

function q(s: string): string {
  return '`' + s.replace(/`/g, "'") + '`';
}

function cv(v: ComplexValue): string {
  return q(v.raw);
}

export function listenWords(s: ServerModel): string {
  return s.listens
    .map((l) => `${l.addr === '*' ? '' : l.addr + ':'}${l.port}${l.ssl ? ' ssl' : ''}${l.defaultServer ? ' default_server' : ''}`)
    .join(', ');
}

/** The listen groups a server is in. */
export function groupsOf(model: HttpModel, s: ServerModel): ListenGroup[] {
  const out: ListenGroup[] = [];
  for (const l of s.listens) {
    const g = model.groups.get(l.port)?.get(l.addr);
    if (g && !out.includes(g)) out.push(g);
  }
  return out;
}

function nameWords(s: ServerModel): string[] {
  return s.names.filter((n) => n.name !== '' && n.name !== '_').map(serverNameText);
}

/** Which requests nginx hands to this server: sockets, host names, and the default-server fallback. */
export function serverWords(model: HttpModel, s: ServerModel): string {
  const names = nameWords(s);
  const parts: string[] = [];
  const sock = `on ${q(listenWords(s))}`;
  parts.push(names.length ? `Host ${names.slice(0, 4).map(q).join(', ')}${names.length > 4 ? ` (+${names.length - 4} more)` : ''} ${sock}` : `requests ${sock}`);
  for (const g of groupsOf(model, s)) {
    if (g.defaultServer !== s) continue;
    const others = g.servers.filter((x) => x !== s).flatMap(nameWords);
    const how = g.defaultListen ? 'default_server' : 'first server on the socket, so the implicit default';
    const port = `${g.addr === '*' ? '' : g.addr}:${g.port}`;
    parts.push(
      others.length
        ? `any Host not matched by another server on ${port} (${how}; the others serve e.g. ${others.slice(0, MAX_EXAMPLES).map(q).join(', ')})`
        : `every Host on ${port} (${how}, no other server there)`,
    );
  }
  if (s.names.some((n) => n.name === '_' )) parts.push('`server_name _` is an ordinary name that matches no real host, not a catch-all');
  return parts.join('; ');
}

function locName(l: LocationModel): string {
  return l.modifier && l.modifier !== '@' ? `${l.modifier} ${l.name}` : l.name;
}

/** Which URIs select this location, and the locations that take some of them away. */
export function locationWords(graph: ConfigGraph | undefined, l: LocationModel): string {
  let what: string;
  switch (l.modifier) {
    case '=':
      what = `URI exactly ${q(l.name)}`;
      break;
    case '^~':
      what = `URIs starting with ${q(l.name)} (\`^~\`: regex locations are not tried)`;
      break;
    case '':
      what = `URIs starting with ${q(l.name)}`;
      break;
    case '~':
      what = `URIs matching ${q(l.name)} (case-sensitive)`;
      break;
    case '~*':
      what = `URIs matching ${q(l.name)} (case-insensitive)`;
      break;
    case '@':
      return `only internal redirects to ${q(l.name)} (error_page, try_files, X-Accel-Redirect)`;
  }
  const outer = l.scope.parent?.location;
  if (outer) what += `, inside location ${q(locName(outer))}`;
  if (l.internal) what += ' — internal only: client requests get 404';
  const shadows = shadowsOf(l).slice(0, MAX_EXAMPLES + 1);
  if (shadows.length) {
    const shown = shadows.slice(0, MAX_EXAMPLES).map((s) => `${q(locName(s.loc))} (${whereOf(graph, s.loc.d)}) ${s.why}`);
    what += `; except where ${shown.join(', ')}${shadows.length > MAX_EXAMPLES ? ', …' : ''}`;
  }
  return what;
}

export interface Shadow {
  loc: LocationModel;
  why: string;
}

/** Sibling locations that win over `l` for some of the URIs `l` names. */
export function shadowsOf(l: LocationModel): Shadow[] {
  const set = l.scope.parent?.location ? l.scope.parent.location.nested : l.server.locations;
  const out: Shadow[] = [];
  if (l.modifier === '' || l.modifier === '^~') {
    for (const e of set.exact.values()) if (e.name.startsWith(l.name) && e.name !== l.name) out.push({ loc: e, why: 'wins for that exact URI' });
    for (const p of set.prefix) if (p !== l && p.name.length > l.name.length && p.name.startsWith(l.name)) out.push({ loc: p, why: 'is a longer prefix' });
    if (l.modifier === '') for (const r of set.regex) out.push({ loc: r, why: 'wins when its regex matches' });
  } else if (l.modifier === '~' || l.modifier === '~*') {
    for (const r of set.regex) {
      if (r === l) break;
      out.push({ loc: r, why: 'is an earlier regex (first match wins)' });
    }
    for (const p of set.prefix) if (p.modifier === '^~') out.push({ loc: p, why: 'stops the regex search' });
  } else if (l.modifier === '=') {
    return [];
  }
  // Locations nested in this one take the URIs they match: only the selected one's directives run.
  for (const n of [...l.nested.exact.values(), ...l.nested.prefix, ...l.nested.regex]) out.push({ loc: n, why: 'is nested in it and chosen instead' });
  return out;
}

/** An `if` condition in words, e.g. "`$host` does not match `^(example\.re)$` (case-insensitive)". */
export function condWords(c: Cond): string {
  switch (c.kind) {
    case 'value':
      return `${cv(c.value)} is neither empty nor "0"`;
    case 'eq':
      return `${cv(c.left)} ${c.negative ? 'is not' : 'is'} ${q(c.right.raw)}`;
    case 'regex':
      return `${cv(c.left)} ${c.negative ? 'does not match' : 'matches'} ${q(c.re.source)} (${c.caseless ? 'case-insensitive' : 'case-sensitive'})`;
    case 'file': {
      const what: Record<string, string> = { '-f': 'a file', '-d': 'a directory', '-e': 'an existing path', '-x': 'an executable' };
      return `${cv(c.value)} is ${c.negative ? 'not ' : ''}${what[c.op] ?? c.op}`;
    }
    case 'invalid':
      return 'an invalid condition';
  }
}

export function condVariables(c: Cond): string[] {
  switch (c.kind) {
    case 'value':
      return variablesOf(c.value);
    case 'eq':
      return [...variablesOf(c.left), ...variablesOf(c.right)];
    case 'regex':
      return variablesOf(c.left);
    case 'file':
      return variablesOf(c.value);
    default:
      return [];
  }
}

function valueCounts(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .slice(0, 3)
    .map(([v, n]) => `${n} ${n === 1 ? 'key' : 'keys'} → ${q(v)}`)
    .join(', ');
}

export function mapWords(graph: ConfigGraph | undefined, m: MapModel): string {
  // As written (a literal value's part is its bytes).
  const vals = mapValues(m).map((v) => v.raw);
  const patterns = m.regex.length ? ` (${m.regex.length} regex)` : '';
  return `${q('$' + m.target)} is set by \`map ${m.source.raw}\` at ${whereOf(graph, m.d)}: ${valueCounts(vals) || 'no keys'}${patterns}, default ${q(m.defaultValue.raw)}`;
}

function geoWords(graph: ConfigGraph | undefined, g: GeoModel): string {
  return `${q('$' + g.target)} is set by \`geo${g.source ? ' ' + g.source.raw : ''}\` at ${whereOf(graph, g.d)}: ${valueCounts(g.entries.map((e) => e.value)) || 'no networks'}, default ${q(g.defaultValue)}`;
}

/** Where the variables of a condition get their values: map, geo, or `set` in the scopes around it. */
export function variableOrigins(graph: ConfigGraph | undefined, model: HttpModel, vars: string[], scope: Scope | undefined): string[] {
  const out: string[] = [];
  for (const v of new Set(vars)) {
    const m = model.maps.get(v);
    if (m) {
      out.push(mapWords(graph, m));
      continue;
    }
    const g = model.geos.get(v);
    if (g) {
      out.push(geoWords(graph, g));
      continue;
    }
    const sets: string[] = [];
    for (let s = scope; s; s = s.parent)
      for (const op of s.codes) if (op.op === 'set' && op.name === v) sets.push(`${q(op.value.raw)} at ${whereOf(graph, op.d)}`);
    if (sets.length) out.push(`${q('$' + v)} is set to ${sets.slice(0, 2).join(', ')}`);
    if (v === 'host') out.push('`$host` is the Host header (or request-line host) lower-cased without the port, else the server name');
  }
  return out;
}
