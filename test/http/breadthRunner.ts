// The breadth suites' shared parts: every request logged in six formats, request builders, and
// the loop that runs scenarios through real nginx, traces each log the uninstrumented config
// wrote and checks every 444 line's attribution against the rule nginx really ran.
//
// Per 444 line: `exact` must name the rule nginx ran; `ambiguous` must list it; `unmatched` fails.

import { loadConfigGraph } from '../../server/src/core/configGraph';
import { buildModelFromGraph, type HttpModel } from '../../server/src/core/http/model';
import { nodeFileProbe } from '../../server/src/node/fileProbe';
import { formatForLog, traceLog } from '../../server/src/core/trace';
import { NodeFileSystem } from '../../server/src/node/fileSystem';
import { hostsResolver } from '../../server/src/node/hosts';
import { canListenOnIpv6Loopback } from '../support/realNginx';
import { cleanup, ruleNginxUsed, runScenario, truthByLine, type Req, type RunResult, type Scenario } from './nginxHarness';

export const FORMATS = `
  client_body_temp_path PREFIX/tmp_body; proxy_temp_path PREFIX/tmp_proxy; fastcgi_temp_path PREFIX/tmp_fcgi;
  uwsgi_temp_path PREFIX/tmp_uwsgi; scgi_temp_path PREFIX/tmp_scgi;
  root PREFIX/html;
  log_format main '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"';
  log_format withhost '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$host"';
  log_format detail '$remote_addr $server_name:$server_port "$request_uri" "$uri" "$args" $status "$http_host" "$http_user_agent" "$http_referer"';
  log_format jsonl escape=json '{"ip":"$remote_addr","host":"$host","req":"$request","status":$status,"ua":"$http_user_agent","ref":"$http_referer","port":"$server_port","uri":"$uri","lrs":"$limit_req_status","lcs":"$limit_conn_status"}';
  access_log PREFIX/logs/access.log;
  access_log PREFIX/logs/main.log main;
  access_log PREFIX/logs/withhost.log withhost;
  access_log PREFIX/logs/detail.log detail;
  log_format url '$remote_addr [$time_local] "$request" $status $scheme://$host$request_uri "$http_user_agent" $request_time';
  access_log PREFIX/logs/json.log jsonl;
  access_log PREFIX/logs/url.log url;
`;
export const conf = (body: string, extraTop = '') => `events {}\nhttp {\n${FORMATS}\n${extraTop}\n${body}\n}\n`;

export const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
export const get = (path: string, host: string | null = 'localhost', extra: Partial<Req> = {}): Req => ({ path, host, ...extra, headers: { 'User-Agent': BROWSER, ...extra.headers } });
export const m = (method: string, path: string, host: string | null = 'localhost', extra: Partial<Req> = {}): Req => get(path, host, { ...extra, method });
export const ua = (u: string, more: Record<string, string> = {}) => ({ headers: { 'User-Agent': u, ...more } });
export const ref = (r: string) => ({ headers: { 'User-Agent': BROWSER, Referer: r } });

export interface Counts {
  exact: number;
  ambiguous: number;
  unmatched: number;
  wrong: number;
}

export interface BreadthResult {
  total: Counts;
  failures: string[];
}

/**
 * Traces every log a scenario's run wrote with `model` and checks each 444 line against the rule
 * nginx ran: counts go to `c`, every failing line to `failures`.
 */
export async function checkRun(sc: Scenario, run: RunResult, model: HttpModel, c: Counts, failures: string[]): Promise<void> {
  for (const [logName, logPath] of Object.entries(run.logs)) {
    const byLine = truthByLine(run, logName);
    const seen = new Set<number>();
    // The harness notes a request's last line in each log; a format written across lines is
    // traced from a record's first line.
    const last = formatForLog(model, logPath).format.linesPerRecord - 1;
    await traceLog(model, logPath, (e) => {
      seen.add(e.log.line + last);
      const t = byLine.get(e.log.line + last);
      const where = `[${sc.name}] ${logName}:${e.log.line}`;
      if (!t) return void (c.wrong++, failures.push(`${where}: no truth record`));
      const expected = ruleNginxUsed(run, t);
      const a = e.attribution;
      const names = a.rules.map((r) => `${r.file}:${r.range.start.line + 1}:${r.range.start.character + 1}`);
      const req = JSON.stringify(sc.requests[t.id], (_, v) => (typeof v === 'string' && v.length > 100 ? `${v.slice(0, 20)}…(${v.length} chars)` : v));
      if (a.verdict === 'exact') {
        c.exact++;
        if (names[0] !== expected) c.wrong++, failures.push(`${where} ${req}: exact ${names[0]} but nginx ran ${expected} (${a.why})`);
      } else if (a.verdict === 'ambiguous') {
        c.ambiguous++;
        if (process.env.LENS_DIFF_VERBOSE) console.log(`${where} ${req}: ambiguous ${names.length} — ${a.why.slice(0, 300)}`);
        if (!expected || !names.includes(expected)) c.wrong++, failures.push(`${where} ${req}: ambiguous ${names.join(' ')} misses ${expected}`);
      } else {
        c.unmatched++;
        failures.push(`${where} ${req}: unmatched, nginx ran ${expected} (${a.why})`);
      }
      // Traced as the CLI traces: on the machine that ran nginx, asking its file system.
    }, { files: nodeFileProbe() });
    for (const [line, t] of byLine)
      if (t.status === 444 && !seen.has(line)) c.unmatched++, failures.push(`[${sc.name}] ${logName}:${line}: 444 line not traced`);
  }
}

/** Runs the scenarios (two nginx at a time), prints counts per scenario, returns every failure. */
export async function runBreadth(title: string, all: Scenario[]): Promise<BreadthResult> {
  const failures: string[] = [];
  const per = new Map<string, Counts>();
  let requests = 0;
  const runOne = async (sc: Scenario) => {
    const c: Counts = { exact: 0, ambiguous: 0, unmatched: 0, wrong: 0 };
    per.set(sc.name, c);
    requests += sc.requests.length;
    const run = await runScenario(sc);
    try {
      // As the CLI builds it: the graph with its includes, no --prefix.
      // As `nginx-lens trace` builds it: listen host names resolved as on this machine, where nginx ran.
      await checkRun(sc, run, buildModelFromGraph(loadConfigGraph(run.confPath, new NodeFileSystem()), { resolveHost: hostsResolver() }), c, failures);
    } finally {
      cleanup(run);
    }
  };
  // Two nginx at a time: most of a scenario's time is waiting on sockets and logs.
  const ipv6 = await canListenOnIpv6Loopback();
  const queue = all.filter((sc) => ipv6 || !sc.requests.some((r) => r.from?.includes(':')));
  if (!ipv6 && queue.length < all.length) console.log('SKIPPED the IPv6 scenarios: this machine cannot listen on [::1] (no IPv6 loopback)');
  const workers = [0, 1].map(async () => {
    for (let sc = queue.shift(); sc; sc = queue.shift()) await runOne(sc);
  });
  await Promise.all(workers);
  const total: Counts = { exact: 0, ambiguous: 0, unmatched: 0, wrong: 0 };
  for (const [name, c] of per) {
    console.log(`  ${String(c.exact).padStart(4)} exact ${String(c.ambiguous).padStart(4)} ambiguous ${String(c.unmatched).padStart(3)} unmatched ${String(c.wrong).padStart(3)} wrong  ${name}`);
    for (const k of Object.keys(total) as (keyof Counts)[]) total[k] += c[k];
  }
  console.log(`${title}: ${per.size} scenarios, ${requests} requests; ${total.exact} exact, ${total.ambiguous} ambiguous, ${total.unmatched} unmatched, ${total.wrong} wrong`);
  for (const f of failures) console.log('FAIL ' + f);
  return { total, failures };
}
