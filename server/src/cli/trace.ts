// `nginx-lens trace --config <nginx.conf> [--json] <log>...`: every 444 line of each log and
// the rule that produced it (exact), the rules that could have (ambiguous), or none (unmatched).

import { resolve } from 'node:path';
import { loadConfigGraph } from '../core/configGraph';
import { buildModelFromGraph } from '../core/http/model';
import { ruleKey, traceLog, type TraceEntry } from '../core/trace';
import { NodeFileSystem } from '../node/fileSystem';
import { displayPath } from './check';

const USAGE = `Usage: nginx-lens trace --config <nginx.conf> [--json] [--status N[,N...]] [--prefix DIR] <access.log>...
  --config FILE   the nginx.conf the logs were written under (its includes are followed)
  --json          print one JSON array of {log: {file, line}, status, verdict, rules: [{file, line, column}], why}
  --status LIST   statuses to trace (default 444)
  --prefix DIR    nginx's prefix (-p) for relative access_log paths (default /usr/share/nginx, Debian's)
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
}

const processIo: TraceIo = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) };

export async function runTrace(args: string[], io: TraceIo = processIo): Promise<number> {
  const usage = (message: string): number => {
    io.err(`nginx-lens trace: ${message}\n${USAGE}`);
    return 2;
  };
  let config: string | undefined;
  let json = false;
  let prefix: string | undefined;
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
    else if (a === '--status') {
      const v = args[++i] ?? '';
      statuses = new Set(v.split(',').map(Number).filter((n) => n >= 100 && n <= 999));
      if (!statuses.size) return usage(`invalid --status "${v}"`);
    } else if (a.startsWith('-') && a !== '-') return usage(`unknown option "${a}"`);
    else logs.push(a);
  }
  if (!config) return usage('--config is required');
  if (!logs.length) return usage('no log file given');
  const cwd = process.cwd();
  const fs = new NodeFileSystem();
  const graph = loadConfigGraph(resolve(cwd, config), fs);
  if (!graph.files.size) {
    io.err(`nginx-lens trace: cannot read ${config}\n`);
    return 1;
  }
  const model = buildModelFromGraph(graph, prefix ? { prefix } : {});
  // Entries are written as they come (JSON) or only counted (report): a million-line log must
  // not be held in memory. bench/trace.mjs measured 721 MB peak RSS when every entry was kept and
  // the array stringified at the end.
  let total = 0;
  const shown: JsonTraceEntry[] = [];
  let pending = '';
  // Same text as JSON.stringify(array, null, 1): elements one space in, comma-separated.
  const entryText = (e: JsonTraceEntry) => JSON.stringify(e, null, 1).replace(/\n/g, '\n ');
  const emitText = (text: string) => {
    pending += (total === 1 ? '[\n ' : ',\n ') + text;
    if (pending.length > 1 << 16) {
      io.out(pending);
      pending = '';
    }
  };
  // Few distinct files (the configuration's, the log) against ~10^5 entries: path.relative per
  // entry cost ~0.25 s on bench/trace.mjs.
  const shownPaths = new Map<string, string>();
  const shownPath = (file: string): string => {
    let p = shownPaths.get(file);
    if (p === undefined) shownPaths.set(file, (p = displayPath(file, cwd)));
    return p;
  };
  const perRule = new Map<string, number>();
  const counts = { exact: 0, ambiguous: 0, unmatched: 0 };
  let failed = false;
  for (const log of logs) {
    const abs = resolve(cwd, log);
    // An entry's JSON but for its line number, per attribution (shared by every line the
    // attributor answered from its cache) and status: serialising each entry anew was the
    // largest cost of writing the output.
    const texts = new WeakMap<object, Map<number, [string, string]>>();
    try {
      const r = await traceLog(
        model,
        abs,
        (e: TraceEntry) => {
          const a = e.attribution;
          counts[a.verdict]++;
          if (a.verdict === 'exact') {
            const k = ruleKey(a.rules[0]);
            perRule.set(k, (perRule.get(k) ?? 0) + 1);
          }
          total++;
          const entryOf = (line: number): JsonTraceEntry => ({
            log: { file: shownPath(e.log.file), line },
            status: e.status,
            verdict: a.verdict,
            rules: a.rules.map((x) => ({ file: shownPath(x.file), line: x.range.start.line + 1, column: x.range.start.character + 1 })),
            why: a.why,
          });
          if (json) {
            let byStatus = texts.get(a);
            if (!byStatus) texts.set(a, (byStatus = new Map()));
            let parts = byStatus.get(e.status);
            if (!parts) {
              // -1 never is a line number; the first `"line": -1` is the log's (JSON escapes every
              // quote of the file name before it).
              const t = entryText(entryOf(-1));
              const at = t.indexOf('"line": -1');
              byStatus.set(e.status, (parts = [t.slice(0, at + 8), t.slice(at + 10)]));
            }
            emitText(parts[0] + e.log.line + parts[1]);
          } else if (a.verdict !== 'exact' && shown.length < 20) shown.push(entryOf(e.log.line));
        },
        { statuses },
      );
      if (!json) io.err(`${shownPath(abs)}: ${r.lines} lines, format ${r.format.how}${r.unparsed ? `, ${r.unparsed} unreadable` : ''}\n`);
    } catch (e) {
      io.err(`nginx-lens trace: ${(e as Error).message}\n`);
      failed = true;
    }
  }
  if (json) {
    io.out(total ? `${pending}\n]\n` : '[]\n');
    return failed ? 1 : 0;
  }
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
  io.out(lines.join('\n') + '\n');
  return failed ? 1 : 0;
}
