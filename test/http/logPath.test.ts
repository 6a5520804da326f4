// access_log paths with variables: the file a line is in names its variables. Checked by hand
// against nginx 1.22 (`access_log .../logs/$host.access.log`: Host "A.Test" is written to
// a.test.access.log; lines are written only when the request's root exists).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { http, modelOf } from './support';
import { allAccessLogs, logFilterFor, logPathVars } from '../../server/src/core/http/attribute';
import { inferPrefix, matchLogPath } from '../../server/src/core/http/logPath';
import { loadConfigGraph } from '../../server/src/core/configGraph';
import { MemoryFileSystem } from '../../server/src/core/fileSystem';

const conf = http(`
access_log /var/log/nginx/$host.access.log;
server { listen 80 default_server; return 444; }
server {
  listen 80;
  server_name a.test;
  access_log logs/$server_name-$server_port.log;
  location /off { access_log off; return 444; }
  location / { return 444; }
}
server { listen 80; server_name b.test; access_log /var/log/nginx/b.plain.log; return 444; }
`);

test('a path with variables names its file: the variables it gives, rotated copies and mirrored workspaces included', () => {
  const m = modelOf(conf);
  assert.deepEqual(logPathVars(m, '/var/log/nginx/shop.example.access.log'), { host: 'shop.example' });
  assert.deepEqual(logPathVars(m, '/var/log/nginx/shop.example.access.log.2.gz'), { host: 'shop.example' });
  assert.deepEqual(logPathVars(m, '/home/me/mirror/shop.example.access.log'), { host: 'shop.example' });
  // Relative paths are under the prefix.
  assert.deepEqual(logPathVars(m, '/var/lib/nginx/logs/a.test-8080.log'), { server_name: 'a.test', server_port: '8080' });
  // A name that splits more than one way gives no variable, though the pattern names the file.
  assert.deepEqual(logPathVars(m, '/var/lib/nginx/logs/a-b.test-8080.log'), {});
  assert.ok(matchLogPath(m, allAccessLogs(m), '/var/lib/nginx/logs/a-b.test-8080.log'));
  // A plain path names the file: no variables from patterns.
  assert.deepEqual(logPathVars(m, '/var/log/nginx/b.plain.log'), {});
  assert.deepEqual(logPathVars(m, '/var/log/nginx/unrelated.log'), {});
});

test('only the access_log whose pattern names the file can have written it', () => {
  const m = modelOf(conf);
  const filter = logFilterFor(m, '/var/log/nginx/a.test.access.log')!;
  const defs = allAccessLogs(m);
  const byPath = (raw: string) => defs.find((d) => d.path?.raw === raw)!;
  assert.equal(filter(byPath('/var/log/nginx/$host.access.log')), true);
  assert.equal(filter(byPath('logs/$server_name-$server_port.log')), false);
  assert.equal(filter(byPath('/var/log/nginx/b.plain.log')), false);
});

test('trace: combined lines without $host become exact in a file named by $host', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { parse } = await import('../../server/src/core/parser');
  const { buildModelFromFile } = await import('../../server/src/core/http/model');
  const { traceLog } = await import('../../server/src/core/trace');
  const dir = mkdtempSync(join(tmpdir(), 'lens-logpath-'));
  try {
    const text = http(`
access_log ${dir}/$host.access.log;
server { listen 80 default_server; return 444; }
server { listen 80; server_name a.test; location / { return 444; } }
`);
    const m = buildModelFromFile(parse(text, join(dir, 'nginx.conf')), { prefix: dir + '/' });
    const line = '127.0.0.1 - - [27/Nov/2026:20:20:51 +0000] "GET /x HTTP/1.1" 444 0 "-" "curl/7.88.1"\n';
    const rules: Record<string, string[]> = {};
    for (const host of ['a.test', 'other.test']) {
      const file = join(dir, `${host}.access.log`);
      writeFileSync(file, line);
      rules[host] = [];
      await traceLog(m, file, (e) => {
        assert.equal(e.attribution.verdict, 'exact', e.attribution.why);
        rules[host].push(String(e.attribution.rules[0].range.start.line + 1));
      });
    }
    assert.deepEqual(rules, { 'a.test': [String(text.split('\n').findIndex((l) => l.includes('a.test')) + 1)], 'other.test': [String(text.split('\n').findIndex((l) => l.includes('default_server')) + 1)] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a path of many variables is not matched (no catastrophic backtracking on a long file name)', () => {
  const vars = Array.from({ length: 26 }, (_, i) => `$v${i}`).join('-');
  const m = modelOf(http(`access_log /var/log/nginx/${vars}.log;\nserver { listen 80; return 444; }`));
  const name = `/var/log/nginx/${'-'.repeat(200)}x.txt`;
  const t = process.hrtime.bigint();
  assert.equal(logFilterFor(m, name), undefined);
  assert.deepEqual(logPathVars(m, name), {});
  assert.ok(Number(process.hrtime.bigint() - t) / 1e6 < 1000);
  // Three variables still work.
  const three = modelOf(http(`access_log /var/log/nginx/$host-$server_port-$scheme.log;\nserver { listen 80; return 444; }`));
  assert.deepEqual(logPathVars(three, '/var/log/nginx/a.test-80-http.log'), { host: 'a.test', server_port: '80', scheme: 'http' });
  const t2 = process.hrtime.bigint();
  assert.deepEqual(logPathVars(three, `/var/log/nginx/${'-'.repeat(250)}`), {});
  assert.ok(Number(process.hrtime.bigint() - t2) / 1e6 < 1000);
});

test('a file a pattern names is read with that access_log\'s format, not a detected one of the same shape', async () => {
  const { formatForLog } = await import('../../server/src/core/trace');
  const m = modelOf(
    http(`
log_format main '$remote_addr "$request" $status "$http_x_forwarded_for"';
log_format withhost '$remote_addr "$request" $status "$host"';
server { listen 80; access_log /var/log/nginx/p-$server_port.log withhost; return 444; }
server { listen 81; access_log /var/log/nginx/plain.log main; access_log /var/log/nginx/$server_port.log withhost; return 444; }
`),
  );
  const sample = ['127.0.0.1 "GET / HTTP/1.1" 444 "localhost"'];
  assert.equal(formatForLog(m, '/var/log/nginx/p-80.log', sample).format.name, 'withhost');
  // A literal path and a pattern naming one file: both their formats are the file's.
  const both = formatForLog(m, '/var/log/nginx/plain.log', sample);
  assert.deepEqual([both.format.name, ...(both.alternatives ?? []).map((f) => f.name)].sort(), ['main', 'withhost']);
});

test('an access_log names its format caseless, whatever the name holds: the first format so named, combined first', async () => {
  const { formatForLog } = await import('../../server/src/core/trace');
  const m = modelOf(
    http(`
log_format Main '$remote_addr "$request" $status "$http_x_forwarded_for"';
log_format main '$remote_addr "$request" $status "$host"';
log_format v=2 '$status "$request"';
server { listen 80; access_log /var/log/a.log MAIN; access_log /var/log/b.log v=2; access_log /var/log/c.log Combined; return 444; }
`),
  );
  const sample = ['127.0.0.1 "GET / HTTP/1.1" 444 "localhost"'];
  assert.equal(formatForLog(m, '/var/log/a.log', sample).format.name, 'Main');
  assert.equal(formatForLog(m, '/var/log/b.log', ['444 "GET / HTTP/1.1"']).format.name, 'v=2');
  assert.equal(formatForLog(m, '/var/log/c.log', sample).format.name, 'combined');
});

test('inferPrefix: the prefix a relative access_log and the log file\'s path agree on, and none when they disagree', () => {
  const graphOf = (body: string) =>
    loadConfigGraph('/srv/t/conf/nginx.conf', new MemoryFileSystem({ '/srv/t/conf/nginx.conf': http(body) }));
  const g = graphOf(`access_log logs/access.log; server { listen 80; access_log ./logs/a.log; access_log /var/log/b.log; access_log logs/$host.log; }`);
  assert.equal(inferPrefix(g, ['/srv/t/logs/access.log']), '/srv/t/');
  assert.equal(inferPrefix(g, ['/srv/t/logs/access.log.1.gz', '/srv/t/logs/a.log']), '/srv/t/');
  // Absolute paths and paths with variables give nothing; two prefixes are no answer.
  assert.equal(inferPrefix(g, ['/var/log/b.log']), undefined);
  assert.equal(inferPrefix(g, ['/x/logs/shop.log']), undefined);
  assert.equal(inferPrefix(g, ['/srv/t/logs/access.log', '/srv/u/logs/a.log']), undefined);
  assert.equal(inferPrefix(g, ['/home/me/access.log']), undefined);
});

test('a path with variables wrote a file only where the history\'s values give its name', async () => {
  const { Attributor, facts } = await import('./support');
  const c = http(`
server { listen 80 default_server; access_log /srv/logs/default.log; location / { return 444; } }
server { listen 80; server_name api.example.com; access_log /srv/logs/$host.log; location / { return 444; } }
`);
  const m = modelOf(c);
  // default.log fits `$host.log` by its pattern, but api.example.com's $host is never "default".
  const f = facts({ request: 'GET /x HTTP/1.1', remoteAddr: '192.0.2.1', vars: {} });
  const a = new Attributor(m, { logFile: '/srv/logs/default.log' }).attribute(f, 444);
  assert.equal(a.verdict, 'exact', a.why);
  assert.equal(a.rules[0].range.start.line + 1, c.split('\n').findIndex((l) => l.includes('default.log')) + 1);
  // Its own file: api.example.com's rule, Host read from the name.
  const api = new Attributor(m, { logFile: '/srv/logs/api.example.com.log' }).attribute(f, 444);
  assert.equal(api.verdict, 'exact', api.why);
  assert.equal(api.rules[0].range.start.line + 1, c.split('\n').findIndex((l) => l.includes('$host.log')) + 1);
});

test('a file is first matched under its own name: `x.log.gz gzip` and a variable path ending in digits are not rotated copies', async () => {
  const { Attributor, facts } = await import('./support');
  const c = http(`
access_log /var/log/nginx/access.log;
server { listen 80 default_server; return 444; }
server { listen 80; server_name shop.test; access_log /var/log/nginx/access.log.gz combined gzip; location ~ \\.php$ { return 444; } }
server { listen 80; server_name ip.test 127.0.0.1; access_log /var/log/nginx/site-$host; location / { return 444; } }
`);
  const m = modelOf(c);
  const line = (text: string) => c.split('\n').findIndex((l) => l.includes(text)) + 1;
  const f = facts({ request: 'GET /index.php HTTP/1.1', remoteAddr: '192.0.2.1', vars: {} });
  const at = (file: string) => new Attributor(m, { logFile: file }).attribute(f, 444);
  // Only shop.test writes access.log.gz; it is not a rotated access.log.
  assert.equal(at('/var/log/nginx/access.log.gz').verdict, 'exact');
  assert.equal(at('/var/log/nginx/access.log.gz').rules[0].range.start.line + 1, line('shop.test'));
  // Its own rotated copies are still its.
  assert.equal(at('/var/log/nginx/access.log.gz.1').rules[0].range.start.line + 1, line('shop.test'));
  // `site-$host` names site-127.0.0.1 with $host 127.0.0.1 (an IP Host), or as a copy rotated
  // from site-127.0.0: the file's name does not tell $host, and ip.test's rule stays possible.
  assert.deepEqual(logPathVars(m, '/var/log/nginx/site-127.0.0.1'), {});
  assert.ok(at('/var/log/nginx/site-127.0.0.1').rules.some((r) => r.range.start.line + 1 === line('ip.test')));
  // A name only a rotation reads: the live file's variables.
  assert.deepEqual(logPathVars(m, '/var/log/nginx/site-a.test-20261129.gz'), {});
  assert.deepEqual(logPathVars(modelOf(http(`server { listen 80; access_log /var/log/nginx/$host.access.log; return 444; }`)), '/var/log/nginx/a.test.access.log-20261129.gz'), { host: 'a.test' });
  // A dated copy of access.log: only the default server writes that file.
  assert.equal(at('/var/log/nginx/access.log-20261129').verdict, 'exact');
  assert.equal(at('/var/log/nginx/access.log-20261129').rules[0].range.start.line + 1, line('default_server'));
});
