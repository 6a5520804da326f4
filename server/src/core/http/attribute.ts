// Which rule produced a logged status: the router's possible outcomes for the request, kept
// when they yield the logged status and would be written to this log file.
//
// `exact` only when every consistent history names the same rule; otherwise every candidate,
// ranked by how few unlogged facts it needs; `unmatched` when no history yields the status.

import { posix } from 'node:path';
import { ipv4ToNumber, parseCidr, scopesOf, sources444Places, type AccessLogDef, type Cidr, type HttpModel, type RuleRef } from './model';
import { accessLogsOf, connectionFamily, REFUSED_METHODS, route, serverLabel, type Decision, type FileProbe, type Outcome, type RouteResult } from './route';
import type { RequestFacts } from './request';
import { derivedReadKey } from './lookup';
import { matchLogPath, writtenNames } from './logPath';
import { inNet6, ipv6ToBigInt, parseCidr6, v4Mapped } from './ip';
import { textToBytes } from '../regex';

export type Verdict = 'exact' | 'ambiguous' | 'unmatched';

export interface Attribution {
  verdict: Verdict;
  /** One when exact, every candidate (ranked) when ambiguous, none when unmatched. */
  rules: RuleRef[];
  why: string;
  /** Logged variables that would have decided it, e.g. `$host`. */
  missing: string[];
  /** The outcomes behind the answer (same order as `rules` where they have one). */
  outcomes: Outcome[];
}

export interface AttributorOptions {
  /** Absolute path of the log the lines come from: only requests logged to it are considered. */
  logFile?: string;
  maxCache?: number;
  /** The file system for nginx's file questions (RouteOptions.files). */
  files?: FileProbe;
  /**
   * The log_format names the line was written in, when several formats write the log file: only
   * an access_log of one of them wrote it (ngx_http_log_handler formats with its entry's own).
   */
  formats?: readonly string[];
}

/**
 * Which access_log directives can have written a log file, and what its name says about its
 * lines: by resolved path, else by base name, else by a path with variables whose pattern names
 * it (`/var/log/nginx/$host.log`; then the variables it gives, when no plain path names the file).
 */
export function logTargetOf(model: HttpModel, logFile: string): LogTarget {
  let byFile = logTargets.get(model);
  if (!byFile) logTargets.set(model, (byFile = new Map()));
  let t = byFile.get(logFile);
  if (!t) byFile.set(logFile, (t = computeLogTarget(model, logFile)));
  return t;
}

type LogTarget = {
  /** The access_log definitions that may have written the file (a path with variables may). */
  filter?: (d: AccessLogDef) => boolean;
  /** Those whose path names the file: literally, or as a pattern of variables (logPath.ts). */
  names?: (d: AccessLogDef) => boolean;
  vars: Record<string, string>;
  /** The names nginx may have written the file under (the live one of a rotated copy), when an access_log names it. */
  writtenAs?: string[];
};

// A log's analyzer asks for its target three times and the format choice walks every access_log
// again: with 300 servers that was ~20 ms of the first code-lens request on a log.
const logTargets = new WeakMap<HttpModel, Map<string, LogTarget>>();
const accessLogLists = new WeakMap<HttpModel, AccessLogDef[]>();

function computeLogTarget(model: HttpModel, logFile: string): LogTarget {
  const defs = allAccessLogs(model);
  // The names nginx may have written the file under: its own, then a rotated copy's live one.
  const names = writtenNames(posix.normalize(logFile));
  // A path with variables may read several of them (`site-$host` names site-127.0.0.1 with
  // $host 127.0.0.1, or as a copy rotated from site-127.0.0): every reading, its variables only
  // where they all agree.
  const directives = new Set<unknown>();
  const read: string[] = [];
  let vars: Record<string, string> | undefined;
  for (const name of names) {
    const m = matchLogPath(model, defs, name);
    if (!m) continue;
    read.push(name);
    for (const d of m.directives) directives.add(d);
    vars = vars === undefined ? m.vars : JSON.stringify(vars) === JSON.stringify(m.vars) ? vars : {};
  }
  const patterned = (d: AccessLogDef) => d.d !== undefined && directives.has(d.d);
  // A literal path names the file under its own name first (`access_log x.log.gz gzip` is not a
  // rotated x.log), in full, then by file name (a tree mirrored elsewhere).
  for (const name of names) {
    const base = posix.basename(name);
    for (const same of [(p: string) => posix.normalize(p) === name, (p: string) => posix.basename(p) === base]) {
      if (defs.some((d) => d.resolvedPath && same(d.resolvedPath))) {
        // A path with variables writes the file only when its pattern can name it (vh-$host.log never names access.log).
        const writes = (d: AccessLogDef) => (d.resolvedPath ? same(d.resolvedPath) : patterned(d));
        return { filter: writes, names: writes, vars: {}, writtenAs: [name] };
      }
    }
  }
  if (!directives.size) return { vars: {} };
  return { filter: patterned, names: patterned, vars: vars ?? {}, writtenAs: read };
}

export function logFilterFor(model: HttpModel, logFile: string | undefined): ((d: AccessLogDef) => boolean) | undefined {
  return logFile ? logTargetOf(model, logFile).filter : undefined;
}

/** The variables the log file's own name gives every line (see logTargetOf). */
export function logPathVars(model: HttpModel, logFile: string | undefined): Record<string, string> {
  return logFile ? logTargetOf(model, logFile).vars : {};
}

/** Every access_log definition of the configuration, including nginx's default one. */
export function allAccessLogs(model: HttpModel): readonly AccessLogDef[] {
  let out = accessLogLists.get(model);
  if (!out) accessLogLists.set(model, (out = collectAccessLogs(model)));
  return out;
}

function collectAccessLogs(model: HttpModel): AccessLogDef[] {
  const out: AccessLogDef[] = [];
  const seen = new Set<unknown>();
  const visit = (scope: Parameters<typeof accessLogsOf>[1]) => {
    for (const d of accessLogsOf(model, scope)) {
      const k = d.d ?? 'default';
      if (!seen.has(k)) seen.add(k), out.push(d);
    }
  };
  // Without an http block, nginx's default log.
  if (!model.http) visit(undefined);
  for (const scope of scopesOf(model)) visit(scope);
  return out;
}

/**
 * What the log would need to record to tell these outcomes apart: the variables of the open
 * questions they did not all answer the same way. A question every outcome answered alike (the
 * port a per-server log already implies, say) would not separate them, logged or not.
 */
function decisiveMissing(outcomes: readonly Outcome[]): string[] {
  const key = (d: Decision) => `${d.question}\u0000${d.answer}`;
  const shared = new Map<string, number>();
  for (const o of outcomes) for (const k of new Set(o.decisions.map(key))) shared.set(k, (shared.get(k) ?? 0) + 1);
  const out = new Set<string>();
  for (const o of outcomes) for (const d of o.decisions) if (shared.get(key(d)) !== outcomes.length) for (const m of d.missing) out.add(m);
  return [...out];
}

type ReadKey = (f: RequestFacts) => string;

/** Routings of one base key that read the same things (`sig`: their names joined), by what those gave. */
interface ReadGroup {
  sig: string;
  readers: ReadKey[];
  byValues: Map<string, CacheEntry>;
}

function valuesKey(f: RequestFacts, readers: readonly ReadKey[]): string {
  if (readers.length === 0) return '';
  if (readers.length === 1) return readers[0](f);
  const values: string[] = new Array(readers.length);
  for (let i = 0; i < readers.length; i++) values[i] = readers[i](f);
  return values.join('\u0000');
}

export class Attributor {
  /**
   * Base key, then per set of reads (`sig`: the names joined) the read values (joined): the entry.
   * A base key has one or two sets of reads: a list is walked faster than a Map's iterator.
   */
  private readonly cache = new Map<string, ReadGroup[]>();
  private size = 0;
  private readonly filter: ((d: AccessLogDef) => boolean) | undefined;
  /** RouteOptions.logFileNames. */
  private readonly logFileNames: ReadonlySet<string> | undefined;
  private readonly maxCache: number;

  constructor(
    readonly model: HttpModel,
    readonly options: AttributorOptions = {},
  ) {
    const target = options.logFile === undefined ? undefined : logTargetOf(model, options.logFile);
    const byPath = target?.filter;
    this.logFileNames = target?.writtenAs && new Set(target.writtenAs.map((w) => textToBytes(posix.basename(w))));
    const formats = options.formats && new Set(options.formats);
    this.filter = formats ? (d) => formats.has(d.format) && (!byPath || byPath(d)) : byPath;
    this.maxCache = options.maxCache ?? 50_000;
  }

  private readonly byFormats = new Map<string, Attributor>();

  /** This attributor, for lines written in one of `formats` (AttributorOptions.formats). */
  forFormats(formats: readonly string[] | undefined): Attributor {
    if (!formats) return this;
    const key = formats.join('\u0000');
    let a = this.byFormats.get(key);
    if (!a) this.byFormats.set(key, (a = new Attributor(this.model, { ...this.options, formats })));
    return a;
  }

  /**
   * The facts every routing depends on: method, protocol, host and socket facts, and the request
   * path when it is not plainly valid (nginx may answer 400 from it). What else a routing
   * consulted, the path included, is recorded with its answer (RouteResult.reads), so lines that
   * differ only in facts nobody read share one answer.
   */
  baseKey(f: RequestFacts, only444 = false): string {
    let req = f.request;
    if (req !== undefined) {
      const m = ORIGIN_FORM.exec(req);
      // Keep the full line when nginx may reject it (it answers 400 from the raw text).
      if (m) req = `${methodClass(m[1])} ${plainPath(m[2]) ? '\u0003' : m[2]}? ${m[3]}`;
    }
    const path = f.target?.split('?')[0];
    // Joined, not concatenated: a flat string hashes and compares in the cache's Map faster
    // than the rope a template literal builds (bench/trace.mjs looks one up per traced line).
    return [
      only444 ? '4' : '*',
      req ?? '\u0001',
      methodClass(f.method),
      path !== undefined && plainPath(path) ? '\u0003' : path ?? '',
      f.protocol ?? '',
      f.host ?? '\u0001',
      f.httpHost === undefined ? '\u0001' : f.httpHost ?? '\u0002',
      f.serverName ?? '\u0001',
      f.serverPort ?? '',
      f.serverAddr ?? '',
      f.scheme ?? '',
      this.model.referencedVars.has('status') ? f.status ?? '' : '',
      // Whether $uri / $args at log time are logged (route.ts agreesWithLoggedUri).
      'uri' in f.vars ? ('args' in f.vars ? 3 : 1) : 'args' in f.vars ? 2 : 0,
    ].join('\u0000');
  }

  /**
   * The readers of a set of reads (`sig`: their names joined), made once per set: the same set
   * recurs under many base keys (a bad-bot drop reads `map:bad_bot` under every Host).
   */
  private readersOf(sig: string, reads: readonly string[]): ReadKey[] {
    let r = this.readerLists.get(sig);
    if (!r) this.readerLists.set(sig, (r = reads.map((name) => this.reader(name))));
    return r;
  }

  private readonly readerLists = new Map<string, ReadKey[]>();

  /** What a routing that read `name` depends on, as a function of the facts. */
  private reader(name: string): ReadKey {
    const model = this.model;
    if (name === 'args') return (f) => `${f.request ?? ''}\u0000${f.target ?? ''}`;
    if (name === 'uri') return requestPath;
    if (name === 'addr_family') return (f) => connectionFamily(model, f) ?? '-';
    if (name === 'remote_addr') return (f) => f.remoteAddr ?? '\u0001';
    if (name === 'method') return (f) => (f.request !== undefined ? f.request.slice(0, f.request.indexOf(' ')) : f.method ?? '\u0001');
    if (name.startsWith('net:')) {
      const net = name.slice(4);
      return (f) => netMember(f.remoteAddr, net);
    }
    if (name.startsWith('map:') || name.startsWith('mapcap:') || name.startsWith('geo:')) return derivedReadKey(model, name);
    const logged = name.startsWith('logged:') ? name.slice(7) : name;
    return (f) => {
      const v = f.vars[logged];
      return v === undefined ? '\u0001' : v === null ? '\u0002' : v;
    };
  }

  outcomes(f: RequestFacts): RouteResult {
    return this.entry(f).result;
  }

  /** `only444`: the answer is for a 444 line, so histories that cannot end in 444 may be left out. */
  private entry(f: RequestFacts, only444 = false): CacheEntry {
    const key = this.baseKey(f, only444);
    let groups = this.cache.get(key);
    if (groups) {
      for (let i = 0; i < groups.length; i++) {
        const e = groups[i].byValues.get(valuesKey(f, groups[i].readers));
        if (e) return e;
      }
    }
    const result = route(this.model, f, { logFilter: this.filter, only444, files: this.options.files, logFileNames: this.logFileNames });
    if (this.size >= this.maxCache) this.cache.clear(), this.readerLists.clear(), (this.size = 0), (groups = undefined);
    if (!groups) this.cache.set(key, (groups = []));
    const reads = [...result.reads].sort();
    const sig = reads.join('\u0000');
    let g = groups.find((x) => x.sig === sig);
    if (!g) groups.push((g = { sig, readers: this.readersOf(sig, reads), byValues: new Map() }));
    const e: CacheEntry = { result };
    g.byValues.set(valuesKey(f, g.readers), e);
    this.size++;
    return e;
  }

  attribute(f: RequestFacts, status: number): Attribution {
    // A 444 line with bytes sent was a response with the status line 444 (an upstream's, an
    // `error_page ... =444` page, `echo_status 444`), not a closed connection, which sends none.
    const sent = status === 444 && (Number(f.vars.bytes_sent) > 0 || Number(f.vars.body_bytes_sent) > 0);
    const e = this.entry(f, status === 444 && !sent);
    let byStatus = e.attributions;
    if (!byStatus) e.attributions = byStatus = new Map();
    const key = sent ? -status : status;
    let a = byStatus.get(key);
    if (!a) byStatus.set(key, (a = this.decide(e.result, status, sent)));
    return a;
  }

  private decide({ outcomes, truncated }: RouteResult, status: number, sent = false): Attribution {
    const matching = outcomes.filter((o) =>
      sent ? (o.status === 'content' && o.handler) || (o.status === 444 && SENDS_444.has(o.rule?.directive.name ?? '')) : o.status === status || (o.status === 'content' && status !== 444),
    );
    if (!matching.length) {
      // An incomplete exploration rules nothing out: for a 444, every rule that can give one.
      if (truncated) {
        const rules = status === 444 ? this.model.sources444 : [];
        const why = `too many possibilities to explore for this request${rules.length ? `: any of the ${rules.length} rules that answer 444 may have dropped it` : ''}`;
        return { verdict: 'ambiguous', rules, why, missing: [], outcomes: [] };
      }
      const other = [...new Set(outcomes.map((o) => String(o.status)))].join(', ');
      return {
        verdict: 'unmatched',
        rules: [],
        why:
          `no rule in the loaded configuration answers ${status} to this request` +
          (other ? ` (it would get ${other})` : ' (no server of this configuration would log it here)') +
          ': the configuration changed since, or the log belongs to another server',
        missing: [],
        outcomes: [],
      };
    }
    if (sent && matching.every((o) => !o.rule)) {
      // Only a content handler's own answer: an upstream sent the status 444, no rule here.
      return {
        verdict: 'unmatched',
        rules: [],
        why: 'bytes were sent with the status 444, so no rule closed the connection: a content handler passed on an answer with that status (an upstream\'s, say), which no rule of this configuration gave',
        missing: [],
        outcomes: matching,
      };
    }
    // Distinct candidates: a rule, or a rule-less answer (content, built-in error).
    const groups = new Map<string, Outcome[]>();
    for (const o of matching) {
      const k = o.rule ? ruleKeyOf(o.rule) : `-${o.status}`;
      let g = groups.get(k);
      if (!g) groups.set(k, (g = []));
      g.push(o);
    }
    const ranked = [...groups.values()].sort((a, b) => cost(a) - cost(b) || order(a[0]) - order(b[0]));
    const missing = decisiveMissing(matching);
    if (ranked.length === 1 && ranked[0][0].rule && !truncated) {
      const o = ranked[0].reduce((x, y) => (y.assumptions.length < x.assumptions.length ? y : x));
      // One rule (an http-level one, a shared snippet) reached through several servers: the path
      // shown is one of them, and says so.
      const servers = [...new Set(ranked[0].map((x) => x.server).filter((x) => x !== undefined))];
      const also = servers.length > 1 ? ` (the same rule answers in ${servers.length} servers, which the line does not tell apart: ${servers.map(serverLabel).join(', ')})` : '';
      return { verdict: 'exact', rules: [o.rule!], why: o.path.join('; ') + also, missing: [], outcomes: [o] };
    }
    const best = ranked.map((g) => g.reduce((x, y) => (y.assumptions.length < x.assumptions.length ? y : x)));
    const rules = best.filter((o) => o.rule).map((o) => o.rule!);
    const lacking = missing.length ? `; the log lacks ${missing.join(', ')}` : '';
    // An incomplete exploration may have missed causes: never exact, and said so. After the
    // causes found come the other 444 rules of the http level and of every server some Host can
    // select: an unexplored history may have reached any location of any of them (a socket
    // explored in part may still have given the request to a server no history selected).
    let partial = '';
    if (truncated) {
      partial = ' (too many possibilities to explore them all: these are the ones found)';
      if (status === 444) {
        const servers = new Set<unknown>(outcomes.map((o) => o.server));
        for (const byAddr of this.model.groups.values()) for (const g of byAddr.values()) for (const x of g.reachable) servers.add(x);
        const listed = new Set(rules.map(ruleKeyOf));
        const before = rules.length;
        for (const p of sources444Places(this.model)) {
          const reached = !p.server || servers.has(p.server);
          if (reached && !listed.has(ruleKeyOf(p.rule))) listed.add(ruleKeyOf(p.rule)), rules.push(p.rule);
        }
        const more = rules.length - before;
        if (more) partial = ` (too many possibilities to explore them all: ${before} found, then ${more} other rule${more === 1 ? '' : 's'} that answer${more === 1 ? 's' : ''} 444 where it went)`;
      }
    }
    const why =
      (sent ? 'Bytes were sent, so no rule closed the connection: the status line 444 came with a response. ' : '') +
      `${best.length} possible cause${best.length === 1 ? '' : 's'}${partial}${lacking}. ` +
      best
        .slice(0, 5)
        .map((o, i) => `(${i + 1}) ${o.path.join('; ')}${o.assumptions.length ? ` [assuming ${o.assumptions.join('; ')}]` : ''}`)
        .join(' ');
    return { verdict: 'ambiguous', rules, why, missing, outcomes: best };
  }
}

/** The 444 sources whose response is sent (a status line 444), not a closed connection. */
const SENDS_444 = new Set(['error_page', 'echo_status']);

/** One rule, as candidates are told apart. */
function ruleKeyOf(r: RuleRef): string {
  return `${r.file}\u0000${r.range.start.offset}`;
}

interface CacheEntry {
  result: RouteResult;
  attributions?: Map<number, Attribution>;
}

/**
 * What every routing reads of the method (route.ts Run.method): CONNECT and TRACE are answered
 * 405 first, and an unknown method forks. Any other use of it is a recorded `method` read.
 */
function methodClass(method: string | undefined): string {
  return method === undefined ? '\u0001' : REFUSED_METHODS.has(method) ? method : '';
}

/** An origin-form request line: method, path, protocol (the query string, if any, dropped). */
const ORIGIN_FORM = /^([A-Z_-]+) (\/[^?\s]*)(?:\?\S*)? (HTTP\/\d\.\d)$/;

/**
 * A path nginx takes as written: segments of plain characters, none empty or starting with a dot,
 * no escapes, no fragment. Its `$uri` is itself and it is never a 400, so the path only matters to
 * a routing that reads it.
 */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_~!$&'()*+,;=:@-][A-Za-z0-9_~!$&'()*+,;=:@.-]*)*\/?$/;

function plainPath(p: string): boolean {
  return PLAIN_PATH.test(p);
}

/** The request path as logged: from `$request`, else `$request_uri`. */
function requestPath(f: RequestFacts): string {
  if (f.request !== undefined) {
    const sp1 = f.request.indexOf(' ');
    const sp2 = f.request.lastIndexOf(' ');
    const target = sp1 !== -1 ? f.request.slice(sp1 + 1, sp2 > sp1 ? sp2 : undefined) : '';
    return target.split('?')[0];
  }
  return f.target?.split('?')[0] ?? '\u0001';
}

const cidrCache = new Map<string, Cidr | undefined>();

/**
 * What an allow/deny argument decides for the address: '1' in its network, '0' not; for an IPv6
 * address both its IPv4-mapped and its IPv6 membership (which list nginx checks depends on the
 * other rules); the address itself when the argument is not a network we read.
 */
function netMember(addr: string | undefined, arg: string): string {
  if (addr === undefined) return '\u0001';
  if (arg === 'all') return '1';
  let c = cidrCache.get(arg);
  if (c === undefined && !cidrCache.has(arg)) cidrCache.set(arg, (c = parseCidr(arg)));
  const n = ipv4ToNumber(addr);
  if (n !== undefined) {
    if (c) return n >= c.lo && n <= c.hi ? '1' : '0';
    return arg.includes(':') || arg.startsWith('unix:') ? '0' : addr;
  }
  const n6 = addr.includes(':') ? ipv6ToBigInt(addr) : undefined;
  if (n6 === undefined || arg.startsWith('unix:')) return addr;
  const mapped = v4Mapped(n6);
  const as4 = mapped === undefined || !c ? '-' : mapped >= c.lo && mapped <= c.hi ? '1' : '0';
  const c6 = arg.includes(':') ? parseCidr6(arg) : undefined;
  const as6 = c6 ? (inNet6(n6, c6) ? '1' : '0') : arg.includes(':') ? addr : '-';
  return `6${as4}${as6}`;
}

function cost(g: Outcome[]): number {
  return Math.min(...g.map((o) => o.assumptions.length));
}

function order(o: Outcome): number {
  return o.rule ? o.rule.range.start.offset + (o.server ? o.server.index * 1e9 : 0) : Number.MAX_SAFE_INTEGER;
}
