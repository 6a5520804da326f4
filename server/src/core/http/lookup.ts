// `map` and `geo` lookups as pure functions of their key: what ngx_http_map_find and the geo
// module answer for one value, without a request around them. The router evaluates variables
// through these; the attribution cache uses them to key a routing on what a map or geo answered
// rather than on its raw input (a bad-bot `map $http_user_agent` has thousands of keys but two
// or three answers, so requests with different user agents share one routing).

import { ipv4ToNumber, is444Source, mapValues, type GeoModel, type HttpModel, type LocationModel, type LocationSet, type MapModel, type Scope, type ServerModel } from './model';
import { addrInNets, inNet6, ipv6ToBigInt, ngxInet6Addr, ngxInetAddr, v4Mapped } from './ip';
import { regexCandidates, type NginxRegex, type RegexResult } from './regex';
import { lowerAscii } from '../regex';
import type { RequestFacts } from './request';
import type { Directive } from '../syntax';
import { compileValue, literalOf, type ComplexValue } from './values';

export type Unknown = { unknown: string[] };
export type Val = string | Unknown;
export const isUnknown = (v: Val): v is Unknown => typeof v !== 'string';

export type MapEntry =
  | { value: ComplexValue; match?: Extract<RegexResult, { kind: 'match' }> }
  | { unknown: string };

/** The map entry nginx picks for `src`: exact (hashed, caseless), wildcards (hostnames), regexes in order, default. */
export function findMapEntry(m: MapModel, src: string): MapEntry {
  let key = src;
  if (m.hostnames && key.endsWith('.')) key = key.slice(0, -1);
  const low = lowerAscii(key);
  const ex = m.exact.get(low);
  if (ex) return { value: ex };
  if (m.hostnames && low) {
    // ngx_hash_find_wc_head: an empty label before the suffix still matches (".x.com" finds
    // `*.x.com` and `.x.com`).
    for (const w of m.wildHead) if (low.endsWith(w.suffix)) return { value: w.value };
    for (const w of m.wildTail) if (low.startsWith(w.prefix) && low.length > w.prefix.length) return { value: w.value };
  }
  if (key) {
    for (const i of regexCandidates(m.regex, key)) {
      const r = m.regex[i];
      const res = r.re.exec(key);
      if (res.kind === 'unknown') return { unknown: res.reason };
      if (res.kind === 'match') return { value: r.value, match: res };
    }
  }
  return { value: m.defaultValue };
}

/**
 * The entry a map picks for a key of which only some pieces are known (`pieces`: the source's
 * parts in order, unknown ones included), when every key of that shape picks the same one;
 * undefined otherwise. Sound rather than complete: an exact key that could be the whole key, a
 * hostnames map, or a regex other than a `^literal` the known start decides or a plain literal a
 * known piece contains, leaves it undefined.
 */
export function partialMapEntry(m: MapModel, pieces: readonly Val[]): { value: ComplexValue; re?: NginxRegex } | undefined {
  if (m.hostnames) return undefined;
  const first = pieces.findIndex(isUnknown);
  let last = -1;
  for (let i = 0; i < pieces.length; i++) if (isUnknown(pieces[i])) last = i;
  const prefix = (pieces.slice(0, first) as string[]).join('');
  const suffix = (pieces.slice(last + 1) as string[]).join('');
  const known = pieces.filter((p): p is string => !isUnknown(p) && p !== '');
  const lowPrefix = lowerAscii(prefix);
  const lowSuffix = lowerAscii(suffix);
  for (const k of m.exact.keys()) if (k.length >= prefix.length + suffix.length && k.startsWith(lowPrefix) && k.endsWith(lowSuffix)) return undefined;
  // No regex is tried on an empty key; a known piece makes it non-empty.
  if (!known.length) return undefined;
  for (const r of m.regex) {
    // PCRE2 without UTF folds ASCII letters only.
    const fold = (x: string) => (r.re.caseless ? lowerAscii(x) : x);
    const src = r.re.source;
    const anchored = /^\^([^\\^$.|?*+()[\]{}]*)(.*)$/s.exec(src);
    if (anchored) {
      const lit = fold(anchored[1]);
      const start = fold(prefix);
      const n = Math.min(lit.length, start.length);
      if (lit.slice(0, n) !== start.slice(0, n)) continue; // the known start rules it out
      if (anchored[2] === '' && start.length >= lit.length) return { value: r.value, re: r.re };
      return undefined;
    }
    if (/^[^\\^$.|?*+()[\]{}]+$/.test(src) && known.some((k) => fold(k).includes(fold(src)))) return { value: r.value, re: r.re };
    return undefined;
  }
  return { value: m.defaultValue };
}

const dashMemo = new WeakMap<MapModel | GeoModel, boolean>();

/** Whether a map or geo may give the literal value "-" (which a log cannot tell from empty). */
export function mayGiveDash(x: MapModel | GeoModel): boolean {
  let v = dashMemo.get(x);
  if (v === undefined) {
    if ('exact' in x) {
      v = [...mapValues(x), x.defaultValue].some((cv) => !cv.literal || literalOf(cv) === '-');
    } else v = x.defaultValue === '-' || x.entries.some((e) => e.value === '-') || x.entries6.some((e) => e.value === '-');
    dashMemo.set(x, v);
  }
  return v;
}

const volatileMemo = new WeakMap<MapModel, boolean>();

/** A map with `volatile` in its block: nginx computes it again at every use instead of once per request. */
export function isVolatileMap(m: MapModel): boolean {
  let v = volatileMemo.get(m);
  if (v === undefined) volatileMemo.set(m, (v = !!m.d.block?.children.some((c) => c.name === 'volatile' && !c.args.length)));
  return v;
}

type RegexMatch = Extract<RegexResult, { kind: 'match' }>;

/** A constant map's answer, with the regex match that chose it (which sets r->captures). */
export interface ConstantAnswer {
  value: Val;
  match?: RegexMatch;
}

const constantLookups = new WeakMap<MapModel, (src: string) => ConstantAnswer>();

/**
 * A constant map's answer for `src`, remembered across requests (the same key answers the same),
 * for a caller that asks it again and again.
 */
export function constantMapLookup(m: MapModel): (src: string) => ConstantAnswer {
  let lookup = constantLookups.get(m);
  if (!lookup) {
    const memo = new Map<string, ConstantAnswer>();
    lookup = (src) => {
      let a = memo.get(src);
      if (a === undefined) {
        const e = findMapEntry(m, src);
        a = 'unknown' in e ? { value: { unknown: [`$${m.target} (${e.unknown})`] } } : { value: (e.value.parts[0] as string | undefined) ?? '', match: e.match };
        if (memo.size > 50_000) memo.clear();
        memo.set(src, a);
      }
      return a;
    };
    constantLookups.set(m, lookup);
  }
  return lookup;
}

const cidrIndexes = new WeakMap<GeoModel, CidrIndex | null>();

/** Per prefix length the geo uses, longest first: its block size, and network start → value. */
type CidrIndex = { size: number; nets: Map<number, string> }[];

/**
 * A CIDR geo block as one table per prefix length (network → value): a lookup tries the longest
 * prefixes first, which is the linear scan's answer (most specific network; of a repeated network
 * the last value, as nginx keeps it) at one probe per prefix length in use (a blocklist has a
 * handful of the 33) instead of one test per entry. Measured with bench/trace.mjs: the bad-bot
 * blocker's 10k-network $validate_client was scanned in full for every distinct address.
 */
function cidrIndex(g: GeoModel): CidrIndex | null {
  // The geo asked last, in front of the WeakMap: a trace asks one geo for nearly every line.
  if (g === lastGeo) return lastIndex;
  let ix = cidrIndexes.get(g);
  if (ix !== undefined) return ((lastGeo = g), (lastIndex = ix));
  ix = null;
  if (!g.ranges && g.entries.length > 16) {
    const t: (Map<number, string> | undefined)[] = new Array(33);
    for (const e of g.entries) {
      const b = e.net.bits;
      if (!(b >= 0 && b <= 32)) {
        cidrIndexes.set(g, null);
        return null;
      }
      const m = (t[b] ??= new Map());
      m.set(e.net.lo, e.value);
    }
    ix = [];
    for (let b = 32; b >= 0; b--) {
      const nets = t[b];
      if (nets) ix.push({ size: 2 ** (32 - b), nets });
    }
  }
  cidrIndexes.set(g, ix);
  return ((lastGeo = g), (lastIndex = ix));
}

let lastGeo: GeoModel | undefined;
let lastIndex: CidrIndex | null = null;

/** The geo value of an address (after any proxy/X-Forwarded-For step). */
export function geoValue(g: GeoModel, addr: string): Val {
  let n = ngxInetAddr(addr);
  if (n === undefined) {
    // ngx_http_geo_addr: a source value that is no address (an X-Forwarded-For list, "-", an
    // absent header, "ip:port") is looked up as INADDR_NONE, 255.255.255.255, in cidr and ranges
    // geos alike.
    const n6 = ngxInet6Addr(addr);
    if (n6 === undefined) return lookupV4(g, 0xffffffff);
    // ngx_http_geo_cidr_variable / _range_variable: an IPv4-mapped address is looked up as IPv4;
    // any other IPv6 address in the IPv6 networks (where `default` is also set), or, in a
    // ranges geo, as 255.255.255.255.
    const mapped = v4Mapped(n6);
    if (mapped !== undefined) n = mapped;
    else if (g.ranges) n = 0xffffffff;
    else {
      let best: { bits: number; value: string } | undefined;
      for (const e of g.entries6) if (inNet6(n6, e.net) && (!best || e.net.bits >= best.bits)) best = { bits: e.net.bits, value: e.value };
      return best ? best.value : g.defaultValue;
    }
  }
  return lookupV4(g, n);
}

function lookupV4(g: GeoModel, n: number): Val {
  const ix = cidrIndex(g);
  if (ix) {
    for (const { size, nets } of ix) {
      const v = nets.get(n - (n % size));
      if (v !== undefined) return v;
    }
    return g.defaultValue;
  }
  let best: { bits: number; value: string } | undefined;
  for (const e of g.entries) {
    if (n < e.net.lo || n > e.net.hi) continue;
    if (g.ranges) best = { bits: 0, value: e.value };
    // A repeated network replaces the earlier one (ngx_http_geo_cidr_add: "duplicate network"
    // warning, then radix delete + insert of the new value).
    else if (!best || e.net.bits >= best.bits) best = { bits: e.net.bits, value: e.value };
  }
  return best ? best.value : g.defaultValue;
}

/** Whether a geo's `proxy` networks hold the address (each family against its own networks, as ngx_cidr_match). */
export function isGeoProxy(g: GeoModel, addr: string): boolean {
  return addrInNets(addr, g.proxies, g.proxies6);
}

/**
 * Variables a routing may read as a map's answer instead of as its inputs: request headers
 * (`$http_*`), which nothing in the rewrite phase changes and which the log gives or lacks as a
 * whole. A map over anything else (`$uri`, captures, another map) is read through its inputs.
 */
const keyableMaps = new WeakMap<MapModel, boolean>();

export function mapIsKeyable(model: HttpModel, m: MapModel): boolean {
  let k = keyableMaps.get(m);
  if (k === undefined) {
    // Named captures a regex key sets are variables the routing may read later: keyed on inputs.
    k =
      m.constant &&
      m.regex.every((r) => !r.re.names.length) &&
      m.source.parts.every(
        (p) =>
          typeof p === 'string' ||
          ('v' in p && p.v.startsWith('http_') && !model.maps.has(p.v) && !model.geos.has(p.v) && !model.declaredVars.has(p.v)),
      );
    keyableMaps.set(m, k);
  }
  return k;
}

/** A geo over the connection's address with no proxy step: its answer depends on `$remote_addr` alone. */
export function geoIsKeyable(g: GeoModel): boolean {
  return !g.source && g.proxies.length === 0 && g.proxies6.length === 0;
}

/**
 * The cache key of a `map:NAME` / `geo:NAME` read: the answer for these facts when it is known,
 * else the raw inputs (unlogged or `-` inputs make the routing fork, which the inputs decide).
 * Prepared once per read: the attribution cache asks it for nearly every traced line.
 */
export function derivedReadKey(model: HttpModel, read: string): (f: RequestFacts) => string {
  if (read.startsWith('map:') || read.startsWith('mapcap:')) {
    const m = model.maps.get(read.slice(read.indexOf(':') + 1))!;
    const lookup = constantMapLookup(m);
    const parts = m.source.parts;
    // `map:NAME` keys on the answer; `mapcap:NAME` (a routing read $1..$9 after the map's regex
    // set them) on the captures of the match.
    const answer = read.startsWith('map:')
      ? (a: ConstantAnswer) => (isUnknown(a.value) ? undefined : `=${a.value}`)
      : (a: ConstantAnswer) => (a.match ? `=${a.match.groups.slice(1).join('\u0000')}` : '-');
    return (f) => {
      let src = '';
      for (const p of parts) {
        if (typeof p === 'string') src += p;
        else if ('v' in p) {
          const v = f.vars[p.v];
          if (v === undefined || v === null) return `\u0001${rawInputs(m, f)}`;
          src += v;
        }
      }
      return answer(lookup(src)) ?? `\u0002${src}`;
    };
  }
  const g = model.geos.get(read.slice(4))!;
  return (f) => {
    if (f.remoteAddr === undefined) return '\u0001';
    const v = geoValue(g, f.remoteAddr);
    return isUnknown(v) ? `\u0002${f.remoteAddr}` : `=${v}`;
  };
}

function rawInputs(m: MapModel, f: RequestFacts): string {
  let k = '';
  for (const p of m.source.parts) {
    if (typeof p === 'string' || !('v' in p)) continue;
    const v = f.vars[p.v];
    k += (v === undefined ? '\u0001' : v === null ? '\u0002' : v) + '\u0000';
  }
  return k;
}

/** One `split_clients` block: parts in order, each taking hashes below `below` (0: every hash left). */
export interface SplitClients {
  source: ComplexValue;
  parts: { below: number; value: string }[];
  d: Directive;
}

const splitMemo = new WeakMap<HttpModel, Map<string, SplitClients>>();

/** The http level's `split_clients` blocks by variable name (lowercased, without `$`). */
export function splitClientsOf(model: HttpModel): Map<string, SplitClients> {
  let m = splitMemo.get(model);
  if (m) return m;
  m = new Map();
  for (const d of model.http?.byName.get('split_clients') ?? []) {
    const target = d.args[1]?.value;
    if (!d.block || d.args.length !== 2 || !target?.startsWith('$')) continue;
    // ngx_conf_split_clients_block: percentages to cumulative 32-bit bounds; `*`, or the part that
    // brings the sum to 100%, takes the rest.
    const parts: SplitClients['parts'] = [];
    let sum = 0;
    let last = 0;
    let ok = true;
    for (const c of d.block.children) {
      const value = c.args[0]?.value ?? '';
      let pct = 0;
      if (c.name !== '*') {
        const p = c.name.endsWith('%') ? parsePercent(c.name.slice(0, -1)) : undefined;
        if (!p) {
          ok = false;
          break;
        }
        pct = p;
      }
      sum = pct ? sum + pct : 10000;
      if (sum > 10000) {
        ok = false;
        break;
      }
      if (sum === 10000) pct = 0;
      if (pct) last += Math.floor((pct * 0xffffffff) / 10000);
      parts.push({ below: pct ? last : 0, value });
    }
    if (ok) m.set(target.slice(1).toLowerCase(), { source: compileValue(d.args[0].value), parts, d });
  }
  // A map, geo or split_clients redefining a variable takes it over (each sets its own
  // get_handler on the CHANGEABLE variable ngx_http_add_variable hands back): the last one wins.
  const items = model.httpItems ?? [];
  for (const [name, sc] of m) {
    const other = model.maps.get(name)?.d ?? model.geos.get(name)?.d;
    if (!other) continue;
    const at = items.indexOf(other);
    // (A map reused from an earlier build is not in this list: its place in the file decides.)
    const later = at !== -1 ? at > items.indexOf(sc.d) : other.file !== sc.d.file || other.range.start.offset > sc.d.range.start.offset;
    if (later) m.delete(name);
  }
  splitMemo.set(model, m);
  return m;
}

/** ngx_atofp(s, 2): a percentage in hundredths ("33.3" → 3330); undefined when nginx rejects it. */
function parsePercent(s: string): number | undefined {
  const m = /^(\d*)(?:\.(\d{0,2}))?$/.exec(s);
  if (!m || (!m[1] && !m[2])) return undefined;
  const n = +(m[1] || '0') * 100 + +((m[2] ?? '') + '00').slice(0, 2);
  return n || undefined;
}

/** The value `split_clients` gives a key: the first part whose bound its MurmurHash2 is below. */
export function splitValue(sc: SplitClients, key: string): string {
  const h = murmurHash2(key);
  for (const p of sc.parts) if (p.below === 0 || h < p.below) return p.value;
  return '';
}

/** ngx_murmur_hash2 over the key's bytes (a byte string: one char per byte; else UTF-8). */
export function murmurHash2(key: string): number {
  const bytes: ArrayLike<number> = /[^\x00-\xff]/.test(key) ? new TextEncoder().encode(key) : Array.from(key, (c) => c.charCodeAt(0));
  let len = bytes.length;
  let h = len >>> 0;
  let i = 0;
  const M = 0x5bd1e995;
  while (len >= 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
    i += 4;
    len -= 4;
  }
  // The tail bytes, as the C switch falls through from 3 to 1.
  if (len === 3) h ^= bytes[i + 2] << 16;
  if (len >= 2) h ^= bytes[i + 1] << 8;
  if (len >= 1) h = Math.imul(h ^ bytes[i], M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h >>> 0;
}

const can444Memo = new WeakMap<HttpModel, { all: boolean; servers: Set<ServerModel> }>();

/**
 * Whether a request the server took can end in 444: a 444 source in one of its blocks, or one the
 * http block passes down to every server (limit_*_status, error_page). Internal redirects and
 * error pages stay in the server that took the request.
 */
export function serverCan444(model: HttpModel, server: ServerModel): boolean {
  let m = can444Memo.get(model);
  if (!m) {
    m = { all: !!model.http?.items.some(is444Source), servers: new Set() };
    for (const s of model.servers) if (scopeCan444(s.scope) || setCan444(s.locations) || [...s.named.values()].some(locationCan444)) m.servers.add(s);
    can444Memo.set(model, m);
  }
  return m.all || m.servers.has(server);
}

function scopeCan444(scope: Scope): boolean {
  return scope.items.some(is444Source) || scope.codes.some((c) => c.op === 'if' && scopeCan444(c.scope));
}

function locationCan444(l: LocationModel): boolean {
  return scopeCan444(l.scope) || (l.limitExcept !== undefined && scopeCan444(l.limitExcept.scope)) || setCan444(l.nested);
}

function setCan444(set: LocationSet): boolean {
  for (const l of set.exact.values()) if (locationCan444(l)) return true;
  return set.prefix.some(locationCan444) || set.regex.some(locationCan444);
}
