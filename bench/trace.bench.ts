// Benchmark (not a timed test): `nginx-lens trace` over a 1,000,000-line access log (combined
// plus "$host", ~10% 444s, ~150 MB) against a big multi-file config. Prints lines/s, RSS, and
// the ratio to `grep -c ' 444 '` and to `goaccess` (when installed) on the same file, same run.
//
//   npx tsx bench/trace.bench.ts [lines]

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticLog, COMBINED_HOST_FORMAT } from '../test/support/accessLog';
import { loadConfigGraph } from '../server/src/core/configGraph';
import { NodeFileSystem } from '../server/src/node/fileSystem';
import { buildModelFromGraph } from '../server/src/core/http/model';
import { traceLog } from '../server/src/core/trace';
import { routeStats } from '../server/src/core/http/route';

const LINES = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'lens-bench-'));

function makeConfig(): string {
  mkdirSync(join(dir, 'sites-enabled'));
  mkdirSync(join(dir, 'conf.d'));
  const bots = Array.from({ length: 300 }, (_, i) => `    "~*bot${i}[a-z]*" 1;`).join('\n');
  writeFileSync(join(dir, 'conf.d', 'bots.conf'), `map $http_user_agent $bad_bot {\n    default 0;\n${bots}\n    ~*(zgrab|python-requests|Go-http-client) 1;\n}\n`);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `events {}\nhttp {\n  log_format main '${COMBINED_HOST_FORMAT.replace(/'/g, "\\'")}';\n  access_log ${dir}/access.log main;\n  limit_req_zone $binary_remote_addr zone=api:10m rate=5r/s;\n  include conf.d/*.conf;\n  include sites-enabled/*;\n}\n`,
  );
  writeFileSync(join(dir, 'sites-enabled', '00-default'), `server {\n  listen 80 default_server;\n  server_name _;\n  return 444;\n}\n`);
  const real = ['example.com www.example.com', 'shop.example.org', 'api.example.net'];
  for (let i = 0; i < 400; i++) {
    const names = real[i] ?? `site${i}.example.com www.site${i}.example.com`;
    writeFileSync(
      join(dir, 'sites-enabled', `site${String(i).padStart(3, '0')}.conf`),
      `server {
  listen 80;
  server_name ${names};
  if ($bad_bot) { return 444; }
  if ($request_method !~ ^(GET|HEAD|POST)$) { return 444; }
  location ~ /\\.(env|git) { return 444; }
  location = /xmlrpc.php { return 444; }
  location ~* wp-login\\.php$ { if ($http_referer = "") { return 444; } return 403; }
  location /admin/ { allow 10.0.0.0/8; deny all; return 444; }
  location /api/ { limit_req zone=api burst=10 nodelay; limit_req_status 444; proxy_pass http://127.0.0.1:9000; }
  location /search { if ($arg_q ~* "union.*select") { return 444; } }
  location / { try_files $uri $uri/ /index.php?$args; }
  location ~ \\.php$ { fastcgi_pass unix:/run/php.sock; }
}
`,
    );
  }
  return join(dir, 'nginx.conf');
}

function time<T>(f: () => T): [T, number] {
  const t = process.hrtime.bigint();
  const r = f();
  return [r, Number(process.hrtime.bigint() - t) / 1e9];
}

async function main(): Promise<void> {
  const conf = makeConfig();
  const log = join(dir, 'access.log');
  const bytes = await writeSyntheticLog(log, LINES, { host: true, seed: 7 });
  console.log(`log: ${LINES} lines, ${(bytes / 1e6).toFixed(0)} MB; config: ${conf} (401 server files)`);

  const t0 = process.hrtime.bigint();
  const graph = loadConfigGraph(conf, new NodeFileSystem());
  const model = buildModelFromGraph(graph);
  const tModel = Number(process.hrtime.bigint() - t0) / 1e9;
  const counts = { exact: 0, ambiguous: 0, unmatched: 0 };
  let peak = process.memoryUsage().rss;
  const t1 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const r = await traceLog(model, log, (e) => {
    counts[e.attribution.verdict]++;
    if ((counts.exact & 8191) === 0) peak = Math.max(peak, process.memoryUsage().rss);
  });
  const tTrace = Number(process.hrtime.bigint() - t1) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const load = (await import('node:os')).loadavg()[0];
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(`model: ${(tModel * 1000).toFixed(0)} ms (${model.servers.length} servers)`);
  console.log(
    `trace: ${tTrace.toFixed(2)} s, ${Math.round(r.lines / tTrace).toLocaleString('en')} lines/s, RSS peak ${(peak / 2 ** 20).toFixed(0)} MB; ` +
      `444 lines: ${counts.exact} exact, ${counts.ambiguous} ambiguous, ${counts.unmatched} unmatched; format ${r.format.how}`,
  );
  console.log(
    `trace CPU time: ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (load average ${load.toFixed(1)}: wall time is unreliable on a busy machine); ` +
      `routings computed: ${routeStats.routes} (${routeStats.runs} interpreter runs)`,
  );
  const [, tGrep] = time(() => spawnSync('grep', ['-c', ' 444 ', log], { encoding: 'utf8' }));
  console.log(`grep -c ' 444 ': ${tGrep.toFixed(2)} s (trace/grep = ${(tTrace / tGrep).toFixed(1)}x)`);
  const goaccess = spawnSync('sh', ['-c', 'command -v goaccess'], { encoding: 'utf8' }).stdout.trim();
  if (goaccess) {
    const [, tGo] = time(() =>
      spawnSync(goaccess, [log, '--log-format=COMBINED', '-o', join(dir, 'report.json'), '--no-progress'], { stdio: 'ignore' }),
    );
    console.log(`goaccess: ${tGo.toFixed(2)} s (trace/goaccess = ${(tTrace / tGo).toFixed(2)}x)`);
  } else console.log('goaccess: not installed (apt-get install goaccess)');
  void execFileSync;
  void existsSync;
}

const keep = process.env.BENCH_KEEP;
main().finally(() => { if (!keep) rmSync(dir, { recursive: true, force: true }); else console.log("kept", dir); });
