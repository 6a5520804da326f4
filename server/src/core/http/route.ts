// nginx 1.22's decision for one request, replayed over the HTTP model.
//
// Phases as ngx_http_core_module runs them: server selection (listen socket, then server_name),
// server-level rewrite, find_config (location tree), location-level rewrite (re-running
// find_config after `rewrite ... last` or a changed URI, at most 10 times), limit_except,
// preaccess (limit_conn / limit_req), access (allow/deny, auth, satisfy), try_files, content,
// and error_page on the final status.
//
// Values the log lacks are unknown. The interpreter is deterministic given the answer to every
// open question ("does the unlogged Host select server B?", "did limit_req fire?"), so we run it
// once per combination of answers (depth-first over the choice points, bounded) and collect
// every distinct outcome. That over-approximates, never under-approximates: an answer that
// names one rule is one that every consistent history agrees on.

import type { Directive } from '../syntax';
import { lookupVariable } from '../reference';
import {
  inherited,
  inheritedAny,
  argVars,
  ipv4ToNumber,
  isCaptureName,
  namesLookedUp,
  parseCidr,
  ruleOf,
  serverNameText,
  scopesOf,
  sources444Places,
  type AccessLogDef,
  type Cond,
  DEFAULT_ACCESS_LOG,
  type HttpModel,
  type GeoModel,
  type ListenGroup,
  type LocationModel,
  type MapModel,
  type LocationSet,
  type Op,
  type RuleRef,
  type Scope,
  type ServerModel,
} from './model';
import { compileNginxRegex, type NginxRegex, type RegexResult } from './regex';
import { bytesToText, lowerAscii, textToBytes } from '../regex';
import type { RequestFacts } from './request';
import { normalizeUri, parseRequestLine, requiresHost, unsupportedVersion, validateHost } from './uri';
import { containsOffset } from '../positions';
import { definedVariable } from '../structure';
import { compileValue, type ComplexValue, type ValuePart } from './values';
import { addrInNets, forwardedAddr, inNet6, ipv6ToBigInt, listenAddrKey, parseCidr6, sameAddress, v4Mapped, type Cidr, type Net6 } from './ip';
import { browserConf, browserVariable, isMsie } from './browser';
import { atotm, loggedSecond, md5, secureLinkConf, secureLinkHash } from './secureLink';
import { SCRIPT_DIRECTIVES, scriptMay444, type ScriptPhase } from './scripts';
import { constantMapLookup, findMapEntry, partialMapEntry, geoIsKeyable, geoValue, isGeoProxy, isUnknown, isVolatileMap, mapIsKeyable, mayGiveDash, serverCan444, splitClientsOf, splitValue, type Unknown, type Val } from './lookup';

export type OutcomeStatus = number | 'content';

export interface Outcome {
  /** The logged status, or 'content' when a content handler answers (any status). */
  status: OutcomeStatus;
  /** The directive that produced the status (return, rewrite, limit_*_status, deny, ...). */
  rule?: RuleRef;
  server?: ServerModel;
  location?: LocationModel;
  /** The configuration in effect when the request was logged (decides its access_log). */
  scope?: Scope;
  /** Human-readable decision path. */
  path: string[];
  /** What had to be assumed about unlogged facts to get here. */
  assumptions: string[];
  /** Logged variables that would have decided the assumptions (e.g. `$host`). */
  missing: string[];
  /**
   * The open questions answered on the way that a logged variable would have decided: the
   * question, the answer taken, and those variables. Outcomes that all took the same answer are
   * not told apart by logging it (attribute.ts decisiveMissing).
   */
  decisions: Decision[];
  /** For 'content': a content handler's answer (proxy_pass, ...), whose status may be any, 444 too; else the static module's. */
  handler?: boolean;
}

export interface Decision {
  question: string;
  answer: number;
  missing: readonly string[];
}

export interface RouteResult {
  outcomes: Outcome[];
  /** Exploration hit its bound: outcomes may be incomplete. */
  truncated: boolean;
  /**
   * The facts beyond the host that any history consulted: 'uri' (the request path), 'args' (query
   * string, raw target), 'remote_addr', 'map:NAME' / 'geo:NAME' (the answer of a map or geo whose
   * inputs are request headers or the address), or a logged variable's name. Requests that agree on the path, host
   * and these get the same answer.
   */
  reads: string[];
}

export interface RouteOptions {
  /** Keep only histories in which the request is written to a log this accepts. */
  logFilter?: (def: AccessLogDef) => boolean;
  maxRuns?: number;
  /**
   * Only histories that end in 444 are wanted: a history whose server has no 444 source is
   * abandoned once the server is known (internal redirects never leave it), which keeps servers
   * with deep try_files/index/rewrite loops from exhausting maxRuns.
   */
  only444?: boolean;
  /**
   * What is at a path on this machine, for the questions nginx asks the file system (`if (-f
   * ...)`, try_files): asked only where the document root (or the path's directory) exists here,
   * so a workspace that mirrors a server's config without its files still forks on them.
   */
  files?: FileProbe;
  /**
   * The names (bytes) nginx may have written the traced log under (its own, a rotated copy's live
   * one): an access_log path with variables wrote it only where the history's values give one.
   */
  logFileNames?: ReadonlySet<string>;
}

/**
 * A path's kind and exec bit as nginx's workers would find it; null: no such file (for nginx);
 * undefined: cannot tell. The path is a byte string (one char per byte), as nginx passes it to stat.
 */
export type FileProbe = (path: string) => FileFound | null | undefined;
export interface FileFound {
  kind: 'file' | 'dir' | 'other';
  exec: boolean;
}

type Match = Extract<RegexResult, { kind: 'match' }> | 'unknown';

// Thrown to abandon a history; plain objects, since capturing a stack per history is costly.
const PRUNE = { prune: true };
const TOO_DEEP = { tooDeep: true };
/**
 * Thrown where a regex of a location, `if` or `rewrite` failed to run (PCRE2's match limit, -47):
 * ngx_http_regex_exec's error ends the script, or the location search, with 500.
 */
class RegexFailed {
  /**
   * The location whose configuration r->loc_conf held when the regex failed: the static match of
   * the level searched (or the regex location whose nested regexes were searched). Its
   * error_page takes the 500.
   */
  at?: LocationModel;
  constructor(readonly what: string) {}
}

/** `search()`, with a regex failure inside it marked as happening under `loc`, unless a deeper level already marked it. */
function under<T>(loc: LocationModel | undefined, search: () => T): T {
  try {
    return search();
  } catch (e) {
    if (e instanceof RegexFailed && !e.at) e.at = loc;
    throw e;
  }
}

/** Depth-first enumeration of choice sequences. */
class Chooser {
  trail: number[] = [];
  sizes: number[] = [];
  /** Per depth: the run at which the current answer there was first taken. */
  started: number[] = [];
  pos = 0;
  run = 0;
  choose(n: number): number {
    if (n <= 1) return 0;
    if (this.pos < this.trail.length) return this.trail[this.pos++];
    this.trail.push(0);
    this.sizes.push(n);
    this.started.push(this.run);
    this.pos++;
    return 0;
  }
  next(): boolean {
    this.trail.length = this.pos;
    this.sizes.length = this.pos;
    this.started.length = this.pos;
    while (this.trail.length && this.trail[this.trail.length - 1] >= this.sizes[this.sizes.length - 1] - 1) {
      this.trail.pop();
      this.sizes.pop();
      this.started.pop();
    }
    if (!this.trail.length) return false;
    this.trail[this.trail.length - 1]++;
    this.started[this.started.length - 1] = this.run + 1;
    this.pos = 0;
    return true;
  }
  /** Leaves the rest of the subtree under the answer at `depth`: next() moves to its sibling. */
  cut(depth: number): void {
    this.pos = depth + 1;
  }
}

/** Work counters (for benchmarks). */
export const routeStats = { routes: 0, runs: 0 };

/** How deep the fair second pass shares its budget out (the socket, server and first questions). */
const FAIR_DEPTH = 3;

export function route(model: HttpModel, facts: RequestFacts, options: RouteOptions = {}): RouteResult {
  routeStats.routes++;
  const maxRuns = options.maxRuns ?? 2000;
  const seen = new Map<string, Outcome>();
  const reads = new Set<string>();
  let truncated = explore(model, facts, options, reads, seen, maxRuns, false);
  // The depth-first pass ran out inside one subtree (one server's try_files/index chains, say):
  // a second pass shares the budget out among the first answers, so the other servers and
  // locations are seen too. What it finds is added; the answer stays incomplete (truncated).
  if (truncated) explore(model, facts, options, reads, seen, maxRuns, true);
  return { outcomes: [...seen.values()], truncated, reads: [...reads] };
}

/** One depth-first exploration; true if it stopped before the end. */
function explore(model: HttpModel, facts: RequestFacts, options: RouteOptions, reads: Set<string>, seen: Map<string, Outcome>, maxRuns: number, fair: boolean): boolean {
  const chooser = new Chooser();
  let runs = 0;
  let truncated = false;
  do {
    if (++runs > maxRuns) {
      truncated = true;
      break;
    }
    chooser.pos = 0;
    chooser.run = runs;
    routeStats.runs++;
    const run = new Run(model, facts, chooser, options, reads);
    let o: Outcome | undefined;
    try {
      o = run.execute();
    } catch (e) {
      if (e === PRUNE) o = undefined;
      else if (e === TOO_DEEP) {
        try {
          o = run.finish(500, undefined, 'rewrite or internal redirection cycle');
        } catch (e2) {
          if (e2 !== PRUNE) throw e2;
          o = undefined;
        }
      }
      else throw e;
    }
    if (o) {
      const key = `${o.status}|${o.rule ? o.rule.file + ':' + o.rule.range.start.offset : ''}|${o.scope?.directive?.range.start.offset ?? ''}|${o.server?.index ?? ''}`;
      const prev = seen.get(key);
      if (!prev) seen.set(key, o);
      else {
        if (o.assumptions.length < prev.assumptions.length) {
          prev.assumptions = o.assumptions;
          prev.path = o.path;
        }
        for (const m of o.missing) if (!prev.missing.includes(m)) prev.missing.push(m);
        // The same outcome reached by other answers: it took those too (attribute.ts decisiveMissing).
        for (const d of o.decisions) if (!prev.decisions.some((p) => p.question === d.question && p.answer === d.answer)) prev.decisions.push(d);
      }
    }
    if (fair) {
      // Each answer at the first depths gets an equal share of its parent's share.
      let share = maxRuns;
      const depth = Math.min(FAIR_DEPTH, chooser.pos, chooser.trail.length);
      for (let d = 0; d < depth; d++) {
        share = Math.floor(share / chooser.sizes[d]);
        if (runs - chooser.started[d] + 1 >= Math.max(share, 1)) {
          chooser.cut(d);
          truncated = true;
          break;
        }
      }
    }
  } while (chooser.next());
  return truncated;
}

interface Phase {
  stop?: { status: number; rule?: RuleRef; why: string };
  uriChanged?: boolean;
}

/**
 * Variables whose value is fixed for the whole request: headers and cookies, the Host, the request
 * line and socket facts. Not $request_method (error_page makes it GET), not the client address
 * (a location's realip runs in the preaccess phase, after the rewrite phase it would feed), nor
 * anything a rewrite changes.
 */
const REQUEST_CONSTANT = /^(?:http_[a-z0-9_]+|cookie_[A-Za-z0-9_]+|host|request|request_uri|server_protocol|server_port|server_addr|scheme|https|content_length|content_type)$/;

/** Variables read from request headers only: not found (empty) without them. */
const NO_HEADER_EMPTY = /^(?:http_|cookie_|content_length$|content_type$)/;

const whereMemo = new WeakMap<Directive, string>();
const where = (d: Directive): string => {
  let w = whereMemo.get(d);
  if (w === undefined) whereMemo.set(d, (w = `${d.file}:${d.range.start.line + 1}`));
  return w;
};
const dstr = (d: Directive) => [d.name, ...d.args.map((a) => a.raw)].join(' ');

class Run {
  path: string[] = [];
  assumptions: string[] = [];
  missing = new Set<string>();
  decisions: Decision[] = [];
  vars = new Map<string, Val>();
  private capturesVal: Val[] = [];
  /**
   * The keyable maps with regex keys evaluated since r->captures was last set otherwise (see
   * evalMap): a routing that reads them depends on whether and how those maps' regexes matched,
   * not only on their values.
   */
  private capturesFrom: string[] = [];
  /** r->captures: $1..$9 as the last successful regex match left them. */
  get captures(): Val[] {
    return this.capturesVal;
  }
  set captures(v: Val[]) {
    this.capturesVal = v;
    if (this.capturesFrom.length) this.capturesFrom = [];
  }
  private methodVal: Val = { unknown: ['$request'] };
  private uriVal: Val = { unknown: ['$request'] };
  private argsVal: Val = { unknown: ['$request'] };
  private targetVal: Val = { unknown: ['$request'] };
  protocol: Val = { unknown: ['$request'] };
  hostVar: Val = { unknown: ['$host'] };
  /**
   * The request reached the phases as HTTP/1.1 or later: it had a Host header, and a valid one
   * (ngx_http_process_request_header and ngx_http_validate_host answer 400 otherwise), so an
   * unlogged `$http_host` is known not to be empty.
   */
  hostHeaderValid = false;
  /**
   * r->valid_location: cleared by `rewrite ... break` and by `break` after a rewrite of the same
   * script, set again only by an internal redirect to a URI. Without it an `alias` location cannot
   * map its URI to a file (ngx_http_map_uri_to_path: "alias" cannot be used ... where URI was rewritten).
   */
  validLocation = true;
  /** r->uri is set: the request line's URI was parsed, or a redirect gave one. */
  uriSet = false;
  /** `$remote_addr` was first read (and cached) before a location's realip ran. */
  addrCachedBeforeRealip = false;
  /** A location with realip settings of its own has run its preaccess phase in this history. */
  private realipLocationRan = false;
  /** Whether this history took the address read before such a location as changed by it later (addrChangedLater). */
  private realipLater?: boolean;
  private postRead?: boolean;
  /** An unknown URI this history must change before it ends (startFromLoggedUri, findLocation). */
  unchangedUri?: Val;
  /**
   * Unknown args first read here, and whether this history took them for the logged (final)
   * ones, which it must then keep, or must change before it ends (argsFromLog).
   */
  private argsAtRead?: { val: Val; asLogged: boolean };
  /** The logged GET was another method, which a redirect must turn into GET before the end. */
  private methodTurnsGet = false;
  /** An absolute-form request line's host chose the server before any header was read. */
  lineChoseServer = false;
  /** With Host unlogged: the values `$host` can have at the server it chose, when that is a short list. */
  private hostNames?: string[];
  server?: ServerModel;
  group?: ListenGroup;
  scope?: Scope;
  location?: LocationModel;
  internal = false;
  uriChanges = 11;
  /** r->error_page: no later error takes an error_page. */
  errorPageDone = false;
  /**
   * r->err_status: set by every special response (ngx_http_special_response_handler), replaced by
   * an error_page's `=code` (0 for a bare `=`). A `return 444` that closes the connection after it
   * is logged with this status, not 444 (ngx_http_variable_status reads err_status first).
   */
  errStatus = 0;
  bodyDiscarded = false;
  limitReqDone = false;
  limitConnDone = false;
  inAccessPhase = false;
  status = 0;
  mapCache = new Map<string, Val>();
  /** The expiry text the request's `$secure_link` read (its ctx->expires). */
  secureLinkExpires?: string;
  /**
   * Answers about the file system already taken in this history (which try_files candidate or
   * index file existed): files do not change while
   * nginx handles one request, so a redirect loop back to the same test gets the same answer
   * (and the exploration stays linear in the loop's length instead of exponential).
   */
  fsAnswers = new Map<string, number>();
  /** Answers to unknown `if` conditions that cannot change within the request (constantCondKey). */
  condAnswers = new Map<string, boolean>();
  /** The URI is an upstream's X-Accel-Redirect the log does not show (findLocation). */
  accelUri = false;
  /** $limit_req_status / $limit_conn_status once the limits decided (preAccess). */
  limitStatus = new Map<string, Val>();
  /** A subrequest (auth_request, mirror) ran: its limits may have set r->main's limit statuses. */
  subrequestRan = false;
  /** The `auth_request_set` variables an auth_request of this request has set (its access phase). */
  authSet = new Set<string>();
  /** The answers `truthy` gave, by unknown value. */
  truths = new Map<Unknown, boolean>();
  /**
   * Whether `$1`..`$9` copied now are escaped (ngx_http_script_copy_capture_code): in the rewrite
   * module's engine while e->quote (1 until a rewrite matches) or e->is_args (set once a rewrite
   * replacement reached its `?`) holds, for a request whose path had `%` or `+`.
   */
  escapeCaptures = false;
  dashCache = new Map<string, string>();

  constructor(
    readonly model: HttpModel,
    readonly facts: RequestFacts,
    readonly chooser: Chooser,
    readonly options: RouteOptions,
    readonly reads: Set<string>,
  ) {}

  // The request path is a read like any other fact (Attributor.baseKey leaves out paths it can
  // see are valid as written): a request dropped before anything looks at its path shares its
  // routing with every other path.
  get uri(): Val {
    this.reads.add('uri');
    return this.uriVal;
  }
  set uri(v: Val) {
    this.uriVal = v;
  }
  get args(): Val {
    return this.argsVal;
  }
  /** A new r->args (rewrite, `set $args`, a redirect): `$is_args` follows it again. */
  set args(v: Val) {
    this.argsVal = v;
    this.vars.delete('is_args');
  }
  get target(): Val {
    this.reads.add('uri');
    return this.targetVal;
  }
  set target(v: Val) {
    this.targetVal = v;
  }

  /** An open question with `labels.length` answers; records the one taken. */
  pick(labels: string[], missing: string[]): number {
    const i = this.chooser.choose(labels.length);
    if (labels.length > 1) {
      if (labels[i]) this.assumptions.push(labels[i]);
      for (const m of missing) this.missing.add(m);
      if (missing.length) this.decisions.push({ question: labels.join('\u0001'), answer: i, missing });
    }
    return i;
  }

  /**
   * `pick` for a question about files (`kind` asked by directive `d` of the file names `names`):
   * the answer already given to the same question in this history, if any.
   */
  pickFs(kind: string, d: Directive | undefined, names: string[], labels: string[]): number {
    if (labels.length < 2) return this.pick(labels, []);
    // The names are the request's (its $uri): comparing them with an earlier question reads them;
    // the first question compares nothing, so what it evaluates is not a read of this history.
    const saved = this.reads;
    if (this.fsAnswers.size === 0) (this as { reads: Set<string> }).reads = new Set();
    let values: Val[];
    let rootValue: Val = '';
    try {
      values = names.map((n) => this.evalValue(compileValue(n)));
      const root = inherited(this.scope, 'root')[0] ?? inherited(this.scope, 'alias')[0];
      if (root) rootValue = this.evalValue(compileValue(root.args[0]?.value ?? ''));
    } finally {
      (this as { reads: Set<string> }).reads = saved;
    }
    if (!d || isUnknown(rootValue) || values.some(isUnknown)) return this.pick(labels, []);
    const key = `${kind}\u0000${d.file}:${d.range.start.offset}\u0000${rootValue}\u0000${values.join('\u0000')}`;
    const known = this.fsAnswers.get(key);
    if (known !== undefined) return known;
    const i = this.pick(labels, []);
    this.fsAnswers.set(key, i);
    return i;
  }

  /** `pick` for many answers: only the label of the one taken is built. */
  pickLazy(n: number, label: (i: number) => string, missing: string[]): number {
    const i = this.chooser.choose(n);
    if (n > 1) {
      const l = label(i);
      this.assumptions.push(l);
      for (const m of missing) this.missing.add(m);
      // Only the answer's label is built: it stands for the question and the answer.
      if (missing.length) this.decisions.push({ question: `${n}\u0001${l}`, answer: i, missing });
    }
    return i;
  }

  finish(status: OutcomeStatus, rule: RuleRef | undefined, why: string): Outcome | undefined {
    this.path.push(why);
    if (typeof status === 'number') this.status = status;
    if (!this.writtenToLog() || !this.agreesWithLoggedAssignments() || !this.agreesWithLoggedUri()) throw PRUNE;
    // A history that took the logged `$uri` for a later one (startFromLoggedUri, findLocation)
    // must have changed it since.
    if (this.unchangedUri && this.uriVal === this.unchangedUri) throw PRUNE;
    if (this.argsAtRead && (this.argsVal === this.argsAtRead.val) !== this.argsAtRead.asLogged) throw PRUNE;
    if (this.realipLater && !this.realipLocationRan) throw PRUNE;
    if (!this.agreesWithLoggedLimits()) throw PRUNE;
    // `$request_method` is logged as the request ended (ngx_http_send_error_page may have made it GET).
    if (this.methodTurnsGet || (this.facts.method !== undefined && typeof this.methodVal === 'string' && this.methodVal !== this.facts.method)) throw PRUNE;
    return {
      status,
      rule,
      server: this.server,
      location: this.location,
      scope: this.scope,
      path: this.path,
      assumptions: this.assumptions,
      missing: [...this.missing],
      decisions: this.decisions,
    };
  }

  /**
   * Whether the variables this history assigned (`set`, named captures) hold, at log time, what
   * the line logged for them. Admins log a marker (`set $reason bad_ua; return 444;`), and the
   * marker then names the rule; a drop that sets no marker logs it empty. Not judged: a value
   * unknown here, or not ASCII (config text and logged bytes are not compared across encodings).
   */
  private agreesWithLoggedAssignments(): boolean {
    const logged = this.facts.vars;
    // Whether the line logs an assigned variable at all decides too (for the attribution cache):
    // one log may hold lines of two formats, from before and after a log_format change.
    const loggable = formatVariables(this.model);
    for (const name of this.vars.keys()) if (!(name in logged) && loggable.has(name) && this.model.declaredVars.has(name)) this.reads.add(name);
    for (const name in logged) {
      if (!this.model.declaredVars.has(name)) continue;
      let mine = this.vars.get(name);
      if (mine === undefined) {
        // Never assigned here: a `set` target of its own is then empty. Not judged: a capture (a
        // regex this history did not run may set it: a map the log format evaluates), a map, geo
        // or split_clients variable (`set` may override it; unassigned it has its value), or one
        // of nginx's variables that `set` may also change (`$args`, `$limit_rate`, `$http_*`).
        const m = this.model;
        if (isCaptureName(m, name) || isNginxVariable(name) || m.maps.has(name) || m.geos.has(name) || splitClientsOf(m).has(name)) continue;
        mine = '';
      }
      if (isUnknown(mine) || !ASCII.test(mine)) continue;
      const l = logged[name];
      if (l !== null && !ASCII.test(l)) continue;
      this.reads.add(name);
      // `-` is how nginx logs an empty value (and, rarely, the value itself).
      if (l === null ? mine !== '' && mine !== '-' : !sameLogged(l, mine)) return false;
    }
    return true;
  }

  /**
   * Whether `$uri` and `$args` at log time, as this history leaves them (rewrites, internal
   * redirects; a named location keeps them), are what the line logged. Not judged: a value
   * unknown here, a logged `-`, or non-ASCII (compared across encodings).
   */
  private agreesWithLoggedUri(): boolean {
    for (const name of ['uri', 'args'] as const) {
      const l = this.loggedAtEnd(name);
      if (l === undefined) continue;
      const mine = this[name];
      if (name === 'args') this.reads.add('args');
      if (isUnknown(mine) || !ASCII.test(mine)) continue;
      if (l !== null && ASCII.test(l) && l !== mine) return false;
    }
    // `$arg_NAME` is read from the final args too.
    const args = this.argsVal;
    if (typeof args !== 'string' || !ASCII.test(args)) return true;
    for (const name in this.facts.vars) {
      if (!name.startsWith('arg_')) continue;
      const l = this.logged(name);
      const mine = argValue(args, name.slice(4));
      if (l === undefined || isUnknown(l) || !ASCII.test(l)) continue;
      if (l !== mine) return false;
    }
    return true;
  }

  /**
   * `$uri` or `$args` (`$query_string`) as the line logged them: their values at log time, where
   * the request ended (null for a logged "-"), undefined when the format does not log them. Read
   * as `logged:NAME`: the reads 'uri' and 'args' stand for the request line (attribute.ts);
   * whether a line logs them at all is in the attribution cache's base key.
   */
  loggedAtEnd(name: 'uri' | 'args'): string | null | undefined {
    const key = name === 'args' && !('args' in this.facts.vars) ? 'query_string' : name;
    if (!(key in this.facts.vars)) return undefined;
    this.reads.add(`logged:${key}`);
    return this.facts.vars[key];
  }

  /** Whether this history writes the request to the log being traced. */
  writtenToLog(): boolean {
    const filter = this.options.logFilter;
    if (!filter) return true;
    const defs = accessLogsOf(this.model, this.scope ?? this.server?.scope ?? this.model.http);
    // `access_log off` anywhere among them silences the level (ngx_http_log_handler reads one flag).
    if (defs.some((d) => d.off)) return false;
    for (const def of defs) {
      if (def.off || !filter(def)) continue;
      // A path with variables names the file its values give at the end of the request (compared
      // by name, as logPath.ts matches a tree mirrored elsewhere).
      const names = this.options.logFileNames;
      if (names && def.path && !def.path.literal) {
        const v = this.evalValue(def.path);
        if (!isUnknown(v) && !names.has(v.slice(v.lastIndexOf('/') + 1))) continue;
      }
      if (!def.ifCond) return true;
      const raw = def.ifCond.raw;
      if (this.truthy(def.ifCond, (missing) => this.pick([`access_log if= condition ${raw} held`, ''], missing) === 0)) return true;
    }
    return false;
  }

  /**
   * Whether a value holds (neither empty nor "0"). An unknown one gets one answer per value it
   * came from: a map's is computed once per request (mapCache) and a `set` keeps its value, so
   * `if ($is_bot)` and `access_log ... if=$is_bot` agree.
   */
  truthy(cv: ComplexValue, ask: (missing: string[]) => boolean): boolean {
    const p = cv.parts.length === 1 ? cv.parts[0] : undefined;
    const v = p !== undefined && typeof p === 'object' ? this.partValue(p) : this.evalValue(cv, true);
    if (!isUnknown(v)) return v !== '' && v !== '0';
    let h = this.truths.get(v);
    if (h === undefined) this.truths.set(v, (h = ask([...new Set(v.unknown)])));
    return h;
  }

  /**
   * The request method. Reading it makes the answer depend on it (a `method` read): the
   * attributor keys routings only by whether the method is one of REFUSED_METHODS (or unknown), so that the
   * requests of one host and path that differ only in a method nothing consulted share one.
   */
  get method(): Val {
    this.reads.add('method');
    return this.methodVal;
  }
  set method(v: Val) {
    this.methodVal = v;
  }

  execute(): Outcome | undefined {
    const f = this.facts;
    // The request line.
    let line = f.request !== undefined ? parseRequestLine(f.request) : undefined;
    if (f.request !== undefined && !line) {
      // A line nginx answers 400 (or 505) before any server_name routing.
      this.chooseGroupBeforeHost();
      if (unsupportedVersion(f.request)) return this.finalize(505, undefined, 'the request line names an HTTP major version above 1: nginx answers 505');
      return this.finalize(400, undefined, 'the request line is invalid: nginx answers 400');
    }
    if (line?.protocol === 'HTTP/2.0' && (!this.model.servers.some((s) => s.listens.some((l) => l.http2)) || this.pick(['', 'the line was sent over HTTP/1 (not an HTTP/2 request)'], []) === 1)) {
      this.chooseGroupBeforeHost();
      return this.finalize(505, undefined, 'the request line names HTTP/2.0 over HTTP/1: nginx answers 505');
    }
    if (line) {
      this.method = line.method;
      this.target = line.target;
      this.protocol = line.protocol;
      // A request line longer than large_client_header_buffers is logged cut at the buffer's end,
      // without its protocol: it reads as HTTP/0.9. nginx answered 414 at the default server
      // (ngx_http_read_request_header, before Host), whose error_page may take it.
      if (line.protocol === 'HTTP/0.9' && f.request!.length >= LONGEST_PLAIN_LINE && this.pick(['', 'the request line was longer than large_client_header_buffers (the log shows its start)'], []) === 1) {
        this.chooseGroupBeforeHost();
        return this.finalize(414, undefined, 'the request line is too long: nginx answers 414');
      }
    } else {
      // Without `$request`, whatever parts the format logs separately.
      if (f.method !== undefined) this.method = f.method;
      // The log shows the method where the request ended: an error_page to a URI or an upstream's
      // X-Accel-Redirect turns any method but HEAD into GET (finish prunes the history that
      // took this fork and never passed through one).
      if (f.method === 'GET' && mayTurnIntoGet(this.model) && this.pick(['', 'the request was not a GET (a redirect made it one)'], ['$request']) === 1) {
        this.method = { unknown: ['$request'] };
        this.methodTurnsGet = true;
      }
      if (f.target !== undefined) this.target = f.target;
      if (f.protocol !== undefined) this.protocol = f.protocol;
      // An HTTP/0.9 line names no protocol: nginx leaves `$server_protocol` not found, logged as
      // "-" (nothing with escape=json|none); a line that names one always logs it.
      else if ('server_protocol' in f.vars && !f.vars.server_protocol) this.protocol = 'HTTP/0.9';
    }

    // Host: `$host` is the validated Host (or request-line host), else the server's name.
    let hostChoices: (string | null)[] | undefined;
    if (line?.host !== undefined) {
      const h = validateHost(line.host);
      if (h === undefined) {
        this.chooseGroupBeforeHost();
        this.parseUri();
        return this.finalize(400, undefined, 'the request line carries an invalid host: nginx answers 400');
      }
      // ngx_http_process_host validates the Host header before it looks at the server the
      // request line's host already chose: an invalid one is a 400 at that server.
      if (typeof f.httpHost === 'string' && validateHost(f.httpHost) === undefined) {
        this.chooseGroup();
        if (!this.parseUri()) {
          this.serverBeforeHost();
          return this.finalize(400, undefined, `the URI "${this.target}" is invalid: nginx answers 400`);
        }
        this.selectServer(this.group!, h);
        this.scope = this.server!.scope;
        this.hostVar = h;
        this.pruneByServerName();
        return this.finalize(400, undefined, `Host "${f.httpHost}" is invalid: nginx answers 400 at the server the request line's host chose`);
      }
      hostChoices = [h];
      this.lineChoseServer = true;
    } else if (line?.protocol === 'HTTP/0.9') {
      // ngx_http_process_request_line: an HTTP/0.9 request has no headers; the empty name is
      // looked up at once. (Without the request line, its absolute URI may have named a host.)
      hostChoices = [null];
    } else if (f.httpHost !== undefined) {
      // Logged as absent: no Host, an empty one (400), or the literal "-".
      // (An HTTP/1.1 request without one is a 400, at the server named "": its error_page may act.)
      if (f.httpHost === null) hostChoices = [null, '', '-'];
      else {
        const h = validateHost(f.httpHost);
        if (h === undefined) {
          this.chooseGroupBeforeHost();
          if (!this.parseUri()) return this.finalize(400, undefined, `the URI "${this.target}" is invalid: nginx answers 400`);
          if (f.request === undefined) this.absoluteFormServer();
          return this.finalize(400, undefined, `Host "${f.httpHost}" is invalid: nginx answers 400`);
        }
        hostChoices = [h];
      }
    } else if (f.host !== undefined) {
      // Without a Host header `$host` is the server's primary name: also consider that (for
      // HTTP/1.1, a 400 in the server named "", whose error_page may turn it into anything).
      hostChoices = [f.host, null];
    }
    // An absolute-form request line (`GET http://other/ HTTP/1.1`) overrides the Host header, and
    // neither `$request_uri` nor `$http_host` shows it: without `$request` logged, the host nginx
    // routed by is `$host` when logged, else unknown.
    let fromLine = -1;
    if (f.request === undefined && hostChoices && f.httpHost !== undefined) {
      const lh = f.host;
      if (lh === undefined) (fromLine = hostChoices.length), hostChoices.push(ANY_HOST);
      else if (lh !== '-' && !hostChoices.some((h) => h !== null && h !== '' && sameLogged(lh, h))) (fromLine = hostChoices.length), hostChoices.push(lh);
    }

    this.chooseGroup();
    const g = this.group!;
    // An invalid Host header (`bad/host`) is a 400 at the default server, which its error_page
    // may turn into anything: when Host is not logged, and `$host` (the server name then) fits.
    // (After an absolute-form line the line's server refuses it: refusedHeaderLine's fork.)
    if (f.httpHost === undefined && !this.lineChoseServer && g.defaultServer.scope && hasErrorPage(g.defaultServer.scope, 400)) {
      const lh = f.host;
      if (lh === undefined || sameLogged(lh, g.defaultServer.primaryName)) {
        if (this.pick(['', 'the (unlogged) Host header was invalid'], ['$http_host']) === 1) {
          this.server = g.defaultServer;
          return this.refusedAtServer('an invalid Host header: nginx answers 400');
        }
      }
    }
    const pickedAny = hostChoices && fromLine !== -1 && hostChoices[fromLine] === ANY_HOST;
    let i = 0;
    if (hostChoices && hostChoices.length > 1) {
      const labels = hostChoices.map((h, k) =>
        k === fromLine
          ? h === ANY_HOST
            ? 'the (unlogged) request line was absolute-form and named another host'
            : `the (unlogged) request line was absolute-form with host "${h}"`
          : h === null
            ? 'the request had no Host header'
            : `Host was "${h}"`,
      );
      i = this.pick(labels, fromLine !== -1 ? ['$http_host', '$request'] : ['$http_host']);
    }
    if (hostChoices && !(pickedAny && i === fromLine)) {
      const h = hostChoices[i];
      if (i === fromLine) {
        this.selectServer(g, h!);
        this.hostVar = h!;
      } else if (h === '') {
        // ngx_http_process_host refuses it at the server the connection started in.
        this.server = g.defaultServer;
        this.hostFromServerName();
        return this.refusedAtServer('an empty Host header: nginx answers 400');
      } else if (h === null) {
        // ngx_http_process_request_header looks the empty name up before it refuses an HTTP/1.1
        // request without Host: the 400 is the server named ""'s.
        this.selectServer(g, '');
        this.hostFromServerName();
        if (typeof this.protocol === 'string' && requiresHost(this.protocol)) return this.refusedAtServer('HTTP/1.1 request without Host: nginx answers 400');
      } else {
        this.selectServer(g, h);
        this.hostVar = h;
        if (f.host !== undefined && !sameLogged(f.host, h) && f.httpHost !== undefined) {
          // `$host` and `$http_host` disagree only when Host was replaced by the request line.
          if (line?.host === undefined) throw PRUNE;
        }
      }
    } else {
      // Host not logged (or named by an unlogged request line): any server on the socket some
      // Host selects may have been chosen.
      const servers = g.reachable;
      const i = this.pickLazy(servers.length, (k) =>
        servers[k] === g.defaultServer
          ? `Host (not logged) matched no other server, so the default server ${serverLabel(servers[k])} took it`
          : `Host (not logged) selected ${serverLabel(servers[k])}`,
      ['$host']);
      this.server = servers[i];
      this.path.push(`server ${serverLabel(this.server)}: chosen by an unlogged Host`);
      this.hostVar = { unknown: ['$host'] };
      this.hostNames = selectingNames(g, this.server);
      // Whatever its server_name regexes captured from that Host is unknown too (when they ran).
      const u: Unknown = { unknown: ['$host'] };
      if (namesLookedUp(g))
        for (const sn of this.server.names)
          if (sn.re) {
            for (const n of sn.re.names) this.vars.set(n.toLowerCase(), u);
            if (sn.re.captures) this.unknownCaptures(['$host']);
          }
    }
    const server = this.server!;
    this.pruneByServerName();
    this.scope = server.scope;

    // The URI was parsed with the request line, before Host chose the server.
    if (!this.parseUri()) {
      this.serverBeforeHost();
      return this.finalize(400, undefined, `the URI "${this.target}" is invalid: nginx answers 400`);
    }
    const overflow = this.headerOverflow();
    if (overflow !== false) return overflow;
    const refused = this.refusedHeaderLine();
    if (refused !== false) return refused;
    const te = this.unknownTransferEncoding();
    if (te !== false) return te;
    // Unrecorded reads: the attributor's key already tells these methods and unknown ones apart.
    if (typeof this.methodVal === 'string' && REFUSED_METHODS.has(this.methodVal))
      return this.finalize(405, undefined, `${this.methodVal} is answered 405 before any rule`);
    // An unlogged method may have been one: only worth a fork when an error_page takes its 405.
    if (isUnknown(this.methodVal) && hasErrorPage(this.scope!, 405) && this.pick(['', 'the (unlogged) method was TRACE or CONNECT'], ['$request_method']) === 1) {
      this.method = 'TRACE';
      return this.finalize(405, undefined, 'TRACE or CONNECT is answered 405 before any rule');
    }
    const plain = this.plainHttpOnTls();
    if (plain !== false) return plain;
    if (this.options.only444 && !serverCan444(this.model, server)) throw PRUNE;
    // Past every early answer: an HTTP/1.1 request came with a valid, so non-empty, Host header.
    this.hostHeaderValid = typeof this.protocol === 'string' && requiresHost(this.protocol);
    this.startFromLoggedUri();
    return this.fromServerRewrite();
  }

  /**
   * Without the request line, a logged `$uri` (where the request ended: JSON formats often log
   * it instead of `$request`) was also where it started, unless something rewrote it: two
   * histories, one from the logged URI, one from an unknown URI that some rewrite or redirect
   * must then change (finish prunes it otherwise).
   */
  startFromLoggedUri(): void {
    if (isUnknown(this.uriVal)) this.loggedUriIsFinal('the request URI (not logged) was rewritten or redirected to the logged $uri');
  }

  /**
   * For an unknown URI, when the line logs `$uri` (where the request ended): a fork between
   * "this URI is the logged one" (set, and returned) and `changed`, "it changes before the
   * request ends" (finish prunes a history that then keeps it: unchangedUri).
   */
  loggedUriIsFinal(changed: string): string | undefined {
    const end = this.loggedAtEnd('uri');
    if (typeof end !== 'string' || !end.startsWith('/')) return undefined;
    if (this.pick(['', changed], ['$request_uri']) === 0) return (this.uri = end);
    this.unchangedUri = this.uriVal;
    return undefined;
  }

  /**
   * ngx_http_process_request: a plain-HTTP request on an `ssl` address:port is finalized with 497
   * at the Host-chosen server, before any phase; its server-level error_page may turn it into
   * anything. Whether the request came without TLS is in `$scheme`/`$https` only: fork where
   * such an error_page exists (or when they are logged). False when not considered.
   */
  plainHttpOnTls(): Outcome | undefined | false {
    if (!this.listenFlag('ssl')) return false;
    const f = this.facts;
    let plain: boolean;
    if (f.scheme !== undefined) plain = f.scheme === 'http';
    else if ('https' in f.vars) plain = f.vars.https !== 'on';
    else if (!serverTakes497(this.server!)) return false;
    else plain = this.pick(['', 'the request was plain HTTP sent to the TLS port'], ['$scheme']) === 1;
    if (!plain) return false;
    this.vars.set('scheme', 'http');
    this.vars.set('https', '');
    return this.finalize(497, undefined, 'a plain HTTP request was sent to the TLS port: 497');
  }

  /**
   * A header line longer than a large_client_header_buffers buffer: nginx answers 494 (logged
   * 400) with the server chosen so far (Host's when the Host header came first, else the
   * default one; an absolute-form line's host chose it before any header), whose server-level
   * error_page may take it. Header sizes are not in the log:
   * fork only where such an error_page exists. False when no overflow is considered.
   */
  headerOverflow(): Outcome | undefined | false {
    const chosen = this.server!;
    const def = this.group!.defaultServer;
    return this.headerError(chosen === def || this.lineChoseServer ? [chosen] : [chosen, def], 494, {
      assumed: 'the (unlogged) request headers overflowed large_client_header_buffers',
      event: 'a request header line was longer than large_client_header_buffers',
      why: 'request header too large: 494',
    });
  }

  /**
   * An error nginx answers while reading the request headers, at one of `servers` (those the
   * request may have been at by then) whose server-level error_page takes `status`: a fork, since
   * nothing of it is in the log. False when none has such an error_page.
   */
  headerError(servers: ServerModel[], status: number, text: { assumed: string; event: string; why: string }): Outcome | undefined | false {
    const cands = servers.filter((s) => hasErrorPage(s.scope, status));
    if (!cands.length) return false;
    const i = this.pick(['', ...cands.map((s) => `${text.assumed} in server ${serverLabel(s)}`)], []);
    if (i === 0) return false;
    this.server = cands[i - 1];
    this.scope = this.server.scope;
    this.path.push(`${text.event}: ${status} at server ${serverLabel(this.server)}`);
    return this.finalize(status, undefined, text.why);
  }

  /**
   * A header line nginx refuses while reading the headers: a second Host
   * (ngx_http_process_host, "client sent duplicate host header"), a second Content-Length,
   * Authorization, If-Match... (ngx_http_process_unique_header_line). nginx answers 400 there,
   * before any phase, with the server chosen so far: the first Host's when it came first, else
   * the default one (which leaves `$host` the default's name and `$http_host` empty, so a log
   * with either rules that out). Its server-level error_page may take the 400. Nothing of it is
   * in the log: fork only where such an error_page exists. False when not considered.
   */
  refusedHeaderLine(): Outcome | undefined | false {
    if (this.protocol === 'HTTP/0.9') return false;
    const chosen = this.server!;
    const def = this.group!.defaultServer;
    const hostUnlogged = this.facts.host === undefined && this.facts.httpHost === undefined;
    return this.headerError(chosen === def || !hostUnlogged || this.lineChoseServer ? [chosen] : [chosen, def], 400, {
      assumed: this.lineChoseServer
        ? 'the (unlogged) Host header was invalid, or a single-valued header (Host, Content-Length, Authorization...) was repeated'
        : 'the (unlogged) request repeated a single-valued header (Host, Content-Length, Authorization...)',
      event: 'a repeated single-valued request header',
      why: 'a repeated single-valued request header: 400',
    });
  }

  /**
   * ngx_http_process_request_header: a Transfer-Encoding other than "chunked" is a 501 once the
   * headers are read, at the Host-chosen server, whose error_page may take it. Decided by a
   * logged `$http_transfer_encoding`, else a fork where such an error_page exists.
   */
  unknownTransferEncoding(): Outcome | undefined | false {
    if (this.protocol === 'HTTP/0.9') return false;
    const te = this.facts.vars.http_transfer_encoding;
    if ('http_transfer_encoding' in this.facts.vars) {
      this.reads.add('http_transfer_encoding');
      if (te === null || te === undefined || lowerAscii(te) === 'chunked' || this.protocol !== 'HTTP/1.1') return false;
      return this.finalize(501, undefined, `Transfer-Encoding "${te}" is not implemented: 501`);
    }
    return this.headerError([this.server!], 501, {
      assumed: 'the (unlogged) request had a Transfer-Encoding other than chunked',
      event: 'an unsupported Transfer-Encoding',
      why: 'Transfer-Encoding not implemented: 501',
    });
  }

  /**
   * ngx_http_process_request_uri: `$uri` and `$args` from the target, normalized with the
   * merge_slashes of the address's default server (Host is not read yet). False: nginx's 400.
   */
  parseUri(): boolean {
    // Whether the path is valid is in the cache's base key (or the whole path is): not a read.
    const target = this.targetVal;
    if (typeof target !== 'string') return (this.uriSet = true);
    const r = normalizeUri(target, this.group!.defaultServer.mergeSlashes);
    if (!r.ok) return false;
    this.uriSet = true;
    this.uri = r.uri;
    this.args = r.args ?? '';
    if (r.args === undefined) this.vars.set('is_args', '');
    return true;
  }

  /**
   * `$server_name`: the first name of the server (ngx_http_core_merge_srv_conf). A first name
   * `$hostname` is the machine's name (cf->cycle->hostname), which only a logged value tells.
   */
  serverNameVar(): Val {
    const s = this.server;
    if (!s) return { unknown: ['$server_name'] };
    if (s.primaryName !== HOSTNAME) return s.primaryName;
    return this.facts.serverName ?? { unknown: ['$server_name'] };
  }

  /** Without a Host, `$host` is the server's name: the machine's for `server_name $hostname`. */
  hostFromServerName(): void {
    const f = this.facts;
    this.pruneByServerName();
    if (this.server!.primaryName === HOSTNAME) this.hostVar = f.host ?? this.serverNameVar();
    else {
      this.hostVar = this.server!.primaryName;
      if (f.host !== undefined && !sameLogged(f.host, this.hostVar)) throw PRUNE;
    }
  }

  /** A request refused with 400 while its headers were read, in the server chosen so far (its URI was parsed first). */
  refusedAtServer(why: string): Outcome | undefined {
    this.scope = this.server!.scope;
    if (!this.parseUri()) return this.finalize(400, undefined, `the URI "${this.target}" is invalid: nginx answers 400`);
    return this.finalize(400, undefined, why);
  }

  /** Whether the logged `$server_name` rules out the current server (else nothing). */
  pruneByServerName(): void {
    const sn = this.facts.serverName;
    const p = this.server!.primaryName;
    if (sn !== undefined && p !== HOSTNAME && !sameLogged(sn, p)) throw PRUNE;
  }

  /**
   * With `$request` unlogged, a request refused for its Host header may have had an
   * absolute-form line (`GET http://a.test/x`), whose host chose the server first: the 400 is
   * then that server's, and `$request_uri` does not show it. The logged `$server_name` decides.
   */
  absoluteFormServer(): void {
    const g = this.group!;
    const before = this.server!;
    const others = g.reachable.filter((s) => s !== before);
    if (!others.length) return;
    const k = this.pickLazy(others.length + 1, (i) => (i === 0 ? '' : `the (unlogged) request line was absolute-form and its host chose ${serverLabel(others[i - 1])}`), ['$request']);
    if (k > 0) {
      this.server = others[k - 1];
      this.scope = this.server.scope;
      this.hostVar = this.facts.host ?? { unknown: ['$host'] };
    }
    this.pruneByServerName();
  }

  chooseGroupBeforeHost(): void {
    this.chooseGroup();
    this.serverBeforeHost();
  }

  /**
   * The server of a request nginx refuses before it reads Host (request line, URI, an invalid
   * Host): the address's default server, or on a TLS address the one the handshake's SNI named
   * (ngx_http_ssl_servername sets the connection's configuration; no SNI, or an unknown name,
   * leaves the default). `$host` and `$server_name` are then that server's first name.
   */
  serverBeforeHost(): void {
    const g = this.group!;
    const f = this.facts;
    const named = (s: ServerModel) => s.primaryName === HOSTNAME || ((f.serverName === undefined || sameLogged(f.serverName, s.primaryName)) && (f.host === undefined || sameLogged(f.host, s.primaryName)));
    // A logged name picks among the servers the handshake may have named (alone, the default
    // server keeps its old answer for a line it could not have logged: "it would get 400").
    const servers = groupFlag(g, 'ssl') && g.reachable.length > 1 ? g.reachable.filter(named) : [g.defaultServer];
    if (!servers.length) throw PRUNE;
    this.server = servers[this.pickLazy(servers.length, (k) => `the TLS handshake's server name selected ${serverLabel(servers[k])}`, ['$ssl_server_name'])];
    this.scope = this.server.scope;
    this.hostVar = this.serverNameVar();
  }

  chooseGroup(): void {
    const f = this.facts;
    let ports = [...this.model.groups.keys()];
    if (f.serverPort !== undefined) ports = ports.filter((p) => p === f.serverPort);
    // A TLS request came to an `ssl` address:port (a plain one on such a socket is
    // plainHttpOnTls's 497).
    const tls = f.scheme !== undefined ? f.scheme === 'https' : 'https' in f.vars ? f.vars.https === 'on' : undefined;
    const possible = (g: ListenGroup) => tls !== true || groupFlag(g, 'ssl');
    if (tls) ports = ports.filter((p) => [...this.model.groups.get(p)!.values()].some(possible));
    if (!ports.length) throw PRUNE;
    // Labels built only for the answer: most configurations have one port, and this runs per history.
    const pi = this.pickLazy(ports.length, (k) => `the request came to port ${ports[k]}`, ['$server_port']);
    const byAddr = this.model.groups.get(ports[pi])!;
    let groups = [...byAddr.values()].filter(possible);
    if (f.serverAddr !== undefined) {
      const addr = f.serverAddr;
      const key = listenAddrKey(addr) ?? addr;
      const exact = groups.filter((g) => g.addr === key);
      // No socket of that address: the wildcard one of its family ([::] listens with
      // ipv6only=on unless told otherwise, so it never accepts an IPv4 connection).
      const v4 = ipv4ToNumber(addr) !== undefined;
      // A host name we could not resolve may have been this address.
      const unresolved = groups.filter((g) => g.unresolved);
      groups = [...(exact.length ? exact : groups.filter((g) => (g.addr === '*' && !addr.includes(':')) || (g.addr === '[::]' && (!v4 || dualStack(g))))), ...unresolved];
      if (!groups.length) throw PRUNE;
    }
    // An IPv6 client came in through an IPv6 socket, an IPv4 one through an IPv4 socket, when the
    // logged address is the connection's: a dual-stack [::] socket (ipv6only=off) logs an IPv4
    // client as ::ffff:a.b.c.d. A port with no socket of the client's family did not take it.
    if (groups.some((g) => g.addr.startsWith('[')) || f.remoteAddr?.includes(':')) {
      this.reads.add('addr_family');
      const fam = connectionFamily(this.model, f);
      if (fam) {
        groups = groups.filter((g) => g.unresolved || g.addr.startsWith('[') === (fam === '6'));
        if (!groups.length) throw PRUNE;
      }
    }
    const gi = this.pickLazy(groups.length, (k) => `the request came to address ${groups[k].addr}:${groups[k].port}`, ['$server_addr']);
    this.group = groups[gi];
  }

  selectServer(g: ListenGroup, host: string): void {
    const s = this.findVirtualServer(g, host);
    this.server = s.server;
    this.path.push(`server ${serverLabel(s.server)}: ${s.why}`);
  }

  findVirtualServer(g: ListenGroup, host: string): { server: ServerModel; why: string } {
    const hq = `"${host}"`;
    if (!namesLookedUp(g)) return { server: g.defaultServer, why: 'the only server of its address:port (its names are not looked up)' };
    const ex = g.exact.get(host);
    if (ex) return { server: ex, why: `Host ${hq} is its exact server_name` };
    // `server_name $hostname`: the machine's name, which the log does not tell.
    const hn = g.exact.get('$hostname');
    if (hn && host && this.pick([`Host ${hq} was the machine's hostname`, ''], []) === 0) return { server: hn, why: `Host ${hq} is the machine's hostname` };
    if (host) {
      for (const w of g.wildHead) {
        // As in maps (ngx_hash_find_wc_head): Host ".x.com" (valid) matches `*.x.com`.
        if (host.endsWith(w.suffix)) return { server: w.server, why: `Host ${hq} matches server_name ${w.sn.name}` };
      }
      for (const w of g.wildTail) {
        if (host.startsWith(w.prefix) && host.length > w.prefix.length) return { server: w.server, why: `Host ${hq} matches server_name ${w.sn.name}` };
      }
      for (const r of g.regex) {
        if (this.match(r.re, host, `server_name ~${r.sn.name} on Host ${hq}`, ['$host'])) {
          return { server: r.server, why: `Host ${hq} matches server_name ~${r.sn.name}` };
        }
      }
    }
    return {
      server: g.defaultServer,
      why: host
        ? `no server_name matches Host ${hq}: the ${g.defaultListen ? 'default_server' : 'first server'} of ${g.addr}:${g.port}`
        : `no Host: the server named "" or the ${g.defaultListen ? 'default_server' : 'first server'} of ${g.addr}:${g.port}`,
    };
  }

  /** A regex result, forking when it cannot be computed. */
  /** `failable`: where nginx turns a failed match into a 500 (RegexFailed), a run too costly for us may be one. */
  exec(r: RegexResult, what: string, missing: string[], failable = false): Match | undefined {
    if (r.kind === 'match') return r;
    if (r.kind === 'nomatch') return undefined;
    const labels = [`${what} matched (${r.reason})`, `${what} did not match (${r.reason})`];
    if (failable && r.costly) labels.push(`${what} failed: PCRE2 reached its match limit (${r.reason})`);
    const i = this.pick(labels, missing);
    if (i === 2) throw new RegexFailed(what);
    return i === 0 ? 'unknown' : undefined;
  }

  /** Runs a regex and records its captures like ngx_http_regex_exec (cleared on no match). */
  match(re: NginxRegex, subject: string, what: string, missing: string[], failable = false): boolean {
    const m = this.exec(re.exec(subject), what, missing, failable);
    if (m === 'unknown') this.unknownMatch(re, missing);
    else if (m) this.setCaptures(m);
    return !!m;
  }

  setCaptures(m: Match): void {
    if (m === 'unknown') return this.unknownCaptures([]);
    this.captures = m.groups.map((x) => x ?? '');
    for (const [k, v] of Object.entries(m.named)) this.vars.set(k.toLowerCase(), v ?? '');
  }

  /**
   * Regexes with at most `groups` groups matched a subject we do not know: their captures and
   * named captures are unknown. ngx_http_regex_exec sets r->ncaptures from the match, so the
   * numbered captures past a regex's groups are empty (`rewrite ^ /x$1` gives "/x").
   */
  unknownMatch(re: { names: readonly string[]; captures: number }, missing: string[]): void {
    this.unknownCaptures(missing, re.captures);
    const u: Unknown = { unknown: missing };
    for (const n of re.names) this.vars.set(n.toLowerCase(), u);
  }

  unknownCaptures(missing: string[], groups = 9): void {
    const u: Unknown = { unknown: missing };
    this.captures = Array.from({ length: 10 }, (_, i) => (i <= groups ? u : ''));
  }

  fromServerRewrite(): Outcome | undefined {
    const server = this.server!;
    this.scope = server.scope;
    const r = this.runCodes(server.scope.codes, 'server');
    if (r.stop) return this.stop(r.stop);
    return this.findConfig();
  }

  findConfig(): Outcome | undefined {
    const server = this.server!;
    let found: ReturnType<Run['findLocation']>;
    try {
      found = this.findLocation(server.locations);
    } catch (e) {
      if (!(e instanceof RegexFailed)) throw e;
      // ngx_http_core_find_config_phase finalizes with 500 under r->loc_conf as the search left it.
      if (e.at) (this.location = e.at), (this.scope = e.at.scope);
      return this.finalize(500, undefined, `${e.what}: the regex failed, 500 (${e.at ? `under location ${locLabel(e.at)}` : 'no location'})`);
    }
    if (found === 'redirect') {
      return this.finalize(301, undefined, `"${this.uri as string}" is a location without its trailing slash: 301`);
    }
    this.location = found;
    if (found) {
      this.scope = found.scope;
      this.path.push(`location ${locLabel(found)}`);
      if (found.internal && !this.internal) return this.finalize(404, undefined, `location ${locLabel(found)} is internal: 404`);
      if (found.limitExcept) {
        const le = found.limitExcept;
        let allowed: boolean;
        if (isUnknown(this.method)) {
          allowed = this.pick([`the method was one of ${[...le.allowed].join(', ')}`, 'the method was not one limit_except allows'], ['$request_method']) === 0;
        } else allowed = le.allowed.has(this.method);
        if (!allowed) {
          this.scope = le.scope;
          this.path.push(`method ${typeof this.method === 'string' ? this.method : '?'} is excluded by limit_except: its block's configuration applies`);
        }
      }
    } else {
      this.path.push('no location matches: the server-level configuration applies');
      this.scope = server.scope;
    }
    const tooLarge = this.bodyTooLarge(found?.scope ?? server.scope);
    if (tooLarge) return this.finalize(413, undefined, tooLarge);
    return this.locationRewrite();
  }

  /**
   * ngx_http_core_find_config_phase: a Content-Length above the location's client_max_body_size
   * is a 413 before its rewrite phase (once: the body is then discarded). The length is rarely
   * logged: without it, fork only where an error_page can turn the 413 into something else.
   */
  bodyTooLarge(locScope: Scope): string | undefined {
    if (this.bodyDiscarded) return undefined;
    const max = parseSize(inherited(locScope, 'client_max_body_size')[0]?.args[0]?.value ?? '1m');
    if (!max) return undefined;
    let len: Val | undefined = this.logged('content_length');
    if (len === undefined) len = this.logged('http_content_length');
    const why = `the request body (Content-Length) exceeded client_max_body_size ${max}: 413`;
    if (len !== undefined && !isUnknown(len)) {
      if (!/^\d+$/.test(len) || +len <= max) return undefined;
      this.bodyDiscarded = true;
      return why;
    }
    if (!hasErrorPage(this.scope!, 413)) return undefined;
    if (this.pick(['', `the (unlogged) Content-Length exceeded client_max_body_size ${max}`], ['$content_length']) === 0) return undefined;
    this.bodyDiscarded = true;
    return why;
  }

  locationRewrite(): Outcome | undefined {
    // ngx_http_rewrite_handler skips the rewrite phase when no location matched: the request
    // then has the server's own configuration, whose codes already ran in the server rewrite phase.
    if (this.location) {
      const r = this.runCodes(this.scope!.codes, 'location');
      if (r.stop) return this.stop(r.stop);
      if (r.uriChanged) {
        // ngx_http_core_post_rewrite_phase: at most 10 URI changes, then 500.
        if (--this.uriChanges === 0) throw TOO_DEEP;
        return this.findConfig();
      }
    }
    const script = this.scriptExit('rewrite');
    if (script !== false) return script;
    return this.preAccess();
  }

  findLocation(set: LocationSet): LocationModel | undefined | 'redirect' {
    if (isUnknown(this.uri)) {
      // A logged `$uri` is where the request ended: this URI, unless it changes again.
      const end = this.loggedUriIsFinal('the URI (not logged) changed again later');
      if (end !== undefined) return this.findIn(set, end);
      // Which location the unlogged URI selects: any of them, or none (an upstream's
      // X-Accel-Redirect: an internal one, as applications address them).
      const all = this.accelUri ? allLocations(set).filter((l) => l.internal) : allLocations(set);
      this.accelUri = false;
      const i = this.pickLazy(all.length + 1, (k) => (k < all.length ? `the URI (not logged) selected location ${locLabel(all[k])}` : 'the URI matched no location'), this.uri.unknown);
      const l = all[i];
      if (l?.re) this.unknownMatch(l.re, this.uri.unknown);
      return l;
    }
    const r = this.findIn(set, this.uri);
    return r;
  }

  /** ngx_http_core_find_location: static tree, nested locations, then regexes in order. */
  findIn(set: LocationSet, uri: string): LocationModel | undefined | 'redirect' {
    const r = this.findLoc(set, uri);
    return r.rc === 'done' ? 'redirect' : r.loc;
  }

  findLoc(set: LocationSet, uri: string): { rc: 'ok' | 'again' | 'declined' | 'done'; loc?: LocationModel } {
    const ex = set.exact.get(uri);
    if (ex) return { rc: 'ok', loc: ex };
    let best: LocationModel | undefined;
    let redirect = false;
    for (const p of set.prefix) {
      if (uri.startsWith(p.key) && (!best || p.key.length > best.key.length)) best = p;
      if (p.autoRedirect && p.key === uri + '/') redirect = true;
    }
    for (const e of set.exact.values()) if (e.autoRedirect && e.key === uri + '/') redirect = true;
    if (redirect && !set.prefix.some((p) => p.key === uri)) return { rc: 'done' };
    let rc: 'again' | 'declined' = 'declined';
    let loc: LocationModel | undefined;
    let noregex = false;
    if (best) {
      rc = 'again';
      loc = best;
      noregex = best.modifier === '^~';
      const inner = under(best, () => this.findLoc(best.nested, uri));
      if (inner.rc === 'ok' || inner.rc === 'done') return inner;
      if (inner.loc) loc = inner.loc;
    }
    if (!noregex) {
      for (const r of set.regex) {
        if (under(loc, () => this.match(r.re!, uri, `location ${locLabel(r)} on the URI`, [], true))) {
          // ngx_http_init_static_location_trees builds no static tree under a regex location:
          // only its nested regexes are searched (a nested prefix or exact location is unreachable).
          const inner = under(r, () => this.findLoc({ exact: NO_EXACT, prefix: [], regex: r.nested.regex }, uri));
          if (inner.rc === 'done') return inner;
          return { rc: 'ok', loc: inner.loc ?? r };
        }
      }
    }
    return { rc, loc };
  }

  /** One level's rewrite-phase program, with `if` bodies inlined as nginx compiles them. */
  runCodes(ops: Op[], level: 'server' | 'location'): Phase {
    let uriChanged = false;
    // ngx_http_rewrite_handler starts each run with e->quote = 1 and e->is_args = 0.
    let quote = true;
    let isArgs = false;
    const exec = (list: Op[]): Phase | 'break' | undefined => {
      for (const op of list) {
        switch (op.op) {
          case 'set': {
            // `$args` is nginx's one changeable built-in here (ngx_http_variable_set_args): it is
            // r->args itself, which `$query_string`, `$arg_*`, `$is_args` and redirects read.
            const v = this.withCaptureEscaping(quote || isArgs, () => this.evalValue(op.value, true));
            if (op.name === 'args') this.args = v;
            else this.vars.set(op.name, v);
            this.mapCache.delete(op.name);
            break;
          }
          case 'return':
            return { stop: { status: op.status, rule: ruleOf(op.d), why: `${dstr(op.d)} (${where(op.d)})` } };
          case 'break':
            // ngx_http_script_break_code also forgets a URI change, and the location with it.
            this.path.push(`break (${where(op.d)})`);
            if (uriChanged) this.validLocation = false;
            uriChanged = false;
            return 'break';
          case 'if': {
            const c = this.withCaptureEscaping(quote || isArgs, () => this.evalCond(op.cond, op.d));
            if (!c) break;
            this.path.push(`if (${op.d.args.map((a) => a.raw).join(' ')}) held (${where(op.d)})`);
            // A location's `if` switches the request to the if block's configuration.
            if (level === 'location') this.scope = op.scope;
            const r = exec(op.body);
            if (r) return r;
            break;
          }
          case 'rewrite': {
            if (isUnknown(this.uri)) {
              const i = this.pick([`rewrite ${op.re.source} matched the unlogged URI`, `rewrite ${op.re.source} did not match the unlogged URI`], this.uri.unknown);
              if (i === 1) break;
              this.unknownMatch(op.re, this.uri.unknown);
            } else {
              if (!this.match(op.re, this.uri, `rewrite ${op.re.source}`, [], true)) {
                this.captures = [];
                break;
              }
            }
            this.path.push(`${dstr(op.d)} matched (${where(op.d)})`);
            if (op.redirect) return { stop: { status: op.redirect, rule: ruleOf(op.d), why: `${dstr(op.d)} redirects (${where(op.d)})` } };
            // ngx_http_script_regex_start_code: e->quote is the rewrite's redirect flag (0 here)
            // from now on; only the replacement's own literal `?` starts the args (a `?` a
            // capture or a variable brings stays in the URI), and captures copied after it are
            // escaped (e->is_args, which stays set for the rest of this run).
            quote = false;
            const split = this.evalReplacement(op.replacement, isArgs);
            if (split.args !== undefined) isArgs = true;
            const repl = split.uri;
            // ngx_http_script_regex_end_code: an empty URI (`$1` of nothing, or only `?args`) ends
            // the script with 500; the URI stays empty (a named error_page then refuses it).
            if (repl === '') {
              this.uri = '';
              return { stop: { status: 500, why: `${dstr(op.d)} (${where(op.d)}) rewrote the URI to nothing: the rewritten URI has a zero length, 500` } };
            }
            // The args follow from the replacement's own `?` whether or not its URI part is known.
            this.uri = repl;
            if (split.args !== undefined) {
              const newArgs = split.args;
              const old = this.args;
              if (isUnknown(newArgs)) this.args = newArgs;
              // Appended to unknown args: `newArgs` or `newArgs&old`, unknown, and a new value
              // (finish tells args a history changed by identity).
              else this.args = op.addArgs && !isUnknown(old) && old ? newArgs + '&' + old : op.addArgs && isUnknown(old) ? { unknown: [...old.unknown] } : newArgs;
            } else if (!op.addArgs) this.args = '';
            uriChanged = true;
            // ngx_http_script_regex_start_code: a rewritten URI makes the request internal, so
            // it may enter `internal` locations.
            this.internal = true;
            if (op.flag === 'break') {
              this.validLocation = false;
              uriChanged = false;
              return 'break';
            }
            if (op.flag === 'last') return 'break';
            break;
          }
        }
      }
      return undefined;
    };
    let r: ReturnType<typeof exec>;
    try {
      r = exec(ops);
    } catch (e) {
      if (!(e instanceof RegexFailed)) throw e;
      return { stop: { status: 500, why: `${e.what}: the regex failed, 500` } };
    }
    if (r && r !== 'break') return r;
    return { uriChanged: level === 'location' ? uriChanged : false };
  }

  withCaptureEscaping<T>(on: boolean, f: () => T): T {
    const saved = this.escapeCaptures;
    this.escapeCaptures = on;
    try {
      return f();
    } finally {
      this.escapeCaptures = saved;
    }
  }

  /**
   * A rewrite replacement as ngx_http_script_regex_start_code builds it: the URI up to the
   * replacement's first literal `?` (ngx_http_script_start_args_code), the args after it
   * (undefined without one). Captures are escaped after that `?`, and before it when an earlier
   * rewrite of this run already reached its args (`argsBefore`).
   */
  evalReplacement(cv: ComplexValue, argsBefore: boolean): { uri: Val; args?: Val } {
    const uriParts: ValuePart[] = [];
    let argParts: ValuePart[] | undefined;
    for (const p of cv.parts) {
      if (argParts) argParts.push(p);
      else if (typeof p === 'string' && p.includes('?')) {
        const q = p.indexOf('?');
        if (q > 0) uriParts.push(p.slice(0, q));
        argParts = q + 1 < p.length ? [p.slice(q + 1)] : [];
      } else uriParts.push(p);
    }
    const val = (parts: ValuePart[]): ComplexValue => ({ raw: cv.raw, parts, literal: parts.every((x) => typeof x === 'string') });
    // ngx_http_script_regex_start_code runs the lengths codes of the whole replacement first.
    if (argParts) this.withCaptureEscaping(argsBefore, () => this.lengthsPass(cv.parts));
    const uri = this.withCaptureEscaping(argsBefore, () => this.evalValue(val(uriParts)));
    if (!argParts) return { uri };
    return { uri, args: this.withCaptureEscaping(true, () => this.evalValue(val(argParts!))) };
  }

  evalCond(c: Cond, d: Directive): boolean {
    const label = `if (${d.args.map((a) => a.raw).join(' ')})`;
    // An unknown condition over request-constant inputs, asked again after an internal redirect,
    // has the answer it had the first time in this history.
    const held = (missing: string[], key = this.constantCondKey(c, d)): boolean => {
      const known = key === undefined ? undefined : this.condAnswers.get(key);
      if (known !== undefined) return known;
      const h = this.pick([`${label} held`, `${label} did not hold`], missing) === 0;
      if (key !== undefined) this.condAnswers.set(key, h);
      return h;
    };
    switch (c.kind) {
      case 'value':
        return this.truthy(c.value, held);
      case 'eq': {
        const l = this.evalValue(c.left, true);
        const r = this.evalValue(c.right, true);
        if (this.hostHeaderValid && isUnknown(l) && isHttpHost(c.left) && r === '') {
          this.path.push(`${label} ${c.negative ? 'held' : 'did not hold'}: an HTTP/1.1 request has a non-empty Host`);
          return c.negative;
        }
        if (isUnknown(l) || isUnknown(r)) return held([...(isUnknown(l) ? l.unknown : []), ...(isUnknown(r) ? r.unknown : [])]);
        return (l === r) !== c.negative;
      }
      case 'regex': {
        const l = this.evalValue(c.left, true);
        if (isUnknown(l)) {
          const h = held(l.unknown);
          // A match sets captures we cannot know.
          if (h !== c.negative) this.unknownMatch(c.re, l.unknown);
          return h;
        }
        const m = this.match(c.re, l, label, [], true);
        if (!m) this.captures = [];
        return m !== c.negative;
      }
      case 'file': {
        // Files do not change while nginx handles one request: the same test of the same name
        // has one answer in a history (a name we cannot evaluate is asked afresh).
        const v = this.evalValue(c.value, true);
        const key = isUnknown(v) ? undefined : `file\u0000${c.op}\u0000${v}`;
        const known = key === undefined ? undefined : this.condAnswers.get(key);
        if (known !== undefined) return known;
        const found = isUnknown(v) ? undefined : this.onDisk(v);
        let h: boolean;
        if (found !== undefined) {
          // ngx_http_script_file_code: any failure to stat (ENOENT, EACCES...) is "no such file".
          const yes = c.op === '-f' ? found?.kind === 'file' : c.op === '-d' ? found?.kind === 'dir' : c.op === '-e' ? found !== null : found?.exec === true;
          h = yes !== c.negative;
          this.path.push(`${label} ${h ? 'held' : 'did not hold'}: ${bytesToText(v as string)} ${found ? `is a ${found.kind}` : 'does not exist'} on this machine`);
        } else {
          h = this.pick([`${label} held (the file system is not in the log)`, `${label} did not hold (the file system is not in the log)`], []) === 0;
        }
        if (key !== undefined) this.condAnswers.set(key, h);
        return h;
      }
      case 'invalid':
        return this.pick([`${label} held`, `${label} did not hold`], []) === 0;
    }
  }

  /**
   * A capture as ngx_http_script_copy_capture_code copies it: escaped with NGX_ESCAPE_ARGS when
   * `escapeCaptures` holds and the request's path had `%` or `+` (r->quoted_uri, r->plus_in_uri).
   */
  capture(n: number): Val {
    for (const m of this.capturesFrom) this.reads.add(`mapcap:${m}`);
    const v = this.captures[n] ?? '';
    if (!this.escapeCaptures || isUnknown(v) || !ARGS_UNSAFE.test(v)) return v;
    const q = this.quotedUri();
    if (typeof q !== 'boolean') return q;
    return q ? escapeArgs(v) : v;
  }

  /**
   * r->quoted_uri || r->plus_in_uri: ngx_http_parse_request_line and ngx_http_parse_complex_uri
   * set them for a `%` or `+` in the path of the request line (before its `?` or `#`).
   */
  quotedUri(): boolean | Unknown {
    const t = this.target;
    if (isUnknown(t)) return t;
    const end = t.search(/[?#]/);
    return /[%+]/.test(end === -1 ? t : t.slice(0, end));
  }

  /**
   * A value with variables, built as nginx's scripts build it: a lengths pass over every part,
   * then a copy pass. A map first read in the lengths pass may run its regex and replace
   * $1..$9 before the copy pass copies a capture written before it (`/x/$1?m=$mobile`).
   * `cut`: the value keeps the length the lengths pass found (`set`, `if`,
   * ngx_http_complex_value); a rewrite or try_files name keeps what was copied.
   */
  evalValue(cv: ComplexValue, cut = false): Val {
    if (cv.literal) return (cv.parts[0] as string | undefined) ?? '';
    if (cv.parts.length === 1) {
      const v = this.partValue(cv.parts[0]);
      return isUnknown(v) ? { unknown: [...new Set(v.unknown)] } : v;
    }
    const length = this.lengthsPass(cv.parts);
    const v = joinPieces(cv.parts.map((p) => this.partValue(p)));
    if (!cut || length === undefined || isUnknown(v) || v.length === length) return v;
    return v.length > length ? v.slice(0, length) : { unknown: ['bytes nginx never wrote (a capture was replaced while the value was built)'] };
  }

  /**
   * The lengths pass, where it matters (a capture written before a variable): every part read
   * in order, for what reading them does to the captures. The total length, when known.
   */
  lengthsPass(parts: readonly ValuePart[]): number | undefined {
    const cap = parts.findIndex((p) => typeof p === 'object' && 'cap' in p);
    if (cap === -1 || !parts.some((p, i) => i > cap && typeof p === 'object' && 'v' in p)) return undefined;
    let length: number | undefined = 0;
    for (const p of parts) {
      const v = this.partValue(p);
      length = length === undefined || isUnknown(v) ? undefined : length + v.length;
    }
    return length;
  }

  partValue(p: ValuePart): Val {
    return typeof p === 'string' ? p : 'cap' in p ? this.capture(p.cap) : this.variable(p.v);
  }

  /**
   * A key for an `if` whose inputs are all fixed for the whole request (request headers, cookies,
   * the Host, the client address, the original request line) and not `set` in this history, so
   * its answer cannot differ between evaluations; undefined otherwise.
   */
  constantCondKey(c: Cond, d: Directive): string | undefined {
    const values = c.kind === 'value' || c.kind === 'file' ? [c.value] : c.kind === 'eq' ? [c.left, c.right] : c.kind === 'regex' ? [c.left] : [];
    for (const cv of values)
      for (const p of cv.parts) {
        if (typeof p === 'string') continue;
        if ('cap' in p || !REQUEST_CONSTANT.test(p.v) || this.vars.has(p.v)) return undefined;
      }
    return `if\u0000${d.file}:${d.range.start.offset}`;
  }

  /** A logged value that nginx wrote as `-`: empty (or, rarely, a literal "-"). */
  dash(name: string): string {
    let v = this.dashCache.get(name);
    if (v === undefined) {
      v = this.pick(['', `$${name} was the literal "-"`], []) === 0 ? '' : '-';
      this.dashCache.set(name, v);
    }
    return v;
  }

  logged(name: string): Val | undefined {
    this.reads.add(name);
    if (!(name in this.facts.vars)) return undefined;
    const v = this.facts.vars[name];
    return v === null ? this.dash(name) : v;
  }

  variable(name: string): Val {
    const set = this.vars.get(name);
    if (set !== undefined) return set;
    const f = this.facts;
    switch (name) {
      case 'uri':
      case 'document_uri':
        return this.uri;
      case 'args':
      case 'query_string':
        this.reads.add('args');
        this.argsFromLog();
        return this.args;
      case 'is_args':
        this.reads.add('args');
        this.argsFromLog();
        return isUnknown(this.args) ? this.args : this.args ? '?' : '';
      case 'request_uri':
        this.reads.add('args');
        return this.target;
      case 'request_method':
        return this.method;
      case 'server_protocol':
        // Not found for HTTP/0.9 (r->http_protocol is never set): read as "".
        if (this.protocol === 'HTTP/0.9') return '';
        // Unlogged, but the line rules HTTP/0.9 out: one of the versions this socket speaks.
        if (isUnknown(this.protocol) && this.not09())
          return this.cachedVar(name, () => {
            const versions = this.group && groupFlag(this.group, 'http2') ? ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0'] : ['HTTP/1.1', 'HTTP/1.0'];
            return versions[this.pickLazy(versions.length, (k) => `the request was ${versions[k]}`, ['$server_protocol'])];
          });
        return this.protocol;
      case 'request':
        this.reads.add('args');
        return f.request ?? this.logged(name) ?? { unknown: ['$request'] };
      case 'host':
        if (this.hostNames) {
          // Asked only when read: most routings never look at $host.
          const names = this.hostNames;
          this.hostNames = undefined;
          this.hostVar = names[this.pickLazy(names.length, (k) => `Host (not logged) was "${names[k]}"`, ['$host'])];
        }
        return this.hostVar;
      case 'server_name':
        return this.serverNameVar();
      case 'server_addr': {
        // The socket's own address: the listen's, unless it is a wildcard (getsockname then).
        if (f.serverAddr !== undefined) return f.serverAddr;
        const g = this.group;
        if (!g || g.unresolved || g.addr === '*' || g.addr === '[::]') return { unknown: ['$server_addr'] };
        return g.addr.startsWith('[') ? g.addr.slice(1, -1) : g.addr;
      }
      case 'server_port':
        return f.serverPort !== undefined ? String(f.serverPort) : this.group ? String(this.group.port) : { unknown: ['$server_port'] };
      case 'remote_addr':
        // Cacheable (flags 0), and realip flushes no variable: whenever it was first read, the
        // log writes that value. Read before realip ran, it is the connection's own address.
        this.reads.add('remote_addr');
        if (this.realipPending() || this.realipMayRunLater()) this.addrCachedBeforeRealip = true;
        return f.remoteAddr ?? { unknown: ['$remote_addr'] };
      case 'realip_remote_addr':
        return this.realipRemoteAddr();
      case 'invalid_referer':
        // Cacheable (NGX_HTTP_VAR_CHANGEABLE only): the first evaluation's value, with the
        // valid_referers of the location in effect then, holds for the rest of the request.
        return this.cachedVar(name, () => this.invalidReferer());
      case 'document_root':
        return this.pathBase()?.root ?? this.logged(name) ?? { unknown: ['$document_root'] };
      case 'request_filename':
        return this.requestFilename() ?? this.logged(name) ?? { unknown: ['$request_filename'] };
      case 'fastcgi_script_name':
      case 'fastcgi_path_info':
        return this.fastcgiSplit(name === 'fastcgi_path_info');
      case 'secure_link':
        return this.secureLinkVar();
      case 'secure_link_expires':
        // ctx->expires: set by an evaluation of $secure_link that read an expiry, else not found.
        if (this.secureLinkExpires !== undefined) return this.secureLinkExpires;
        {
          // Not evaluated yet (no ctx): not found. Evaluated from unlogged inputs: unknown.
          const sl = this.mapCache.get('secure_link');
          return sl !== undefined && isUnknown(sl) ? { unknown: ['$' + name] } : '';
        }
      case 'proxy_protocol_addr':
      case 'proxy_protocol_port':
      case 'proxy_protocol_server_addr':
      case 'proxy_protocol_server_port':
        return this.proxyProtocolVar(name);
      case 'binary_remote_addr': {
        const a = this.connectionAddr();
        return isUnknown(a) ? a : binaryAddr(a);
      }
      case 'scheme':
        return f.scheme ?? (this.group && this.group.servers.length && this.listenFlag('ssl') !== undefined ? (this.listenFlag('ssl') ? 'https' : 'http') : { unknown: ['$scheme'] });
      case 'https':
        if (f.scheme) return f.scheme === 'https' ? 'on' : '';
        return this.group && this.group.servers.length && this.listenFlag('ssl') !== undefined ? (this.listenFlag('ssl') ? 'on' : '') : { unknown: ['$https'] };
      case 'status':
        return this.status ? String(this.status).padStart(3, '0') : '000';
      case 'limit_req_status':
      case 'limit_conn_status': {
        // Not found until the preaccess phase decided (not cacheable): then the logged final value.
        const v = this.limitStatus.get(name);
        return v === undefined ? '' : (this.logged(name) ?? v);
      }
      case 'http_host': {
        const l = this.logged(name);
        if (l !== undefined) return l;
        return this.protocol === 'HTTP/0.9' ? '' : { unknown: ['$http_host'] };
      }
    }
    // The browser module's variables keep their handler under `set` (unset, they are computed);
    // a map or geo of the same name replaces it.
    if ((name === 'modern_browser' || name === 'ancient_browser' || name === 'msie') && !this.model.maps.has(name) && !this.model.geos.has(name)) return this.browserVar(name);
    // Values a request computes (set, captures, map, geo) are recomputed here: a logged value is
    // the one at log time, which later rewrite-phase directives may have changed.
    if (this.model.declaredVars.has(name)) return '';
    // ngx_http_auth_request_variable answers "not found" until an auth_request sets it: an `if` in
    // the rewrite phase before the access phase ran the subrequest reads "".
    if (!this.authSet.has(name) && authRequestSetVars(this.model).has(name) && !this.model.maps.has(name) && !this.model.geos.has(name) && !splitClientsOf(this.model).has(name))
      return '';
    // Before maps and geos: splitClientsOf keeps a split_clients only when it is the variable's
    // last definition.
    const split = splitClientsOf(this.model).get(name);
    if (split) {
      return this.cachedVar(name, () => {
        const src = this.evalValue(split.source);
        return isUnknown(src) ? src : splitValue(split, src);
      });
    }
    const map = this.model.maps.get(name);
    if (map) {
      // A map's value is cached for the rest of the request (internal redirects included) unless
      // it is `volatile` (NGX_HTTP_VAR_NOCACHEABLE).
      const c = this.mapCache.get(name);
      if (c !== undefined && !isVolatileMap(map)) return c;
      this.mapCache.set(name, { unknown: [`$${name}`] }); // breaks cycles
      let v = mapIsKeyable(this.model, map) ? this.readAs(`map:${name}`, () => this.evalMap(name)) : this.evalMap(name);
      if (isUnknown(v) && !isVolatileMap(map)) v = this.loggedCached(name, map) ?? v;
      this.mapCache.set(name, v);
      return v;
    }
    const geo = this.model.geos.get(name);
    if (geo) {
      // The value of the first use holds, whatever its source becomes.
      return this.cachedVar(name, () => {
        const v = geoIsKeyable(geo) ? this.readAs(`geo:${name}`, () => this.evalGeo(name)) : this.evalGeo(name);
        return isUnknown(v) ? (this.loggedCached(name, geo) ?? v) : v;
      });
    }
    if (name.startsWith('arg_')) {
      this.reads.add('args');
      this.argsFromLog();
      const a = this.args;
      if (!isUnknown(a)) return argValue(a, name.slice(4));
      return this.argsAtRead?.asLogged ? (this.logged(name) ?? a) : a;
    }
    const l = this.logged(name);
    if (l !== undefined) return l;
    // ngx_http_process_request_line: an HTTP/0.9 request has no headers.
    if (this.protocol === 'HTTP/0.9' && NO_HEADER_EMPTY.test(name)) return '';
    if (name.startsWith('cookie_')) {
      const c = this.logged('http_cookie');
      if (c === undefined || isUnknown(c)) return { unknown: ['$' + name] };
      return cookieValue(c, name.slice(7));
    }
    return { unknown: ['$' + name] };
  }

  /**
   * Unknown args read when the line logs them (`$args`, `$query_string`, `$arg_NAME`): the log
   * shows them where the request ended, and nginx reads r->args anew on each read (`arg_*` are
   * not cacheable), so a `set $args` or a rewrite after this read made them differ. A fork between
   * "they are the logged ones and stay so" and "they change before the request ends" (finish
   * prunes the history that does otherwise).
   */
  private argsFromLog(): void {
    if (this.argsAtRead || !isUnknown(this.argsVal)) return;
    const whole = this.loggedAtEnd('args');
    if (whole === undefined && !Object.keys(this.facts.vars).some((n) => n.startsWith('arg_'))) return;
    const asLogged = this.pick(['', 'the args changed after they were read (the log shows the final ones)'], ['$request']) === 0;
    if (asLogged && whole !== undefined) this.args = whole === null ? this.dash('args') : whole;
    this.argsAtRead = { val: this.argsVal, asLogged };
  }

  /**
   * A cached variable's (map, geo) logged value, for a first evaluation whose inputs the line
   * lacks: the log writes the value cached then, unless a `set` may have changed it since.
   * Admins log a map's verdict (`"$bot_reason"`); it then decides the `if`s that read it.
   */
  loggedCached(name: string, from: MapModel | GeoModel): Val | undefined {
    if (this.model.declaredVars.has(name)) return undefined;
    // A "-" is an empty value when the variable cannot be the literal "-".
    if (this.facts.vars[name] === null && !mayGiveDash(from)) {
      this.reads.add(name);
      return '';
    }
    const l = this.logged(name);
    return l === undefined || isUnknown(l) ? undefined : l;
  }

  /**
   * `$modern_browser`, `$ancient_browser`, `$msie`: from the User-Agent only, with the browser
   * configuration of the location in effect at the first use, then cached for the request (indexed
   * variables keep their value across internal redirects).
   */
  browserVar(name: 'modern_browser' | 'ancient_browser' | 'msie'): Val {
    return this.cachedVar(name, () => {
      const ua = this.logged('http_user_agent');
      if (ua === undefined) return { unknown: ['$http_user_agent'] };
      if (isUnknown(ua)) return ua;
      // A UA logged as "-" (dash() answers '') was absent or empty: the module treats both alike.
      if (name === 'msie') return isMsie(ua) ? '1' : '';
      return browserVariable(browserConf(this.scope), name, ua);
    });
  }

  /**
   * A cacheable variable (split_clients, geo, browser, secure_link, `$invalid_referer`; maps
   * have their own, for `volatile`): computed at its first use, then kept for the request,
   * internal redirects included (nginx flushes no indexed variable).
   */
  cachedVar(name: string, compute: () => Val): Val {
    let v = this.mapCache.get(name);
    if (v === undefined) this.mapCache.set(name, (v = compute()));
    return v;
  }

  /**
   * Records `key` as what was read instead of the inputs `evaluate` consults: the attribution
   * cache then keys this routing on the answer (lookup.ts derivedReadKey), not the raw inputs.
   */
  readAs(key: string, evaluate: () => Val): Val {
    const saved = this.reads;
    (this as { reads: Set<string> }).reads = new Set();
    try {
      return evaluate();
    } finally {
      (this as { reads: Set<string> }).reads = saved;
      saved.add(key);
    }
  }

  /**
   * The client address as nginx holds it now (r->connection->sockaddr, which `$remote_addr` and
   * a geo without a source read): the logged one, unless realip has yet to run.
   */
  connectionAddr(): Val {
    this.reads.add('remote_addr');
    const f = this.facts;
    if (this.realipPending()) {
      const before = this.logged('realip_remote_addr') ?? (this.addrCachedBeforeRealip ? f.remoteAddr : undefined);
      return before ?? { unknown: ['$realip_remote_addr'] };
    }
    if (this.addrLostToRealip()) return { unknown: ['the address realip took from its header'] };
    if (this.addrChangedLater()) return this.logged('realip_remote_addr') ?? { unknown: ['$realip_remote_addr'] };
    return f.remoteAddr ?? { unknown: ['$remote_addr'] };
  }

  /**
   * Realip configured only in other locations of the server runs in their preaccess phase, after
   * an internal redirect has taken the request there: the logged `$remote_addr` is the address
   * it set, while the access, limit and geo checks before it saw the connection's own. A fork
   * once per history, at the first such check: "no later location's realip changed it" or "one
   * did" (then the address here is `$realip_remote_addr`); finish prunes the second when no such
   * location ran.
   */
  private addrChangedLater(): boolean {
    if (this.realipLater === undefined) {
      if (this.realipLocationRan || !this.server || this.realipInLocation() || !realipBelow(this.model, this.server)) return false;
      // The connection's address logged: the same as the final one, nothing changed it; another,
      // and no server-level realip could have changed it before this point: a later one did.
      const same = this.loggedSameAddr();
      if (same === true) return (this.realipLater = false);
      if (same === false && !inherited(this.server.scope, 'set_real_ip_from').length) return (this.realipLater = true);
      this.realipLater = this.pick(['', 'realip in a later location changed the client address'], ['$realip_remote_addr']) === 1;
    }
    return this.realipLater && !this.realipLocationRan;
  }

  /**
   * Whether the log shows the address from before the location's realip (the variable was read
   * then) while the socket now has the one realip set, which the line does not hold.
   */
  addrLostToRealip(): boolean {
    return this.addrCachedBeforeRealip && this.realipInLocation();
  }

  /**
   * Whether the location (or an `if` in it) configures realip, which then runs in preaccess:
   * unless the server's own realip already replaced the address as the request was read (the
   * post-read phase, under the server's settings), after which realip never runs again
   * (ngx_http_realip_handler declines once its ctx exists).
   */
  realipInLocation(): boolean {
    for (let sc = this.scope; sc && sc.kind !== 'server' && sc.kind !== 'http'; sc = sc.parent) {
      if (sc.byName.has('set_real_ip_from') || sc.byName.has('real_ip_header')) return !this.postReadRealip();
    }
    return false;
  }

  /** Whether the line logs the connection's address and the final one as the same (undefined: it lacks one). */
  private loggedSameAddr(): boolean | undefined {
    const conn = this.logged('realip_remote_addr');
    const addr = this.facts.remoteAddr;
    return typeof conn === 'string' && addr !== undefined ? sameAddress(conn, addr) : undefined;
  }

  /** Whether the server-level realip replaced the address in the post-read phase (asked once per history). */
  private postReadRealip(): boolean {
    if (this.postRead === undefined) {
      this.postRead = false;
      if (!this.server || !inherited(this.server.scope, 'set_real_ip_from').length) return false;
      // The same address before and after: nothing replaced it.
      if (this.loggedSameAddr() === true) return false;
      this.postRead = this.pick(['', "the server's realip replaced the client address as the request was read"], ['$realip_remote_addr']) === 1;
    }
    return this.postRead;
  }

  /**
   * realip configured only at location level runs in the preaccess phase: until then (the whole
   * rewrite phase) `$remote_addr` is still the connection's address, not the logged one.
   */
  realipPending(): boolean {
    if (this.inAccessPhase) return false;
    // The server's rewrite phase, before any location: realip in the one chosen later may yet
    // replace the address read now.
    if (!this.location) return !!this.server && realipBelow(this.model, this.server);
    return this.realipInLocation();
  }

  /**
   * A logged `$limit_req_status` / `$limit_conn_status` is r->main's: not found until a limit of
   * that kind ran, then the value it decided (limitStatus). A history that never met one logs
   * "-" (nothing under escape=json), one that did logs what it set. Not checked once a
   * subrequest ran, whose own limits we do not follow.
   */
  private agreesWithLoggedLimits(): boolean {
    if (this.subrequestRan) return true;
    for (const name of ['limit_req_status', 'limit_conn_status']) {
      if (!(name in this.facts.vars)) continue;
      this.reads.add(name);
      const logged = this.facts.vars[name];
      const mine = this.limitStatus.get(name);
      if (logged === null || logged === '') {
        if (mine !== undefined) return false;
      } else if (mine === undefined || (typeof mine === 'string' && mine !== logged)) return false;
    }
    return true;
  }

  /**
   * Whether the line shows the request was not HTTP/0.9: ngx_http_parse_request_line refuses any
   * method but GET there, and such a request has no headers.
   */
  private not09(): boolean {
    const f = this.facts;
    this.reads.add('method');
    if (f.method !== undefined && f.method !== 'GET') return true;
    if (typeof f.httpHost === 'string' && f.httpHost !== '') return true;
    for (const h of ['http_user_agent', 'http_referer']) {
      this.reads.add(h);
      const v = f.vars[h];
      if (typeof v === 'string' && v !== '') return true;
    }
    return false;
  }

  /**
   * Whether a location's realip may yet run in this request, after a redirect takes it there:
   * none has (it runs once: ngx_http_realip_handler finds its ctx again after a redirect), the
   * server's did not replace the address as the request was read, and some location has one.
   */
  private realipMayRunLater(): boolean {
    return !this.realipLocationRan && !!this.server && !this.postReadRealip() && realipBelow(this.model, this.server);
  }

  /**
   * `$realip_remote_addr`, the connection's address, when not logged: the logged `$remote_addr`
   * unless the server's realip may have replaced it. It did not when its header (logged) names
   * no other address than the one realip's walk from a trusted connection would reach
   * (ngx_http_get_forwarded_addr), or when no set_real_ip_from is in effect. Realip in a
   * location of the server, or from the PROXY protocol: unknown.
   */
  realipRemoteAddr(): Val {
    const l = this.logged('realip_remote_addr');
    if (l !== undefined) return l;
    const unknown: Val = { unknown: ['$realip_remote_addr'] };
    this.reads.add('remote_addr');
    const addr = this.facts.remoteAddr;
    if (addr === undefined || !this.server) return unknown;
    const sc = this.server.scope;
    if (realipBelow(this.model, this.server)) return unknown;
    const from = inherited(sc, 'set_real_ip_from').map((d) => d.args[0]?.value ?? '');
    if (!from.length) return addr;
    const header = (inherited(sc, 'real_ip_header')[0]?.args[0]?.value ?? 'X-Real-IP').toLowerCase();
    if (header === 'proxy_protocol' || from.some((f) => f.startsWith('unix:'))) return unknown;
    const value = this.logged(`http_${header.replace(/-/g, '_')}`);
    if (value === undefined || isUnknown(value)) return unknown;
    if (value === '') return addr;
    const v4 = from.filter((f) => !f.includes(':')).map(parseCidr);
    const v6 = from.filter((f) => f.includes(':')).map(parseCidr6);
    if (v4.some((n) => !n) || v6.some((n) => !n)) return unknown;
    const start = '\u0000';
    const trusted = (a: string) => a === start || addrInNets(a, v4 as Cidr[], v6 as Net6[]);
    const recursive = inherited(sc, 'real_ip_recursive')[0]?.args[0]?.value === 'on';
    const reached = forwardedAddr(value, start, trusted, recursive);
    if (reached === undefined) return unknown;
    return reached === start || !sameAddress(reached, addr) ? addr : unknown;
  }

  /** ngx_http_referer_variable: "" when the Referer is valid for `valid_referers`, else "1". */
  invalidReferer(): Val {
    // ngx_http_referer_merge_conf: the innermost level with valid_referers gives the names and
    // none/blocked; its regexes and server_name regexes, when it has none of its own, are the
    // nearest outer level's that has some.
    let none = false;
    let blocked = false;
    let own = true;
    let hosts: { host: string; uri?: string }[] | undefined;
    let regexes: NginxRegex[] | undefined;
    let serverRegexes: NginxRegex[] | undefined;
    for (let sc = this.scope; sc && !(hosts && regexes && serverRegexes); sc = sc.parent) {
      const d = sc.byName.get('valid_referers');
      if (!d?.length) continue;
      const levelRegexes: NginxRegex[] = [];
      const levelServerRegexes: NginxRegex[] = [];
      const levelHosts: { host: string; uri?: string }[] = [];
      for (const v of d.flatMap((x) => x.args.map((a) => a.value))) {
        if (v === 'none') none ||= own;
        else if (v === 'blocked') blocked ||= own;
        else if (v === 'server_names') {
          for (const sn of this.server?.names ?? []) {
            if (sn.re) levelServerRegexes.push(sn.re);
            else levelHosts.push({ host: sn.name });
          }
        } else if (v.startsWith('~')) levelRegexes.push(compileNginxRegex(v.slice(1), true));
        else {
          const b = textToBytes(v);
          const slash = b.indexOf('/');
          levelHosts.push(slash === -1 ? { host: lowerAscii(b) } : { host: lowerAscii(b.slice(0, slash)), uri: b.slice(slash) });
        }
      }
      hosts ??= levelHosts;
      if (!regexes && levelRegexes.length) regexes = levelRegexes;
      if (!serverRegexes && levelServerRegexes.length) serverRegexes = levelServerRegexes;
      own = false;
    }
    if (!hosts) return '';
    regexes ??= [];
    serverRegexes ??= [];
    const ref = this.logged('http_referer');
    if (ref === undefined) return { unknown: ['$http_referer'] };
    if (isUnknown(ref)) return ref;
    // Logged as absent (`-`, or "" in a JSON format): no Referer (valid with `none`) or an empty
    // one (valid with `blocked`).
    const absent = this.facts.vars.http_referer === null || ref === '';
    if (absent && none !== blocked)
      return this.pick(['the request had no Referer', 'the request had an empty Referer'], ['$http_referer']) === 0
        ? none ? '' : '1'
        : blocked ? '' : '1';
    if (ref === '' && absent) return none ? '' : '1';
    let rest: string | undefined;
    if (ref.length >= 11) {
      const low = ref.slice(0, 8).toLowerCase();
      if (low.startsWith('http://')) rest = ref.slice(7);
      else if (low.startsWith('https://')) rest = ref.slice(8);
    }
    if (rest === undefined) return blocked ? '' : '1';
    let end = 0;
    while (end < rest.length && rest[end] !== '/' && rest[end] !== ':') end++;
    if (end > 256) return '1';
    const host = lowerAscii(rest.slice(0, end));
    const hit = lookupHost(hosts, host);
    if (hit) {
      if (hit.uri === undefined) return '';
      let p = end;
      while (p < rest.length && rest[p] !== '/') p++;
      return rest.slice(p).startsWith(hit.uri) ? '' : '1';
    }
    // ngx_regex_exec_array: no captures are kept (r->captures stays as it was).
    for (const re of serverRegexes) if (this.exec(re.exec(host), `server_name regex on the Referer host`, ['$http_referer'])) return '';
    for (const re of regexes) if (this.exec(re.exec(rest), `valid_referers ~${re.source}`, ['$http_referer'])) return '';
    return '1';
  }

  /**
   * `$secure_link` (ngx_http_secure_link_variable), with the configuration of the location in
   * effect at its first use, then cached for the request. The expiry is compared with nginx's
   * clock when the variable ran, which is at or before the second the line was logged: known
   * from a logged time only when the expiry is not in the window between the request's start
   * (`$request_time` before the log, or a minute when that is not logged) and the log.
   */
  secureLinkVar(): Val {
    return this.cachedVar('secure_link', () => this.evalSecureLink());
  }

  evalSecureLink(): Val {
    const conf = secureLinkConf(this.scope);
    if (conf.secret !== undefined) {
      // The older form hashes the raw request URI past its second '/', args included.
      this.reads.add('args');
      const t = this.target;
      if (isUnknown(t)) return t;
      const first = t.indexOf('/', 1);
      if (first === -1) return '';
      const second = t.indexOf('/', first + 1);
      if (second === -1) return '';
      const rest = t.slice(second + 1);
      const hex = t.slice(first + 1, second);
      if (hex.length !== 32 || !rest || !/^[0-9A-Fa-f]{32}$/.test(hex)) return '';
      return md5(rest + conf.secret).toString('hex') === hex.toLowerCase() ? rest : '';
    }
    if (conf.variable === undefined || conf.md5 === undefined) return '';
    const val = this.evalValue(compileValue(conf.variable));
    if (isUnknown(val)) return val;
    const comma = val.indexOf(',');
    let expires: bigint | undefined;
    let hashText = val;
    if (comma !== -1) {
      hashText = val.slice(0, comma);
      expires = atotm(val.slice(comma + 1));
      if (expires === undefined || expires <= 0n) return '';
      this.secureLinkExpires = val.slice(comma + 1);
    }
    const hash = secureLinkHash(hashText);
    if (!hash) return '';
    const text = this.evalValue(compileValue(conf.md5));
    if (isUnknown(text)) return text;
    if (!md5(text).equals(hash)) return '';
    if (expires === undefined) return '1';
    const logged = loggedSecond(this.facts.vars);
    for (const n of ['msec', 'time_iso8601', 'time_local', 'request_time']) this.reads.add(n);
    if (logged !== undefined) {
      if (expires >= BigInt(logged)) return '1';
      const rt = this.facts.vars.request_time;
      const took = rt && /^\d+(?:\.\d+)?$/.test(rt) ? Math.ceil(Number(rt)) + 1 : 60;
      if (expires < BigInt(logged - took)) return '0';
    }
    // The hash held: the value is "1" or "0", whichever the clock said.
    return this.pick([`the secure link (expires ${expires}) had not expired when checked`, `the secure link (expires ${expires}) had expired when checked`], ['$time_local']) === 0 ? '1' : '0';
  }

  /**
   * `$proxy_protocol_*`: empty on a socket without `proxy_protocol` (c->proxy_protocol is NULL).
   * On one with it, the address is known from the log alone when server-level realip took it from
   * the header: `real_ip_header proxy_protocol`, the logged connection address
   * (`$realip_remote_addr`) trusted and `$remote_addr` changed. A header "PROXY UNKNOWN", or an
   * address realip cannot parse (nginx 1.22 takes any hex digits, dots and colons), leaves
   * `$remote_addr` as it was, so an unchanged address decides nothing. IPv4 only: an IPv6 header
   * address need not be written as nginx prints `$remote_addr`.
   */
  proxyProtocolVar(name: string): Val {
    // Logged as "-": not found (no header, or "PROXY UNKNOWN"), never a literal "-", which the
    // header's address and port cannot hold.
    if (this.facts.vars[name] === null) return this.reads.add(name), '';
    const l = this.logged(name);
    if (l !== undefined) return l;
    const unknown = { unknown: ['$' + name] };
    const pp = this.group && this.group.servers.length ? this.listenFlag('proxyProtocol') : undefined;
    if (pp === false) return '';
    if (pp === undefined || name !== 'proxy_protocol_addr' || !this.server) return unknown;
    const sc = this.server.scope;
    if (inherited(sc, 'real_ip_header')[0]?.args[0]?.value !== 'proxy_protocol') return unknown;
    // Where the server-level realip declined, a location's realip (another header) may have run.
    if (realipBelow(this.model, this.server)) return unknown;
    const from = inherited(sc, 'set_real_ip_from').map((d) => parseCidr(d.args[0]?.value ?? ''));
    const conn = this.logged('realip_remote_addr');
    this.reads.add('remote_addr');
    const addr = this.facts.remoteAddr;
    if (conn === undefined || isUnknown(conn) || addr === undefined || conn === addr) return unknown;
    const n = ipv4ToNumber(conn);
    if (n === undefined || ipv4ToNumber(addr) === undefined || from.some((c) => !c)) return unknown;
    // An untrusted connection: realip did not run, and $remote_addr cannot differ from it.
    return from.some((c) => c && n >= c.lo && n <= c.hi) ? addr : unknown;
  }

  /** groupFlag of the request's address:port; undefined before a server of it is chosen. */
  listenFlag(flag: 'ssl' | 'proxyProtocol'): boolean | undefined {
    const g = this.group!;
    if (!this.server?.listens.some((x) => x.port === g.port && x.addr === g.addr)) return undefined;
    return groupFlag(g, flag);
  }

  evalMap(name: string): Val {
    const m = this.model.maps.get(name)!;
    const pieces = m.source.literal ? [this.evalValue(m.source)] : m.source.parts.map((p) => this.partValue(p));
    const src = joinPieces(pieces);
    if (isUnknown(src)) {
      // A key partly known (`"$ua_class:$request_method"` without the method logged) may still
      // pick one entry whatever the rest is.
      const e = pieces.length > 1 ? partialMapEntry(m, pieces) : undefined;
      if (!e) {
        // Any regex key may have matched, and set $1..$9 and its named captures.
        this.regexKeysMayHaveMatched(m, src.unknown);
        return src;
      }
      if (e.re) this.unknownMatch(e.re, src.unknown);
      return this.evalValue(e.value);
    }
    // ngx_http_map_find: a regex key's match sets r->captures (every match: a key without
    // groups empties $1..$9) and its named captures, and they stay for the rest of the request.
    if (m.constant) {
      const e = constantMapLookup(m)(src);
      if (e.match) this.setCaptures(e.match);
      if (m.regex.length && mapIsKeyable(this.model, m)) this.capturesFrom = [...this.capturesFrom, name];
      return e.value;
    }
    const e = findMapEntry(m, src);
    if ('unknown' in e) {
      const missing = [`$${name} (${e.unknown})`];
      this.regexKeysMayHaveMatched(m, missing);
      return { unknown: missing };
    }
    if (e.match) this.setCaptures(e.match);
    return this.evalValue(e.value);
  }

  private regexKeysMayHaveMatched(m: MapModel, missing: string[]): void {
    if (m.regex.length) this.unknownMatch(regexKeysOf(m), missing);
  }

  evalGeo(name: string): Val {
    const g = this.model.geos.get(name)!;
    let addr: Val = g.source ? this.evalValue(g.source) : this.connectionAddr();
    // ngx_http_geo_addr: the proxy step follows the address, from the connection or from the
    // geo's own source variable alike.
    if (!isUnknown(addr) && (g.proxies.length || g.proxies6.length) && isGeoProxy(g, addr)) {
      const xff = this.logged('http_x_forwarded_for');
      if (xff === undefined || isUnknown(xff)) return { unknown: ['$http_x_forwarded_for'] };
      // An absent header leaves the address (logged "-": dash() answers '').
      const a = xff === '' ? addr : forwardedAddr(xff, addr, (x) => isGeoProxy(g, x), g.proxyRecursive);
      if (a === undefined) return { unknown: ['$http_x_forwarded_for (its header lines)'] };
      addr = a;
    }
    if (isUnknown(addr)) return addr;
    return geoValue(g, addr);
  }

  preAccess(): Outcome | undefined {
    const scope = this.scope!;
    // realip's preaccess handler runs first (handlers run in reverse module order: realip,
    // limit_req, limit_conn): the limits' keys see the address it set.
    this.inAccessPhase = true;
    if (this.realipInLocation()) this.realipLocationRan = true;
    // limit_req / limit_conn decide once per request (r->main->limit_req_status/limit_conn_status
    // short-cut them), but only from the first location that has them: a try_files, index or
    // error_page redirect out of a location without limits meets the next one's.
    // A limit whose zone key is empty for this request is skipped (and sets no status).
    const lr = this.limitReqDone ? [] : this.keyedLimits(inherited(scope, 'limit_req'), 'limit_req_zone', 65535);
    const lc = this.limitConnDone ? [] : this.keyedLimits(inherited(scope, 'limit_conn'), 'limit_conn_zone', 255);
    if (!lr.length && !lc.length) return this.access();
    if (lr.length) this.limitReqDone = true;
    // Whether a limit fired is not in the log, unless its status variable is.
    const dry = inherited(scope, 'limit_req_dry_run')[0]?.args[0]?.value === 'on';
    const cdry = inherited(scope, 'limit_conn_dry_run')[0]?.args[0]?.value === 'on';
    // $limit_req_status / $limit_conn_status, when logged, say whether each limit rejected it.
    const rejected = (name: string): boolean | undefined => {
      // Read even when absent: a line that logs it must not share this answer.
      this.reads.add(name);
      if (!(name in this.facts.vars)) return undefined;
      return this.facts.vars[name] === 'REJECTED';
    };
    const reqRejected = lr.length && !dry ? rejected('limit_req_status') : false;
    const connRejected = lc.length && !cdry ? rejected('limit_conn_status') : false;
    const labels: string[] = [];
    const acts: (() => Outcome | undefined)[] = [];
    if (reqRejected !== true && connRejected !== true) labels.push('no limit fired'), acts.push(() => undefined);
    if (lr.length && !dry && reqRejected !== false) {
      const st = inherited(scope, 'limit_req_status')[0];
      const status = st ? +st.args[0].value : 503;
      labels.push(`limit_req (${where(lr[0])}) rejected the request`);
      acts.push(() => this.finalize(status, ruleOf(st ?? lr[0]), `limit_req rejected it with ${status} (${where(st ?? lr[0])})`));
    }
    // limit_req runs first (the preaccess handlers run in reverse module order): a request it
    // rejected never met limit_conn.
    if (lc.length && !cdry && connRejected !== false && reqRejected !== true) {
      const st = inherited(scope, 'limit_conn_status')[0];
      const status = st ? +st.args[0].value : 503;
      labels.push(`limit_conn (${where(lc[0])}) rejected the request`);
      acts.push(() => this.finalize(status, ruleOf(st ?? lc[0]), `limit_conn rejected it with ${status} (${where(st ?? lc[0])})`));
    }
    if (!acts.length) throw PRUNE;
    const i = acts.length > 1 || labels[0] !== 'no limit fired' ? this.pick(labels, []) : 0;
    const fired = labels[i] === 'no limit fired' ? undefined : labels[i].startsWith('limit_req') ? 'req' : 'conn';
    // r->main->limit_req_status / limit_conn_status, as the variables read them from now on.
    if (lr.length) this.limitStatus.set('limit_req_status', fired === 'req' ? 'REJECTED' : !dry && lr.every((d) => d.args.some((a) => a.value === 'nodelay')) ? 'PASSED' : { unknown: ['$limit_req_status'] });
    // A request limit_req rejected never met limit_conn (r->main->limit_conn_status stays 0): after
    // the error_page redirect, the target's limit_conn still runs.
    if (lc.length && fired !== 'req') {
      this.limitConnDone = true;
      this.limitStatus.set('limit_conn_status', fired === 'conn' ? 'REJECTED' : cdry ? { unknown: ['$limit_conn_status'] } : 'PASSED');
    }
    if (fired) return acts[i]();
    return this.access();
  }

  /**
   * The limits of `ds` that apply: nginx skips one whose key is empty (`map ... $limit_key { 0
   * ""; ... }` whitelists) or longer than `longest` (ngx_http_limit_req_handler,
   * ngx_http_limit_conn_handler), and when it skips them all the request is not marked limited
   * (a later location's limits still run). Keys the log does not give: a fork, where all of them
   * are unknown, between none and these applying.
   */
  keyedLimits(ds: Directive[], zoneDirective: string, longest: number): Directive[] {
    if (!ds.length) return ds;
    const zones = zoneKeys(this.model, zoneDirective);
    const unknown = new Set<string>();
    let sure = false;
    const kept = ds.filter((d) => {
      const zoneArg = d.args.find((a) => a.value.startsWith('zone='))?.value.slice(5) ?? d.args[0]?.value;
      const key = zoneArg === undefined ? undefined : zones.get(zoneArg);
      // A key that can be neither empty nor too long is not evaluated (nor read: answers stay
      // shared across clients).
      if (!key || (!mayBeEmpty(key) && !mayBeLong(key, longest))) return (sure = true);
      const v = this.evalValue(key);
      if (isUnknown(v)) {
        for (const m of v.unknown) unknown.add(m);
        return true;
      }
      return v !== '' && v.length <= longest && (sure = true);
    });
    if (kept.length && !sure && this.pick(['', `the (unlogged) ${zoneDirective.replace('_zone', '')} keys were empty: no such limit applied`], [...unknown]) === 1) return [];
    return kept;
  }

  access(): Outcome | undefined {
    const scope = this.scope!;
    this.inAccessPhase = true;
    const rules = inheritedAny(scope, ['allow', 'deny']);
    let accessResult: 'allow' | 'deny' | 'none' = 'none';
    let denyRule: Directive | undefined;
    if (rules.length) {
      // The address as realip left it (connectionAddr), without reading it whole: the rules
      // below read only its membership in their networks.
      const changed = this.addrChangedLater();
      const before = changed ? this.logged('realip_remote_addr') : undefined;
      const addr = this.addrLostToRealip() ? undefined : changed ? (typeof before === 'string' ? before : undefined) : this.facts.remoteAddr;
      let n4 = addr !== undefined ? ipv4ToNumber(addr) : undefined;
      let n6 = n4 === undefined && addr?.includes(':') ? ipv6ToBigInt(addr) : undefined;
      // ngx_http_access_module keeps one rule list per address family (`all` is in each): an
      // IPv6 client is checked against the IPv6 rules only, or, IPv4-mapped, against the IPv4
      // rules as IPv4 when there are any.
      if (n6 !== undefined) {
        const mapped = v4Mapped(n6);
        if (mapped !== undefined && rules.some((r) => isV4Rule(r.args[0]?.value ?? ''))) (n4 = mapped), (n6 = undefined);
      }
      for (const r of rules) {
        const arg = r.args[0]?.value ?? '';
        // What the answer depends on: membership in this network, not the address itself.
        this.reads.add('net:' + arg);
        let hit: boolean;
        if (arg === 'all') hit = true;
        else if (addr === 'unix:' || arg.startsWith('unix:')) hit = addr === 'unix:' && arg.startsWith('unix:');
        else if (n4 !== undefined) {
          const c = parseCidr(arg);
          hit = c ? n4 >= c.lo && n4 <= c.hi : false;
        } else if (n6 !== undefined) {
          const c6 = arg.includes(':') ? parseCidr6(arg) : undefined;
          if (arg.includes(':') && !c6) hit = this.pick([`${dstr(r)} matched ${addr}`, `${dstr(r)} did not match ${addr}`], []) === 0;
          else hit = c6 ? inNet6(n6, c6) : false;
        } else if (addr !== undefined) {
          hit = this.pick([`${dstr(r)} matched ${addr}`, `${dstr(r)} did not match ${addr}`], []) === 0;
        } else hit = this.pick([`${dstr(r)} matched the unlogged client address`, `${dstr(r)} did not match the unlogged client address`], ['$remote_addr']) === 0;
        if (hit) {
          accessResult = r.name === 'allow' ? 'allow' : 'deny';
          if (r.name === 'deny') denyRule = r;
          break;
        }
      }
    }
    // ngx_http_auth_basic_handler declines without both a realm and a user file.
    const ab = inherited(scope, 'auth_basic')[0];
    const auth = !!ab && ab.args[0]?.value !== 'off' && inherited(scope, 'auth_basic_user_file').length > 0;
    const ar = inherited(scope, 'auth_request')[0];
    const authReq = !!ar && ar.args[0]?.value !== 'off';
    const satisfyAny = inherited(scope, 'satisfy')[0]?.args[0]?.value === 'any';
    // The access-phase handlers run in reverse module order: access, auth_basic, auth_request.
    // ngx_http_auth_request_handler: a 2xx lets the request through, 401 and 403 pass on, any
    // other status of the subrequest is a 500.
    const subrequest = (): 'ok' | 401 | 403 | 500 => {
      // Whatever it answered, ngx_http_auth_request_handler sets this level's auth_request_set
      // variables before it returns: from then on (redirects included) they hold the values.
      for (const d of inherited(scope, 'auth_request_set')) {
        const v = definedVariable(d);
        if (v) this.authSet.add(v.name);
      }
      this.sharedWithSubrequest(ar);
      return (['ok', 401, 403, 500] as const)[
        this.pick(['the auth_request subrequest allowed it', 'the auth_request subrequest refused it (401)', 'the auth_request subrequest refused it (403)', 'the auth_request subrequest answered another status (500)'], [])
      ];
    };
    const refused = (st: 401 | 403 | 500) => this.finalize(st, ruleOf(ar), `${dstr(ar)} (${where(ar)}) ${st === 500 ? 'got an unexpected status from its subrequest' : 'refused the request'}: ${st}`);
    if (satisfyAny) {
      // ngx_http_core_access_phase: the first handler's OK lets the request through; otherwise
      // the status is that of the refusals, 401 sticking once a handler answered it (over the
      // access module's 403); any other error ends the phase at once.
      if (accessResult === 'allow') return this.preContent();
      if (auth && this.basicAuthAccepted()) return this.preContent();
      let sub: 401 | 403 | undefined;
      if (authReq) {
        const closed = this.subrequestClose(ar, 'auth_request');
        if (closed !== false) return closed;
        const a = subrequest();
        if (a === 'ok') return this.preContent();
        if (a === 500) return refused(a);
        sub = a;
      }
      if (auth) return this.finalize(401, ruleOf(ab), `access refused (satisfy any): ${dstr(ab)} (${where(ab)}) answered 401`);
      if (sub) return this.finalize(sub, ruleOf(ar), `access refused (satisfy any): ${dstr(ar)} (${where(ar)}) answered ${sub}`);
      if (accessResult === 'deny') return this.finalize(403, ruleOf(denyRule!), `${dstr(denyRule!)} (${where(denyRule!)}) denied it: 403`);
      return this.preContent();
    }
    if (accessResult === 'deny') return this.finalize(403, ruleOf(denyRule!), `${dstr(denyRule!)} (${where(denyRule!)}) denied it: 403`);
    if (auth && !this.basicAuthAccepted()) return this.finalize(401, ruleOf(ab), `${dstr(ab)} (${where(ab)}) refused the credentials: 401`);
    if (authReq) {
      const closed = this.subrequestClose(ar, 'auth_request');
      if (closed !== false) return closed;
      const a = subrequest();
      if (a !== 'ok') return refused(a);
    }
    return this.preContent();
  }

  /** The location a subrequest to the directive's URI runs in (undefined: none matches); undefined when the URI is not known. */
  subrequestLocation(via: Directive): { path: string; loc: LocationModel | undefined | 'redirect' } | undefined {
    const raw = via.args[0]?.value;
    if (!raw || raw === 'off' || raw.includes('$') || !this.server) return undefined;
    const path = raw.split('?')[0];
    // The subrequest matches its location with captures of its own (r->captures): the main
    // request's $1..$9 stay as they were (an error_page target may read them after a refusal).
    const saved = this.captures;
    const savedFrom = this.capturesFrom;
    try {
      return { path, loc: this.findIn(this.server.locations, path) };
    } finally {
      this.captures = saved;
      this.capturesFrom = savedFrom;
    }
  }

  /**
   * ngx_http_subrequest shares the main request's variables (sr->variables = r->variables): what
   * the subrequest's location `set`s, the maps it reads first (cached, with its URI and method),
   * and its location regex's named captures are the main request's from then on. Its code is not
   * run here: those become unknown.
   */
  sharedWithSubrequest(via: Directive): void {
    const found = this.subrequestLocation(via);
    const unknown: Unknown = { unknown: [`what the ${via.name} subrequest set`] };
    if (!found) {
      // A URI we cannot tell: any map not read yet may be cached by it.
      for (const n of this.model.maps.keys()) if (!this.mapCache.has(n)) this.mapCache.set(n, unknown);
      return;
    }
    const loc = found.loc;
    if (!loc || loc === 'redirect') return;
    const visit = (d: Directive): void => {
      const target = d.name === 'set' ? d.args[0]?.value.replace(/^\$/, '').toLowerCase() : undefined;
      if (target && target !== 'args') this.vars.set(target, unknown);
      argVars(d.args, (n) => {
        if (this.model.maps.has(n) && !this.mapCache.has(n)) this.mapCache.set(n, unknown);
      });
      d.block?.children.forEach(visit);
    };
    loc.scope.items.forEach(visit);
    if (loc.re) for (const n of loc.re.names) this.vars.set(n.toLowerCase(), unknown);
  }

  /**
   * ngx_http_mirror_module: each `mirror` URI gets a background subrequest in the precontent
   * phase. One that closes with 444 (ngx_http_terminate_request) before the main request has
   * sent anything makes the main request logged 444 too: a fork where the main request waits
   * for an upstream (a static answer is sent first).
   */
  mirrorClose(): Outcome | undefined | false {
    for (const d of inherited(this.scope, 'mirror')) {
      const closed = this.subrequestClose(d, 'mirror');
      if (closed !== false) return closed;
    }
    return false;
  }

  /**
   * A `return 444` (or `try_files ... =444`, or a limit rejecting with 444) in the location a
   * subrequest (auth_request, mirror) goes to: nginx terminates the main request with it
   * (ngx_http_terminate_request) and logs 444 for it. The subrequest's own conditions are not
   * evaluated: each such drop is a fork, after the subrequest's plain answers. False when the
   * location has none.
   */
  subrequestClose(via: Directive, kind: string): Outcome | undefined | false {
    this.subrequestRan = true;
    const found = this.subrequestLocation(via);
    if (!found || found.loc === 'redirect' || !this.server) return false;
    const { path, loc } = found;
    // The drops written in that location: `return 444`, and `try_files ... =444`, which ends the
    // subrequest as well (a file the subrequest finds lets it through); and those of the named
    // locations its error_page sends the subrequest to. A URI no location matches runs with the
    // server's own settings: its try_files (its rewrite codes do not run again).
    const scope = loc ? loc.scope : this.server.scope;
    const blocks = loc ? [loc.d] : [];
    const serverLevel = new Set(loc ? [] : inherited(scope, 'try_files'));
    for (const d of inherited(scope, 'error_page')) {
      const named = this.server.named.get(d.args[d.args.length - 1]?.value ?? '');
      if (named && !blocks.includes(named.d)) blocks.push(named.d);
    }
    const closes = this.model.sources444.filter(
      (r) =>
        (r.directive.name === 'return' || r.directive.name === 'try_files') &&
        (serverLevel.has(r.directive) || blocks.some((b) => r.file === b.file && containsOffset(b.range, r.range.start.offset))),
    );
    // Its preaccess phase: a limit there rejecting with 444 terminates the main request too,
    // unless the main request's own limits already ran (r->main->limit_req_status).
    for (const [limit, done] of [['limit_req', this.limitReqDone], ['limit_conn', this.limitConnDone]] as const) {
      const st = inherited(scope, `${limit}_status`)[0];
      if (!done && inherited(scope, limit).length && st?.args[0]?.value === '444') closes.push(ruleOf(st));
    }
    // A subrequest that may redirect (error_page, rewrite, try_files, an upstream's
    // X-Accel-Redirect) may end in any drop of the server: not followed, each is a possibility.
    if (subrequestMayRedirect(this.model, scope)) {
      for (const p of sources444Places(this.model)) {
        const d = p.rule.directive;
        if ((p.server === this.server || !p.server) && (d.name === 'return' || d.name === 'try_files') && !closes.some((c) => c.directive === d)) closes.push(p.rule);
      }
    }
    if (!closes.length) return false;
    const i = this.pick(['', ...closes.map((r) => `the ${kind} subrequest to ${path} ran ${dstr(r.directive)} (${where(r.directive)})`)], []);
    if (i === 0) return false;
    const r = closes[i - 1];
    return this.finish(444, r, `${dstr(via)} (${where(via)}): its subrequest ran ${dstr(r.directive)} (${where(r.directive)}), which closed the connection (444)`);
  }

  /**
   * Whether auth_basic accepted the request. `$remote_user` logged as `-` means no user name was
   * sent (no or a malformed Authorization header, or an empty name): always 401
   * (ngx_http_auth_basic_user declines). A user name does not tell whether the password matched.
   */
  basicAuthAccepted(): boolean {
    this.reads.add('remote_user');
    const u = this.facts.vars.remote_user;
    if (u === null || u === '') {
      this.path.push('no user name was sent ($remote_user is empty): auth_basic answers 401');
      return false;
    }
    return this.pick(['the credentials were accepted', 'the credentials were refused (401)'], u === undefined ? ['$remote_user'] : []) === 0;
  }

  preContent(): Outcome | undefined {
    // The end of the access phase, which the request passed.
    const script = this.scriptExit('access');
    if (script !== false) return script;
    const scope = this.scope!;
    // try_files is not inherited: only the level in effect counts.
    const tf = scope.byName.get('try_files')?.[0];
    if (tf && tf.args.length >= 2 && this.aliasRefused()) return this.finalize(500, undefined, `try_files (${where(tf)}): ${ALIAS_REFUSED}`);
    if (tf && tf.args.length >= 2) {
      const last = tf.args[tf.args.length - 1].value;
      // A directory candidate (`$uri/`) that exists becomes the URI without its slash (nginx drops
      // it when reading the directive): `/blog/` then goes on to the index module, `/blog` to the
      // static module's 301. A file candidate is served as is.
      const dirs = tf.args.slice(0, -1).filter((a) => a.value.endsWith('/'));
      const labels = ['a try_files file candidate existed', ...dirs.map((a) => `try_files: ${a.value} was an existing directory`), `no try_files candidate existed: fallback ${last}`];
      const i = this.tryFilesOnDisk(tf, labels.length) ?? this.pickFs('try_files', tf, ['$uri', ...tf.args.slice(0, -1).map((a) => a.value)], labels);
      if (i > 0 && i <= dirs.length) {
        this.uri = this.evalValue(compileValue(dirs[i - 1].value.slice(0, -1)));
        this.path.push(`try_files: ${dirs[i - 1].value} was a directory (${where(tf)})`);
        return this.content();
      }
      if (i === labels.length - 1) {
        const m = /^=(\d+)$/.exec(last);
        if (m) return this.finalize(+m[1], ruleOf(tf), `try_files fell back to ${last} (${where(tf)})`);
        if (last.startsWith('@')) return this.namedLocation(last, `try_files fell back to ${last} (${where(tf)})`);
        return this.redirectTo(last, `try_files fell back to ${last} (${where(tf)})`, false);
      }
    }
    return this.content();
  }

  /**
   * Which try_files candidate exists on this machine (ngx_http_try_files_handler): the index of
   * preContent's labels (0: a file candidate, k: the k-th directory candidate, last: none), or
   * undefined when the files are not here or a name cannot be evaluated.
   */
  tryFilesOnDisk(tf: Directive, labels: number): number | undefined {
    const here = this.filesHere();
    if (!here) return undefined;
    const { probe, base } = here;
    const uri = this.uri;
    if (isUnknown(uri)) return undefined;
    let dir = 0;
    for (const a of tf.args.slice(0, -1)) {
      // A candidate ending in "/" is tested as a directory, without its slash.
      const testDir = a.value.endsWith('/');
      if (testDir) dir++;
      let name = this.evalValue(compileValue(testDir ? a.value.slice(0, -1) : a.value));
      if (isUnknown(name)) return undefined;
      // Under alias, a computed name that starts as the URI does loses the location's part.
      if (base.alias && a.value.includes('$') && name.startsWith(uri.slice(0, base.alias))) name = name.slice(base.alias);
      const found = probe(base.root + name);
      if (found === undefined) return undefined;
      if (found === null || (found.kind === 'dir') !== testDir) continue;
      this.path.push(`try_files: ${bytesToText(base.root + name)} is a ${found.kind} on this machine (${where(tf)})`);
      return testDir ? dir : 0;
    }
    this.path.push(`try_files: no candidate exists on this machine (${where(tf)})`);
    return labels - 1;
  }

  /**
   * The probe and the request's path base when its files are on this machine (the root, or a
   * prefix location's alias, exists as a directory), for the questions that build a path from
   * them (try_files, index); undefined otherwise.
   */
  filesHere(): { probe: FileProbe; base: { root: string; alias: number } } | undefined {
    const probe = this.options.files;
    if (!probe) return undefined;
    const base = this.pathBase();
    if (!base || base.alias < 0 || isUnknown(base.root) || probe(base.root || '/')?.kind !== 'dir') return undefined;
    return { probe, base: { root: base.root, alias: base.alias } };
  }

  /**
   * Which of indexRedirect's answers the files on this machine give (ngx_http_index_handler): the
   * first of the `count` index names that exists (a file or not); when none does, the absolute
   * last name, or, after the names, whether the directory exists (no index file, or no directory:
   * nginx tests the directory at the first missing name). Undefined when the files are not here.
   * `targets`: the URI each answer leads to (uri + name, the absolute name, or none).
   */
  indexOnDisk(uri: string, targets: readonly (Val | undefined)[], count: number, absoluteLast: boolean): number | { dirExists: boolean } | undefined {
    const here = this.filesHere();
    if (!here) return undefined;
    const { probe, base } = here;
    const dir = base.root + uri.slice(base.alias);
    const relative = absoluteLast ? count - 1 : count;
    for (let i = 0; i < relative; i++) {
      const t = targets[i];
      if (t === undefined || isUnknown(t)) return undefined;
      const found = probe(dir + t.slice(uri.length));
      if (found === undefined) return undefined;
      if (found) {
        this.path.push(`index: ${bytesToText(dir + t.slice(uri.length))} exists on this machine`);
        return i;
      }
    }
    if (relative === 0) return 0;
    const dirFound = probe(dir.slice(0, -1) || '/');
    if (dirFound === undefined) return undefined;
    if (dirFound?.kind === 'dir' && absoluteLast) return count - 1;
    this.path.push(dirFound?.kind === 'dir' ? `index: no index file exists in ${bytesToText(dir)} on this machine` : `index: ${bytesToText(dir)} does not exist on this machine`);
    return { dirExists: dirFound?.kind === 'dir' };
  }

  /**
   * Where the request's files are (ngx_http_core_root, ngx_http_map_uri_to_path): the `root` in
   * effect, absolute from the prefix and without the trailing slash of a plain one, or an `alias`
   * with the length of its location's name, which the URI loses, or -1 in a regex location
   * (the alias, with its captures, is the whole path). A relative one is under
   * nginx's prefix: unknown unless the caller gave it (a test nginx runs with -p elsewhere, and
   * Debian's default tree may hold other files by the same names).
   */
  pathBase(): { root: Val; alias: number } | undefined {
    // Paths are byte strings, as the URI they are joined with (FileProbe).
    const underPrefix = (v: string): Val => (this.model.prefixGiven ? textToBytes(this.model.prefix) + v : { unknown: ['nginx\'s prefix (trace --prefix)'] });
    const full = (raw: string, strip: boolean): Val => {
      if (raw.includes('$')) {
        const v = this.evalValue(compileValue(raw));
        return isUnknown(v) || v.startsWith('/') ? v : underPrefix(v);
      }
      const plain = textToBytes(strip && raw.endsWith('/') ? raw.slice(0, -1) : raw);
      return plain.startsWith('/') || plain === '' ? plain : underPrefix(plain);
    };
    for (let s = this.scope; s; s = s.parent) {
      const alias = s.byName.get('alias')?.[0];
      if (alias) {
        const loc = s.location;
        const raw = alias.args[0]?.value;
        if (!loc || raw === undefined || loc.modifier === '@') return undefined;
        // In a regex location the alias (its captures) names the whole file: alias -1.
        return { root: full(raw, false), alias: loc.modifier === '~' || loc.modifier === '~*' ? -1 : loc.key.length };
      }
      const root = s.byName.get('root')?.[0];
      if (!root) continue;
      const raw = root.args[0]?.value;
      return raw === undefined ? undefined : { root: full(raw, true), alias: 0 };
    }
    return { root: underPrefix('html'), alias: 0 };
  }

  /** `$request_filename`: the path base and the URI (less the location's part under alias). */
  requestFilename(): Val | undefined {
    const base = this.pathBase();
    if (!base) return undefined;
    if (base.alias !== 0 && !this.validLocation) return '';
    const uri = this.uri;
    if (isUnknown(base.root) || base.alias < 0) return base.root;
    if (isUnknown(uri)) return uri;
    return uri.length >= base.alias ? base.root + uri.slice(base.alias) : undefined;
  }

  /**
   * What is at `path` on this machine, when the tree the config serves is here: the root (or
   * alias) exists, for a path under it, or else the path's directory does.
   */
  onDisk(path: string): FileFound | null | undefined {
    const probe = this.options.files;
    if (!probe || !path.startsWith('/')) return undefined;
    const pb = this.pathBase();
    const root = pb && pb.alias >= 0 ? pb.root : undefined;
    const under = typeof root === 'string' && root !== '' && (path === root || path.startsWith(root.endsWith('/') ? root : root + '/'));
    const base = under ? root : path.slice(0, path.lastIndexOf('/')) || '/';
    if (probe(base)?.kind !== 'dir') return undefined;
    return probe(path);
  }

  /**
   * `$fastcgi_script_name` / `$fastcgi_path_info` (ngx_http_fastcgi_split): the URI, or the two
   * captures of the fastcgi_split_path_info regex in effect when it matches the URI; a script
   * name ending in `/` gets fastcgi_index. Debian's snippets/fastcgi-php.conf tries the script
   * name as a file (`try_files $fastcgi_script_name =404`).
   */
  fastcgiSplit(pathInfo: boolean): Val {
    const uri = this.uri;
    const what = pathInfo ? '$fastcgi_path_info' : '$fastcgi_script_name';
    if (isUnknown(uri)) return { unknown: [...uri.unknown, what] };
    const split = inherited(this.scope, 'fastcgi_split_path_info')[0]?.args[0]?.value;
    let script = uri;
    let info = '';
    if (split !== undefined) {
      const r = compileNginxRegex(split, false).exec(uri);
      if (r.kind === 'unknown') return { unknown: [what] };
      if (r.kind === 'match') {
        script = r.groups[1] ?? '';
        info = r.groups[2] ?? '';
      }
    }
    if (pathInfo) return info;
    if (script === '' || !script.endsWith('/')) return script;
    return script + textToBytes(inherited(this.scope, 'fastcgi_index')[0]?.args[0]?.value ?? '');
  }

  /** The URI cannot be mapped to a file here: an `alias` location after a break-type rewrite. */
  aliasRefused(): boolean {
    return !this.validLocation && (this.pathBase()?.alias ?? 0) !== 0;
  }

  content(): Outcome | undefined {
    // The index and static modules map the URI to a file first (GET, HEAD and POST; others are
    // declined or refused before).
    if (this.aliasRefused() && !this.contentHandler() && typeof this.method === 'string' && ['GET', 'HEAD', 'POST'].includes(this.method))
      return this.finalize(500, undefined, `the static or index module: ${ALIAS_REFUSED}`);
    if (this.indexesDirectory()) {
      const random = this.randomIndex();
      if (random !== false) return random;
      const index = this.indexRedirect();
      if (index !== false) return index;
    }
    const handler = this.contentHandler();
    const script = this.scriptClose(handler);
    if (script !== false) return script;
    const echo = this.echoContent(handler);
    if (echo !== false) return echo;
    const upstream = UPSTREAM_MODULES.get(handler?.name ?? '');
    const mirrored = upstream ? this.mirrorClose() : false;
    if (mirrored !== false) return mirrored;
    const accel = upstream ? this.xAccelRedirect(upstream) : false;
    if (accel !== false) return accel;
    const stat = handler ? undefined : this.staticAnswer();
    if (stat === 'content') return this.finish('content', undefined, 'served by the static module');
    if (stat !== undefined) return this.finalize(stat.status, undefined, stat.why);
    // A content handler answers: any status. It may be an error error_page catches.
    const pages = this.errorPages();
    let codes = [...new Set(pages.flatMap((p) => p.codes))];
    if (upstream && inherited(this.scope, `${upstream}_intercept_errors`)[0]?.args[0]?.value.toLowerCase() !== 'on') {
      // Without *_intercept_errors the upstream's own response goes out as it is: error_page sees
      // only what nginx answers itself (ngx_http_upstream_next's statuses, the client body's).
      const next = new Set(inherited(this.scope, `${upstream}_next_upstream`).flatMap((d) => d.args.map((a) => a.value)));
      codes = codes.filter((c) => UPSTREAM_OWN_STATUSES.has(c) || next.has(`http_${c}`));
    }
    if (codes.length && !this.errorPageDone) {
      const i = this.pick(['the content handler answered', ...codes.map((c) => `the content handler answered ${c}`)], []);
      if (i > 0) return this.finalize(codes[i - 1], undefined, `the content handler answered ${codes[i - 1]}`);
    }
    const o = this.finish('content', undefined, 'served by the content handler');
    if (o && handler) o.handler = true;
    return o;
  }

  /** Whether a module that may answer instead of the static and index modules is on here (STATIC_RIVALS). */
  staticRivalOn(): boolean {
    return STATIC_RIVALS.some(([name, off]) => {
      const v = inherited(this.scope, name)[0]?.args[0]?.value;
      return v !== undefined && v !== off;
    });
  }

  /**
   * What the static module answers where nothing else serves the location, when that is known
   * (ngx_http_static_handler, then ngx_http_core_content_phase): 405 for a method other than GET,
   * HEAD or POST; for a file URI whose document root is on this machine, 404 for a missing path
   * (or one that is no file), 301 for a directory, 405 for a POST to a file, else the file.
   * Undefined where another module may answer (autoindex, dav, gzip_static...) or the files are
   * not here.
   */
  staticAnswer(): 'content' | { status: number; why: string } | undefined {
    if (this.staticRivalOn()) return undefined;
    const m = this.method;
    if (isUnknown(m)) return undefined;
    if (m !== 'GET' && m !== 'HEAD' && m !== 'POST') return { status: 405, why: `the static module does not take ${m}: 405` };
    const uri = this.uri;
    if (isUnknown(uri) || uri.endsWith('/')) return undefined;
    const path = this.requestFilename();
    if (path === undefined || isUnknown(path)) return undefined;
    const found = this.onDisk(path);
    if (found === undefined) return undefined;
    if (found === null || found.kind === 'other') return { status: 404, why: `${bytesToText(path)} is not a file on this machine: 404` };
    if (found.kind === 'dir') return { status: 301, why: `${path} is a directory: 301 to the URI with a slash` };
    if (m === 'POST') return { status: 405, why: 'the static module does not take POST to a file: 405' };
    return 'content';
  }

  /** The Lua handler of the rewrite or access phase in effect here, as scriptClose judges it. */
  scriptExit(phase: Exclude<ScriptPhase, 'content'>): Outcome | undefined | false {
    return this.scriptClose(inheritedAny(this.scope, SCRIPT_DIRECTIVES[phase]).at(-1));
  }

  /**
   * A Lua, njs or perl handler (`d`: any directive, or none) whose code may close the request with
   * 444 (scripts.ts): code we do not run, so a fork, ranked after the history where it let the
   * request through. False when `d` is no such handler.
   */
  scriptClose(d: Directive | undefined): Outcome | undefined | false {
    if (!d || !scriptMay444(d)) return false;
    if (this.pick(['', `the code of ${d.name} (${where(d)}) ended the request with 444`], []) === 0) return false;
    return this.finish(444, ruleOf(d), `${d.name} (${where(d)}): its code closed the connection (444)`);
  }

  /**
   * An upstream's X-Accel-Redirect (ngx_http_upstream_process_headers): unless
   * `*_ignore_headers` lists it, nginx redirects internally to the header's URI, as GET (HEAD
   * stays HEAD), with the header's query string as the args. Where the log has `$uri`, a value
   * other than this request's path says where it went; otherwise the candidates are what such a
   * header points at, the server's `internal` locations that can answer 444. Not forked: a
   * redirect to a named location, which keeps `$uri` and so no log can show; the named drop
   * locations of error_page would otherwise become a candidate for every proxied request.
   */
  xAccelRedirect(prefix: string): Outcome | undefined | false {
    const server = this.server;
    if (!server) return false;
    if (inherited(this.scope, `${prefix}_ignore_headers`).some((d) => d.args.some((a) => a.value.toLowerCase() === 'x-accel-redirect'))) return false;
    // ngx_http_upstream_process_headers: "@name" goes to that named location ($uri unchanged);
    // any other value through ngx_http_internal_redirect, to the location it selects, whose own
    // redirects and error_page then run as usual. Unlogged, that URI is taken to select an
    // internal location (regex ones included), as applications address them: a public one
    // would make every proxied drop of a server ambiguous for a redirect no one writes.
    const l = this.loggedAtEnd('uri');
    const logged = l === null ? this.dash('uri') : l;
    const named = [...server.named.keys()];
    const internal = allLocations(server.locations).some((x) => x.internal);
    const uris: Val[] = logged === undefined || isUnknown(logged) ? (internal ? [{ unknown: ['the X-Accel-Redirect header'] }] : []) : logged === this.uri ? [] : [logged];
    if (!named.length && !uris.length) return false;
    const why = (to: string) => `the upstream answered X-Accel-Redirect: ${to}`;
    const labels = ['', ...named.map(why), ...uris.map((u) => why(isUnknown(u) ? 'a URI the log does not show' : u))];
    const i = this.pick(labels, logged === undefined || isUnknown(logged) ? ['$uri'] : []);
    if (i === 0) return false;
    if (i <= named.length) return this.namedLocation(named[i - 1], why(named[i - 1]));
    const to = uris[i - 1 - named.length];
    this.accelUri = isUnknown(to);
    const args = this.loggedAtEnd('args');
    return this.internalRedirect(to, labels[i], true, args === undefined ? { unknown: ['$args'] } : args === null ? this.dash('args') : args);
  }

  /**
   * The echo module's handler (Debian's nginx-full ships it): `echo_exec` redirects internally
   * (to a URI, with its optional query string, or to a named location), and the output of the
   * other commands goes out with `echo_status`, inherited from outer locations: with 444 the
   * response is sent and logged 444 (checked against nginx 1.22 with the module loaded). False
   * when the content handler is not echo's, or answers as any content handler does.
   */
  echoContent(h: Directive | undefined): Outcome | undefined | false {
    if (!h || !ECHO_HANDLERS.includes(h.name)) return false;
    let exec: Directive | undefined;
    for (let sc = this.scope; sc && !exec; sc = sc.kind === 'location' ? undefined : sc.parent) exec = sc.byName.get('echo_exec')?.[0];
    if (exec?.args.length) {
      const why = `${dstr(exec)} (${where(exec)})`;
      const target = exec.args[0].value;
      if (target.startsWith('@')) return this.namedLocation(target, why);
      const query = exec.args[1]?.value;
      return this.redirectTo(query === undefined ? target : `${target}?${query}`, why, false);
    }
    const st = inherited(this.scope, 'echo_status')[0];
    if (st?.args[0]?.value !== '444') return false;
    return this.finish(444, ruleOf(st), `echo_status 444 (${where(st)}): the echo output is sent with the status line 444`);
  }

  /**
   * The directive that gave the request its content handler (r->content_handler), if any: the
   * location's own or that of an `if` or `limit_except` block in it, the innermost first. A
   * nested location does not inherit its parent's: ngx_http_core_find_config_phase clears it
   * before looking the location up.
   */
  contentHandler(): Directive | undefined {
    for (let sc = this.scope; sc && sc.kind !== 'server' && sc.kind !== 'http'; sc = sc.parent) {
      for (const h of CONTENT_HANDLERS) {
        const l = sc.byName.get(h);
        if (l?.length) return l[l.length - 1];
      }
      if (sc.kind === 'location') return undefined;
    }
    return undefined;
  }

  /**
   * Whether the content phase's directory handlers (random_index, then index) look at this
   * request: a URI ending in '/', GET, HEAD or POST, no content handler of the location's own.
   */
  indexesDirectory(): boolean {
    const uri = this.uri;
    if (isUnknown(uri) || !uri.endsWith('/') || this.contentHandler()) return false;
    const m = this.method;
    if (isUnknown(m)) return this.pick(['the (unlogged) method was GET, HEAD or POST', 'the (unlogged) method was another one'], m.unknown) === 0;
    return m === 'GET' || m === 'HEAD' || m === 'POST';
  }

  /**
   * ngx_http_random_index_handler (`random_index on`), before the index module: the request goes,
   * with its args, to a regular file of the directory picked at random (dot files skipped); a
   * missing directory is a 404, one without such a file declines. Which file only a logged
   * `$uri` tells (it is the final URI: one in this directory is that file).
   */
  randomIndex(): Outcome | undefined | false {
    const d = inherited(this.scope, 'random_index')[0];
    if (d?.args[0]?.value !== 'on') return false;
    const uri = this.uri as string;
    const labels = ['random_index chose a file of the directory', 'random_index found no regular file in the directory', 'random_index: the directory does not exist'];
    const here = this.filesHere();
    const found = here && here.probe((here.base.root + uri.slice(here.base.alias)).slice(0, -1) || '/');
    const i =
      found === undefined
        ? this.pickFs('random_index', d, ['$uri'], labels)
        : found?.kind === 'dir'
          ? this.pick(labels.slice(0, 2), [])
          : 2;
    if (i === 1) return false;
    if (i === 2) return this.finalize(404, undefined, `${labels[2]} (${where(d)}): 404`);
    let target: Val = { unknown: ['$uri'] };
    const l = this.loggedAtEnd('uri');
    if (l && l.startsWith(uri) && l.length > uri.length && !l.includes('/', uri.length)) target = l;
    return this.internalRedirect(target, `${labels[0]} (${where(d)})${isUnknown(target) ? '' : `: ${target}`}`, false, this.args);
  }

  /**
   * ngx_http_index_handler: a GET/HEAD/POST for a directory URI in a location without a content
   * handler of its own redirects internally to the first index file that exists (`index`,
   * default index.html; an absolute last entry without a test, once the directory exists).
   * Whether a file exists is not in the log: one history per index file, and one where none did
   * (the static answer: 403/404).
   * False when it finds nothing to redirect to (indexesDirectory says whether it runs).
   */
  indexRedirect(): Outcome | undefined | false {
    const uri = this.uri as string;
    const ds = inherited(this.scope, 'index');
    const names = ds.length ? ds.flatMap((d) => d.args.map((a) => ({ value: a.value, d }))) : [{ value: 'index.html', d: undefined }];
    const labels: string[] = [];
    const targets: (Val | undefined)[] = [];
    let absoluteLast = false;
    for (let i = 0; i < names.length; i++) {
      const v = this.evalValue(compileValue(names[i].value));
      if (!isUnknown(v) && v.startsWith('/') && i === names.length - 1) {
        labels.push(`no earlier index file existed: index ${v}`);
        targets.push(v);
        absoluteLast = true;
      } else {
        labels.push(`the index file ${isUnknown(v) ? names[i].value : v} existed`);
        targets.push(isUnknown(v) ? v : uri + v);
      }
    }
    // A missing index file makes nginx test the directory (ngx_http_index_test_dir): a missing
    // directory is a 404 before any later entry, the absolute one included.
    if (!absoluteLast || names.length > 1) labels.push(absoluteLast ? 'the directory did not exist' : 'no index file existed'), targets.push(undefined);
    const disk = this.indexOnDisk(uri, targets, names.length, absoluteLast);
    if (typeof disk === 'object') {
      // Known from the disk: ngx_http_index_test_dir's 404 for a missing directory; for one
      // without an index file the module declines and, unless another module lists it,
      // ngx_http_core_content_phase forbids the directory.
      if (!disk.dirExists) return this.finalize(404, undefined, 'index: the directory does not exist: 404');
      return this.staticRivalOn() ? false : this.finalize(403, undefined, 'index: no index file, and directory listing is off: 403');
    }
    const i = disk ?? this.pickFs('index', this.scope?.directive ?? this.scope?.server?.d, ['$uri', ...names.map((n) => n.value)], labels);
    const t = targets[i];
    if (t === undefined) return false;
    const d = names[Math.min(i, names.length - 1)].d;
    // ngx_http_index_handler redirects with the request's args.
    return this.internalRedirect(t, `index: ${labels[i]}${d ? ` (${where(d)})` : ''}`, false, this.args);
  }

  errorPages(): { codes: number[]; target: string; override?: string; d: Directive }[] {
    const out: { codes: number[]; target: string; override?: string; d: Directive }[] = [];
    for (const d of inherited(this.scope, 'error_page')) {
      const a = d.args.map((x) => x.value);
      if (a.length < 2) continue;
      const target = a[a.length - 1];
      let override: string | undefined;
      const codes: number[] = [];
      for (const x of a.slice(0, -1)) {
        if (x.startsWith('=')) override = x.slice(1);
        else if (/^\d+$/.test(x)) codes.push(+x);
      }
      out.push({ codes, target, override, d });
    }
    return out;
  }

  /** A rewrite-phase `return`: a response it sends itself is final, anything else is finalized. */
  stop(st: { status: number; rule?: RuleRef; why: string }): Outcome | undefined {
    if (st.rule && sendsResponse(st.rule.directive, st.status)) return this.finish(st.status, st.rule, st.why);
    return this.finalize(st.status, st.rule, st.why);
  }

  /** ngx_http_finalize_request with a status: 444 closes; others may go through error_page. */
  finalize(status: number, rule: RuleRef | undefined, why: string): Outcome | undefined {
    if (status === 444 && this.errStatus && this.errStatus !== 444) {
      // A close after an error page that kept an error status: the log shows that status.
      this.path.push(`${why}; the connection is closed, but an error_page without "=" kept the status ${this.errStatus} for the log`);
      return this.finish(this.errStatus, rule, `logged as ${this.errStatus}`);
    }
    if (status === 444 || status < 300 || status === 499) return this.finish(status, rule, why);
    this.errStatus = BAD_REQUEST_ALIASES.has(status) ? 400 : status;
    // ngx_http_special_response_handler: r->error_page is set where an error meets error_pages
    // with recursive_error_pages off, and then no later error takes a page, wherever it happens.
    if (this.errorPageDone) return this.finish(status, rule, why);
    const pages = this.errorPages();
    if (pages.length && inherited(this.scope, 'recursive_error_pages')[0]?.args[0]?.value !== 'on') this.errorPageDone = true;
    for (const p of pages) {
      if (!p.codes.includes(status)) continue;
      this.path.push(why);
      const via = `error_page ${status} → ${p.target} (${where(p.d)})`;
      // ngx_http_core_error_page: without `=`, 494-497 pages are answered as 400.
      const logged = p.override === undefined ? (BAD_REQUEST_ALIASES.has(status) ? 400 : status) : p.override === '' ? undefined : +p.override;
      this.errStatus = logged ?? 0;
      // `=444` sends the page with the status line 444 and logs 444: the error_page is the rule
      // behind such a log line (ngx_http_send_error_page sets err_status; nothing closes).
      const pageRule = logged === 444 ? ruleOf(p.d) : rule;
      if (p.target.startsWith('@')) {
        const o = this.namedLocation(p.target, via);
        return this.overrideStatus(o, logged, pageRule);
      }
      if (/^(https?:\/\/|\$scheme)/.test(p.target)) return this.finish(logged ?? 302, ruleOf(p.d), `${via}: redirect`);
      const o = this.redirectTo(p.target, via, true);
      return this.overrideStatus(o, logged, pageRule);
    }
    return this.finish(status, rule, why);
  }

  /** The status nginx logs after an error_page: the page's own rule keeps its status if it closes or errs. */
  overrideStatus(o: Outcome | undefined, logged: number | undefined, rule: RuleRef | undefined): Outcome | undefined {
    if (!o) return o;
    // The override is the status of whatever response is sent: content, or a `return` that sends
    // its own (ngx_http_send_header); a redirect or an error page answers with its own status.
    const sent = o.status === 'content' || (typeof o.status === 'number' && o.rule !== undefined && sendsResponse(o.rule.directive, o.status));
    if (sent && logged !== undefined) {
      o.status = logged;
      o.rule = rule;
      if (logged === 444) o.path.push('the page is sent with the status line 444 (logged as 444; the connection is not dropped)');
    }
    return o;
  }

  namedLocation(name: string, why: string): Outcome | undefined {
    const loc = this.server!.named.get(name);
    this.path.push(why);
    // ngx_http_named_location: a request refused in its request line has no URI yet.
    if (!this.uriSet || this.uri === '') return this.finalize(500, undefined, `empty URI in redirect to named location ${name}: 500`);
    if (!loc) return this.finish(500, undefined, `named location ${name} not found: 500`);
    if (--this.uriChanges === 0) throw TOO_DEEP;
    this.location = loc;
    this.scope = loc.scope;
    this.internal = true;
    this.path.push(`location ${name}`);
    return this.locationRewrite();
  }

  /**
   * A redirect target. Its query string built only from the request's own args (`/index.php?$args`)
   * decides nothing by itself, so it is not counted as read until something reads `$args` later.
   */
  evalTarget(raw: string): Val {
    const q = raw.indexOf('?');
    const argsPart = q === -1 ? '' : raw.slice(q + 1);
    const onlyArgs = q !== -1 && !raw.slice(0, q).includes('$') && !/\$(?!(args|query_string|is_args|arg_\w+)\b)/.test(argsPart);
    if (!onlyArgs) return this.evalValue(compileValue(raw));
    const saved = this.reads;
    (this as { reads: Set<string> }).reads = new Set();
    try {
      return this.evalValue(compileValue(raw));
    } finally {
      (this as { reads: Set<string> }).reads = saved;
    }
  }

  /**
   * An internal redirect to a target written in the configuration (try_files, error_page,
   * echo_exec): nginx splits the value at its first "?" (ngx_http_split_args). When the args part
   * is unknown (unlogged `$args`, say) the path is still known if its own part is: it holds no "?".
   */
  redirectTo(raw: string, why: string, toGet: boolean): Outcome | undefined {
    const whole = this.evalTarget(raw);
    const q = raw.indexOf('?');
    if (isUnknown(whole) && q !== -1) {
      const path = this.evalValue(compileValue(raw.slice(0, q)));
      if (!isUnknown(path) && !path.includes('?')) return this.internalRedirect(path, why, toGet, this.evalValue(compileValue(raw.slice(q + 1))));
    }
    return this.internalRedirect(whole, why, toGet);
  }

  /** ngx_http_internal_redirect; error_page also turns the method into GET (except HEAD). */
  internalRedirect(v: Val, why: string, toGet: boolean, args?: Val): Outcome | undefined {
    this.path.push(why);
    if (--this.uriChanges === 0) throw TOO_DEEP;
    this.uriSet = true;
    this.validLocation = true;
    if (isUnknown(v)) this.uri = v;
    else {
      const q = v.indexOf('?');
      this.uri = q === -1 ? v : v.slice(0, q);
      this.args = q === -1 ? '' : v.slice(q + 1);
    }
    if (args !== undefined) this.args = args;
    if (toGet) {
      const m = this.method;
      // An unknown method may have been HEAD, which stays HEAD (unless the log's GET says it was not).
      const head = m === 'HEAD' || (isUnknown(m) && !this.methodTurnsGet && this.pick(['', 'the (unlogged) method was HEAD, which a redirect keeps'], m.unknown) === 1);
      if (head) this.method = 'HEAD';
      else (this.method = 'GET'), (this.methodTurnsGet = false);
    }
    // ngx_http_internal_redirect keeps r->captures: the next location's regex may replace them.
    this.internal = true;
    return this.fromServerRewrite();
  }
}

/**
 * The `$host` values that select `server` on `g`: its exact names it owns there (a Host-less
 * request has its first name), when nothing else can (not the default server, no wildcard,
 * regex or `$hostname` name). Undefined otherwise.
 */
function selectingNames(g: ListenGroup, server: ServerModel): string[] | undefined {
  if (server === g.defaultServer || server.names.some((n) => n.kind !== 'exact' || n.name === HOSTNAME)) return undefined;
  const names = new Set<string>();
  for (const n of server.names) if (g.exact.get(n.name) === server) names.add(n.name === '' ? server.primaryName : n.name);
  return names.size ? [...names] : undefined;
}

/** Directives that may send a request elsewhere (an upstream's by its X-Accel-Redirect). */
const REDIRECTING = new Set(['error_page', 'try_files', 'proxy_pass', 'fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'echo_exec']);

/** Whether a subrequest to `scope` (its `if` blocks included) may be redirected internally. */
function subrequestMayRedirect(model: HttpModel, scope: Scope): boolean {
  let may = mayRedirectMemo.get(scope);
  if (may === undefined) {
    may =
      inherited(scope, 'error_page').length > 0 ||
      scopesOf(model).some((x) => {
        let p: Scope | undefined = x;
        while (p && p !== scope) p = p.parent;
        return p === scope && x.items.some((d) => REDIRECTING.has(d.name) || (d.name === 'rewrite' && d.args[2]?.value !== 'break'));
      });
    mayRedirectMemo.set(scope, may);
  }
  return may;
}
// Asked on every history that reaches an auth_request or mirror: a walk over every scope each time.
const mayRedirectMemo = new WeakMap<Scope, boolean>();

/** The variables `auth_request_set` defines anywhere in the configuration. */
function authRequestSetVars(model: HttpModel): ReadonlySet<string> {
  let vars = authSetMemo.get(model);
  if (!vars) {
    const found = new Set<string>();
    for (const x of scopesOf(model))
      for (const d of x.byName.get('auth_request_set') ?? []) {
        const v = definedVariable(d);
        if (v) found.add(v.name);
      }
    authSetMemo.set(model, (vars = found));
  }
  return vars;
}
// Asked for each variable the router evaluates that nothing else defines.
const authSetMemo = new WeakMap<HttpModel, ReadonlySet<string>>();

/**
 * Directives (with the value that turns them off) of modules that may answer before or instead
 * of the static module, or change what it answers: staticAnswer does not judge where one is on.
 */
const STATIC_RIVALS: [string, string | undefined][] = [
  ['autoindex', 'off'],
  ['fancyindex', 'off'],
  ['dav_methods', 'off'],
  ['dav_ext_methods', undefined],
  ['gzip_static', 'off'],
  ['image_filter', 'off'],
  ['xslt_stylesheet', undefined],
  ['disable_symlinks', 'off'],
  ['open_file_cache', 'off'],
];

/**
 * Whether realip is configured in a block inside `server` (a location, an `if`): it runs in the
 * preaccess phase there, with settings of its own, so the server-level realip does not tell
 * what `$remote_addr` became.
 */
function realipBelow(model: HttpModel, server: ServerModel): boolean {
  let below = realipBelowMemo.get(server);
  if (below === undefined) {
    below = scopesOf(model).some((x) => x.server === server && x !== server.scope && (x.byName.has('real_ip_header') || x.byName.has('set_real_ip_from')));
    realipBelowMemo.set(server, below);
  }
  return below;
}
// Asked on every routing that reads the client address: a walk over every scope of the
// configuration (thousands in a 300-vhost one) each time cost 4% of a trace.
const realipBelowMemo = new WeakMap<ServerModel, boolean>();

const ALIAS_REFUSED = '"alias" cannot be used where the URI was rewritten (rewrite ... break): 500';

/** Whether a value is `$http_host` alone. */
function isHttpHost(cv: ComplexValue): boolean {
  const p = cv.parts.length === 1 ? cv.parts[0] : undefined;
  return typeof p === 'object' && 'v' in p && p.v === 'http_host';
}

/** Complex-value pieces joined: unknown when any is, naming every unknown input. */
function joinPieces(pieces: readonly Val[]): Val {
  let out = '';
  let unknown: string[] | undefined;
  for (const v of pieces) {
    if (isUnknown(v)) unknown = [...(unknown ?? []), ...v.unknown];
    else out += v;
  }
  return unknown ? { unknown: [...new Set(unknown)] } : out;
}

/** ngx_parse_size: bytes, or k/m/g units; undefined when invalid. */
function parseSize(v: string): number | undefined {
  const m = /^(\d+)([kKmMgG]?)$/.exec(v);
  if (!m) return undefined;
  const unit = m[2].toLowerCase();
  return +m[1] * (unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : unit === 'g' ? 1024 * 1024 * 1024 : 1);
}

const zoneKeyMemo = new WeakMap<HttpModel, Map<string, Map<string, ComplexValue>>>();

/** `limit_req_zone KEY zone=NAME:size` / `limit_conn_zone KEY zone=NAME:size`: zone name → key. */
function zoneKeys(model: HttpModel, directive: string): Map<string, ComplexValue> {
  let byDirective = zoneKeyMemo.get(model);
  if (!byDirective) zoneKeyMemo.set(model, (byDirective = new Map()));
  let zones = byDirective.get(directive);
  if (!zones) {
    zones = new Map();
    for (const d of model.http?.byName.get(directive) ?? []) {
      const key = d.args[0]?.value;
      const zone = d.args.find((a) => a.value.startsWith('zone='))?.value.slice(5).split(':')[0];
      if (key !== undefined && zone) zones.set(zone, compileValue(key));
    }
    byDirective.set(directive, zones);
  }
  return zones;
}

/** Variables nginx never leaves empty for a routed request. */
/**
 * Methods ngx_http_process_request_header answers 405 once the headers are read, before any
 * phase: CONNECT (nginx 1.21.1+) and TRACE.
 */
export const REFUSED_METHODS: ReadonlySet<string> = new Set(['CONNECT', 'TRACE']);

const NEVER_EMPTY = new Set(['binary_remote_addr', 'remote_addr', 'server_port', 'server_addr', 'scheme', 'request_method', 'request_uri', 'uri', 'document_uri']);

/** Variables whose values stay short (addresses, ports, the method), whatever the request. */
const SHORT = new Set(['binary_remote_addr', 'remote_addr', 'server_port', 'server_addr', 'scheme', 'request_method', 'remote_port']);

function mayBeLong(key: ComplexValue, longest: number): boolean {
  return longest < 65535 && key.parts.some((p) => typeof p !== 'string' && ('cap' in p || !SHORT.has(p.v)));
}

function mayBeEmpty(key: ComplexValue): boolean {
  return key.parts.every((p) => (typeof p === 'string' ? p === '' : 'cap' in p || !NEVER_EMPTY.has(p.v)));
}

const takes497 = new WeakMap<ServerModel, boolean>();

/**
 * Whether an address:port speaks TLS (`ssl`), reads a PROXY protocol header (`proxyProtocol`) or
 * speaks HTTP/2 (`http2`). nginx ORs these flags over every listen of one address:port
 * (ngx_http_add_addresses), so a server whose own listen lacks one still has it there.
 */
function groupFlag(g: ListenGroup, flag: 'ssl' | 'proxyProtocol' | 'http2'): boolean {
  let flags = groupFlags.get(g);
  if (!flags) groupFlags.set(g, (flags = {}));
  return (flags[flag] ??= g.servers.some((s) => s.listens.some((x) => x.port === g.port && x.addr === g.addr && x[flag])));
}
// Asked on most routings (is the socket TLS, PROXY protocol): 300 vhosts on one port made the
// walk over every server's listens 1.5% of a trace.
const groupFlags = new WeakMap<ListenGroup, { ssl?: boolean; proxyProtocol?: boolean; http2?: boolean }>();

/** Whether a server's own configuration has an error_page for 497 (plain HTTP on a TLS port). */
function serverTakes497(s: ServerModel): boolean {
  let v = takes497.get(s);
  if (v === undefined) takes497.set(s, (v = hasErrorPage(s.scope, 497)));
  return v;
}

function hasErrorPage(scope: Scope, status: number): boolean {
  return inherited(scope, 'error_page').some((d) => d.args.slice(0, -1).some((a) => a.value === String(status)));
}

/** Whether a [::] socket was told `ipv6only=off` (then it takes IPv4 connections too). */
function dualStack(g: ListenGroup): boolean {
  return g.servers.some((s) => s.listens.some((l) => l.addr === g.addr && l.port === g.port && l.d?.args.some((a) => a.value === 'ipv6only=off')));
}

/** The (empty) exact locations under a regex location, which nginx never looks up. */
const NO_EXACT = new Map<string, LocationModel>();

/** A host choice standing for "some host we cannot see". */
const ANY_HOST = '\u0000any host';
/** `server_name $hostname` as the model keeps it: the machine's name, unknown to a log reader. */
const HOSTNAME = '$hostname';

/** client_header_buffer_size's default: a request line this long needed the large buffers, where a longer one is a 414. */
const LONGEST_PLAIN_LINE = 1024;

/** A value as logged (`-` stands for empty) against the value nginx had. */
const ASCII = /^[\x00-\x7f]*$/;

/** The bytes ngx_escape_uri(NGX_ESCAPE_ARGS) escapes: controls, space " # % & + ; < > ? \\ ^ ` { | } DEL, non-ASCII. */
const ARGS_UNSAFE = /[\x00-\x20"#%&+;<>?\\^`{|}\x7f-\xff]/;
const ARGS_UNSAFE_ALL = new RegExp(ARGS_UNSAFE.source, 'g');

function escapeArgs(s: string): string {
  return s.replace(ARGS_UNSAFE_ALL, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

const formatVariablesMemo = new WeakMap<HttpModel, Set<string>>();

/** The variables some log_format of the configuration writes (no other can be in a log line). */
function formatVariables(model: HttpModel): Set<string> {
  let vars = formatVariablesMemo.get(model);
  if (!vars) {
    vars = new Set();
    for (const def of model.logFormats.values()) for (const m of def.format.matchAll(/\$(?:\{(\w+)\}|(\w+))/g)) vars.add((m[1] ?? m[2]).toLowerCase());
    formatVariablesMemo.set(model, vars);
  }
  return vars;
}

const nginxVariables = new Map<string, boolean>();

/** Whether nginx itself defines the variable (by name or as a family such as `$http_`). */
function isNginxVariable(name: string): boolean {
  let v = nginxVariables.get(name);
  if (v === undefined) nginxVariables.set(name, (v = lookupVariable(name, 'http').length > 0));
  return v;
}

function sameLogged(logged: string, actual: string): boolean {
  return logged === actual || (logged === '-' && actual === '');
}

const labelMemo = new WeakMap<ServerModel, string>();

export function serverLabel(s: ServerModel): string {
  let l = labelMemo.get(s);
  if (l === undefined) labelMemo.set(s, (l = computeServerLabel(s)));
  return l;
}

function computeServerLabel(s: ServerModel): string {
  const n = s.names.map((x) => serverNameText(x) || '""').join(' ') || '""';
  return `${n} (${where(s.d)})`;
}

export function locLabel(l: LocationModel): string {
  return `${l.modifier ? l.modifier + ' ' : ''}${l.name} (${where(l.d)})`;
}

const regexKeys = new WeakMap<MapModel, { names: readonly string[]; captures: number }>();

/** What any of a map's regex keys may set: their named captures, and $1..$n for the most groups. */
function regexKeysOf(m: MapModel): { names: readonly string[]; captures: number } {
  let k = regexKeys.get(m);
  if (!k) {
    let captures = 0;
    for (const r of m.regex) captures = Math.max(captures, r.re.captures);
    regexKeys.set(m, (k = { names: [...new Set(m.regex.flatMap((r) => r.re.names))], captures }));
  }
  return k;
}

const turnsIntoGet = new WeakMap<HttpModel, boolean>();

/**
 * Whether some request may be turned into a GET on its way (ngx_http_send_error_page for an
 * error_page to a URI, ngx_http_upstream_process_headers for X-Accel-Redirect): a logged GET
 * may then have been another method.
 */
function mayTurnIntoGet(model: HttpModel): boolean {
  let v = turnsIntoGet.get(model);
  if (v === undefined) {
    const turns = (d: Directive): boolean => (d.name === 'error_page' ? !d.args[d.args.length - 1]?.value.startsWith('@') : d.name.endsWith('_pass'));
    turnsIntoGet.set(model, (v = scopesOf(model).some((s) => s.items.some(turns))));
  }
  return v;
}

function allLocations(set: LocationSet): LocationModel[] {
  const out: LocationModel[] = [];
  const add = (s: LocationSet) => {
    for (const l of [...s.exact.values(), ...s.prefix, ...s.regex]) {
      out.push(l);
      add(l.nested);
    }
  };
  add(set);
  return out;
}

/** Exact, then longest `*.x`/`.x`, then longest `x.*`, as nginx's combined hash. */
function lookupHost<T extends { host: string }>(entries: T[], host: string): T | undefined {
  let best: T | undefined;
  for (const e of entries) if (e.host === host || (e.host.startsWith('.') && e.host.slice(1) === host)) return e;
  let bestLen = -1;
  for (const e of entries) {
    const h = e.host;
    const suffix = h.startsWith('*.') ? h.slice(1) : h.startsWith('.') ? h : undefined;
    if (suffix && host.endsWith(suffix) && suffix.length > bestLen) (best = e), (bestLen = suffix.length);
  }
  if (best) return best;
  for (const e of entries) {
    const h = e.host;
    if (h.endsWith('.*')) {
      const prefix = h.slice(0, -1);
      if (host.startsWith(prefix) && host.length > prefix.length && prefix.length > bestLen) (best = e), (bestLen = prefix.length);
    }
  }
  return best;
}

function argValue(args: string, name: string): string {
  // ngx_http_arg: case-insensitive name, '&'-separated, first occurrence.
  const low = name.toLowerCase();
  for (const part of args.split('&')) {
    const eq = part.indexOf('=');
    const k = eq === -1 ? part : part.slice(0, eq);
    if (k.toLowerCase() === low && eq !== -1) return part.slice(eq + 1);
  }
  return '';
}

/**
 * `$cookie_<name>` as ngx_http_parse_multi_header_lines (1.22) finds it: pairs are separated by
 * ';' or ',' and the spaces after them (not tabs); a caseless name, spaces, '=', spaces, then
 * the value runs to the next ';' (a ',' stays in it). "s = v" and "a=1, s=v" both give "v".
 */
function cookieValue(cookies: string, name: string): string {
  // ngx_strncasecmp folds ASCII letters only.
  const fold = lowerAscii;
  const low = fold(name);
  const n = name.length;
  const end = cookies.length;
  let p = 0;
  while (p < end) {
    if (fold(cookies.slice(p, p + n)) === low) {
      p += n;
      while (p < end && cookies[p] === ' ') p++;
      // `*start++ != '='`: the character tested is consumed even when it is not '='.
      if (p < end && cookies[p++] === '=') {
        while (p < end && cookies[p] === ' ') p++;
        let last = p;
        while (last < end && cookies[last] !== ';') last++;
        return cookies.slice(p, last);
      }
    }
    // skip: to just after the next ';' or ',', then its spaces.
    while (p < end) {
      const ch = cookies[p++];
      if (ch === ';' || ch === ',') break;
    }
    while (p < end && cookies[p] === ' ') p++;
  }
  return '';
}

const realipMemo = new WeakMap<HttpModel, boolean>();

/**
 * The address family of the client's connection: of the logged `$remote_addr`, unless realip may
 * have replaced it (then of `$realip_remote_addr` when logged). '6' also for IPv4-mapped
 * addresses, which only a dual-stack IPv6 socket produces.
 */
export function connectionFamily(model: HttpModel, f: RequestFacts): '4' | '6' | undefined {
  let realip = realipMemo.get(model);
  if (realip === undefined) {
    realip = false;
    for (const sc of scopesOf(model)) if (sc.byName.has('set_real_ip_from')) realip = true;
    realipMemo.set(model, realip);
  }
  const addr = realip ? (f.vars.realip_remote_addr ?? undefined) : f.remoteAddr;
  if (addr === undefined) return undefined;
  if (ipv4ToNumber(addr) !== undefined) return '4';
  return ipv6ToBigInt(addr) !== undefined ? '6' : undefined;
}

/** The echo module's content-handler commands (its filters, `echo_before_body`/`_after_body`, are not). */
const ECHO_HANDLERS = [
  'echo', 'echo_duplicate', 'echo_flush', 'echo_sleep', 'echo_blocking_sleep', 'echo_reset_timer', 'echo_read_request_body',
  'echo_location_async', 'echo_location', 'echo_subrequest_async', 'echo_subrequest', 'echo_foreach_split', 'echo_end',
  'echo_request_body', 'echo_exec',
];

/** Directives that give a location its own content handler (clcf->handler): the index module never runs there. */
const CONTENT_HANDLERS = [
  'proxy_pass', 'fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'grpc_pass', 'memcached_pass', 'empty_gif', 'stub_status',
  'flv', 'mp4', ...SCRIPT_DIRECTIVES.content, ...ECHO_HANDLERS,
];

/** Upstream content handlers → the prefix of their `*_intercept_errors` and `*_next_upstream`. */
const UPSTREAM_MODULES = new Map([
  ['proxy_pass', 'proxy'],
  ['fastcgi_pass', 'fastcgi'],
  ['uwsgi_pass', 'uwsgi'],
  ['scgi_pass', 'scgi'],
  ['grpc_pass', 'grpc'],
]);

/**
 * What an upstream handler answers by itself, whatever the upstream said: reading the client's
 * body (400, 408, 413) and ngx_http_upstream_next's failures (500, 502, 503, 504). The 403, 404
 * and 429 it also gives there need `*_next_upstream http_403` (etc.).
 */
const UPSTREAM_OWN_STATUSES = new Set([400, 408, 413, 500, 502, 503, 504]);

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** nginx's own 4xx codes answered as 400 (header too large, certificate errors, plain HTTP to TLS). */
const BAD_REQUEST_ALIASES = new Set([494, 495, 496, 497]);

/**
 * ngx_http_script_return_code: a code below 400 or with a text is sent by ngx_http_send_response
 * (error_page never sees it; an error_page `=code` in progress still rewrites its status line),
 * except redirects, which are finalized like errors. 444 closes.
 */
function sendsResponse(d: Directive, status: number): boolean {
  if (d.name !== 'return' || status === 444 || REDIRECTS.has(status)) return false;
  return status < 400 || (d.args.length >= 2 && d.args[1].value !== '');
}

/** An allow/deny argument in nginx's IPv4 list (`all` is in every list). */
function isV4Rule(arg: string): boolean {
  return arg === 'all' || (!arg.startsWith('unix:') && !arg.includes(':'));
}

function binaryAddr(a: string): string {
  const n = ipv4ToNumber(a);
  if (n === undefined) return a;
  return String.fromCharCode((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

const accessLogMemo = new WeakMap<Scope, AccessLogDef[]>();

/** access_log directives in effect for a configuration (nginx merge: nearest level with any). */
export function accessLogsOf(model: HttpModel, scope: Scope | undefined): AccessLogDef[] {
  if (!scope) return computeAccessLogs(model, scope);
  let r = accessLogMemo.get(scope);
  if (!r) accessLogMemo.set(scope, (r = computeAccessLogs(model, scope)));
  return r;
}

function computeAccessLogs(model: HttpModel, scope: Scope | undefined): AccessLogDef[] {
  const ds = inherited(scope, 'access_log');
  if (!ds.length) return [{ off: false, resolvedPath: DEFAULT_ACCESS_LOG, format: 'combined' }];
  // Every scope that inherits the same directives shares their definitions: the first look at a
  // log walks all scopes (300 servers: thousands), and built a copy per scope.
  let byList = accessLogsByList.get(model);
  if (!byList) accessLogsByList.set(model, (byList = new WeakMap()));
  let defs = byList.get(ds);
  if (!defs) byList.set(ds, (defs = accessLogDefs(model, ds)));
  return defs;
}

function formatNamed(model: HttpModel, name: string): string {
  const low = name.toLowerCase();
  if (low === 'combined') return 'combined';
  for (const k of model.logFormats.keys()) if (k.toLowerCase() === low) return k;
  return name;
}

const accessLogsByList = new WeakMap<HttpModel, WeakMap<Directive[], AccessLogDef[]>>();

function accessLogDefs(model: HttpModel, ds: Directive[]): AccessLogDef[] {
  return ds.map((d) => {
    const a = d.args.map((x) => x.value);
    if (a[0] === 'off') return { off: true, format: '', d };
    const path = compileValue(a[0]);
    // ngx_http_log_set_log: the second argument is always the format's name (`gzip`, `buffer=`,
    // `flush=`, `if=` only come after it), looked up caseless: the first format defined by such a
    // name, nginx's own combined first.
    const format = a.length > 1 ? formatNamed(model, a[1]) : 'combined';
    let ifCond: ComplexValue | undefined;
    for (const x of a.slice(1)) if (x.startsWith('if=')) ifCond = compileValue(x.slice(3));
    const lit = path.literal ? a[0] : undefined;
    const resolvedPath = lit === undefined ? undefined : lit.startsWith('/') ? lit : lit.startsWith('syslog:') ? undefined : model.prefix + lit;
    return { off: false, path, resolvedPath, format, ifCond, d };
  });
}
