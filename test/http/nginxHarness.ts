// Runs a scenario through real nginx (/usr/sbin/nginx, 127.0.0.1 high ports, temp prefix,
// stopped by pid) and records, for every request, what nginx itself says happened.
//
// Ground truth comes from nginx, never from our router: the config nginx runs is the scenario's
// with `set $lens_rule "<id>";` inserted right before every `return 444` (a `set` in the same
// block just before the return runs exactly when the return does) and a truth access_log added
// next to every access_log (and replacing `access_log off`) that records the request id, status,
// `$lens_rule`, `$limit_req_status` and `$limit_conn_status`. The scenario's own access_log
// directives are untouched, so the logs we trace are the ones the uninstrumented config writes.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '../../server/src/core/parser';
import { walk } from '../../server/src/core/tree';
import type { Directive } from '../../server/src/core/syntax';

export const NGINX = '/usr/sbin/nginx';
export const haveNginx = existsSync(NGINX);

export interface Req {
  method?: string;
  path: string;
  /** Host header; null sends none (use protocol HTTP/1.0). */
  host?: string | null;
  protocol?: string;
  headers?: Record<string, string>;
  /** Source address in 127.0.0.0/8. */
  from?: string;
  /** Which listen port placeholder: 0 → PORT, 1 → PORT2. */
  port?: 0 | 1;
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
  dir: string;
  confPath: string;
  /** Scenario log name → absolute path in the temp prefix. */
  logs: Record<string, string>;
  truth: TruthRecord[];
  /** Rule id → 'file:line:col' in the uninstrumented config. */
  rules: Map<string, string>;
}

async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = 20000 + Math.floor(Math.random() * 30000);
    const ok = await new Promise<boolean>((res) => {
      const s = createServer();
      s.once('error', () => res(false));
      s.listen(p, '127.0.0.1', () => s.close(() => res(true)));
    });
    if (ok) return p;
  }
  throw new Error('no free port');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Inserts markers and truth logs into the config text (offsets from the original parse). */
export function instrument(text: string, file: string, truthLog: string): { text: string; rules: Map<string, string> } {
  const parsed = parse(text, file);
  const edits: { at: number; del: number; text: string }[] = [];
  const rules = new Map<string, string>();
  let n = 0;
  let hasMarker = false;
  const blocksWithLog = new Set<Directive | null>();
  walk(parsed.directives, (d, anc) => {
    const pos = `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}`;
    if (d.name === 'return' && d.args[0]?.value === '444') {
      const id = `r${++n}`;
      rules.set(id, pos);
      edits.push({ at: d.range.start.offset, del: 0, text: `set $lens_rule "${id}"; ` });
      hasMarker = true;
    }
    if (d.name === 'try_files' && d.args[d.args.length - 1]?.value === '=444') {
      // A `set` is a rewrite-phase directive: it runs whenever this location's rewrite phase does,
      // which precedes try_files; a later `return 444` marker would overwrite it.
      const id = `t${++n}`;
      rules.set(id, pos);
      edits.push({ at: d.range.start.offset, del: 0, text: `set $lens_rule "${id}"; ` });
      hasMarker = true;
    }
    if ((d.name === 'limit_req_status' || d.name === 'limit_conn_status') && d.args[0]?.value === '444') rules.set(d.name, pos);
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
  return { text: out, rules };
}
const hasMarkerPlaceholder = '@@LENS_RULE@@';

export interface Scenario {
  name: string;
  /** Full nginx.conf; PORT, PORT2 and PREFIX are substituted. Must set an http-level access_log. */
  conf: string;
  requests: Req[];
}

export async function runScenario(sc: Scenario): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'lens-diff-'));
  const port = await freePort();
  let port2 = await freePort();
  while (port2 === port) port2 = await freePort();
  mkdirSync(join(dir, 'logs'));
  mkdirSync(join(dir, 'html'));
  writeFileSync(join(dir, 'html', 'index.html'), 'hi\n');
  const conf = sc.conf.replace(/\bPORT2\b/g, String(port2)).replace(/\bPORT\b/g, String(port)).replace(/PREFIX\//g, dir + '/');
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, conf);
  const truthLog = join(dir, 'logs', 'lens-truth.log');
  const inst = instrument(conf, confPath, truthLog);
  const instPath = join(dir, 'nginx.instrumented.conf');
  writeFileSync(instPath, inst.text);
  const logs: Record<string, string> = {};
  for (const m of conf.matchAll(/access_log\s+(\S+?logs\/([A-Za-z0-9_.-]+))[\s;]/g)) logs[m[2]] = m[1];
  const proc: ChildProcess = spawn(NGINX, ['-p', dir + '/', '-c', instPath, '-e', join(dir, 'logs', 'error.log'), '-g', `daemon off; pid ${dir}/nginx.pid;`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (b) => (stderr += b));
  const exited = new Promise<void>((res) => proc.once('exit', () => res()));
  try {
    // Wait until it accepts connections.
    for (let i = 0; ; i++) {
      if (proc.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
      const ok = await new Promise<boolean>((res) => {
        const s = connect(port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), res(true)));
        s.once('error', () => res(false));
      });
      if (ok) break;
      if (i > 100) throw new Error(`nginx did not start: ${stderr}`);
      await sleep(20);
    }
    const truth: TruthRecord[] = [];
    const lineCount = (p: string) => (existsSync(p) ? readFileSync(p, 'latin1').split('\n').length - 1 : 0);
    let truthLines = lineCount(truthLog);
    for (let id = 0; id < sc.requests.length; id++) {
      const r = sc.requests[id];
      const before: Record<string, number> = {};
      for (const [k, p] of Object.entries(logs)) before[k] = lineCount(p);
      await send(r, r.port === 1 ? port2 : port, id);
      // The truth log line is written when nginx finalizes the request.
      let rec: string | undefined;
      for (let w = 0; w < 200; w++) {
        const all = existsSync(truthLog) ? readFileSync(truthLog, 'latin1').split('\n') : [];
        if (all.length - 1 > truthLines) {
          const fresh = all.slice(truthLines, all.length - 1);
          // A request refused before its headers are read (400) has no id: the only new line.
          rec = fresh.find((l) => l.startsWith(`${id} `)) ?? (fresh.length === 1 && fresh[0].startsWith('- ') ? fresh[0].replace(/^- /, `${id} `) : undefined);
          truthLines = all.length - 1;
          if (rec) break;
        }
        await sleep(5);
      }
      if (!rec) throw new Error(`request ${id} (${JSON.stringify(r)}) left no truth record`);
      const m = /^(\d+) (\d+) "([^"]*)" (\S+) (\S+)$/.exec(rec);
      if (!m) throw new Error(`bad truth line ${rec}`);
      const lines: Record<string, number> = {};
      for (const [k, p] of Object.entries(logs)) {
        const after = lineCount(p);
        if (after > before[k]) lines[k] = after;
      }
      truth.push({
        id,
        status: +m[2],
        rule: m[3] && m[3] !== '-' ? inst.rules.get(m[3]) : undefined,
        limitReq: m[4],
        limitConn: m[5],
        lines,
      });
    }
    return { dir, confPath, logs, truth, rules: inst.rules };
  } finally {
    proc.kill('SIGQUIT');
    const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
}

export function cleanup(r: RunResult): void {
  if (r.dir.startsWith(tmpdir()) && statSync(r.dir).isDirectory()) rmSync(r.dir, { recursive: true, force: true });
}

/** One raw HTTP request on its own connection; resolves when nginx closes or answers. */
function send(r: Req, port: number, id: number): Promise<void> {
  const protocol = r.protocol ?? (r.host === null ? 'HTTP/1.0' : 'HTTP/1.1');
  let head = `${r.method ?? 'GET'} ${r.path} ${protocol}\r\n`;
  if (r.host !== null) head += `Host: ${r.host ?? 'localhost'}\r\n`;
  for (const [k, v] of Object.entries(r.headers ?? {})) head += `${k}: ${v}\r\n`;
  head += `X-Lens-Id: ${id}\r\nConnection: close\r\n\r\n`;
  return new Promise((res) => {
    const s = connect({ port, host: '127.0.0.1', localAddress: r.from ?? '127.0.0.1' });
    s.setTimeout(3000, () => s.destroy());
    s.on('connect', () => s.write(head, 'latin1'));
    s.on('data', () => {});
    s.on('error', () => res());
    s.on('close', () => res());
  });
}
