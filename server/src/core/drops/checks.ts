// Diagnostics for 444 rules and the traps around them. Each code states a fact about what nginx 1.22
// does with the configuration (see test/drops/nginx-facts.test.ts for the behaviours checked against
// real nginx); where the configuration alone cannot decide, nothing is reported.

import type { ConfigGraph } from '../configGraph';
import { walkEffective } from '../configGraph';
import type { Diagnostic, Fix, Severity, TextEdit } from '../diagnostic';
import type { Directive, Position, Range } from '../syntax';
import { RAW_CONTENT_BLOCKS } from '../structure';
import { claimServerNames, inherited, namesLookedUp, inheritedAny, serverNameText, serverOrigin, type HttpModel, type LocationModel, type Op, type Scope, type ServerModel } from '../http/model';
import { accessLogsOf } from '../http/route';
import { literalOf } from '../http/values';
import { compileRegex, isCompileError, lowerAscii, textToBytes } from '../regex';
import { dropsIndex, whereOf, type DropsIndex } from './index';
import { accessRulesOf } from './access';
import { sources444, type Source444 } from './sources';

export const DROPS_CODES = [
  'return-bypasses-access',
  'unreachable-after-return',
  'unreachable-location',
  'ignored-server',
  '444-with-body',
  'ssl-default-444-handshake',
  'stream-return-444',
  'implicit-default-server',
  'unescaped-dot',
  'unanchored-host-regex',
  'case-sensitive-host-regex',
  'http-host-port',
  'invalid-regex',
  'drops-not-logged',
  'duplicate-default-server',
  'limit-status-never-applies',
  'error-page-444-response',
] as const;
export type DropsCode = (typeof DROPS_CODES)[number];

const cache = new WeakMap<ConfigGraph, Diagnostic[]>();
const mapKeyMemo = new WeakMap<Directive, Diagnostic[]>();

/**
 * The per-scope and server-level diagnostics of one server, valid while the server model comes
 * from the same memo (same directives, same expansions), the http-level access rules its scopes
 * inherit are the same directives, and locations are printed relative to the same prefix. The
 * text the fixes read around a directive (indentation, the rest of its line) is unchanged while
 * the directive object is: a re-parse keeps a directive only when its text and position are the
 * same, and an edit that empties or fills the rest of its line re-parses the whole file.
 * After an edit in one vhost the other servers' checks are not run again.
 */
interface ServerDrops {
  origin: object;
  prefix: string | undefined;
  access: Directive[];
  scopes?: Diagnostic[];
  level?: Diagnostic[];
  syntax?: SyntaxMemo;
}

/**
 * The syntax-level diagnostics of a server block, walked on its own (own `seen` set: a directive
 * shared with another server is reported by both, and checkConfig keeps one). The walk goes
 * into blocks the model does not read, so it keeps its own inputs: every include it expanded
 * (targets and their parses) and every server-port answer it used.
 */
interface SyntaxMemo {
  includes: [Directive, string[]][];
  files: [string, Directive[]][];
  ports: [Directive, boolean][];
  diags: Diagnostic[];
}
const serverDrops = new WeakMap<Directive, ServerDrops>();
const ACCESS_INHERITED = ['auth_basic', 'auth_request', 'auth_jwt', 'satisfy'];

/** Every 444-related diagnostic of a configuration (computed once per graph). */
export function checkDrops(graph: ConfigGraph): Diagnostic[] {
  let out = cache.get(graph);
  if (!out) cache.set(graph, (out = new DropsChecker(graph).run()));
  return out;
}

const HOST_VARS = new Set(['host', 'http_host']);
/** Rewrite patterns that match every URI (a URI always starts with '/'). */
const CATCH_ALL = new Set(['^', '^.*', '^.*$', '^(.*)', '^(.*)$', '.*', '(.*)', '^/', '^/.*', '^/(.*)', '^/(.*)$', '^/.*$', '/', '^(/.*)$', '^(/.*)', '.']);

function header(d: Directive): string {
  const t = [d.name, ...d.args.map((a) => a.raw)].join(' ');
  return t.length > 80 ? t.slice(0, 77) + '...' : t;
}

function lineRange(d: Directive): Range {
  return { start: d.nameRange.start, end: d.semicolon?.end ?? d.nameRange.end };
}

class DropsChecker {
  readonly out: Diagnostic[] = [];
  readonly ix: DropsIndex;
  readonly model: HttpModel;
  /** A whole configuration (main context): facts about every server of a port are complete. */
  readonly whole: boolean;

  constructor(readonly graph: ConfigGraph) {
    this.ix = dropsIndex(graph);
    this.model = this.ix.model;
    this.whole = graph.rootContext.length === 0;
  }

  report(severity: Severity, code: DropsCode, d: { file: string }, range: Range, message: string, extra: Partial<Diagnostic> = {}): void {
    this.out.push({ severity, code, message, file: d.file, range, ...extra });
  }

  where(d: { file: string; range: Range }): string {
    return whereOf(this.graph, d);
  }

  run(): Diagnostic[] {
    const sources = sources444(this.ix);
    for (const run of this.ix.runs) {
      const memo = run.server && this.serverMemo(run.server);
      if (memo?.scopes) this.out.push(...memo.scopes);
      else {
        const start = this.out.length;
        for (const s of run.scopes) this.scopeChecks(s);
        if (memo) memo.scopes = this.out.slice(start);
      }
    }
    for (const server of this.model.servers) {
      const memo = this.serverMemo(server);
      if (memo?.level) this.out.push(...memo.level);
      else {
        const start = this.out.length;
        this.serverLevel(server);
        if (memo) memo.level = this.out.slice(start);
      }
    }
    this.listenGroups();
    for (const src of sources) {
      this.notLogged(src);
      if (src.kind === 'limit_req_status' || src.kind === 'limit_conn_status') this.limitStatus(src);
    }
    this.walkSyntax();
    return this.out;
  }

  scopeChecks(s: Scope): void {
    this.returnsInScope(s);
    this.unreachableAfter(s);
    for (const d of s.byName.get('error_page') ?? []) this.errorPage444(d, s);
  }

  private access?: Directive[];
  private readonly memos = new Map<ServerModel, ServerDrops | undefined>();

  /** The memo entry of a server for this graph (its parts filled on first use), or none. */
  serverMemo(server: ServerModel): ServerDrops | undefined {
    if (this.memos.has(server)) return this.memos.get(server);
    let out: ServerDrops | undefined;
    const origin = serverOrigin(server);
    if (origin) {
      const http = this.model.http;
      this.access ??= http ? [...inheritedAny(http, ['allow', 'deny']), ...ACCESS_INHERITED.flatMap((n) => inherited(http, n))] : [];
      const access = this.access;
      const prefix = this.graph.prefix;
      const hit = serverDrops.get(server.d);
      if (
        hit &&
        hit.origin === origin &&
        hit.prefix === prefix &&
        hit.access.length === access.length &&
        hit.access.every((d, i) => d === access[i])
      )
        out = hit;
      else serverDrops.set(server.d, (out = { origin, prefix, access }));
    }
    this.memos.set(server, out);
    return out;
  }

  // --- return vs access phase, 444 with a body --------------------------------------------------

  returnsInScope(s: Scope): void {
    for (const op of s.codes) {
      if (op.op !== 'return') continue;
      if (op.status === 444 && op.d.args.length > 1) {
        this.report('warning', '444-with-body', op.d, op.d.args[1].range, `444 closes the connection without a response: the ${/^(https?:|\$scheme)/.test(op.d.args[1].value) ? 'URL' : 'text'} "${op.d.args[1].value}" is never sent.`, {
          fixes: [{ title: 'Remove the unused text', edits: [{ file: op.d.file, range: { start: op.d.args[0].range.end, end: op.d.args[op.d.args.length - 1].range.end }, newText: '' }] }],
        });
      }
      this.bypass(op, s);
    }
  }

  bypass(op: Extract<Op, { op: 'return' }>, s: Scope): void {
    // Access rules nginx applies to this request: those of the location (or server) configuration
    // the return runs in; an `if` block's configuration inherits them.
    const access = accessRulesOf(s);
    const rules = access.all;
    const restricting = access.restricting;
    if (!restricting.length) return;
    const unconditional = s.kind !== 'if';
    const allows = access.admitting;
    const admitted = (rs: Directive[]) => rs.slice(0, 2).map((r) => `\`${header(r)}\` at ${this.where(r)}`).join(', ');
    let message: string;
    if (op.status === 444) {
      // A conditional drop also hits clients the rules would deny anyway: only the unconditional one defeats them.
      if (!unconditional || !allows.length) return;
      message = `\`return 444\` runs in the rewrite phase, before the access phase, so the access rules (${admitted(allows)}) never get a say: every request here is dropped, including the clients they admit.`;
    } else if (op.status >= 200 && op.status < 300) {
      // Only an answer with content leaks something; redirects and errors tell a rejected client nothing new.
      message = `\`${header(op.d)}\` runs in the rewrite phase, before the access phase: it answers every request it matches with ${op.status}, including clients the access rules (${admitted(restricting)}) would reject.`;
    } else return;
    const fixes: Fix[] = [];
    const server = s.server;
    const denies = rules.some((r) => r.name === 'deny');
    if (op.status === 444 && denies && server?.d.block?.close) {
      // Move the drop to where the access phase sends the rejected: error_page 403 → a named location.
      const name = this.existingDrop(server) ?? '@drop';
      const edits: TextEdit[] = [{ file: op.d.file, range: lineRange(op.d), newText: `error_page 403 = ${name};` }, ...this.namedDropEdits(server)];
      fixes.push({ title: `Drop only the requests the access rules deny (error_page 403 = ${name})`, edits });
    }
    fixes.push({ title: 'Remove the return (let the access rules decide)', edits: [{ file: op.d.file, range: this.wholeLine(op.d), newText: '' }] });
    this.report('warning', 'return-bypasses-access', op.d, lineRange(op.d), message, {
      related: restricting.slice(0, 3).map((r) => ({ file: r.file, range: r.range, message: 'never checked for requests the return answers' })),
      fixes,
    });
  }

  /** `error_page 404 =444 /page`: nginx sends a response whose status line says 444, with the page. */
  errorPage444(d: Directive, s: Scope): void {
    const eq = d.args.find((a) => a.value === '=444');
    if (!eq || d.args.length < 3) return;
    const fixes: Fix[] = [];
    const server = s.server;
    const codes = d.args.slice(0, -1).filter((a) => /^\d+$/.test(a.value)).map((a) => a.value);
    if (server?.d.block?.close && codes.length) {
      const edits = this.namedDropEdits(server);
      edits.unshift({ file: d.file, range: lineRange(d), newText: `error_page ${codes.join(' ')} = ${edits.length ? '@drop' : this.existingDrop(server)};` });
      fixes.push({ title: 'Drop these requests instead (error_page to a named location that returns 444)', edits });
    }
    this.report('warning', 'error-page-444-response', d, eq.range, `\`=444\` does not drop the connection: nginx sends an HTTP response with the status line "444" and the body of ${d.args[d.args.length - 1].value} (logged as 444, like a drop). To close the connection, send the error to a named location that does \`return 444\`.`, { fixes });
  }

  existingDrop(server: ServerModel): string | undefined {
    return [...server.named.entries()].find(([, l]) => l.scope.codes.length === 1 && l.scope.codes[0].op === 'return' && l.scope.codes[0].status === 444)?.[0];
  }

  /** Edits adding `location @drop { return 444; }` to a server, unless one like it exists (then none). */
  namedDropEdits(server: ServerModel): TextEdit[] {
    if (this.existingDrop(server) || !server.d.block?.close) return [];
    const outer = this.indentOf(server.d);
    const indent = outer + '    ';
    return [{ file: server.d.file, range: { start: server.d.block.close.start, end: server.d.block.close.start }, newText: `    location @drop {\n${indent}    return 444;\n${indent}}\n${outer}` }];
  }

  indentOf(d: Directive): string {
    const f = this.graph.files.get(d.file);
    if (!f) return '';
    const start = f.lineStarts[d.range.start.line];
    return /^[ \t]*/.exec(f.text.slice(start, d.range.start.offset))?.[0] ?? '';
  }

  /** The directive's whole line(s), when nothing else shares them; else the directive itself. */
  wholeLine(d: Directive): Range {
    const f = this.graph.files.get(d.file);
    const r = lineRange(d);
    if (!f) return r;
    const ls = f.lineStarts[r.start.line];
    const le = r.end.line + 1 < f.lineStarts.length ? f.lineStarts[r.end.line + 1] : f.text.length;
    if (f.text.slice(ls, r.start.offset).trim() || f.text.slice(r.end.offset, le).trim()) return r;
    const pos = (offset: number, line: number): Position => ({ line, character: 0, offset });
    return { start: pos(ls, r.start.line), end: le === f.text.length ? { ...r.end } : pos(le, r.end.line + 1) };
  }

  // --- unreachable code -------------------------------------------------------------------------

  /** An op after which nothing of the same rewrite block runs. */
  ender(op: Op): string | undefined {
    if (op.op === 'return') return `return ${op.d.args[0]?.value ?? ''}`.trim();
    if (op.op === 'break') return 'break';
    if (op.op === 'rewrite' && (op.flag !== null || op.redirect > 0) && CATCH_ALL.has(op.re.source)) return `rewrite ${op.re.source} ... ${op.flag ?? 'redirect'}`;
    return undefined;
  }

  unreachableAfter(s: Scope): void {
    const codes = s.codes;
    for (let i = 0; i < codes.length; i++) {
      const why = this.ender(codes[i]);
      if (!why) continue;
      const rest = s.items.slice(s.items.indexOf(codes[i].d) + 1).filter((x) => x.name === 'if' || x.name === 'set' || x.name === 'return' || x.name === 'rewrite' || x.name === 'break');
      for (const x of rest) {
        this.report('warning', 'unreachable-after-return', x, x.block ? { start: x.nameRange.start, end: x.args[x.args.length - 1]?.range.end ?? x.nameRange.end } : lineRange(x), `Never runs: \`${why}\` (${this.where(codes[i].d)}) ends the rewrite directives of this block first.`, {
          unnecessary: true,
          related: [{ file: codes[i].d.file, range: codes[i].d.range, message: 'ends the block here' }],
        });
      }
      break;
    }
  }

  serverLevel(server: ServerModel): void {
    // A server-level return that always fires answers before any location is chosen.
    const ret = server.scope.codes.find((o) => o.op === 'return' || (o.op === 'rewrite' && this.ender(o) && o.flag !== 'last' && o.flag !== 'break'));
    if (ret) {
      const before = server.scope.codes.slice(0, server.scope.codes.indexOf(ret));
      // `break`, or `rewrite ... last|break`, before it ends the server-level set early and lets some
      // requests on to location selection; stay silent then.
      const leaves = (o: Op): boolean => o.op === 'break' || (o.op === 'rewrite' && (o.flag === 'break' || o.flag === 'last')) || (o.op === 'if' && o.body.some(leaves));
      if (!before.some(leaves)) {
        for (const l of [...server.locations.exact.values(), ...server.locations.prefix, ...server.locations.regex]) {
          this.report('warning', 'unreachable-location', l.d, { start: l.d.nameRange.start, end: l.d.args[l.d.args.length - 1]?.range.end ?? l.d.nameRange.end }, `Never selected: the server-level \`${header(ret.d)}\` (${this.where(ret.d)}) answers every request before nginx chooses a location (only named locations stay reachable, through error_page).`, {
            unnecessary: true,
            related: [{ file: ret.d.file, range: ret.d.range, message: 'answers first' }],
          });
        }
        return;
      }
    }
    this.shadowedLocations(server.locations.regex, server.locations.prefix);
  }

  shadowedLocations(regex: LocationModel[], prefix: LocationModel[]): void {
    for (let i = 0; i < regex.length; i++) {
      const r = regex[i];
      for (let j = 0; j < i; j++) {
        const e = regex[j];
        const covers = e.name === r.name && (e.modifier === r.modifier || e.modifier === '~*') || (CATCH_ALL.has(e.name) && e.name !== '^');
        if (!covers) continue;
        this.report('warning', 'unreachable-location', r.d, { start: r.d.nameRange.start, end: r.d.args[r.d.args.length - 1]?.range.end ?? r.d.nameRange.end }, `Never selected: the earlier \`location ${e.modifier} ${e.name}\` (${this.where(e.d)}) matches every URI this one does, and the first matching regex wins.`, {
          unnecessary: true,
          related: [{ file: e.d.file, range: e.d.range, message: 'matches first' }],
        });
        break;
      }
    }
    const all = regex.find((e) => CATCH_ALL.has(e.name) && e.name !== '^');
    if (all) {
      for (const p of prefix) {
        if (p.modifier !== '' || p.nested.prefix.length || p.nested.regex.length || p.nested.exact.size) continue;
        this.report('warning', 'unreachable-location', p.d, { start: p.d.nameRange.start, end: p.d.args[p.d.args.length - 1]?.range.end ?? p.d.nameRange.end }, `Never selected: \`location ${all.modifier} ${all.name}\` (${this.where(all.d)}) matches every URI, and regex locations win over prefix locations without \`^~\`.`, {
          unnecessary: true,
          related: [{ file: all.d.file, range: all.d.range, message: 'matches every URI' }],
        });
      }
    }
  }

  // --- listen sockets: ignored names, default servers, TLS handshake ----------------------------

  listenGroups(): void {
    const seenDup = new Set<string>();
    const reportedNames = new Set<string>();
    for (const byAddr of this.model.groups.values())
      for (const g of byAddr.values()) {
        const sock = `${g.addr === '*' ? '0.0.0.0' : g.addr}:${g.port}`;
        // duplicate default_server
        let firstDefault: { s: ServerModel; d?: Directive } | undefined;
        for (const s of g.servers)
          for (const l of s.listens) {
            if (l.port !== g.port || l.addr !== g.addr || !l.defaultServer || !l.d) continue;
            if (!firstDefault) firstDefault = { s, d: l.d };
            else if (firstDefault.s !== s && !seenDup.has(`${l.d.file}:${l.d.range.start.offset}`)) {
              seenDup.add(`${l.d.file}:${l.d.range.start.offset}`);
              this.report('error', 'duplicate-default-server', l.d, lineRange(l.d), `a duplicate default server for ${sock} (nginx -t fails; the first is at ${this.where(firstDefault.d!)}).`, {
                related: [{ file: firstDefault.d!.file, range: firstDefault.d!.range, message: 'first default_server' }],
              });
            }
          }
        // conflicting server names (never looked up, a lone server's names never conflict)
        const claims = namesLookedUp(g) ? claimServerNames(g.servers) : [];
        for (const { sn, server: s, by } of claims) {
          if (!by) continue;
          // A server without server_name has the implicit name "": point at the server itself.
          const range = (sn.d.args.find((a) => lowerAscii(textToBytes(a.value)) === sn.name) ?? sn.d.args[0])?.range ?? sn.d.nameRange;
          const rk = `${range.start.offset}:${sn.d.file}:${sock}`;
          if (reportedNames.has(rk)) continue;
          reportedNames.add(rk);
          const allTaken = claims.every((c) => c.server !== s || c.sn.kind === 'regex' || c.by);
          const holder = by.server === s ? 'this server' : `the server at ${this.where(by.server.d)}`;
          this.report('warning', 'ignored-server', sn.d, range, `conflicting server name "${serverNameText(sn)}" on ${sock}, ignored: "${serverNameText(by.sn)}" of ${holder} claims it first${allTaken && g.defaultServer !== s ? '; every name of this server is taken, so nginx never selects it on this socket' : ''}.`, {
            related: [{ file: by.sn.d.file, range: by.sn.d.nameRange, message: 'claims the name first' }],
          });
        }
        this.implicitDefault(g.servers, g.defaultServer, !!g.defaultListen, sock);
        this.sslDefault(g.defaultServer, g.port, g.addr);
      }
  }

  implicitDefault(servers: ServerModel[], def: ServerModel, explicit: boolean, sock: string): void {
    if (!this.whole || explicit || servers.length < 2) return;
    if (this.isCatchAll(def)) return;
    const names = def.names.filter((n) => n.name && n.name !== '_').map(serverNameText);
    if (!names.length) return;
    const others = servers.length - 1;
    const at = def.listens.find((l) => l.d && `${l.addr === '*' ? '0.0.0.0' : l.addr}:${l.port}` === sock)?.d ?? def.d;
    this.report('information', 'implicit-default-server', at, at === def.d ? def.d.nameRange : lineRange(at), `No default_server on ${sock}: requests whose Host matches none of the ${others + 1} servers there go to the first one, \`${names[0]}\` (${this.where(def.d)}).`);
  }

  /** A server whose first rewrite directive answers every request (catch-all drops and redirects). */
  isCatchAll(s: ServerModel): boolean {
    const first = s.scope.codes[0];
    return !!first && (first.op === 'return' || (first.op === 'rewrite' && !!this.ender(first)));
  }

  sslDefault(def: ServerModel, port: number, addr: string): void {
    const listens = def.listens.filter((l) => l.port === port && l.addr === addr && l.d);
    const tls = listens.find((l) => l.ssl || l.d!.args.some((a) => a.value === 'quic'));
    if (!tls) return;
    const ret = def.scope.codes[0];
    if (!ret || ret.op !== 'return' || ret.status !== 444) return;
    const reject = inherited(def.scope, 'ssl_reject_handshake');
    if (reject.length && reject[reject.length - 1].args[0]?.value === 'on') return;
    const indent = this.indentOf(tls.d!);
    this.out.push({
      severity: 'warning',
      code: 'ssl-default-444-handshake',
      message: `Default server for ${addr === '*' ? '' : addr + ':'}${port} (TLS) drops with 444 only after the TLS handshake has completed, showing the client this server's certificate${inherited(def.scope, 'ssl_certificate').length ? '' : ' (and without any ssl_certificate nginx refuses the configuration)'}. \`ssl_reject_handshake on;\` refuses the handshake instead.`,
      file: tls.d!.file,
      range: lineRange(tls.d!),
      fixes: [{ title: 'Add ssl_reject_handshake on;', edits: [{ file: tls.d!.file, range: { start: tls.d!.range.end, end: tls.d!.range.end }, newText: `\n${indent}ssl_reject_handshake on;` }] }],
    });
  }

  // --- logs and limits --------------------------------------------------------------------------

  notLogged(src: Source444): void {
    const scope = src.kind === 'error_page' && src.target ? (this.ix.scopeOf.get(src.target) ?? src.scope) : src.scope;
    const logs = accessLogsOf(this.model, scope);
    if (!logs.length) return;
    const offs = logs.filter((l) => l.off);
    // One `off` silences its level whatever else it lists (ngx_http_log_handler reads one flag).
    if (offs.length) {
      const off = offs[0].d;
      this.report('information', 'drops-not-logged', src.d, lineRange(src.d), `These drops are never logged: \`access_log off\`${off ? ` (${this.where(off)})` : ''} is in effect here, so nothing records them (and nginx-lens cannot trace them).`, off ? { related: [{ file: off.file, range: off.range, message: 'access_log off' }] } : {});
      return;
    }
    const excluded = logs.filter((l) => !l.off).every((l) => l.ifCond && this.excludes444(l.ifCond.raw));
    if (excluded) {
      const l = logs.find((x) => !x.off)!;
      this.report('information', 'drops-not-logged', src.d, lineRange(src.d), `These drops are never logged: \`${l.ifCond!.raw}\` of the access_log${l.d ? ` at ${this.where(l.d)}` : ''} is "0" or empty for status 444.`, l.d ? { related: [{ file: l.d.file, range: l.d.range, message: 'excludes 444' }] } : {});
    }
  }

  /** `if=$var` where $var comes from `map $status` and is "0"/"" for 444. */
  excludes444(cond: string): boolean {
    const m = /^\$\{?([A-Za-z0-9_]+)\}?$/.exec(cond);
    if (!m) return false;
    const map = this.model.maps.get(m[1].toLowerCase());
    if (!map || map.source.raw !== '$status' && map.source.raw !== '${status}') return false;
    let v = map.exact.get('444');
    if (!v) {
      for (const r of map.regex) {
        const res = r.re.exec('444');
        if (res.kind === 'unknown') return false;
        if (res.kind === 'match') {
          v = r.value;
          break;
        }
      }
    }
    const value = literalOf(v ?? map.defaultValue);
    return value === '' || value === '0';
  }

  limitStatus(src: Source444): void {
    if (!this.whole) return;
    const limit = src.kind === 'limit_req_status' ? 'limit_req' : 'limit_conn';
    const applies = src.appliesIn ?? [];
    if (!applies.length) {
      this.report('warning', 'limit-status-never-applies', src.d, lineRange(src.d), `\`${header(src.d)}\` never applies: no \`${limit}\` is in effect where this status is used.`);
      return;
    }
    if (limit !== 'limit_req' && limit !== 'limit_conn') return;
    // limit_req and limit_conn run in the preaccess phase: an unconditional rewrite-phase answer comes first.
    const answered = applies.every((s) => {
      const server = s.server;
      const sFirst = server?.scope.codes.find((o) => o.op !== 'set');
      if (sFirst && sFirst.op === 'return') return true;
      if (s.kind === 'server') return false;
      const lFirst = s.codes.find((o) => o.op !== 'set');
      return !!lFirst && lFirst.op === 'return';
    });
    if (answered) {
      this.report('warning', 'limit-status-never-applies', src.d, lineRange(src.d), `\`${header(src.d)}\` never applies: everywhere \`${limit}\` is in effect, a \`return\` answers in the rewrite phase, before ${limit} runs (preaccess phase).`);
    }
  }

  // --- syntax-level checks: stream, regexes, host conditions ------------------------------------

  walkSyntax(): void {
    const seen = new Set<Directive>();
    const rootStream = this.graph.rootContext[0] === 'stream';
    walkEffective(this.graph, (d, ancestors, via) => {
      if (seen.has(d)) return 'skip';
      const inStream = rootStream || ancestors.some((a) => a.name === 'stream');
      if (d.name === 'server' && d.block && !inStream && this.serverSyntax(d, via)) return 'skip';
      seen.add(d);
      return this.visitSyntax(d, inStream);
    });
  }

  /** Emits a server block's syntax diagnostics from its memo, or walks it alone and keeps them; false: walk it inline. */
  serverSyntax(d: Directive, via: readonly Directive[]): boolean {
    const server = this.ix.serverOf.get(d);
    const memo = server ? this.serverMemo(server) : undefined;
    if (!memo) return false;
    const graph = this.graph;
    const m = memo.syntax;
    if (
      m &&
      m.includes.every(([inc, paths]) => {
        const ts = graph.includes.get(inc);
        return !!ts && ts.length === paths.length && ts.every((t, i) => paths[i] === (t.status === 'ok' ? t.path : `\u0000${t.status}`));
      }) &&
      m.files.every(([p, list]) => graph.files.get(p)?.directives === list) &&
      m.ports.every(([x, r]) => this.nonDefaultPort(x) === r)
    ) {
      this.out.push(...m.diags);
      return true;
    }
    const rec: SyntaxMemo = { includes: [], files: [], ports: [], diags: [] };
    const start = this.out.length;
    this.portReads = rec.ports;
    try {
      this.walkServer(d, via, rec);
    } finally {
      this.portReads = undefined;
    }
    rec.diags = this.out.slice(start);
    memo.syntax = rec;
    return true;
  }

  /** walkEffective below one server block (the files open on the way to it stay open), its own `seen`. */
  walkServer(server: Directive, via: readonly Directive[], rec: SyntaxMemo): void {
    const graph = this.graph;
    const seen = new Set<Directive>();
    walkEffective(
      graph,
      (d) => {
        if (seen.has(d)) return 'skip';
        seen.add(d);
        return this.visitSyntax(d, false);
      },
      {
        from: { list: server.block!.children, openFiles: [graph.mainFile, server.file, ...via.map((v) => v.file)] },
        onFile: (path, directives) => void rec.files.push([path, directives]),
        onInclude: (d, targets) => void rec.includes.push([d, targets.map((t) => (t.status === 'ok' ? t.path : `\u0000${t.status}`))]),
      },
    );
  }

  private portReads?: [Directive, boolean][];

  visitSyntax(d: Directive, inStream: boolean): 'skip' | undefined {
    if (RAW_CONTENT_BLOCKS.has(d.name)) {
      // map entries are keys, not directives: only their regex keys concern us.
      if (d.name === 'map' && !inStream && d.block && !d.block.raw) this.mapKeys(d);
      return 'skip';
    }
    if (d.name === 'return' && d.args[0]?.value === '444' && inStream) {
      this.report('warning', 'stream-return-444', d, lineRange(d), 'In a stream server `return` sends its argument as data: the client receives the text "444", and the connection is not dropped silently.');
    }
    if (inStream) return;
    if (d.name === 'location' && d.block) this.locationRegex(d);
    else if (d.name === 'if' && d.block) this.ifRegex(d);
    else if (d.name === 'server_name') this.serverNameRegex(d);
    // rewrite takes 2 or 3 arguments; with more nginx stops at the count, before compiling.
    else if (d.name === 'rewrite' && d.args.length >= 2 && d.args.length <= 3) this.compile(d, d.args[0].value, false, d.args[0].range);
    else if (d.name === 'fastcgi_split_path_info' && d.args.length) this.compile(d, d.args[0].value, false, d.args[0].range);
    return undefined;
  }

  compile(d: Directive, pattern: string, caseless: boolean, range: Range): boolean {
    const r = compileRegex(pattern, { caseless });
    if (!isCompileError(r)) return true;
    this.report('error', 'invalid-regex', d, range, r.message);
    return false;
  }

  locationRegex(d: Directive): void {
    const a = d.args;
    let mod: string | undefined;
    let pat: string | undefined;
    let range: Range | undefined;
    if (a.length >= 2 && (a[0].value === '~' || a[0].value === '~*')) (mod = a[0].value), (pat = a[1].value), (range = a[1].range);
    else if (a.length === 1 && a[0].value.startsWith('~')) {
      mod = a[0].value.startsWith('~*') ? '~*' : '~';
      pat = a[0].value.slice(mod.length);
      range = a[0].range;
    }
    if (mod && pat !== undefined && range) this.compile(d, pat, mod === '~*', range);
  }

  ifRegex(d: Directive): void {
    const v = d.args.map((x) => x.value);
    if (v.length < 3) return;
    this.ifEquality(d, v);
    const opIdx = v.findIndex((x, i) => i > 0 && (x === '~' || x === '~*' || x === '!~' || x === '!~*'));
    if (opIdx === -1 || opIdx + 1 >= v.length) return;
    let pat = v[opIdx + 1];
    if (opIdx + 1 === v.length - 1) {
      if (pat.endsWith(')')) pat = pat.slice(0, -1);
      else return;
    } else if (!(opIdx + 2 === v.length - 1 && v[v.length - 1] === ')')) return;
    const left = v[0].replace(/^\(/, '');
    const op = v[opIdx];
    const caseless = op.endsWith('*');
    const arg = d.args[opIdx + 1];
    if (!this.compile(d, pat, caseless, arg.range)) return;
    const m = /^\$\{?([A-Za-z0-9_]+)\}?$/.exec(left);
    const name = m?.[1].toLowerCase();
    if (!name || !HOST_VARS.has(name)) return;
    this.hostRegex(d, pat, caseless, arg.range, name, op.startsWith('!'));
  }

  /** `if ($http_host = example.com)`: the raw header carries a port when the client sends one. */
  ifEquality(d: Directive, v: string[]): void {
    const left = v[0].replace(/^\(/, '');
    if (!/^\$\{?http_host\}?$/i.test(left)) return;
    if (v[1] !== '=' && v[1] !== '!=') return;
    if (!(v.length === 3 || (v.length === 4 && v[3] === ')'))) return;
    const right = v.length === 4 ? v[2] : v[2].replace(/\)$/, '');
    if (!right || right.includes(':') || right.includes('$')) return;
    this.report(this.nonDefaultPort(d) ? 'warning' : 'information', 'http-host-port', d, { start: d.args[0].range.start, end: d.args[2].range.end }, `\`$http_host\` is the Host header as sent, with a port when the client includes one ("${right}:8080") and in any case; \`$host\` is lower-cased and has the port removed.`, {
      fixes: [{ title: 'Compare $host instead', edits: [{ file: d.file, range: d.args[0].range, newText: d.args[0].raw.replace(/\$\{?http_host\}?/i, '$host') }] }],
    });
  }

  serverNameRegex(d: Directive): void {
    for (const a of d.args) {
      if (!a.value.startsWith('~') || a.value.length < 2) continue;
      const pat = a.value.slice(1);
      // ngx_http_core_server_name: caseless when the pattern has an upper-case letter.
      if (!this.compile(d, pat, /[A-Z]/.test(pat), a.range)) continue;
      this.hostRegex(d, pat, true, a.range, 'server_name', false);
    }
  }

  /**
   * The regex keys of a map. What they report depends on the map directive alone (its source
   * variable and entries; an entry has no server, so no port), and an unchanged map keeps its
   * object across re-parses: a blocklist's 600 patterns are checked once, not after every edit.
   */
  mapKeys(map: Directive): void {
    let found = mapKeyMemo.get(map);
    if (!found) {
      const start = this.out.length;
      for (const e of map.block!.children) if (e.name.startsWith('~')) this.mapKey(e, map);
      mapKeyMemo.set(map, (found = this.out.slice(start)));
      return;
    }
    for (const d of found) this.out.push(d);
  }

  mapKey(d: Directive, map: Directive): void {
    const caseless = d.name.startsWith('~*');
    const pat = d.name.slice(caseless ? 2 : 1);
    if (!this.compile(d, pat, caseless, d.nameRange)) return;
    const src = /^\$\{?([A-Za-z0-9_]+)\}?$/.exec(map.args[0]?.value ?? '')?.[1]?.toLowerCase();
    if (src && HOST_VARS.has(src)) this.hostRegex(d, pat, caseless, d.nameRange, src, false);
  }

  /** Traps of regexes meant to match a host name. `subject` is the variable (or 'server_name'). */
  hostRegex(d: Directive, pat: string, caseless: boolean, range: Range, subject: string, negative: boolean): void {
    const where = subject === 'server_name' ? 'server_name' : `\`$${subject}\``;
    const body = pat.replace(/^\(\?[a-z]+\)/, '');
    const inlineCaseless = /^\(\?[a-z]*i[a-z]*\)/.test(pat);
    // unescaped dot between host-name labels: `example.com`
    const dots = unescapedLabelDots(body);
    if (dots.length) {
      const newText = rewriteArg(d, range, pat, escapeDots(pat, body, dots));
      this.report('warning', 'unescaped-dot', d, range, `Unescaped \`.\` in the host pattern \`${pat}\` matches any character (e.g. "${sampleFor(body, dots)}"); write \`\\.\` for a literal dot.`, {
        fixes: newText === undefined ? undefined : [{ title: `Escape the dot${dots.length > 1 ? 's' : ''}`, edits: [{ file: d.file, range, newText }] }],
      });
    }
    // unanchored: a complete host name with no anchor matches inside longer names.
    const looksFull = /[a-z0-9]\\\.[a-z]{2,}\)?\??$/i.test(body.replace(/\$$/, ''));
    if (looksFull && !negative) {
      const noStart = !body.startsWith('^') && /^[A-Za-z0-9(]/.test(body) && !body.startsWith('(?');
      const noEnd = !body.endsWith('$') && !body.endsWith('\\z') && !body.endsWith('\\Z');
      if (noEnd || (noStart && !/^\([^)]*\|/.test(body))) {
        const example = noEnd ? 'followed by anything, e.g. ".evil.example"' : 'preceded by anything, e.g. "evil-" + the name';
        const lead = pat.slice(0, pat.length - body.length);
        const anchored = `${lead}${noStart && !body.startsWith('^') ? '^' : ''}${body}${noEnd ? '$' : ''}`;
        const newText = rewriteArg(d, range, pat, anchored);
        this.report('warning', 'unanchored-host-regex', d, range, `The host pattern \`${pat}\` is not anchored${noStart && noEnd ? ' at either end' : noEnd ? ' at the end ($)' : ' at the start (^)'}: it also matches host names ${example}.`, {
          fixes: newText === undefined ? undefined : [{ title: `Anchor it: ${anchored}`, edits: [{ file: d.file, range, newText }] }],
        });
      }
    }
    // case: $host and server_name are lower-case already; the raw Host header is not.
    if (!caseless && !inlineCaseless && subject !== 'server_name') {
      const upper = /[A-Z]/.test(stripEscapes(body));
      const opArg = d.name === 'if' ? d.args.find((a) => a.value === '~' || a.value === '!~') : undefined;
      const fixes: Fix[] | undefined = opArg ? [{ title: `Match case-insensitively (${opArg.value}*)`, edits: [{ file: d.file, range: opArg.range, newText: opArg.value + '*' }] }] : undefined;
      if (subject === 'host' && upper) {
        this.report('warning', 'case-sensitive-host-regex', d, range, `\`$host\` is always lower-case, so the case-sensitive \`~\` pattern \`${pat}\` never matches its upper-case letters; use lower case or \`~*\`.`, { fixes });
      } else if (subject === 'http_host' && /[a-zA-Z]/.test(stripEscapes(body))) {
        this.report('warning', 'case-sensitive-host-regex', d, range, `\`$http_host\` is the Host header as the client sent it, in any case (host names are case-insensitive); \`~\` misses e.g. "${body.replace(/[\\^$]/g, '').toUpperCase().slice(0, 30)}". Use \`~*\`, or \`$host\` (lower-cased by nginx).`, { fixes });
      }
    }
    // $http_host carries the port when the client sends one.
    if (subject === 'http_host' && body.endsWith('$') && !body.includes(':') && !/\\d|\[0-9\]|\.\*\$$|\.\+\$$/.test(body)) {
      this.report(this.nonDefaultPort(d) ? 'warning' : 'information', 'http-host-port', d, range, `\`$http_host\` includes the port when the client sends one ("example.com:8080"); the pattern \`${pat}\` ends at \`$\` without one. \`$host\` has the port removed.`);
    }
  }

  nonDefaultPort(d: Directive): boolean {
    const s = this.ix.scopeOf.get(d);
    const server = s?.server ?? this.ix.blockScope.get(d)?.server;
    const r = !!server?.listens.some((l) => l.port !== 80 && l.port !== 443);
    this.portReads?.push([d, r]);
    return r;
  }
}

/** Positions (in `body`) of unescaped dots between host-name characters, outside classes. */
function unescapedLabelDots(body: string): number[] {
  const out: number[] = [];
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '.' && i > 0 && /[A-Za-z0-9-]/.test(body[i - 1]) && body[i - 2] !== '\\' && /^[A-Za-z]{2,}/.test(body.slice(i + 1))) out.push(i);
  }
  return out;
}

function escapeDots(pat: string, body: string, dots: number[]): string {
  const lead = pat.length - body.length;
  let s = pat;
  for (const i of [...dots].reverse()) s = s.slice(0, lead + i) + '\\' + s.slice(lead + i);
  return s;
}

function sampleFor(body: string, dots: number[]): string {
  let s = body;
  for (const i of [...dots].reverse()) s = s.slice(0, i) + 'x' + s.slice(i + 1);
  return s.replace(/^\^|\$$/g, '').replace(/\\/g, '').replace(/[()?]/g, '').slice(0, 40);
}

function stripEscapes(body: string): string {
  return body.replace(/\\./g, '').replace(/\(\?[A-Za-z<>=!'-]*[:)]?/g, '');
}

/** The argument text with its pattern replaced, keeping the prefix (`~`, `~*`), quotes and `)`. */
function rewriteArg(d: Directive, range: Range, pat: string, fixed: string): string | undefined {
  const arg = d.args.find((a) => a.range.start.offset === range.start.offset);
  if (!arg && d.nameQuote) return undefined;
  const raw = arg ? arg.raw : d.name;
  // Inside quotes nginx keeps `\.` as written, so the raw text takes the same pattern.
  const i = raw.indexOf(pat);
  if (i === -1) return undefined;
  return raw.slice(0, i) + fixed + raw.slice(i + pat.length);
}
