// Runs a scenario through real nginx (/usr/sbin/nginx, 127.0.0.1 high ports, temp prefix,
// stopped by pid) and records, for every request, what nginx itself says happened.
//
// Ground truth comes from nginx, never from our router: the config nginx runs is the scenario's
// with `set $lens_rule "<id>";` inserted right before every `return 444` (a `set` in the same
// block just before the return runs exactly when the return does) and a truth access_log added
// next to every access_log (and replacing `access_log off`) that records the request id, status,
// `$lens_rule`, `$limit_req_status` and `$limit_conn_status`. The scenario's own access_log
// directives are untouched, so the logs we trace are the ones the uninstrumented config writes.

import { createConnection } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from '../../server/src/core/parser';
import { walk } from '../../server/src/core/tree';
import type { Directive } from '../../server/src/core/syntax';
import { hasNginx, sendRaw, startNginx } from '../support/realNginx';

export const haveNginx = hasNginx();

export interface Req {
  method?: string;
  path: string;
  /** Host header; null sends none (use protocol HTTP/1.0). */
  host?: string | null;
  protocol?: string;
  headers?: Record<string, string>;
  /** Source address in 127.0.0.0/8, or ::1 (the request then goes to [::1], which the scenario must listen on). */
  from?: string;
  /** Which listen port placeholder: 0 → PORT, 1 → PORT2. */
  port?: 0 | 1;
  /** Destination address in 127.0.0.0/8 (default 127.0.0.1), for servers listening on several. */
  to?: string;
  /** A request body, sent with its Content-Length (unless `headers` give one). */
  body?: string;
  /** Bytes sent before the request on the same connection: a PROXY protocol header. */
  proxy?: string;
  /**
   * Sent on the previous request's connection, pipelined in the same write (the first request of
   * the run gives the connection's from/to/port/proxy). A 444 closes the connection: only the
   * last request of a run may be one.
   */
  sameConnection?: boolean;
  /** nginx closes the connection without logging it (a broken PROXY header): asserted, not traced. */
  unlogged?: boolean;
  /** Send over TLS (any certificate accepted); `servername` is the SNI sent, none when absent. */
  tls?: { servername?: string };
}

export interface TruthRecord {
  id: number;
  status: number;
  /** 'file:line:col' of the rule nginx ran, from the instrumented marker, or undefined. */
  rule?: string;
  limitReq?: string;
  limitConn?: string;
  /** For each scenario log file (by name): the 1-based line this request wrote, if any. */
  lines: Record<string, number>;
}

export interface RunResult {
  /** The uninstrumented config as nginx would read it (ports and paths filled in). */
  confPath: string;
  prefix: string;
  /** The scenario's FILES/ directory, if it has files. */
  files?: string;
  /** Scenario log name → absolute path in the temp prefix. */
  logs: Record<string, string>;
  truth: TruthRecord[];
  /** Rule id → 'file:line:col' in the uninstrumented config. */
  rules: Map<string, string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How a directive that makes nginx log 444 is marked: with a `set $lens_rule` before it, whose
 * id starts with this letter, or (`status`: limit_req_status / limit_conn_status) by the truth
 * log's $limit_*_status. A `set` is a rewrite-phase directive: it runs whenever its location's
 * rewrite phase does, which precedes try_files and the echo module's output (a later `return 444`
 * marker overwrites it). An echo_status is marked in its own location only, not where a nested
 * location inherits it.
 */
function markKind(d: Directive): 'r' | 't' | 'e' | 'status' | undefined {
  const a0 = d.args[0]?.value;
  if (d.name === 'return' && a0 === '444') return 'r';
  if (d.name === 'try_files' && d.args[d.args.length - 1]?.value === '=444') return 't';
  if (d.name === 'echo_status' && a0 === '444') return 'e';
  if ((d.name === 'limit_req_status' || d.name === 'limit_conn_status') && a0 === '444') return 'status';
  return undefined;
}

/** Positions of the marked directives, in the walk order instrument() numbers them. */
function markedPositions(text: string, file: string): string[] {
  const out: string[] = [];
  walk(parse(text, file).directives, (d) => {
    if (markKind(d)) out.push(`${file}:${d.range.start.line + 1}:${d.range.start.character + 1}`);
  });
  return out;
}

/** Inserts markers and truth logs into the config text (offsets from the original parse). */
export function instrument(text: string, file: string, truthLog: string): { text: string; order: string[] } {
  const parsed = parse(text, file);
  const order: string[] = [];
  const edits: { at: number; del: number; text: string }[] = [];
  let n = 0;
  let hasMarker = false;
  const blocksWithLog = new Set<Directive | null>();
  walk(parsed.directives, (d, anc) => {
    const kind = markKind(d);
    if (kind === 'status') order.push(d.name);
    else if (kind) {
      const id = `${kind}${++n}`;
      order.push(id);
      edits.push({ at: d.range.start.offset, del: 0, text: `set $lens_rule "${id}"; ` });
      hasMarker = true;
    }
    if (d.name === 'access_log') {
      const parent = anc[anc.length - 1] ?? null;
      if (d.args[0]?.value === 'off') {
        edits.push({ at: d.range.start.offset, del: d.range.end.offset - d.range.start.offset, text: `access_log ${truthLog} lens_truth;` });
        blocksWithLog.add(parent);
      } else if (!blocksWithLog.has(parent)) {
        blocksWithLog.add(parent);
        edits.push({ at: d.range.end.offset, del: 0, text: ` access_log ${truthLog} lens_truth;` });
      }
    }
    if (d.name === 'http' && d.block) {
      const fmt = `'$http_x_lens_id $status "${hasMarkerPlaceholder}" $limit_req_status $limit_conn_status'`;
      edits.push({ at: d.block.open.end.offset, del: 0, text: ` log_format lens_truth ${fmt};` });
    }
  });
  edits.sort((a, b) => b.at - a.at);
  let out = text;
  for (const e of edits) out = out.slice(0, e.at) + e.text + out.slice(e.at + e.del);
  out = out.split(hasMarkerPlaceholder).join(hasMarker ? '$lens_rule' : '-');
  return { text: out, order };
}
const hasMarkerPlaceholder = '@@LENS_RULE@@';

export interface Scenario {
  name: string;
  /** Full nginx.conf; PORT, PORT2 and PREFIX are substituted. Must set an http-level access_log. */
  conf: string;
  requests: Req[];
  /**
   * Files the config reads (includes, htpasswd, a root's files), by path relative to a temp
   * directory that `FILES/` in the config names; a path ending in `/` makes a directory.
   */
  files?: Record<string, string>;
}

export async function runScenario(sc: Scenario): Promise<RunResult> {
  // PORT, PORT2 and PREFIX stay plain words while we parse (a `{{...}}` placeholder would read as a
  // block), then become realNginx.ts placeholders.
  const main = `pid PREFIX/nginx.pid; lock_file PREFIX/nginx.lock; error_log PREFIX/error.log;\n`;
  const files = writeFiles(sc.files);
  const scConf = files ? sc.conf.replace(/FILES\//g, files + '/') : sc.conf;
  const inst = instrument(main + scConf, 'template', 'PREFIX/logs/lens-truth.log');
  const toPlaceholders = (t: string) => t.replace(/\bPORT2\b/g, '{{port1}}').replace(/\bPORT\b/g, '{{port}}').replace(/PREFIX\//g, '{{prefix}}/');
  let ngx: Awaited<ReturnType<typeof startNginx>>;
  try {
    ngx = await startNginx({ conf: toPlaceholders(inst.text), ports: 2 });
  } catch (e) {
    if (files) rmSync(files, { recursive: true, force: true });
    throw e;
  }
  const fill = (t: string) =>
    t
      .replace(/\bPORT2\b/g, String(ngx.ports[1]))
      .replace(/\bPORT\b/g, String(ngx.ports[0]))
      .replace(/PREFIX\//g, ngx.prefix + '/');
  const confPath = join(ngx.prefix, 'original.conf');
  const original = fill(main + scConf);
  writeFileSync(confPath, original);
  const positions = markedPositions(original, confPath);
  const rules = new Map<string, string>();
  inst.order.forEach((id, i) => rules.set(id, positions[i]));
  const logs: Record<string, string> = {};
  for (const m of original.matchAll(/access_log\s+(\S+?\/([A-Za-z0-9_.-]+\.log))[\s;]/g)) logs[m[2]] = m[1];
  const truthLog = 'lens-truth.log';
  const lineCount = (p: string) => {
    try {
      return readFileSync(p, 'latin1').split('\n').length - 1;
    } catch {
      return 0;
    }
  };
  try {
    const truth: TruthRecord[] = [];
    let truthLines = ngx.readLog(truthLog).length;
    for (let id = 0; id < sc.requests.length; id++) {
      const r = sc.requests[id];
      const before: Record<string, number> = {};
      for (const [k, p] of Object.entries(logs)) before[k] = lineCount(p);
      const v6 = r.from?.includes(':');
      const port = r.port === 1 ? ngx.ports[1] : ngx.port;
      const sendOpts = { localAddress: r.from ?? '127.0.0.1', host: v6 ? '::1' : (r.to ?? '127.0.0.1') };
      if (sc.requests[id + 1]?.sameConnection) {
        let last = id;
        while (sc.requests[last + 1]?.sameConnection) last++;
        const ids = Array.from({ length: last - id + 1 }, (_, i) => id + i);
        // Pipelined: every request in one write, only the last one asking nginx to close.
        await sendRaw(port, (r.proxy ?? '') + ids.map((k) => requestText(sc.requests[k], k, k === last)).join(''), sendOpts);
        const recs = new Map<number, string>();
        for (let w = 0; w < 400 && recs.size < ids.length; w++) {
          const all = ngx.readLog(truthLog);
          for (const l of all.slice(truthLines)) if (ids.includes(Number(l.split(' ')[0]))) recs.set(Number(l.split(' ')[0]), l);
          truthLines = all.length;
          if (recs.size < ids.length) await sleep(5);
        }
        if (recs.size < ids.length) throw new Error(`pipelined requests ${id}..${last}: only ${[...recs.keys()]} were logged (a 444 closes the connection: put it last)`);
        // One connection's requests are logged in order; each must write to every log or none.
        const added: Record<string, number> = {};
        for (const [k, p] of Object.entries(logs)) {
          added[k] = lineCount(p) - before[k];
          if (added[k] !== 0 && added[k] !== ids.length) throw new Error(`pipelined requests ${id}..${last} wrote ${added[k]} lines to ${k}`);
        }
        ids.forEach((k, i) => {
          const lines: Record<string, number> = {};
          for (const name of Object.keys(logs)) if (added[name]) lines[name] = before[name] + i + 1;
          truth.push(truthRecord(k, recs.get(k)!, lines, rules));
        });
        id = last;
        continue;
      }
      if (r.tls) {
        // A refused handshake (ssl_reject_handshake) never becomes a request: nothing is logged.
        if (!(await sendTls(port, requestText(r, id), r.tls.servername, sendOpts))) {
          truth.push({ id, status: 0, lines: {} });
          continue;
        }
      } else await sendRaw(port, (r.proxy ?? '') + requestText(r, id), sendOpts);
      if (r.unlogged) {
        // nginx has closed the connection by now; a request it logged would be in the truth log.
        await sleep(50);
        const all = ngx.readLog(truthLog);
        if (all.length > truthLines) throw new Error(`request ${id} (${JSON.stringify(r)}) was logged: ${all.slice(truthLines).join(' | ')}`);
        truth.push({ id, status: 0, lines: {} });
        continue;
      }
      // The truth log line is written when nginx finalizes the request.
      let rec: string | undefined;
      for (let w = 0; w < 400 && !rec; w++) {
        const all = ngx.readLog(truthLog);
        if (all.length > truthLines) {
          const fresh = all.slice(truthLines);
          truthLines = all.length;
          // A request refused before its headers are read (400) has no id: the only new line.
          rec = fresh.find((l) => l.startsWith(`${id} `)) ?? (fresh.length === 1 && fresh[0].startsWith('- ') ? fresh[0].replace(/^- /, `${id} `) : undefined);
        }
        if (!rec) await sleep(5);
      }
      if (!rec) throw new Error(`request ${id} (${JSON.stringify(r)}) left no truth record`);
      const lines: Record<string, number> = {};
      for (const [k, p] of Object.entries(logs)) {
        const after = lineCount(p);
        if (after > before[k]) lines[k] = after;
      }
      truth.push(truthRecord(id, rec, lines, rules));
    }
    return { confPath, prefix: ngx.prefix, files, logs, truth, rules };
  } finally {
    // Keep the prefix: the caller traces its logs, then calls cleanup().
    await ngx.stop({ keep: true });
  }
}

function truthRecord(id: number, rec: string, lines: Record<string, number>, rules: Map<string, string>): TruthRecord {
  const m = /^(\d+) (\d+) "([^"]*)" (\S+) (\S+)$/.exec(rec);
  if (!m) throw new Error(`bad truth line ${rec}`);
  return { id, status: +m[2], rule: m[3] && m[3] !== '-' ? rules.get(m[3]) : undefined, limitReq: m[4], limitConn: m[5], lines };
}

/** Sends one request over TLS; false when the handshake failed (so nginx saw no request). */
function sendTls(port: number, text: string, servername: string | undefined, o: { localAddress: string; host: string }): Promise<boolean> {
  return new Promise((resolve) => {
    let handshook = false;
    // The TCP socket is ours so that the source address is the request's `from`.
    const tcp = createConnection({ port, host: o.host, localAddress: o.localAddress }).on('error', () => {});
    const sock = tlsConnect({ socket: tcp, rejectUnauthorized: false, ...(servername ? { servername } : {}) }, () => {
      handshook = true;
      sock.write(Buffer.from(text, 'latin1'));
    });
    const timer = setTimeout(() => sock.destroy(), 5_000);
    sock.on('data', () => {});
    sock.on('error', () => {});
    sock.on('close', () => (clearTimeout(timer), resolve(handshook)));
  });
}

export function cleanup(r: RunResult): void {
  rmSync(r.prefix, { recursive: true, force: true });
  if (r.files) rmSync(r.files, { recursive: true, force: true });
}

/** The scenario's files in a fresh temp directory nginx's workers (nobody) can read. */
function writeFiles(files: Record<string, string> | undefined): string | undefined {
  if (!files) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'lens-files-'));
  chmodSync(dir, 0o755);
  for (const [rel, text] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(rel.endsWith('/') ? p : dirname(p), { recursive: true, mode: 0o755 });
    if (!rel.endsWith('/')) writeFileSync(p, text, { mode: 0o644 });
  }
  return dir;
}

function requestText(r: Req, id: number, close = true): string {
  const protocol = r.protocol ?? (r.host === null ? 'HTTP/1.0' : 'HTTP/1.1');
  let head = `${r.method ?? 'GET'} ${r.path} ${protocol}\r\n`;
  if (r.host !== null) head += `Host: ${r.host ?? 'localhost'}\r\n`;
  for (const [k, v] of Object.entries(r.headers ?? {})) head += `${k}: ${v}\r\n`;
  if (r.body !== undefined && !Object.keys(r.headers ?? {}).some((k) => k.toLowerCase() === 'content-length')) head += `Content-Length: ${Buffer.byteLength(r.body, 'latin1')}\r\n`;
  return head + `X-Lens-Id: ${id}\r\n${close ? 'Connection: close\r\n' : ''}\r\n` + (r.body ?? '');
}

/** The truth records nginx wrote beside one access log, keyed by the line of that log. */
export function truthByLine(run: RunResult, logName: string): Map<number, TruthRecord> {
  const byLine = new Map<number, TruthRecord>();
  for (const t of run.truth) if (t.lines[logName]) byLine.set(t.lines[logName], t);
  return byLine;
}

/** The rule nginx really used for a request: the marked 444 source, or the limit that rejected it. */
export function ruleNginxUsed(run: RunResult, t: TruthRecord): string | undefined {
  return t.rule ?? (t.limitReq === 'REJECTED' ? run.rules.get('limit_req_status') : t.limitConn === 'REJECTED' ? run.rules.get('limit_conn_status') : undefined);
}
