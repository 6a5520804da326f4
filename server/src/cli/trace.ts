// `nginx-lens trace --config <nginx.conf> [--json] <log>...`: every 444 line of each log and
// the rule that produced it (exact), the rules that could have (ambiguous), or none (unmatched).

import { resolve } from 'node:path';
import { loadConfigGraph } from '../core/configGraph';
import { buildModelFromGraph } from '../core/http/model';
import { inferPrefix } from '../core/http/logPath';
import { hostsResolver } from '../node/hosts';
import { ruleKey, traceLog, type TraceEntry } from '../core/trace';
import type { Attribution } from '../core/http/attribute';
import { NodeFileSystem } from '../node/fileSystem';
import type { RuleRef } from '../core/http/model';
import { displayPath } from './displayPath';
import { loggingFix } from '../core/http/logFormatFix';
import { nodeFileProbe } from '../node/fileProbe';
import type { TextEdit } from '../core/diagnostic';

const USAGE = `Usage: nginx-lens trace --config <nginx.conf> [--json] [--status N[,N...]] [--prefix DIR] <access.log>...
  <access.log>    a log file (plain, gzip, rotated), or - for standard input (plain or gzip)
  --written-to PATH  for -: the file nginx wrote those lines to, as its access_log names it
                  (/dev/stdout in a container); without it every access_log is a candidate and
                  the format is detected
  --config FILE   the nginx.conf the logs were written under (its includes are followed)
  --json          print one JSON array of {log: {file, line}, status, verdict, rules: [{file, line, column}], why}
  --status LIST   statuses to trace (default 444)
  --prefix DIR    nginx's prefix (-p) for relative paths (access_log, root); default: the one
                  the log files' paths give a relative access_log, else /usr/share/nginx (Debian's)
Verdicts: exact (one rule), ambiguous (the log lacks what would decide: every candidate, ranked),
unmatched (no rule of this configuration produces the line).
`;

export interface JsonTraceEntry {
  log: { file: string; line: number };
  status: number;
  verdict: 'exact' | 'ambiguous' | 'unmatched';
  rules: { file: string; line: number; column: number }[];
  why: string;
}

export interface TraceIo {
  out(text: string): void;
  err(text: string): void;
  /**
   * Bytes of UTF-8 output (the JSON stream); without it they go to `out` as text. `written` is
   * called once the bytes are no longer needed (their buffer is then reused).
   */
  outBytes?(bytes: Uint8Array, written: () => void): void;
  /** The log read for `-` (standard input). */
  stdin?: AsyncIterable<Buffer>;
}

/** A config place in a router explanation: `(/etc/nginx/sites-enabled/shop.conf:14)`. */
const CONFIG_PLACE = /\(([^()\n]+):(\d+)\)/g;

const processIo: TraceIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  outBytes: (b, written) => void process.stdout.write(b, () => written()),
  stdin: process.stdin,
};

/**
 * The JSON stream as bytes: each entry is the cached UTF-8 of its attribution's text around its
 * line number, copied into a reused buffer. Building it as one string and letting the stream
 * encode it cost ~0.4 s of the 1M-line bench (bench/trace.mjs) to flatten and transcode 47 MB.
 */
class ByteSink {
  private static readonly SIZE = 1 << 20;
  /** Chunks the stream is done with: writing 47 MB through fresh buffers cost page faults for each. */
  private free: Buffer[] = [];
  private buf: Buffer = Buffer.allocUnsafe(ByteSink.SIZE);
  private n = 0;
  constructor(private readonly io: TraceIo) {}
  /** `b`, with its first byte replaced by `first` when given. */
  bytes(b: Uint8Array, first?: number): void {
    if (this.n + b.length > this.buf.length) this.flush();
    if (b.length > this.buf.length) {
      if (first !== undefined) this.emit(Uint8Array.of(first)), (b = b.subarray(1));
      return this.emit(b);
    }
    this.buf.set(b, this.n);
    if (first !== undefined) this.buf[this.n] = first;
    this.n += b.length;
  }
  /** A non-negative integer's decimal digits. */
  digits(v: number): void {
    if (this.n + 16 > this.buf.length) this.flush();
    let k = 1;
    for (let p = 10; p <= v; p *= 10) k++;
    const end = this.n + k;
    for (let i = end - 1; i >= this.n; i--, v = Math.floor(v / 10)) this.buf[i] = 0x30 + (v % 10);
    this.n = end;
  }
  flush(): void {
    if (!this.n) return;
    // Handed over, not copied: the chunk comes back to `free` once the stream has written it.
    const chunk = this.buf;
    this.emit(chunk.subarray(0, this.n), () => {
      if (this.free.length < 4) this.free.push(chunk);
    });
    this.buf = this.free.pop() ?? Buffer.allocUnsafe(ByteSink.SIZE);
    this.n = 0;
  }
  private emit(b: Uint8Array, written: () => void = () => undefined): void {
    if (this.io.outBytes) this.io.outBytes(b, written);
    else {
      this.io.out(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8'));
      written();
    }
  }
}

/** One answer's JSON around its line number (see runTrace). */
interface Text {
  status: number;
  verdict: Attribution['verdict'];
  rules: readonly RuleRef[];
  before: Buffer;
  after: Buffer;
}

async function* emptyStream(): AsyncGenerator<Buffer> {}

function sameRules(a: readonly RuleRef[], b: readonly RuleRef[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].file !== b[i].file || a[i].range.start.offset !== b[i].range.start.offset) return false;
  return true;
}

export async function runTrace(args: string[], io: TraceIo = processIo): Promise<number> {
  const usage = (message: string): number => {
    io.err(`nginx-lens trace: ${message}\n${USAGE}`);
    return 2;
  };
  let config: string | undefined;
  let json = false;
  let prefix: string | undefined;
  let writtenTo: string | undefined;
  let statuses = new Set([444]);
  const logs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') {
      io.out(USAGE);
      return 0;
    }
    if (a === '--json') json = true;
    else if (a === '--config' || a === '-c') config = args[++i];
    else if (a.startsWith('--config=')) config = a.slice(9);
    else if (a === '--prefix') prefix = args[++i];
    else if (a === '--written-to') writtenTo = args[++i];
    else if (a === '--status') {
      const v = args[++i] ?? '';
      statuses = new Set(v.split(',').map(Number).filter((n) => n >= 100 && n <= 999));
      if (!statuses.size) return usage(`invalid --status "${v}"`);
    } else if (a.startsWith('-') && a !== '-') return usage(`unknown option "${a}"`);
    else logs.push(a);
  }
  if (!config) return usage('--config is required');
  if (!logs.length) return usage('no log file given');
  if (logs.filter((l) => l === '-').length > 1) return usage('standard input (-) can be read once');
  if (writtenTo !== undefined && !logs.includes('-')) return usage('--written-to is for a log read from standard input (-)');
  if (writtenTo !== undefined && !writtenTo.startsWith('/')) return usage(`--written-to takes an absolute path, as nginx resolved it ("${writtenTo}")`);
  const cwd = process.cwd();
  // NGINX_LENS_TIMINGS=1: where the time went, on stderr (bench/trace.mjs records it).
  const timings = process.env.NGINX_LENS_TIMINGS ? [`start-up ${performance.now().toFixed(0)} ms`] : undefined;
  let mark = performance.now();
  const lap = (what: string) => {
    if (!timings) return;
    const now = performance.now();
    timings.push(`${what} ${(now - mark).toFixed(0)} ms`);
    mark = now;
  };
  const fs = new NodeFileSystem();
  const graph = loadConfigGraph(resolve(cwd, config), fs);
  lap('config files');
  if (!graph.files.size) {
    io.err(`nginx-lens trace: cannot read ${config}\n`);
    return 1;
  }
  // Without --prefix, the logs' own paths may give it (nginx -p /srv/t with `access_log
  // logs/access.log`): relative roots then name files this machine can look at.
  const written = logs.map((l) => (l === '-' ? writtenTo : resolve(cwd, l))).filter((l): l is string => l !== undefined);
  prefix ??= inferPrefix(graph, written);
  // Built once: the memos that let an editor rebuild after an edit would only cost (~30 ms here).
  // The trace runs where nginx ran: its /etc/hosts gives the addresses of listen host names.
  const model = buildModelFromGraph(graph, { memo: false, resolveHost: hostsResolver(), ...(prefix ? { prefix } : {}) });
  lap('model');
  // Entries are written as they come (JSON) or only counted (report): a million-line log must
  // not be held in memory. bench/trace.mjs measured 721 MB peak RSS when every entry was kept and
  // the array stringified at the end.
  let total = 0;
  const shown: JsonTraceEntry[] = [];
  const sink = new ByteSink(io);
  // One entry per line, each compact: a million-line log's answers stay greppable line by line,
  // and are ~20% fewer bytes to write than an indented array (bench/trace.mjs: 45 MB of them).
  const entryText = (e: JsonTraceEntry) => JSON.stringify(e);
  const OPEN = 0x5b; // '[' in place of the first entry's ','
  // Few distinct files (the configuration's, the log) against ~10^5 entries: path.relative per
  // entry cost ~0.25 s on bench/trace.mjs.
  const shownPaths = new Map<string, string>();
  const shownPath = (file: string): string => {
    let p = shownPaths.get(file);
    if (p === undefined) shownPaths.set(file, (p = displayPath(file, cwd)));
    return p;
  };
  // The router names config places as `(<absolute path>:<line>)`: shown as the files are.
  const shownWhy = (why: string): string =>
    why.replace(CONFIG_PLACE, (m, file: string, line: string) => (graph.files.has(file) ? `(${shownPath(file)}:${line})` : m));
  const entryOf = (e: TraceEntry, line: number): JsonTraceEntry => {
    const a = e.attribution;
    return {
      log: { file: shownPath(e.log.file), line },
      status: e.status,
      verdict: a.verdict,
      rules: a.rules.map((x) => ({ file: shownPath(x.file), line: x.range.start.line + 1, column: x.range.start.character + 1 })),
      why: shownWhy(a.why),
    };
  };
  // Exact drops per rule: counted per rule object, keyed by file:line:column once at the end.
  const perRuleRef = new Map<RuleRef, number>();
  const counts = { exact: 0, ambiguous: 0, unmatched: 0 };
  let failed = false;
  const hints: string[] = [];
  const showEdit = (e: TextEdit) =>
    `  ${shownPath(e.file)}:${e.range.start.line + 1}:${e.range.start.character + 1}: ${e.range.start.offset === e.range.end.offset ? 'insert' : 'replace with'} ${JSON.stringify(e.newText)}`;
  for (const log of logs) {
    const fromStdin = log === '-';
    const abs = fromStdin ? '-' : resolve(cwd, log);
    // What the ambiguous answers of this log lacked (for the hint after the report).
    const lacking = new Set<string>();
    // An entry's JSON but for its line number, per attribution and status: serialising each
    // entry anew was the largest cost of writing the output. Attributions are looked up by
    // identity first (the attributor answers every line of one cached routing with the same
    // object), then by content: thousands of routings (one per distinct request) share a few
    // answers, and stringifying each one again cost ~0.2 s on bench/trace.mjs.
    const byAttribution = new Map<Attribution, Text[]>();
    const byWhy = new Map<string, Text[]>();
    const textOf = (e: TraceEntry): Text => {
      const a = e.attribution;
      let seen = byAttribution.get(a);
      if (seen) for (const x of seen) if (x.status === e.status) return x;
      if (!seen) byAttribution.set(a, (seen = []));
      let same = byWhy.get(a.why);
      if (!same) byWhy.set(a.why, (same = []));
      let t = same.find((x) => x.status === e.status && x.verdict === a.verdict && sameRules(x.rules, a.rules));
      if (!t) {
        // -1 never is a line number; the first `"line":-1` is the log's (JSON escapes every
        // quote of the file name before it).
        const json = entryText(entryOf(e, -1));
        const at = json.indexOf('"line":-1');
        // Both parts start with the separator written before an entry; the first entry's is
        // replaced by the array's opening (same length).
        t = { status: e.status, verdict: a.verdict, rules: a.rules, before: Buffer.from(`,\n${json.slice(0, at + 7)}`), after: Buffer.from(json.slice(at + 9)) };
        same.push(t);
      }
      seen.push(t);
      return t;
    };
    try {
      const r = await traceLog(
        model,
        abs,
        (e: TraceEntry) => {
          const a = e.attribution;
          counts[a.verdict]++;
          total++;
          if (json) {
            const t = textOf(e);
            sink.bytes(t.before, total === 1 ? OPEN : undefined);
            sink.digits(e.log.line);
            sink.bytes(t.after);
            return;
          }
          if (a.verdict === 'exact') perRuleRef.set(a.rules[0], (perRuleRef.get(a.rules[0]) ?? 0) + 1);
          else if (shown.length < 20) shown.push(entryOf(e, e.log.line));
          if (a.verdict === 'ambiguous') for (const m of a.missing) lacking.add(m);
        },
        // The CLI prints line numbers only (no editor columns), and runs where the files are.
        { statuses, requestRange: false, files: nodeFileProbe(), stream: fromStdin ? (io.stdin ?? emptyStream()) : undefined, writtenTo },
      );
      // Said in both modes: "0 lines with status 444" would read as "nothing was dropped".
      if (r.lines && r.format.format.indexOf('status') < 0)
        io.err(`nginx-lens trace: ${shownPath(abs)}: its format (${r.format.how}) does not log $status, so no line can be traced\n`);
      if (!json) {
        io.err(`${shownPath(abs)}: ${r.lines} lines, format ${r.format.how}${r.unparsed ? `, ${r.unparsed} unreadable` : ''}\n`);
        // Lines from standard input name no access_log whose format could be changed, unless told.
        const target = fromStdin ? writtenTo : abs;
        const fix = target === undefined ? undefined : loggingFix(model, target, r.format.format, [...lacking])?.fix;
        if (fix) hints.push(`${shownPath(abs)}: to make its ambiguous drops exact from now on, ${fix.title.replace(/^Log/, 'log')}:`, ...fix.edits.map(showEdit));
      }
    } catch (e) {
      io.err(`nginx-lens trace: ${(e as Error).message}\n`);
      failed = true;
    }
  }
  lap('logs read and attributed');
  if (timings) io.err(`timings: ${timings.join(', ')}\n`);
  if (json) {
    sink.flush();
    io.out(total ? '\n]\n' : '[]\n');
    return failed ? 1 : 0;
  }
  const perRule = new Map<string, number>();
  for (const [r, n] of perRuleRef) perRule.set(ruleKey(r), (perRule.get(ruleKey(r)) ?? 0) + n);
  const lines: string[] = [];
  lines.push(`${total} line(s) with status ${[...statuses].join(',')}: ${counts.exact} exact, ${counts.ambiguous} ambiguous, ${counts.unmatched} unmatched`);
  if (perRule.size) {
    lines.push('', 'Exact attributions per rule:');
    for (const [k, n] of [...perRule].sort((a, b) => b[1] - a[1])) {
      const [file, ...rest] = k.split(':');
      lines.push(`  ${String(n).padStart(7)}  ${shownPath(file)}:${rest.join(':')}`);
    }
  }
  if (shown.length) {
    lines.push('', 'Not exact (first 20):');
    for (const e of shown)
      lines.push(`  ${e.log.file}:${e.log.line} ${e.status} ${e.verdict}: ${e.rules.map((r) => `${r.file}:${r.line}`).join(', ') || '-'} — ${e.why}`);
  }
  if (hints.length) lines.push('', ...hints);
  io.out(lines.join('\n') + '\n');
  return failed ? 1 : 0;
}
