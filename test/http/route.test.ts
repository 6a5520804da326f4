// Routing rules one by one (each also exercised against real nginx in differential.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Attributor, facts, http, lineOf, modelOf, one, outcomesOf } from './support';
import { route, routeStats } from '../../server/src/core/http/route';

const known = (request: string, host = 'localhost', vars: Record<string, string | null> = {}) =>
  facts({ request, host, serverPort: 80, remoteAddr: '192.0.2.1', vars });

test('server selection: exact, then longest *.x/.x, then longest x.*, then regex in order, then default', () => {
  const conf = http(`
server { listen 80; server_name first.test; return 444; }
server { listen 80 default_server; server_name _; return 401; }
server { listen 80; server_name *.example.com; return 402; }
server { listen 80; server_name *.a.example.com; return 403; }
server { listen 80; server_name .dot.test; return 404; }
server { listen 80; server_name www.tail.*; return 405; }
server { listen 80; server_name ~^www\\d+\\.re$ ~^(?<n>.+)\\.re$; return 406; }
server { listen 80; server_name ~^www1\\.re$; return 407; }
server { listen 80; server_name exact.example.com; return 408; }
server { listen 80; server_name ~^A\\.caseless$; return 409; }
server { listen 80; server_name ~^b\\.cased$; return 410; }
`);
  const m = modelOf(conf);
  const st = (host: string) => one(m, known('GET / HTTP/1.1', host)).status;
  assert.equal(st('first.test'), 444);
  assert.equal(st('nope.test'), 401);
  assert.equal(st('x.example.com'), 402);
  assert.equal(st('y.x.example.com'), 402);
  assert.equal(st('example.com'), 401);
  assert.equal(st('x.a.example.com'), 403);
  assert.equal(st('exact.example.com'), 408);
  assert.equal(st('dot.test'), 404);
  assert.equal(st('x.dot.test'), 404);
  assert.equal(st('www.tail.com'), 405);
  assert.equal(st('www.tail.co.uk'), 405);
  assert.equal(st('www.tail'), 401);
  assert.equal(st('www1.re'), 406);
  assert.equal(st('zz.re'), 406);
  assert.equal(st('a.caseless'), 409);
  assert.equal(st('b.cased'), 410);
});

test('server selection: first server is the default without default_server; sockets are separate', () => {
  const conf = http(`
server { listen 80; server_name a.test; return 444; }
server { listen 80; server_name b.test; return 401; }
server { listen 8080; server_name b.test; return 402; }
server { listen 8080 default_server; server_name c.test; return 403; }
`);
  const m = modelOf(conf);
  assert.equal(one(m, known('GET / HTTP/1.1', 'zzz')).status, 444);
  assert.equal(one(m, { ...known('GET / HTTP/1.1', 'b.test'), serverPort: 8080 }).status, 402);
  assert.equal(one(m, { ...known('GET / HTTP/1.1', 'zzz'), serverPort: 8080 }).status, 403);
  // Port not logged: both sockets are possible.
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET / HTTP/1.1', host: 'b.test' })), ['401:5', '402:6']);
});

test('server selection: no Host (HTTP/1.0) goes to the server named "", $host is the primary name', () => {
  const conf = http(`
server { listen 80 default_server; server_name _; return 401; }
server { listen 80; server_name ""; return 444; }
`);
  const m = modelOf(conf);
  // Logged `$host` "-": the request had no Host (empty primary name) or a literal "-" Host.
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET / HTTP/1.0', host: '-', serverPort: 80, vars: {} })), ['401:4', '444:5']);
  assert.equal(one(m, facts({ request: 'GET / HTTP/1.0', host: '_', serverPort: 80, vars: {} })).status, 401);
  // `$http_host` "-": no Host, an empty Host (400), or a literal "-".
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET / HTTP/1.0', httpHost: null, serverPort: 80, vars: {} })), ['400', '401:4', '444:5']);
  // HTTP/1.1 without Host is a 400 in the server named "" (ngx_http_process_request_header
  // looks the empty name up first); an empty Host is one in the default server.
  const f11 = facts({ request: 'GET / HTTP/1.1', httpHost: null, serverPort: 80, vars: {} });
  assert.deepEqual(outcomesOf(m, f11), ['400', '400', '401:4']);
  assert.deepEqual(route(m, f11).outcomes.filter((o) => o.status === 400).map((o) => o.server?.index).sort(), [0, 1]);
  // `$host` "-": a literal "-" Host, or no Host at all (400 in the server named "").
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET / HTTP/1.1', host: '-', serverPort: 80, vars: {} })), ['400', '401:4']);
});

test('server selection: unlogged Host forks over every server of the socket', () => {
  const conf = http(`
server { listen 80 default_server; return 444; }
server { listen 80; server_name shop.test; location / { return 200; } location /drop { return 444; } }
`);
  const m = modelOf(conf);
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET /drop HTTP/1.1', vars: {} })), ['444:4', '444:5']);
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET / HTTP/1.1', vars: {} })), ['200:5', '444:4']);
  // $server_name in the log pins the server.
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET /drop HTTP/1.1', serverName: 'shop.test', vars: {} })), ['444:5']);
});

test('location selection: = beats prefix, ^~ stops regexes, regexes in order beat prefixes, nested', () => {
  const conf = http(`
server { listen 80;
  location = /exact { return 401; }
  location /exact { return 402; }
  location ^~ /static/ { return 403; }
  location /files/ { location ~ \\.bak$ { return 404; } return 405; }
  location ~* \\.(php|asp)$ { return 406; }
  location ~ ^/admin { return 407; }
  location ~ ^/adm { return 408; }
  location /admin/ok { return 409; }
  location / { return 410; }
}`);
  const m = modelOf(conf);
  const st = (uri: string) => one(m, known(`GET ${uri} HTTP/1.1`)).status;
  assert.equal(st('/exact'), 401);
  assert.equal(st('/exact/x'), 402);
  assert.equal(st('/static/a.php'), 403);
  assert.equal(st('/files/a.bak'), 404);
  assert.equal(st('/files/a.txt'), 405);
  assert.equal(st('/files/a.PHP'), 406);
  assert.equal(st('/admin/ok'), 407);
  assert.equal(st('/adm'), 408);
  assert.equal(st('/x'), 410);
  assert.equal(st('/%65xact'), 401);
  assert.equal(st('/a/../exact'), 401);
  assert.equal(st('//static//x.php'), 403);
  assert.equal(one(m, known('GET /../x HTTP/1.1')).status, 400);
});

test('location selection: ^~ inside a nested level does not stop the outer regexes', () => {
  const conf = http(`
server { listen 80;
  location /a/ { location ^~ /a/b/ { return 401; } return 402; }
  location ~ \\.x$ { return 403; }
}`);
  const m = modelOf(conf);
  assert.equal(one(m, known('GET /a/b/c.x HTTP/1.1')).status, 403);
  assert.equal(one(m, known('GET /a/b/c HTTP/1.1')).status, 401);
});

test('location selection: a location with proxy_pass answers 301 for its name without the slash', () => {
  const conf = http(`
server { listen 80;
  location /api/ { proxy_pass http://127.0.0.1:9; }
  location / { return 444; }
}`);
  const m = modelOf(conf);
  assert.equal(one(m, known('GET /api HTTP/1.1')).status, 301);
  assert.equal(one(m, known('GET /apix HTTP/1.1')).status, 444);
});

test('rewrite phase: server level runs first, then the location; return stops; break stops', () => {
  const conf = http(`
server { listen 80;
  if ($http_user_agent ~* bot) { return 444; }
  set $flag 0;
  location /a { set $flag 1; if ($flag) { return 401; } return 402; }
  location /b { break; return 403; }
  location /c { if ($http_x = "") { return 404; } return 405; }
}`);
  const m = modelOf(conf);
  assert.equal(one(m, known('GET /a HTTP/1.1', 'h', { http_user_agent: 'GoodBot' })).status, 444);
  assert.equal(one(m, known('GET /a HTTP/1.1', 'h', { http_user_agent: 'Mozilla' })).status, 401);
  assert.equal(one(m, known('GET /b HTTP/1.1', 'h', { http_user_agent: 'Mozilla' })).status, 'content');
  assert.equal(one(m, known('GET /c HTTP/1.1', 'h', { http_user_agent: 'x', http_x: 'v' })).status, 405);
  // An unlogged header: both branches.
  assert.deepEqual(outcomesOf(m, known('GET /c HTTP/1.1', 'h', { http_user_agent: 'x' })), ['404:9', '405:9']);
});

test('rewrite: last re-runs location selection, break does not, no flag re-runs after the block, captures', () => {
  const conf = http(`
server { listen 80;
  rewrite ^/old/(.*)$ /new/$1;
  location /new/ { return 401; }
  location /l { rewrite ^/l(.*)$ /target$1 last; return 402; }
  location /target { if ($uri = /target/x) { return 444; } return 403; }
  location /b { rewrite ^ /target break; return 404; }
  location /n { rewrite ^ /target; return 405; }
  location /m { rewrite ^ /target; }
  location /cycle { rewrite ^ /cycle last; }
  location ~ ^/cap/(\\d+)$ { set $n $1; if ($n = 7) { return 406; } return 407; }
  location /r { rewrite ^ http://x.test/ permanent; }
}`);
  const m = modelOf(conf);
  const st = (uri: string) => one(m, known(`GET ${uri} HTTP/1.1`)).status;
  assert.equal(st('/old/z'), 401);
  assert.equal(st('/l/x'), 444);
  assert.equal(st('/l/y'), 403);
  assert.equal(st('/b'), 'content');
  assert.equal(st('/n'), 405);
  assert.equal(st('/m'), 403);
  assert.equal(st('/cycle'), 500);
  assert.equal(st('/cap/7'), 406);
  assert.equal(st('/cap/8'), 407);
  assert.equal(st('/r'), 301);
});

test('map: exact (case-insensitive), hostnames wildcards, regex in order, default; geo', () => {
  const conf = http(`
map $http_user_agent $bad { default 0; ~*sqlmap 1; ~^curl/7 2; exactbot 3; }
map $host $blocked { hostnames; default 0; *.b.test 1; www.t.* 2; .d.test 3; }
geo $net { default 0; 10.0.0.0/8 1; 10.1.0.0/16 2; }
server { listen 80;
  if ($bad = 1) { return 401; }
  if ($bad = 2) { return 402; }
  if ($bad = 3) { return 403; }
  if ($blocked = 1) { return 404; }
  if ($blocked = 2) { return 405; }
  if ($blocked = 3) { return 406; }
  if ($net = 2) { return 407; }
  if ($net = 1) { return 408; }
  return 200;
}`);
  const m = modelOf(conf);
  const st = (host: string, ua: string, addr = '192.0.2.1') =>
    one(m, { ...known('GET / HTTP/1.1', host, { http_user_agent: ua }), remoteAddr: addr }).status;
  assert.equal(st('h', 'SQLMAP'), 401);
  assert.equal(st('h', 'curl/7.1'), 402);
  assert.equal(st('h', 'Curl/7.1'), 200);
  assert.equal(st('h', 'ExactBot'), 403);
  assert.equal(st('x.b.test', 'ok'), 404);
  assert.equal(st('b.test', 'ok'), 200);
  assert.equal(st('www.t.org', 'ok'), 405);
  assert.equal(st('d.test', 'ok'), 406);
  assert.equal(st('h', 'ok', '10.1.2.3'), 407);
  assert.equal(st('h', 'ok', '10.2.2.3'), 408);
});

test('limit_except switches to its block: the location return does not run for excluded methods', () => {
  const conf = http(`
server { listen 80;
  location / { limit_except GET { deny all; } return 444; }
}`);
  const m = modelOf(conf);
  assert.equal(one(m, known('GET / HTTP/1.1')).status, 444);
  assert.equal(one(m, known('HEAD / HTTP/1.1')).status, 444);
  assert.equal(one(m, known('POST / HTTP/1.1')).status, 403);
  assert.equal(one(m, known('TRACE / HTTP/1.1')).status, 405);
});

test('CONNECT, like TRACE, is answered 405 once the headers are read: an error_page 405 drop, not the method rule', () => {
  const conf = http(`
server { listen 80;
  error_page 405 = @m;
  location @m { return 444; }
  if ($request_method !~ ^(GET|HEAD|POST)$) { return 444; }
}`);
  const m = modelOf(conf);
  for (const line of ['CONNECT /x HTTP/1.1', 'CONNECT http://a.test/x HTTP/1.1', 'TRACE /x HTTP/1.1']) {
    const o = one(m, known(line));
    assert.equal(o.rule!.range.start.line + 1, lineOf(conf, 'location @m'), line);
  }
  assert.equal(one(m, known('PUT /x HTTP/1.1')).rule!.range.start.line + 1, lineOf(conf, 'if ($request_method'));
});

test('access phase runs after the rewrite phase: allow/deny + return is a trap; error_page @named', () => {
  const conf = http(`
server { listen 80;
  location /trap { allow 192.0.2.0/24; deny all; return 444; }
  location /acl { allow 10.0.0.0/8; deny all; error_page 403 = @drop; }
  location @drop { return 444; }
}`);
  const m = modelOf(conf);
  assert.equal(one(m, known('GET /trap HTTP/1.1')).status, 444);
  const o = one(m, known('GET /acl HTTP/1.1'));
  assert.equal(o.status, 444);
  assert.equal(o.rule!.range.start.line + 1, lineOf(conf, '@drop {'));
  // Allowed: served, unless the content handler itself answers 403 (then error_page applies).
  assert.deepEqual(outcomesOf(m, { ...known('GET /acl HTTP/1.1'), remoteAddr: '10.0.0.1' }), ['444:7', 'content@loc6']);
});

test('limit_req with limit_req_status 444: whether it fired is not in the log', () => {
  const conf = http(`
limit_req_zone $binary_remote_addr zone=z:1m rate=1r/s;
server { listen 80;
  location / { limit_req zone=z; limit_req_status 444; }
}`);
  const m = modelOf(conf);
  assert.deepEqual(outcomesOf(m, known('GET / HTTP/1.1')), ['444:6', 'content@loc6']);
});

test('access_log: off and if= decide which outcomes a log can contain', async () => {
  const { Attributor } = await import('./support');
  const conf = http(`
access_log /var/log/nginx/access.log;
server { listen 80 default_server; access_log off; return 444; }
server { listen 80; server_name a.test; location / { return 444; } location /q { access_log /var/log/nginx/q.log; return 444; } }
`);
  const m = modelOf(conf);
  const f = facts({ request: 'GET / HTTP/1.1', vars: {} });
  const a = new Attributor(m, { logFile: '/var/log/nginx/access.log' }).attribute(f, 444);
  assert.equal(a.verdict, 'exact');
  assert.equal(a.rules[0].range.start.line + 1, lineOf(conf, 'server_name a.test'));
  const all = new Attributor(m).attribute(f, 444);
  assert.equal(all.verdict, 'ambiguous');
  assert.deepEqual(all.missing, ['$host']);
  const q = new Attributor(m, { logFile: '/var/log/nginx/q.log' }).attribute(facts({ request: 'GET /q HTTP/1.1', vars: {} }), 444);
  assert.equal(q.verdict, 'exact');
  const none = new Attributor(m, { logFile: '/var/log/nginx/q.log' }).attribute(facts({ request: 'GET /x HTTP/1.1', vars: {} }), 444);
  assert.equal(none.verdict, 'unmatched');
});

test('server selection: a server without server_name is named "" and takes Host-less requests', () => {
  const conf = http(`
server { listen 80 default_server; server_name _; return 401; }
server { listen 80; return 444; }
`);
  const m = modelOf(conf);
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET / HTTP/1.0', host: '-', serverPort: 80, vars: {} })), ['401:4', '444:5']);
  assert.equal(one(m, facts({ request: 'GET / HTTP/1.1', host: 'x.test', serverPort: 80, vars: {} })).status, 401);
});

test('formats without $request: $request_method and $request_uri are used, the protocol stays unknown', () => {
  const conf = http(`
server { listen 80; location /a { return 444; } location / { if ($request_method = POST) { return 444; } return 200; } }
`);
  const m = modelOf(conf);
  assert.deepEqual(outcomesOf(m, facts({ method: 'GET', target: '/a%2Fb?x', host: 'h', serverPort: 80, vars: {} })), ['444:4']);
  assert.deepEqual(outcomesOf(m, facts({ method: 'POST', target: '/', host: 'h', serverPort: 80, vars: {} })), ['444:4']);
  assert.deepEqual(outcomesOf(m, facts({ target: '/', host: 'h', serverPort: 80, vars: {} })), ['200:4', '444:4']);
});

test('a variable defined by two maps, or a map and a geo, takes the last definition (blacklist.conf map then geo $bad_referer)', () => {
  const conf = http(`
map $http_referer $bad_referer { default 0; ~(?i)casino 1; }
geo $bad_referer { 127.0.0.1 0; 192.168.1.0/24 0; }
map $http_user_agent $bad_bot { default 0; ~*bot 1; }
map $http_user_agent $bad_bot { default 0; ~*evil 1; }
geo $net { default 0; 10.0.0.0/8 1; }
map $http_user_agent $net { default 0; ~*net 1; }
server { listen 80;
  if ($bad_referer) { return 444; }
  if ($bad_bot) { return 403; }
  if ($net) { return 402; }
  return 200; }
`);
  const m = modelOf(conf);
  const st = (ua: string, referer: string, addr: string) =>
    one(m, facts({ request: 'GET / HTTP/1.1', host: 'localhost', serverPort: 80, remoteAddr: addr, vars: { http_user_agent: ua, http_referer: referer } })).status;
  // The geo wins: no address in it has a non-empty, non-"0" value.
  assert.equal(st('x', 'http://casino.test/', '127.0.0.1'), 200);
  assert.equal(st('x', 'http://casino.test/', '203.0.113.9'), 200);
  // The second map wins.
  assert.equal(st('Googlebot', '', '192.0.2.1'), 200);
  assert.equal(st('evil', '', '192.0.2.1'), 403);
  // The map after the geo wins.
  assert.equal(st('x', '', '10.1.1.1'), 200);
  assert.equal(st('netscape', '', '192.0.2.1'), 402);
});

test('a 444 line with no Host logged stays exact when the other servers, which cannot answer 444, have too many histories to explore', () => {
  // A phpBB-style server whose every file test forks (no file system given): 2^24 histories.
  const tests = Array.from({ length: 24 }, (_, i) => `if (-f /srv/flag${i}) { set $f${i} 1; }`).join(' ');
  const conf = http(`
server { listen 80 default_server; server_name bogus; return 444; }
server { listen 80; server_name myforums.com; rewrite ^ http://www.myforums.com$request_uri permanent; }
server { listen 80; server_name www.myforums.com; root /path/to/phpbb;
  location / { ${tests} index index.php index.html index.htm; try_files $uri $uri/ @rewriteapp; }
  location @rewriteapp { rewrite ^(.*)$ /app.php/$1 last; }
  location ~ \\.php(/|$) { try_files $uri $uri/ /app.php$is_args$args; fastcgi_pass 127.0.0.1:9000; }
}`);
  const m = modelOf(conf);
  const f = facts({ request: 'GET / HTTP/1.1', remoteAddr: '192.0.2.1', vars: { http_user_agent: 'Mozilla', http_referer: null } });
  // Exploring every history of the third server exceeds the router's budget...
  assert.equal(route(m, f).truncated, true);
  // ...but none of them can end in 444, so a 444 line only needs the default server's.
  const a = new Attributor(m).attribute(f, 444);
  assert.equal(a.verdict, 'exact');
  assert.equal(a.rules[0].range.start.line + 1, lineOf(conf, 'return 444'));
});

test('try_files asked again about the same file in one request gets the same answer (no exponential redirect loop)', () => {
  const conf = http(`
server { listen 80; root /srv;
  if ($http_user_agent ~* scanner) { return 444; }
  location / { try_files $uri /app.php$is_args$args; }
  location ~ \\.php$ { try_files $uri /app.php$is_args$args; fastcgi_pass 127.0.0.1:9000; }
}`);
  const m = modelOf(conf);
  const runs = routeStats.runs;
  const r = route(m, facts({ request: 'GET /x HTTP/1.1', host: 'localhost', remoteAddr: '192.0.2.1', vars: { http_user_agent: 'Mozilla' } }));
  assert.equal(r.truncated, false);
  // Three histories, not one per combination of answers along the ten redirects (and one
  // without Host, which `$host` rules out).
  assert.equal(routeStats.runs - runs, 4);
  // /x exists; or /x is missing and /app.php exists; or both are missing: /app.php → /app.php → … 500.
  assert.deepEqual(r.outcomes.map((o) => String(o.status)).sort(), ['500', 'content', 'content']);
});

test('an unknown `if` over request headers has one answer per request, also after an internal redirect', () => {
  // nginx runs the server's rewrite phase again after error_page's redirect; the header is the
  // same, so $hit is "" or "11", never "1": no history may end in the 444.
  const conf = http(`
server { listen 80;
  if ($http_x_a) { set $hit "\${hit}1"; }
  location = /a { error_page 403 = /b; return 403; }
  location = /b { if ($hit = "1") { return 444; } return 200; }
}`);
  const m = modelOf(conf);
  const f = facts({ request: 'GET /a HTTP/1.1', host: 'localhost', serverPort: 80, remoteAddr: '192.0.2.1' });
  assert.deepEqual(outcomesOf(m, f), [`200:${lineOf(conf, 'return 200')}`]);
  assert.equal(new Attributor(m).attribute(f, 444).verdict, 'unmatched');
});

test('an `if (-f ...)` asked twice about one file in a request gets one answer', () => {
  const conf = http(`
server { listen 80; root /srv;
  if (-f /srv/flag) { set $f "\${f}1"; }
  location = /a { error_page 403 = /b; return 403; }
  location = /b { if ($f = "1") { return 444; } return 200; }
}`);
  const m = modelOf(conf);
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET /a HTTP/1.1', host: 'localhost', serverPort: 80, remoteAddr: '192.0.2.1' })), [`200:${lineOf(conf, 'return 200')}`]);
});

test('a server whose histories exceed the budget does not hide the 444 of a server on another port', () => {
  const ifs = Array.from({ length: 12 }, (_, i) => `if ($http_x_${i}) { set $v${i} 1; }`).join('\n  ');
  const conf = http(`
server { listen 80;
  ${ifs}
  location / { return 200; }
  location /never { return 444; }
}
server { listen 8080; return 444; }`);
  const m = modelOf(conf);
  // Port not logged: the first server's 4096 histories come first.
  const f = facts({ request: 'GET / HTTP/1.1', host: 'localhost', remoteAddr: '192.0.2.1' });
  assert.equal(route(m, f).truncated, true);
  const a = new Attributor(m).attribute(f, 444);
  // Incomplete exploration is never exact, but the rule that can have fired is listed.
  assert.equal(a.verdict, 'ambiguous');
  // Then the other 444 rules of the servers it reached: a history it did not explore may have gone anywhere there.
  assert.deepEqual(a.rules.map((r) => r.range.start.line + 1), [lineOf(conf, 'listen 8080'), lineOf(conf, 'location /never')]);
  assert.match(a.why, /too many possibilities/);
});

test('wildcard names: an empty label before the suffix matches (ngx_hash_find_wc_head), in server_name and hostnames maps', () => {
  // Checked with nginx 1.22: Host ".x.test" → *.x.test; map keys ".star.test" → star, "..dot.test" → dot.
  const conf = http(`
map $http_x $m { hostnames; default no; *.star.test star; .dot.test dot; }
server { listen 80 default_server; if ($m != no) { return 444; } return 200; }
server { listen 80; server_name *.x.test; return 403; }`);
  const m = modelOf(conf);
  assert.equal(one(m, known('GET / HTTP/1.1', '.x.test', { http_x: '' })).status, 403);
  assert.equal(one(m, known('GET / HTTP/1.1', 'x.test', { http_x: '' })).status, 200);
  const mapped = (x: string) => one(m, known('GET / HTTP/1.1', 'other.test', { http_x: x })).status;
  assert.equal(mapped('.star.test'), 444);
  assert.equal(mapped('star.test'), 200);
  assert.equal(mapped('..dot.test'), 444);
  assert.equal(mapped('dot.test'), 444);
  assert.equal(mapped('xdot.test'), 200);
});

test('$scheme and $https: `ssl` on any listen of an address:port makes it TLS for every server there', () => {
  // nginx ORs the ssl flag over the listens of one address:port (ngx_http_add_addresses), so
  // legacy.test, whose own listen lacks `ssl`, still answers over TLS on 443.
  const conf = http(`
server { listen 443 ssl default_server; server_name _; return 200; }
server { listen 443; listen 80; server_name legacy.test;
  location /s { if ($scheme = https) { return 444; } return 401; }
  location /h { if ($https = on) { return 444; } return 402; }
  location /m { if ($plain) { return 444; } return 403; }
}
map $https $plain { "" 1; default 0; }
`);
  const m = modelOf(conf);
  const st = (path: string, port: number) => {
    // (Without a Host the same line would be a 400: not what is asked here.)
    const os = route(m, facts({ request: `GET ${path} HTTP/1.1`, host: 'legacy.test', serverPort: port, remoteAddr: '192.0.2.1' })).outcomes.filter((o) => o.status !== 400);
    assert.equal(os.length, 1, os.map((o) => o.status).join(' '));
    return os[0].status;
  };
  assert.equal(st('/s', 443), 444);
  assert.equal(st('/s', 80), 401);
  assert.equal(st('/h', 443), 444);
  assert.equal(st('/h', 80), 402);
  assert.equal(st('/m', 443), 403);
  assert.equal(st('/m', 80), 444);
});

test('$cookie_NAME is found as nginx finds it: ";" or "," between pairs, spaces around "=", value to the next ";"', () => {
  const conf = http(`
server { listen 80;
  location /eq { if ($cookie_s = "abc") { return 444; } return 200; }
  location /ne { if ($cookie_s != "abc") { return 444; } return 200; } }
`);
  const m = modelOf(conf);
  const st = (path: string, cookie: string) => one(m, known(`GET ${path} HTTP/1.1`, 'localhost', { http_cookie: cookie, http_user_agent: 'x' })).status;
  // Real nginx 1.22 answered 444 to each of these (ngx_http_parse_multi_header_lines).
  for (const c of ['s=abc', 's = abc', 's= abc', 's =abc', 'a=1, s=abc', 'a=1,s=abc', 'x=1; s=abc', 'S=abc']) assert.equal(st('/eq', c), 444, c);
  // The value runs to the next ";" (a trailing space stays), a tab after ";" is not skipped, a
  // name that is only a prefix is not the name.
  for (const c of ['s=abc ; x=1', 'x=1;\ts=abc', 'ss=abc', 's;x=abc']) assert.equal(st('/ne', c), 444, c);
  for (const c of ['s=abc', 'a=1, s=abc', 'sessionid=1; s = abc']) assert.equal(st('/ne', c), 200, c);
});

test('server_name $hostname: $server_name (and a Host-less $host) are the machine name, which only the log tells', () => {
  const conf = http(`
server { listen 80 default_server; server_name def.test; location / { return 200; } }
server { listen 80; server_name $hostname; location / { if ($arg_h) { return 444; } return 200; } }
`);
  const m = modelOf(conf);
  // A logged $server_name that is not "$hostname" does not rule that server out.
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET /?h=1 HTTP/1.1', serverName: 'vm', serverPort: 80, vars: {} })), ['444:5']);
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET / HTTP/1.1', serverName: 'vm', serverPort: 80, vars: {} })), ['200:5']);
  // HTTP/1.0 without Host at such a default server: $host is the machine name, as logged.
  const m2 = modelOf(http(`server { listen 80 default_server; server_name $hostname; location / { if ($arg_h) { return 444; } return 200; } }`));
  assert.deepEqual(outcomesOf(m2, facts({ request: 'GET /?h=1 HTTP/1.0', host: 'vm', serverPort: 80, vars: {} })), ['444:3']);
});

test('a repeated single-valued header is a 400 at the server chosen so far, whose error_page may make it a 444', () => {
  const conf = http(`
server { listen 80 default_server; server_name def.test; error_page 400 = @d; location @d { return 444; } location / { return 200; } }
server { listen 80; server_name a.test; error_page 400 = @a; location @a { return 444; } location / { return 200; } }
server { listen 80; server_name b.test; location / { return 200; } }
`);
  const m = modelOf(conf);
  const a = lineOf(conf, 'location @a');
  const d = lineOf(conf, 'location @d');
  // Host logged: the 400 came after it, at its server (real nginx 1.22: `Host: a.test` then a second Host).
  assert.deepEqual(outcomesOf(m, known('GET / HTTP/1.1', 'a.test')), [`200:${a}`, `444:${a}`]);
  // A server without an error_page for 400 sends nginx's own 400 page: no fork.
  assert.deepEqual(outcomesOf(m, known('GET / HTTP/1.1', 'b.test')), [`200:${a + 1}`]);
  // Host not logged: before Host (the default server) or after it (any server).
  const attributor = new Attributor(m);
  const r = attributor.attribute(facts({ request: 'GET / HTTP/1.1', remoteAddr: '192.0.2.1', vars: {} }), 444);
  assert.equal(r.verdict, 'ambiguous');
  assert.deepEqual(r.rules.map((x) => x.range.start.line + 1).sort(), [a, d].sort());
});

test('Lua, njs and perl handlers whose code may close with 444 are candidates, never left out', () => {
  const conf = http(`
server { listen 80 default_server;
  if ($http_user_agent ~* curl) { return 444; }
  location / { access_by_lua_block { if ngx.var.arg_x then return ngx.exit(444) end } }
  location /c { rewrite_by_lua 'return ngx.exit(ngx.HTTP_CLOSE)'; }
  location /f { content_by_lua_file /srv/lua/gate.lua; }
  location /js { js_content gate.main; }
  location /calm { access_by_lua_block { ngx.var.seen = 1 } }
  location /p { proxy_pass http://127.0.0.1:9; }
}`);
  const m = modelOf(conf);
  const line = (needle: string) => lineOf(conf, needle);
  const at = (path: string, ua?: string) => outcomesOf(m, facts({ request: `GET ${path} HTTP/1.1`, host: 'a', remoteAddr: '192.0.2.1', vars: ua ? { http_user_agent: ua } : {} }));
  assert.deepEqual(at('/?x=1', 'Mozilla'), [`444:${line('access_by_lua_block')}`, `content@loc${line('access_by_lua_block')}`]);
  assert.ok(at('/c', 'Mozilla').includes(`444:${line('rewrite_by_lua')}`));
  assert.ok(at('/f', 'Mozilla').includes(`444:${line('content_by_lua_file')}`));
  assert.ok(at('/js', 'Mozilla').includes(`444:${line('js_content')}`));
  // Code that names no 444, and an upstream, do not close by themselves.
  assert.deepEqual(at('/calm', 'Mozilla'), [`content@loc${line('/calm')}`]);
  assert.deepEqual(at('/p', 'Mozilla'), [`content@loc${line('/p')}`]);
  // Without the user agent logged, the return 444 is not the only way: ranked first, not exact.
  const a = new Attributor(m).attribute(facts({ request: 'GET /?x=1 HTTP/1.1', host: 'a', remoteAddr: '192.0.2.1', vars: {} }), 444);
  assert.equal(a.verdict, 'ambiguous');
  assert.deepEqual(a.rules.map((r) => r.range.start.line + 1), [line('return 444'), line('access_by_lua_block')]);
  // The reverse lens counts drops per source: the scripts that may close are sources.
  assert.deepEqual(m.sources444.map((r) => r.directive.name).sort(), ['access_by_lua_block', 'content_by_lua_file', 'js_content', 'return', 'rewrite_by_lua']);
});

test('echo module: a content handler (no index module), echo_exec redirects, echo_status 444 inherited by nested locations', () => {
  // Each answer checked against nginx 1.22 with ngx_http_echo_module loaded (Debian nginx-full).
  const conf = http(`
server { listen 80; root /srv/www;
  location / { echo "ok"; }
  location = /index.html { return 444; }
  location /inh/ { echo_status 444; location /inh/deep { echo "nested"; } }
  location /x/ { echo_exec /drop; }
  location /q/ { echo_exec /drop a=1; }
  location /n/ { echo_exec @gone; }
  location = /drop { if ($arg_a) { return 403; } return 444; }
  location @gone { return 444; }
}`);
  const m = modelOf(conf);
  const at = (path: string) => outcomesOf(m, known(`GET ${path} HTTP/1.1`));
  assert.deepEqual(at('/'), [`content@loc${lineOf(conf, 'location / ')}`]);
  assert.deepEqual(at('/inh/deep'), [`444:${lineOf(conf, 'echo_status 444')}`]);
  assert.deepEqual(at('/x/'), [`444:${lineOf(conf, 'location = /drop')}`]);
  assert.deepEqual(at('/q/'), [`403:${lineOf(conf, 'location = /drop')}`]);
  assert.deepEqual(at('/n/'), [`444:${lineOf(conf, '@gone {')}`]);
  assert.ok(m.sources444.some((r) => r.directive.name === 'echo_status'));
});

test('rewrite-module captures are escaped for a path with % or +; only the replacement\'s own ? starts the args', () => {
  // ngx_http_script_copy_capture_code (NGX_ESCAPE_ARGS while e->quote or e->is_args, for
  // r->quoted_uri / r->plus_in_uri); each answer checked against nginx 1.22 (differential-admin).
  const conf = http(`
server { listen 80;
  location /a/ { rewrite ^/a/(.*)$ /b?x=$1 last; }
  location = /b { if ($arg_x = "p%2Bq") { return 444; } if ($arg_x = "p+q") { return 403; } return 200; }
  location ~ ^/s/(.*)$ { set $x $1; if ($x = "p%20q") { return 444; } if ($x = "p&q") { return 403; } return 200; }
  location /q/ { rewrite ^/q/(.*)$ /qq/$1 last; }
  location /qq/ { if ($uri = "/qq/x?y") { return 444; } if ($args = "y") { return 403; } return 200; }
}`);
  const m = modelOf(conf);
  const st = (path: string) => one(m, known(`GET ${path} HTTP/1.1`)).status;
  assert.equal(st('/a/p+q'), 444);
  assert.equal(st('/a/p%2Bq'), 444);
  assert.equal(st('/s/p%20q'), 444);
  // No % or + in the path: captures are copied as they are.
  assert.equal(st('/s/p&q'), 403);
  assert.equal(st('/q/x%3Fy'), 444);
});

test('auth_request: a return 444 where the subrequest goes closes the main request; 401, 403 or 500 otherwise', () => {
  const conf = http(`
server { listen 80;
  location /a/ { auth_request /gate; error_page 403 = @d; }
  location = /gate { if ($http_x_token = "") { return 444; } return 204; }
  location @d { return 444; }
}`);
  const m = modelOf(conf);
  const out = outcomesOf(m, known('GET /a/x HTTP/1.1'));
  // Allowed (content), the subrequest's 444, its 401, its 403 into @d, an unexpected status (500).
  const a = lineOf(conf, 'location /a/');
  assert.deepEqual(out, [`401:${a}`, `444:${lineOf(conf, '= /gate')}`, `444:${lineOf(conf, '@d {')}`, `500:${a}`, `content@loc${a}`]);
});

test('auth_request: the subrequest\'s location regex leaves the main request\'s captures alone', () => {
  // nginx 1.22: /p/x, refused 401 by a regex auth location, goes to /denied/x (the 444 there
  // closes; the error_page without "=" keeps 401 for the log).
  const conf = http(`
server { listen 80;
  location ~ ^/p/(\\w+)$ { auth_request /gate; error_page 401 /denied/$1; }
  location ~ ^/gate { return 401; }
  location = /denied/x { return 444; }
  location /denied/ { return 403; }
}`);
  const m = modelOf(conf);
  const out = outcomesOf(m, known('GET /p/x HTTP/1.1'));
  assert.ok(out.includes(`401:${lineOf(conf, '= /denied/x')}`), out.join(' '));
  assert.ok(!out.includes(`403:${lineOf(conf, 'location /denied/ ')}`), out.join(' '));
});

test('auth_request to a URI no location matches: the server\'s try_files may close the main request', () => {
  // nginx 1.22: the subrequest runs with the server's settings; its try_files =444 terminates the
  // main request with 444 (differential-modules).
  const conf = http(`
server { listen 80; try_files $uri =444;
  location /a/ { auth_request /gate/check; }
}`);
  const m = modelOf(conf);
  assert.ok(outcomesOf(m, known('GET /a/x HTTP/1.1')).includes(`444:${lineOf(conf, 'try_files')}`));
});

test('Host not logged: a server whose names other servers claimed first is never a candidate', () => {
  // nginx: "conflicting server name ... ignored"; only the default and the servers keeping a name
  // in the socket's tables can take a request (checked with nginx 1.22).
  const conf = http(`
server { listen 80 default_server; server_name _; return 444; }
server { listen 80; server_name shop.test *.shop.test; location / { return 200; } }
server { listen 80; server_name shop.test *.shop.test; location ~ /\\.env { return 444; } }
server { listen 80; server_name shop.test other.test; location ~ /\\.env { return 444; } }
`);
  const m = modelOf(conf);
  const out = outcomesOf(m, facts({ request: 'GET /.env HTTP/1.1', serverPort: 80, remoteAddr: '192.0.2.1' }));
  assert.ok(!out.some((o) => o.endsWith(`:${lineOf(conf, '*.shop.test; location ~')}`)), out.join(' '));
  assert.deepEqual(out.filter((o) => o.startsWith('444')), [`444:${lineOf(conf, 'server_name _')}`, `444:${lineOf(conf, 'other.test')}`]);
});

test('a `.x` server_name is ignored whole when `x` is claimed first, and keeps `x` when its wildcard is taken', () => {
  // ngx_hash_add_key: `.x` claims `x` as an exact key, then as a head-wildcard key; either taken
  // makes nginx ignore the name (differential-admin, found by a random-config probe).
  const host = (conf: string, h: string) => outcomesOf(modelOf(conf), facts({ request: 'GET / HTTP/1.1', host: h, serverPort: 80, remoteAddr: '192.0.2.1' }));
  const other = http(`
server { listen 80; server_name x.test; return 200; }
server { listen 80; server_name .x.test; return 444; }
server { listen 80 default_server; return 403; }
`);
  assert.deepEqual(host(other, 'z.x.test'), ['403:' + lineOf(other, 'default_server')]);
  const same = http(`
server { listen 80; server_name x.test .x.test; return 444; }
server { listen 80 default_server; return 403; }
`);
  assert.deepEqual(host(same, 'z.x.test'), ['403:' + lineOf(same, 'default_server')]);
  const wild = http(`
server { listen 80; server_name *.x.test; return 401; }
server { listen 80; server_name .x.test; return 402; }
server { listen 80; server_name x.test; return 404; }
server { listen 80 default_server; return 403; }
`);
  // `.x.test` loses its wildcard to `*.x.test` but keeps `x.test` from the later exact name.
  assert.deepEqual(host(wild, 'x.test'), ['403:' + lineOf(wild, 'default_server')]);
  assert.deepEqual(host(wild, 'a.x.test'), ['401:' + lineOf(wild, '*.x.test')]);
});

test('an unlogged $http_host is not empty in an HTTP/1.1 request that reached the phases', () => {
  // ngx_http_process_request_header / ngx_http_validate_host: no Host, or an empty one, is a 400
  // for HTTP/1.1; HTTP/1.0 may come without one.
  const conf = http(`
server { listen 80 default_server; server_name a.test;
  if ($http_host = "") { return 444; }
  location / { return 444; }
}`);
  const m = modelOf(conf);
  const at = (request: string) => outcomesOf(m, facts({ request, serverPort: 80, remoteAddr: '192.0.2.1' })).filter((o) => o.startsWith('444'));
  assert.deepEqual(at('GET / HTTP/1.1'), [`444:${lineOf(conf, 'location /')}`]);
  assert.deepEqual(at('GET / HTTP/1.0').sort(), [`444:${lineOf(conf, 'if (')}`, `444:${lineOf(conf, 'location /')}`].sort());
});

test('a rewrite to a zero-length URI ends the script with 500, which error_page takes', () => {
  const conf = http(`
server { listen 80;
  error_page 500 = /oops;
  location = /oops { return 444; }
  rewrite ^/shop(.*)$ $1;
  if ($uri = "") { return 444; }
  location / { return 444; }
}`);
  const out = outcomesOf(modelOf(conf), facts({ request: 'GET /shop HTTP/1.1', host: 'h', serverPort: 80 }));
  assert.deepEqual(out, [`444:${lineOf(conf, 'location = /oops')}`]);
});

test('a regex too costly to run may have hit PCRE2\'s match limit: a 500 is among the answers', () => {
  // pcre2_match() -47: ngx_http_regex_exec's error ends the script (if, rewrite) or the location
  // search with 500, which error_page takes. Our engine gives up first: all three are possible.
  const conf = http(`
server { listen 80; server_name re.test;
  error_page 500 = @err;
  location @err { return 444; }
  location ~ "^/l/(a+)+$" { return 444; }
  location / {
    if ($http_user_agent ~ "^(a+)+$") { return 444; }
    return 444;
  }
}`);
  const m = modelOf(conf);
  const ua = outcomesOf(m, known('GET / HTTP/1.1', 're.test', { http_user_agent: 'a'.repeat(40) + '!' }));
  assert.ok(ua.includes(`444:${lineOf(conf, 'location @err')}`), ua.join(' '));
  assert.ok(ua.includes(`444:${lineOf(conf, 'if (')}`), ua.join(' '));
  const loc = outcomesOf(m, known(`GET /l/${'a'.repeat(40)}! HTTP/1.1`, 're.test'));
  assert.ok(loc.includes(`444:${lineOf(conf, 'location @err')}`), loc.join(' '));
  // A plain subject runs: no fork (the 400: the same line from a request without Host).
  assert.deepEqual(outcomesOf(m, known('GET /x HTTP/1.1', 're.test', { http_user_agent: 'curl' })), ['400', `444:${lineOf(conf, '    return 444;')}`]);
});

test('an alias location after `rewrite ... break` cannot map its URI: try_files answers 500', () => {
  // ngx_http_map_uri_to_path refuses alias without r->valid_location, which the break cleared.
  const conf = http(`
server { listen 80;
  error_page 500 = @err;
  location @err { return 444; }
  rewrite ^/assets/v\\d+/(.*)$ /assets/$1 break;
  location /assets/ { alias /srv/s/; try_files $uri =444; }
}`);
  const m = modelOf(conf);
  assert.deepEqual(outcomesOf(m, known('GET /assets/v2/a.css HTTP/1.1', 'h')), [`444:${lineOf(conf, 'location @err')}`]);
  assert.ok(outcomesOf(m, known('GET /assets/a.css HTTP/1.1', 'h')).includes(`444:${lineOf(conf, 'try_files')}`));
});

test('$fastcgi_script_name and $fastcgi_path_info split the URI as fastcgi_split_path_info says', () => {
  const conf = http(`
server { listen 80;
  location ~ \\.php {
    fastcgi_split_path_info ^(.+?\\.php)(/.*)$;
    fastcgi_index index.php;
    if ($fastcgi_script_name = /a.php) { return 401; }
    if ($fastcgi_path_info = /x/y) { return 402; }
    return 403;
  }
  location /d/ { fastcgi_index main.php; if ($fastcgi_script_name = /d/main.php) { return 404; } return 405; }
}`);
  const m = modelOf(conf);
  const status = (req: string) => outcomesOf(m, known(req, 'h')).map((o) => o.split(':')[0]);
  assert.deepEqual(status('GET /a.php HTTP/1.1'), ['401']);
  assert.deepEqual(status('GET /b.php/x/y HTTP/1.1'), ['402']);
  assert.deepEqual(status('GET /b.php HTTP/1.1'), ['403']);
  // Without a split, the URI; ending in `/`, fastcgi_index is appended.
  assert.deepEqual(status('GET /d/ HTTP/1.1'), ['404']);
  assert.deepEqual(status('GET /d/x HTTP/1.1'), ['405']);
});

test('a logged $scheme tells a TLS address:port from a plain one', () => {
  const conf = http(`
server { listen 80 default_server; server_name _; return 444; }
server { listen 443 ssl default_server; server_name _; return 444; }
`);
  const m = modelOf(conf);
  const at = (scheme: string) => outcomesOf(m, facts({ request: 'GET / HTTP/1.1', host: 'evil.test', remoteAddr: '192.0.2.1', scheme }));
  assert.deepEqual(at('https'), [`444:${lineOf(conf, 'listen 443')}`]);
  // Plain HTTP on the ssl port is a 497 (logged 400) before any rewrite: only port 80 drops it.
  assert.deepEqual(at('http').filter((o) => o.startsWith('444')), [`444:${lineOf(conf, 'listen 80')}`]);
});

test('a logged $uri or $args says where the request ended: histories that leave another one are not candidates', () => {
  const conf = http(`
server { listen 80;
  location /shop/ {
    if ($http_cookie !~ "session=") { rewrite ^ /nosession last; }
    if ($http_user_agent ~* bot) { return 444; }
    return 200;
  }
  location = /nosession { return 444; }
}`);
  const m = modelOf(conf);
  const at = (uri: string) => outcomesOf(m, known('GET /shop/x HTTP/1.1', 'localhost', { http_user_agent: 'googlebot', uri }));
  assert.deepEqual(at('/nosession'), [`444:${lineOf(conf, '= /nosession')}`]);
  assert.deepEqual(at('/shop/x'), [`444:${lineOf(conf, 'bot) {')}`]);
});

test('recursive_error_pages is read where an error meets error pages, and once off, no later error takes one', () => {
  // ngx_http_special_response_handler sets r->error_page there (checked with nginx 1.22).
  const conf = http(`
server { listen 80; root /nonexistent;
  location /r/ { recursive_error_pages on; error_page 404 /r404; }
  location = /r404 { error_page 404 = @drop; }
  location /s/ { error_page 404 /s404; }
  location = /s404 { recursive_error_pages on; error_page 404 = @drop; }
  location @drop { return 444; }
}`);
  const m = modelOf(conf);
  const st = (p: string) => outcomesOf(m, known(`GET ${p} HTTP/1.1`)).map((o) => o.split(':')[0]);
  assert.ok(st('/r/n').includes('444'), st('/r/n').join(' '));
  assert.ok(!st('/s/n').includes('444'), st('/s/n').join(' '));
});

test('random_index: a directory URI may go to any file of it (a logged $uri says which), or 404 when it is missing', () => {
  const conf = http(`
server { listen 80; root /nonexistent; error_page 404 = @gone;
  location /r/ { random_index on; }
  location ~ \\.php$ { return 444; }
  location @gone { return 403; }
}`);
  const m = modelOf(conf);
  const out = outcomesOf(m, known('GET /r/ HTTP/1.1'));
  assert.ok(out.includes(`444:${lineOf(conf, '\\.php$')}`), out.join(' '));
  assert.ok(out.includes(`403:${lineOf(conf, '@gone {')}`), out.join(' '));
  // The final $uri names the file: /r/x.php was dropped by the php location, /r/x.txt not.
  assert.deepEqual(outcomesOf(m, known('GET /r/ HTTP/1.1', 'localhost', { uri: '/r/x.php' })).filter((o) => o.startsWith('444')), [`444:${lineOf(conf, '\\.php$')}`]);
  assert.ok(!outcomesOf(m, known('GET /r/ HTTP/1.1', 'localhost', { uri: '/r/x.txt' })).some((o) => o.startsWith('444')));
});

test('r->captures: a map\'s regex replaces them, an internal redirect keeps them, valid_referers leaves them', () => {
  // Each checked with nginx 1.22 (differential-admin).
  const conf = http(`
map $http_user_agent $bot { default 0; ~(bot) 1; }
map $http_user_agent $ver { default 0; "~MSIE (?<iever>\\d+)" 1; }
server { listen 80; root /nonexistent;
  location ~ ^/(a)/ { if ($bot) { } set $c "$1"; if ($c = bot) { return 444; } return 200; }
  location /v/ { if ($ver) { } if ($iever = 6) { return 444; } return 200; }
  location ~ ^/t/(q)/ { try_files $uri /e; }
  location = /e { set $c "$1"; if ($c = q) { return 444; } return 200; }
  location ~ ^/(r)/ { valid_referers none ~(zzz); if ($invalid_referer) { return 403; } set $c "$1"; if ($c = r) { return 444; } return 200; }
}`);
  const m = modelOf(conf);
  const st = (p: string, vars: Record<string, string | null>) => one(m, known(`GET ${p} HTTP/1.1`, 'localhost', vars)).status;
  assert.equal(st('/a/x', { http_user_agent: 'mybot' }), 444);
  assert.equal(st('/a/x', { http_user_agent: 'browser' }), 200);
  assert.equal(st('/v/x', { http_user_agent: 'Mozilla/4.0 (compatible; MSIE 6.0)' }), 444);
  assert.ok(outcomesOf(m, known('GET /t/q/x HTTP/1.1')).includes(`444:${lineOf(conf, 'location = /e')}`));
  assert.equal(st('/r/x', { http_referer: 'http://zzz.com/' }), 444);
});

test('a map key partly unknown still picks its entry when every key of that shape picks the same one', () => {
  const conf = http(`
map $http_user_agent $ua_class { default human; ~*bot bot; "~*^(curl|wget)" tool; }
map "$ua_class:$request_method" $deny_ua { default 0; "~^bot:(POST|PUT)$" 1; ~^tool: 1; }
map "$http_x_site:$ua_class" $guard { default 0; "shop.test:human" 1; }
server { listen 80;
  location /a { if ($deny_ua) { return 444; } return 200; }
  location /g { if ($guard) { return 444; } return 200; }
}`);
  const m = modelOf(conf);
  // Without $request (so without the method): facts give only the target.
  const at = (path: string, ua: string) => outcomesOf(m, facts({ target: path, host: 'localhost', serverPort: 80, remoteAddr: '192.0.2.1', vars: { http_user_agent: ua } })).map((o) => o.split(':')[0]);
  assert.deepEqual(at('/a', 'curl/8'), ['444']);
  assert.deepEqual(at('/a', 'Mozilla'), ['200']);
  // "bot:" then an unknown method: the bot regex may or may not match.
  assert.deepEqual(at('/a', 'googlebot').sort(), ['200', '444']);
  // An exact key of the same shape as "?:human" may be the key: unknown; "?:tool" rules it out.
  assert.deepEqual(at('/g', 'Mozilla').sort(), ['200', '444']);
  assert.deepEqual(at('/g', 'wget'), ['200']);
});

test('Host not logged: at a server only its exact names select, $host is one of them', () => {
  // The copy-pasted guard `if ($host !~ ...)` cannot hold there (nginx 1.22, admin differential).
  const conf = http(`
server { listen 80 default_server; server_name _; return 444; }
server { listen 80; server_name a.test www.a.test;
  if ($host !~ ^(www\\.)?a\\.test$) { return 444; }
  if ($host = www.a.test) { return 403; }
  location / { return 200; }
}`);
  const m = modelOf(conf);
  const out = outcomesOf(m, facts({ request: 'GET /x HTTP/1.1', serverPort: 80, remoteAddr: '192.0.2.1' })).sort();
  assert.deepEqual(out, [`200:${lineOf(conf, 'return 200')}`, `403:${lineOf(conf, '= www.a.test')}`, `444:${lineOf(conf, 'server_name _')}`]);
});

test('$realip_remote_addr unlogged: the logged $remote_addr and X-Forwarded-For tell when realip did not run', () => {
  const conf = http(`
geo $realip_remote_addr $direct { default 1; 127.0.0.5 0; }
server { listen 80;
  set_real_ip_from 127.0.0.5; real_ip_header X-Forwarded-For; real_ip_recursive on;
  if ($direct) { return 444; }
  return 200;
}`);
  const m = modelOf(conf);
  const at = (addr: string, xff: string | null) => outcomesOf(m, facts({ request: 'GET / HTTP/1.1', host: 'a', serverPort: 80, remoteAddr: addr, vars: { http_x_forwarded_for: xff } })).map((o) => o.split(':')[0]).sort();
  // No header, or one naming another address than the logged one: the connection's address.
  assert.deepEqual(at('127.0.0.7', null), ['444']);
  assert.deepEqual(at('127.0.0.7', '10.1.1.1'), ['444']);
  assert.deepEqual(at('127.0.0.7', '8.8.8.8, 127.0.0.5'), ['444']);
  // The address realip would have taken: it may have come from the balancer, or not.
  assert.deepEqual(at('10.1.1.1', '10.1.1.1'), ['200', '444']);
  // An address realip cannot parse leaves it.
  assert.deepEqual(at('127.0.0.5', 'junk'), ['200']);
});

test('limits: keys that were empty (or a limit_conn key over 255 bytes) leave the next location\'s limits to run; an auth_request subrequest\'s limit may close', () => {
  // ngx_http_limit_req_handler / ngx_http_limit_conn_handler skip such a limit and mark nothing
  // (checked with nginx 1.22, differential-modules).
  const conf = http(`
limit_req_zone $http_x_key zone=hk:1m rate=1r/m;
limit_req_zone $binary_remote_addr zone=ip:1m rate=1r/m;
limit_conn_zone $request_uri zone=u:1m;
server { listen 80; root /nonexistent;
  location /t/ { limit_req zone=hk; try_files $uri /b/y; }
  location /c/ { limit_conn u 1; try_files $uri /b/y; }
  location /b/ { limit_req zone=ip; limit_req_status 444; }
  location /p/ { auth_request /auth/ok; }
  location /auth/ { internal; limit_req zone=ip; limit_req_status 444; }
}`);
  const m = modelOf(conf);
  const drop = `444:${lineOf(conf, 'location /b/')}`;
  assert.ok(outcomesOf(m, known('GET /t/q HTTP/1.1')).includes(drop));
  assert.ok(outcomesOf(m, known(`GET /c/${'x'.repeat(300)} HTTP/1.1`)).includes(drop));
  assert.ok(outcomesOf(m, known('GET /p/x HTTP/1.1')).includes(`444:${lineOf(conf, 'location /auth/')}`));
});

test('non-ASCII config text is compared as the bytes nginx reads: locations, map keys, if strings, server names', () => {
  const conf = http(`
map $uri $cafe { default 0; /café 1; }
server { listen 80 default_server; return 403; }
server { listen 80; server_name пример.test;
  if ($cafe) { return 444; }
  if ($uri = "/i/é") { return 444; }
  location = /exact-é { return 444; }
  location /é { return 444; }
  location / { return 200; }
}`);
  const m = modelOf(conf);
  // Log lines are bytes (latin1-decoded): the Host and the decoded URI are UTF-8 byte pairs.
  const host = Buffer.from('пример.test', 'utf8').toString('latin1');
  const at = (path: string) => one(m, known(`GET ${path} HTTP/1.1`, host));
  assert.equal(at('/%D0%B0').status, 200, 'the server_name selected the server');
  assert.equal(at('/caf%C3%A9').rule!.range.start.line + 1, lineOf(conf, 'if ($cafe)'));
  assert.equal(at('/i/%C3%A9').rule!.range.start.line + 1, lineOf(conf, 'if ($uri = '));
  assert.equal(at('/exact-%C3%A9').rule!.range.start.line + 1, lineOf(conf, 'location = /exact-é'));
  assert.equal(at('/%C3%A9/x').rule!.range.start.line + 1, lineOf(conf, 'location /é'));
});

test('an invalid Host header after an absolute-form request line is a 400 at the server the line\'s host chose', () => {
  const conf = http(`
server { listen 80 default_server; error_page 400 = @d; location @d { return 444; } }
server { listen 80; server_name a.test; error_page 400 = @a; location @a { return 444; } }`);
  const m = modelOf(conf);
  const line = (o: { rules: { range: { start: { line: number } } }[] }) => o.rules.map((r) => r.range.start.line + 1);
  const a = new Attributor(m);
  // $request logged: the line's host is known.
  const logged = a.attribute(facts({ request: 'GET http://a.test/x HTTP/1.1', serverPort: 80, httpHost: 'bad/host' }), 444);
  assert.equal(logged.verdict, 'exact', logged.why);
  assert.deepEqual(line(logged), [lineOf(conf, 'location @a')]);
  // Without $request, the logged $server_name tells the absolute-form line from an origin-form one.
  const byName = (serverName: string) =>
    a.attribute(facts({ serverPort: 80, serverName, httpHost: '', vars: { request_uri: '/x' } }), 444);
  assert.deepEqual(line(byName('a.test')), [lineOf(conf, 'location @a')]);
  assert.equal(byName('a.test').verdict, 'exact');
  assert.deepEqual(line(byName('')), [lineOf(conf, 'location @d')]);
});

test('after an absolute-form request line, a header refused later is refused at the line host\'s server only', () => {
  const conf = http(`
server { listen 80 default_server; error_page 400 = @d; location @d { return 444; } }
server { listen 80; server_name a.test; error_page 400 = @a; location @a { return 444; } }`);
  const o = new Attributor(modelOf(conf)).attribute(facts({ request: 'GET http://a.test/x HTTP/1.1', serverPort: 80 }), 444);
  assert.deepEqual(o.rules.map((r) => r.range.start.line + 1), [lineOf(conf, 'location @a')], o.why);
});

test('valid_referers: a level with its own list inherits the regexes it lacks; $invalid_referer and geo values are cached per request', () => {
  const conf = http(`
geo $client $blocked { default 0; 10.66.0.0/16 1; }
server { listen 80; server_name ~^(www\\.)?b\\.test$;
  valid_referers server_names ~\\.google\\.;
  location /img/ {
    valid_referers none blocked cdn.test;
    if ($invalid_referer) { return 444; }
    return 444; # b-valid
  }
}
server { listen 80; server_name c.test;
  valid_referers none blocked c.test;
  if ($invalid_referer) { set $hotlink 1; }
  set $client $remote_addr;
  if ($blocked) { set $seen 1; }
  location /img/ {
    valid_referers none blocked c.test partner.test;
    if ($invalid_referer) { return 444; } # c-invalid
    return 444;
  }
  location /geo/ {
    set $client $http_x_real_ip;
    if ($blocked) { return 444; }
    return 444; # geo-cached
  }
}`);
  const m = modelOf(conf);
  const at = (host: string, path: string, vars: Record<string, string | null>) => one(m, known(`GET ${path} HTTP/1.1`, host, vars)).rule!.range.start.line + 1;
  // b.test: the server's ~regex and server_name regex still count in /img/: valid.
  assert.equal(at('b.test', '/img/x', { http_referer: 'http://www.google.com/' }), lineOf(conf, '# b-valid'));
  assert.equal(at('b.test', '/img/x', { http_referer: 'http://www.b.test/' }), lineOf(conf, '# b-valid'));
  assert.equal(at('b.test', '/img/x', { http_referer: 'http://evil.test/' }), lineOf(conf, '# b-valid') - 1);
  // c.test: the server-level evaluation ("1": partner.test is not valid there) holds in /img/.
  assert.equal(at('c.test', '/img/x', { http_referer: 'http://partner.test/' }), lineOf(conf, '# c-invalid'));
  // The geo value computed from $remote_addr at server level holds though $client changed.
  assert.equal(at('c.test', '/geo/x', { http_x_real_ip: '10.66.1.1' }), lineOf(conf, '# geo-cached'));
});

test('a logged map or geo value decides the ifs that read it when its source is not logged', () => {
  const conf = http(`
map $http_user_agent $reason { default ""; ~*sqlmap scanner; ~*curl curl; }
geo $http_x_real_ip $net { default ""; 10.0.0.0/8 lan; }
server { listen 80;
  if ($reason = scanner) { return 444; }
  if ($reason) { return 444; } # any-reason
  if ($net = lan) { return 444; } # lan
  return 444; # rest
}`);
  const m = modelOf(conf);
  const at = (vars: Record<string, string | null>) => {
    const a = new Attributor(m).attribute(facts({ request: 'GET / HTTP/1.1', host: 'h', serverPort: 80, vars }), 444);
    return `${a.verdict} ${a.rules.map((r) => r.range.start.line + 1).join(',')}`;
  };
  assert.equal(at({ reason: 'scanner', net: null }), `exact ${lineOf(conf, '$reason = scanner')}`);
  assert.equal(at({ reason: 'curl', net: null }), `exact ${lineOf(conf, '# any-reason')}`);
  assert.equal(at({ reason: null, net: 'lan' }), `exact ${lineOf(conf, '# lan')}`);
  assert.equal(at({ reason: null, net: null }), `exact ${lineOf(conf, '# rest')}`);
  // Not logged: every rule stays possible.
  assert.match(at({}), /^ambiguous/);
});

test('without the request line, a logged $uri is where the request ended, and where it started unless something changed it', () => {
  const conf = http(`
server { listen 80;
  rewrite ^/old/(.*)$ /trap/$1 last;
  location /admin { return 444; }
  location /trap/ { return 444; }
  location /nf/ { error_page 404 = /trap/nf; }
  location / { return 444; }
}`);
  const m = modelOf(conf);
  const at = (uri: string) => {
    const a = new Attributor(m).attribute(facts({ host: 'h', serverPort: 80, vars: { uri, request_method: 'GET' } }), 444);
    return `${a.verdict} ${a.rules.map((r) => r.range.start.line + 1).join(',')}`;
  };
  assert.equal(at('/admin'), `exact ${lineOf(conf, 'location /admin')}`);
  // /trap/x: requested so, or rewritten from /old/x, or redirected from /nf/: one rule either way.
  assert.equal(at('/trap/x'), `exact ${lineOf(conf, 'location /trap/')}`);
  assert.equal(at('/x'), `exact ${lineOf(conf, 'location / {')}`);
});

test('$remote_addr read before a location\'s realip is cached: the log shows the connection\'s address, access checks the real one', () => {
  const conf = http(`
map $remote_addr $internal { default 0; ~^127\\. 1; }
server { listen 80;
  if ($internal) { set $via_lb 1; }
  location / {
    set_real_ip_from 127.0.0.0/8; real_ip_header X-Forwarded-For;
    deny 10.66.0.0/16;
    error_page 403 = @drop;
    try_files $uri =444;
  }
  location @drop { return 444; }
}`);
  // The document root exists and holds no /x: try_files falls back unless deny refused first.
  const files = (p: string) => (p.replace(/\/$/, '') === '/var/lib/nginx/html' ? { kind: 'dir' as const, exec: true } : null);
  const a = new Attributor(modelOf(conf), { files }).attribute(facts({ request: 'GET /x HTTP/1.1', host: 'h', serverPort: 80, remoteAddr: '127.0.0.1' }), 444);
  // deny may have refused the address realip set (from X-Forwarded-For, not in the line).
  assert.equal(a.verdict, 'ambiguous', a.why);
  assert.deepEqual(a.rules.map((r) => r.range.start.line + 1).sort(), [lineOf(conf, 'try_files'), lineOf(conf, 'location @drop')].sort());
});

test('request-level errors: a bad request line has no URI for a named location (500); an unknown Transfer-Encoding is a 501', () => {
  const conf = http(`
server { listen 80;
  recursive_error_pages on;
  error_page 400 = @drop;
  error_page 500 = /e500;
  error_page 501 = @te;
  location @drop { return 444; }
  location = /e500 { return 444; }
  location @te { return 444; }
  location / { return 200; }
}`);
  const m = modelOf(conf);
  const rule = (request: string, vars: Record<string, string | null> = {}) => {
    const a = new Attributor(m).attribute(facts({ request, host: 'h', serverPort: 80, vars }), 444);
    return `${a.verdict} ${a.rules.map((r) => r.range.start.line + 1).join(',')}`;
  };
  assert.equal(rule('get / HTTP/1.1'), `exact ${lineOf(conf, 'location = /e500')}`);
  assert.equal(rule('GET /../x HTTP/1.1'), `exact ${lineOf(conf, 'location = /e500')}`);
  // (A repeated header, unlogged, may also have made it a 400 into @drop.)
  assert.equal(rule('POST / HTTP/1.1', { http_transfer_encoding: 'gzip' }), `ambiguous ${lineOf(conf, 'location @te')},${lineOf(conf, 'location @drop')}`);
  assert.equal(rule('POST / HTTP/1.1', { http_transfer_encoding: 'chunked' }), `ambiguous ${lineOf(conf, 'location @drop')}`.replace('ambiguous', 'exact'));
  assert.match(rule('POST / HTTP/1.1'), new RegExp(`${lineOf(conf, 'location @te')}`));
});

test('a lone server whose last regex name captures nothing: nginx never looks its names up, so no capture is set', () => {
  const conf = http(`
server { listen 80; server_name ~^(?<sub>[a-z]+)\\.x\\.test$ ~^y\\.test$;
  if ($sub = "") { return 444; }
  location / { return 444; }
}
server { listen 81; server_name ~^y\\.test$ ~^(?<sub2>[a-z]+)\\.x\\.test$;
  if ($sub2 = "") { return 444; }
  location / { return 444; }
}`);
  const m = modelOf(conf);
  const at = (port: number) => one(m, facts({ request: 'GET / HTTP/1.1', host: 'foo.x.test', serverPort: port })).rule!.range.start.line + 1;
  assert.equal(at(80), lineOf(conf, 'if ($sub = "")'));
  // The last regex name captures: the tables exist, the regex runs, $sub2 is "foo".
  assert.equal(at(81), lineOf(conf, 'location / { return 444; }', 1));
});

test('$server_protocol of an HTTP/0.9 request is not found: it reads as "" and is logged as "-"', () => {
  // ngx_http_parse_request_line sets r->http_protocol only when the line names a protocol.
  const conf = http(`
server { listen 80; server_name _;
  if ($server_protocol = "") { return 444; }
  if ($server_protocol ~ "0\\.9") { return 401; }
  if ($http_host = "") { return 402; }
  return 403;
}
`);
  const m = modelOf(conf);
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET /x', serverPort: 80, vars: {} })), ['444:5']);
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET /x HTTP/1.0', host: 'a', httpHost: 'a', serverPort: 80, vars: { http_host: 'a' } })), ['403:8']);
  // Without `$request`: a logged "-" protocol is an HTTP/0.9 request, which also has no Host.
  assert.deepEqual(outcomesOf(m, facts({ method: 'GET', target: '/x', serverPort: 80, vars: { server_protocol: null } })), ['444:5']);
  assert.deepEqual(outcomesOf(m, facts({ method: 'GET', target: '/x', protocol: 'HTTP/1.0', serverPort: 80, httpHost: 'a', vars: { server_protocol: 'HTTP/1.0', http_host: 'a' } })), ['403:8']);
});

test('logged $args and $arg_NAME are the args where the request ended: they decide a read only if nothing changes them after', () => {
  // nginx reads r->args on each read (arg_* are not cacheable), and the log module reads it last.
  const conf = http(`
server { listen 80; server_name _;
  if ($args ~ union) { return 444; }
  location / { if ($arg_a = evil) { set $args "a=good"; return 444; } return 444; }
}
`);
  const m = modelOf(conf);
  const line = (vars: Record<string, string | null>) => outcomesOf(m, facts({ status: 444, vars: { uri: '/', ...vars } }));
  // Without the request line, the logged args decide the `if`s that read them.
  assert.deepEqual(line({ args: 'x=union' }), ['444:5']);
  assert.deepEqual(line({ query_string: 'a=b' }), ['444:6']);
  assert.deepEqual(line({ arg_a: 'zz' }), ['444:5', '444:6']);
  // "a=good" was logged: the first `if` may have seen "evil" and set it, or the args were good.
  assert.deepEqual(line({ arg_a: 'good' }), ['444:5', '444:6', '444:6']);
  assert.deepEqual(line({ args: 'a=good' }), ['444:6', '444:6']);
});

test('a logged GET without the request line may have been another method that an error_page to a URI turned into GET', () => {
  // ngx_http_send_error_page: before the redirect, every method but HEAD becomes GET; a named
  // location keeps the method.
  const conf = http(`
server { listen 80; server_name _;
  error_page 403 = /blocked;
  error_page 405 = @m;
  location /form { if ($request_method = POST) { return 403; } if ($request_method = PUT) { return 405; } return 444; }
  location /blocked { internal; return 444; }
  location @m { return 444; }
}
`);
  const m = modelOf(conf);
  const line = (method: string, uri: string) => outcomesOf(m, facts({ status: 444, method, vars: { uri, request_method: method } })).filter((o) => o.startsWith('444'));
  // Only a POST to /form reaches the internal /blocked: its line logs GET.
  assert.deepEqual(line('GET', '/blocked'), ['444:8']);
  assert.deepEqual(line('POST', '/blocked'), []);
  assert.deepEqual(line('PUT', '/form'), ['444:9']);
  assert.deepEqual(line('POST', '/form'), []);
  assert.deepEqual(line('GET', '/form'), ['444:7']);
});

test('a map whose source the line lacks may have matched any regex key: its captures are unknown after it, even when its value is logged', () => {
  // ngx_http_map_find: a regex key's match sets r->captures and its named captures.
  const conf = http(`
map $http_user_agent $reason { default ""; ~*(?<tool>zgrab|masscan) "scanner"; ~*(curl) "cli"; }
server { listen 80; server_name _;
  if ($reason = sqlmap) { return 444; }
  if ($tool = zgrab) { return 444; }
  set $t $1; if ($t = curl) { return 444; }
  return 444;
}
`);
  const m = modelOf(conf);
  const line = (vars: Record<string, string | null>) => outcomesOf(m, facts({ request: 'GET / HTTP/1.1', host: 'a', serverPort: 80, status: 444, vars }));
  assert.deepEqual(line({}), ['444:6', '444:7', '444:8', '444:9']);
  assert.deepEqual(line({ reason: 'scanner' }), ['444:7', '444:8', '444:9']);
  // With the User-Agent logged, every answer is exact.
  assert.deepEqual(line({ http_user_agent: 'zgrab/1' }), ['444:7']);
  assert.deepEqual(line({ http_user_agent: 'curl/8' }), ['444:8']);
});

test('an exploration cut short before any 444 history lists every 444 rule, not none', () => {
  // The drop needs the first and the fourth `if` not to take their first answers: neither the
  // depth-first pass nor the fair one (shares of the first three questions) gets there.
  const ifs = Array.from({ length: 14 }, (_, i) => `if ($http_x_${i}) { set $v${i} 1; }`).join('\n  ');
  const conf = http(`
server { listen 80;
  ${ifs}
  location / { set $k "$v0$v3"; if ($k = "") { return 444; } return 200; }
  location /never { return 444; }
}`);
  const m = modelOf(conf);
  const f = facts({ request: 'GET / HTTP/1.1', host: 'localhost', serverPort: 80, remoteAddr: '192.0.2.1' });
  const r = route(m, f);
  assert.equal(r.truncated, true);
  assert.equal(r.outcomes.filter((o) => o.status === 444).length, 0, 'the cut came before any 444');
  const a = new Attributor(m).attribute(f, 444);
  assert.equal(a.verdict, 'ambiguous');
  assert.deepEqual(a.rules.map((r) => r.range.start.line + 1), [lineOf(conf, 'if ($k = "")'), lineOf(conf, 'location /never')]);
  assert.match(a.why, /too many possibilities.*any of the 2 rules/);
});

test('an HTTP/0.9 request has no headers: $http_*, $cookie_* and $content_type are empty', () => {
  const conf = http(`
map $http_user_agent $noua { "" 1; default 0; }
server { listen 80; server_name _;
  if ($noua) { return 444; }
  if ($cookie_sid = "") { return 401; }
  return 402;
}
`);
  const m = modelOf(conf);
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET /x', serverPort: 80, vars: {} })), ['444:6']);
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET /x HTTP/1.0', serverPort: 80, vars: {} })).length, 3);
});

test('a location regex that fails after a prefix location matched: the 500 takes that location\'s error_page', () => {
  // ngx_http_core_find_static_location set r->loc_conf to the prefix match before the regexes
  // ran; ngx_http_core_find_config_phase then finalizes the failure with 500 under it.
  const conf = http(`
server { listen 80; server_name re.test;
  error_page 500 = @server;
  location @server { return 401; }
  location @pfx { return 444; }
  location /l/ { error_page 500 = @pfx; return 200; }
  location ~ "^/[ln]/(a+)+$" { return 402; }
}`);
  const m = modelOf(conf);
  const o = outcomesOf(m, known(`GET /l/${'a'.repeat(40)}! HTTP/1.1`, 're.test'));
  assert.ok(o.includes(`444:${lineOf(conf, 'location @pfx')}`), o.join(' '));
  assert.ok(!o.includes(`401:${lineOf(conf, 'location @server')}`), o.join(' '));
  // No prefix match: the server's error_page.
  const n = outcomesOf(m, known(`GET /n/${'a'.repeat(40)}! HTTP/1.1`, 're.test'));
  assert.ok(n.includes(`401:${lineOf(conf, 'location @server')}`), n.join(' '));
});

test('a redirect target whose args are unknown keeps its known path (try_files ... /index.php?$args without the request line)', () => {
  // ngx_http_split_args cuts the value at its first "?": the path part is all the location search sees.
  const conf = http(`
server { listen 80; server_name _;
  location / { try_files $uri /index.php?$args; }
  location = /index.php { return 444; }
  location /other { return 401; }
}`);
  const m = modelOf(conf);
  const r = route(m, facts({ status: 444, method: 'GET', vars: { request_method: 'GET' } }));
  // Before: the whole target was unknown, so was the URI after it, and location / could take it
  // again, until the redirect cycle's 500.
  for (const o of r.outcomes) {
    const k = o.path.findIndex((p) => p.startsWith('try_files fell back'));
    if (k >= 0) assert.match(o.path[k + 1], /^location = \/index\.php /, o.path.join(' | '));
    assert.ok(!o.path.some((p) => p.includes('redirection cycle')), o.path.join(' | '));
  }
});

test('a location nested in an internal one is internal too (ngx_http_core_merge_loc_conf merges the flag)', () => {
  const conf = http(`
server { listen 80; server_name _;
  error_page 404 = @drop;
  location @drop { return 401; }
  location ^~ /api/ { internal; location ~* /(?<leaf>[^/]+)$ { if ($leaf = secret) { return 444; } return 402; } return 403; }
  location /go/ { rewrite ^/go/(.*)$ /api/$1 last; }
}`);
  const m = modelOf(conf);
  assert.deepEqual(outcomesOf(m, known('GET /api/x/secret HTTP/1.1', 'h')), [`401:${lineOf(conf, 'location @drop')}`]);
  // Reached by a rewrite, it runs.
  assert.deepEqual(outcomesOf(m, known('GET /go/x/secret HTTP/1.1', 'h')), [`444:${lineOf(conf, 'location ^~ /api/')}`]);
});

test('an exploration cut short lists, after the causes it found, the other 444 rules of the servers it reached', () => {
  const ifs = Array.from({ length: 14 }, (_, i) => `if ($http_x_${i}) { set $v${i} 1; }`).join('\n  ');
  const conf = http(`
server { listen 80;
  ${ifs}
  location / { if ($http_a) { return 444; } set $k "$v0$v3"; if ($k = "") { return 444; } return 200; }
  location /never { return 444; }
}`);
  const m = modelOf(conf);
  const f = facts({ request: 'GET / HTTP/1.1', host: 'localhost', serverPort: 80, remoteAddr: '192.0.2.1' });
  const a = new Attributor(m).attribute(f, 444);
  assert.equal(a.verdict, 'ambiguous');
  const at = (needle: string) => { const l = conf.split('\n').find((x) => x.includes(needle))!; return l.indexOf(needle); };
  // Found: the first `if`; not found (it needs later answers), but in the same server: the
  // second, and /never.
  const rules = a.rules.map((r) => `${r.range.start.line + 1}:${r.range.start.character}`);
  assert.equal(rules[0], `${lineOf(conf, 'location / {')}:${at('return 444; } set')}`);
  assert.deepEqual(rules.slice(1).sort(), [
    `${lineOf(conf, 'location / {')}:${at('return 444; } return 200')}`,
    `${lineOf(conf, 'location /never')}:${conf.split('\n').find((x) => x.includes('location /never'))!.indexOf('return 444')}`,
  ].sort());
  assert.match(a.why, /1 found, then 2 other rules that answer 444 where it went/);
});

test('an HTTP/0.9 line logged without $request may have named its server in an absolute URI', () => {
  // ngx_http_process_request_line looks the request line's host up before the HTTP/0.9 fallback.
  const conf = http(`
server { listen 80 default_server; return 444; }
server { listen 80; server_name localhost; return 444; }
`);
  const m = modelOf(conf);
  const v = { server_protocol: null, request_method: 'GET' };
  assert.deepEqual(outcomesOf(m, facts({ method: 'GET', serverPort: 80, vars: v })), ['444:4', '444:5']);
  assert.deepEqual(outcomesOf(m, facts({ method: 'GET', host: 'localhost', serverPort: 80, vars: v })), ['444:5']);
});

test('a regex without groups that matched an unknown subject leaves $1..$9 empty (r->ncaptures is 2)', () => {
  const conf = http(`
server { listen 80; server_name _;
  location ~ ^/(sa|sb)/ { rewrite ^ /fb/$1 last; }
  location = /fb/ { return 401; }
  location /fb/ { internal; return 444; }
}`);
  const m = modelOf(conf);
  // The URI is not logged: whatever it was, the rewrite gives "/fb/", never the internal /fb/x.
  assert.deepEqual(outcomesOf(m, facts({ status: 444, method: 'GET', vars: { request_method: 'GET' } })).filter((o) => o.startsWith('444')), []);
});

test('a rewrite whose new URI is unknown still sets the args its replacement names', () => {
  const conf = http(`
server { listen 80; server_name _;
  set $args "x=evil";
  location ~ ^/(?<sec>sa|sb)/ { rewrite ^ /fb/$sec?k last; }
  location ^~ /fb/ { internal; return 444; }
}`);
  const m = modelOf(conf);
  // Only the rewrite reaches /fb/, and it logs the args "k&x=evil".
  const f = facts({ status: 444, method: 'GET', vars: { request_method: 'GET', uri: '/fb/sa', args: 'k&x=evil' } });
  assert.deepEqual(outcomesOf(m, f).filter((o) => o.startsWith('444')), [`444:${lineOf(conf, 'location ^~ /fb/')}`]);
});

test('realip configured only in a later location: the checks before it saw the connection\'s own address', () => {
  // A location's realip runs in its preaccess phase (ngx_http_realip_init), after try_files took
  // the request there; the log shows the address it set, allow/deny in / saw the socket's.
  const conf = http(`
server { listen 80;
  location @a { return 401; }
  location / { deny 127.0.0.5; error_page 403 = @a; try_files $uri /app; }
  location /app { set_real_ip_from 127.0.0.0/8; real_ip_header X-Forwarded-For; try_files /nope =444; }
}`);
  const m = modelOf(conf);
  const o = outcomesOf(m, facts({ request: 'GET / HTTP/1.1', host: 'h', serverPort: 80, remoteAddr: '127.0.0.5', status: 444, vars: {} }));
  assert.ok(o.includes(`444:${lineOf(conf, 'location /app')}`), o.join(' '));
  // The connection's address logged: deny did not match it, and /app's realip set 127.0.0.5.
  const known = outcomesOf(m, facts({ request: 'GET / HTTP/1.1', host: 'h', serverPort: 80, remoteAddr: '127.0.0.5', status: 444, vars: { realip_remote_addr: '127.0.0.6' } }));
  assert.ok(!known.includes(`401:${lineOf(conf, 'location @a')}`), known.join(' '));
});

test('a mirror subrequest that closes with 444 before an upstream answers makes the main request 444', () => {
  // ngx_http_terminate_request sets the main request's status when it has sent nothing yet.
  const conf = http(`
server { listen 80; server_name _;
  location / { mirror /m; proxy_pass http://127.0.0.1:9; proxy_ignore_headers X-Accel-Redirect; }
  location /s/ { mirror /m; return 200; }
  location = /m { internal; return 444; }
}`);
  const m = modelOf(conf);
  assert.ok(outcomesOf(m, known('GET /a HTTP/1.1', 'h')).includes(`444:${lineOf(conf, 'location = /m')}`));
  // A response nginx sends at once goes out first: no fork (and `return` runs before mirror anyway).
  assert.ok(!outcomesOf(m, known('GET /s/a HTTP/1.1', 'h')).some((o) => o.startsWith('444')));
});

test('a map first read in the lengths pass of a value replaces the $1 written before it (rewrite, set)', () => {
  // ngx_http_script: lengths of every part first (the map's regex runs there), then the copy.
  const conf = http(`
map $http_user_agent $mobile { default 0; "~*(iphone|android)" 1; }
map $http_user_agent $bot { default 0; ~(bo)t 1; }
server { listen 80; server_name _;
  rewrite ^/p/(\\w+)$ /x/$1?m=$mobile last;
  location /x/iPhone { return 444; }
  location /x/ { return 401; }
  location ~ ^/(ab)/ { set $c "$1$bot"; if ($c = bo1) { return 402; } return 403; }
}`);
  const m = modelOf(conf);
  assert.deepEqual(outcomesOf(m, known('GET /p/abcdefgh HTTP/1.1', 'h', { http_user_agent: 'iPhone' })), [`444:${lineOf(conf, 'location /x/iPhone')}`]);
  // "ab" + "1" cut to the length the lengths pass found (3): the map's "bo" + "1".
  assert.deepEqual(outcomesOf(m, known('GET /ab/x HTTP/1.1', 'h', { http_user_agent: 'mybot' })), [`402:${lineOf(conf, 'if ($c = bo1)')}`]);
});

test('an auth_request subrequest shares the main request\'s variables: what its location sets or first reads is unknown after it', () => {
  const conf = http(`
map $uri $isauth { default 0; /auth 1; }
server { listen 80; server_name _;
  location /s/ { auth_request /auth; try_files /nope /drop; }
  location = /auth { set $who sub; if ($isauth) { return 200; } return 200; }
  location = /drop { if ($who = sub) { return 444; } if ($isauth) { return 401; } return 402; }
}`);
  const m = modelOf(conf);
  const o = outcomesOf(m, known('GET /s/x HTTP/1.1', 'h'));
  assert.ok(o.includes(`444:${lineOf(conf, 'location = /drop')}`), o.join(' '));
});

test('a rewrite appending its args to unknown args changes them (the history that read them before must survive)', () => {
  // ngx_http_script_regex_end_code appends "&" and the old args only when there are some.
  const conf = http(`
server { listen 80; server_name a.test;
  if ($args) { return 405; }
  location /rx/ { rewrite ^ /xr/?k last; }
  location /xr/ { internal; return 444; }
}`);
  const m = modelOf(conf);
  const o = outcomesOf(m, facts({ status: 444, method: 'GET', serverPort: 80, vars: { request_method: 'GET', uri: '/xr/', args: 'k' } }));
  assert.deepEqual(o.filter((x) => x.startsWith('444')), [`444:${lineOf(conf, 'location /xr/')}`]);
});

test('an unlogged method through error_page to a URI may have been HEAD, which stays HEAD', () => {
  // ngx_http_send_error_page turns every method but HEAD into GET.
  const conf = http(`
server { listen 80; server_name a.test;
  error_page 404 = /e;
  location /e { internal; if ($request_method = HEAD) { return 444; } if ($request_method = GET) { return 401; } return 200; }
  location / { }
}`);
  const m = modelOf(conf);
  const o = outcomesOf(m, facts({ host: 'a.test', serverPort: 80, status: 444, vars: { uri: '/e' } }));
  assert.ok(o.includes(`444:${lineOf(conf, 'location /e')}`), o.join(' '));
});

test('an HTTP/1.1 request without Host is refused in the server named "", whose error_page acts', () => {
  // ngx_http_process_request_header looks the empty name up before it checks for Host.
  const conf = http(`
server { listen 80 default_server; server_name a.test; error_page 400 = @d; location @d { return 401; } location / { return 200; } }
server { listen 80; server_name ""; error_page 400 = @d; location @d { return 444; } }
`);
  const m = modelOf(conf);
  const unnamed = `444:${lineOf(conf, 'server_name ""')}`;
  // Host logged as absent, Host not logged at all, or the line not logged: the unnamed server's 444 is possible.
  assert.ok(outcomesOf(m, facts({ request: 'GET / HTTP/1.1', httpHost: null, serverPort: 80, vars: {} })).includes(unnamed));
  assert.ok(outcomesOf(m, facts({ request: 'GET / HTTP/1.1', serverPort: 80, vars: {} })).includes(unnamed));
  assert.ok(outcomesOf(m, facts({ method: 'GET', host: '', serverPort: 80, vars: { request_method: 'GET' } })).includes(unnamed));
  // `$host` then logs the unnamed server's name (""), never the default's.
  assert.ok(!outcomesOf(m, facts({ request: 'GET / HTTP/1.1', host: 'a.test', serverPort: 80, vars: {} })).includes(unnamed));
  // An empty Host is refused in the default server.
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET / HTTP/1.1', httpHost: '', serverPort: 80, vars: {} })), [`401:${lineOf(conf, 'server_name a.test')}`]);
});

test('a level with `access_log off` logs nothing, whatever other access_log lines it has', () => {
  // ngx_http_log_set_log sets one `off` flag for the level; ngx_http_log_handler returns on it.
  const conf = http(`
log_format n '$status';
server { listen 80; server_name _;
  access_log /var/log/nginx/s.log n;
  location /q { access_log off; access_log /var/log/nginx/s.log n; return 444; }
  location / { return 444; }
}`);
  const m = modelOf(conf);
  const a = new Attributor(m, { logFile: '/var/log/nginx/s.log' }).attribute(facts({ vars: {} }), 444);
  assert.equal(a.verdict, 'exact', a.why);
  assert.equal(a.rules[0].range.start.line + 1, lineOf(conf, 'location / {'));
});

test('an upstream\'s X-Accel-Redirect is possible also when the URI is not logged', () => {
  // A log with neither the request nor the URI, written only by the internal target location.
  const conf = http(`
log_format n '$status';
server { listen 80; server_name _;
  location /p { proxy_pass http://127.0.0.1:9; }
  location /prot/ { internal; access_log /var/log/nginx/prot.log n; return 444; }
  location / { return 200; }
}`);
  const m = modelOf(conf);
  const a = new Attributor(m, { logFile: '/var/log/nginx/prot.log' }).attribute(facts({ vars: {} }), 444);
  assert.equal(a.verdict, 'exact', a.why);
  assert.equal(a.rules[0].range.start.line + 1, lineOf(conf, 'location /prot/'));
});

test('`access_log ... if=$v` and `if ($v)` agree on one unknown value (a map is evaluated once per request)', () => {
  const conf = http(`
log_format n '$status';
map $http_user_agent $is_bot { default 0; ~*bot 1; }
server { listen 80; server_name _;
  access_log /var/log/nginx/bots.log n if=$is_bot;
  access_log /var/log/nginx/all.log n;
  location / { if ($is_bot) { return 444; } return 444; }
}`);
  const m = modelOf(conf);
  const bots = new Attributor(m, { logFile: '/var/log/nginx/bots.log' }).attribute(facts({ vars: {} }), 444);
  assert.equal(bots.verdict, 'exact', bots.why);
  assert.equal(bots.rules[0].range.start.character, conf.split('\n')[lineOf(conf, 'location /') - 1].indexOf('return 444'));
  // In the log of every request, both.
  assert.equal(new Attributor(m, { logFile: '/var/log/nginx/all.log' }).attribute(facts({ vars: {} }), 444).rules.length, 2);
});

test('an upstream\'s X-Accel-Redirect may go to a named location, or by URI to an internal one', () => {
  // ngx_http_upstream_process_headers: "@name" → ngx_http_named_location; else an internal
  // redirect to whatever location the URI selects, whose error_page runs as usual.
  const conf = http(`
server { listen 80; server_name a.test;
  location / { proxy_pass http://127.0.0.1:9; error_page 502 503 504 = @down; }
  location /protected/ { internal; error_page 404 = @notfound; }
  location @down { return 444; }
  location @notfound { return 444; }
  location @drop { return 444; }
}`);
  const m = modelOf(conf);
  const a = new Attributor(m).attribute(facts({ request: 'GET /dl/1 HTTP/1.1', host: 'a.test', serverPort: 80, vars: {} }), 444);
  assert.equal(a.verdict, 'ambiguous', a.why);
  assert.deepEqual(a.rules.map((r) => r.range.start.line + 1).sort((x, y) => x - y), [lineOf(conf, '@down {'), lineOf(conf, '@notfound {'), lineOf(conf, '@drop {')]);
});

test('a subrequest that may redirect may end in any drop of its server', () => {
  // ngx_http_terminate_request: a 444 anywhere in the auth subrequest ends the main request.
  const conf = http(`
server { listen 80; server_name a.test;
  location / { auth_request /auth; }
  location = /auth { proxy_pass http://127.0.0.1:9; error_page 502 = /drop; }
  location = /drop { return 444; }
  location /never { if ($http_x) { return 444; } }
}`);
  const m = modelOf(conf);
  const a = new Attributor(m).attribute(facts({ request: 'GET / HTTP/1.1', host: 'a.test', serverPort: 80, vars: {} }), 444);
  assert.equal(a.verdict, 'ambiguous', a.why);
  assert.ok(a.rules.some((r) => r.range.start.line + 1 === lineOf(conf, 'location = /drop')), a.why);
});

test('a 444 line that sent bytes was a response with that status, not a close', () => {
  const conf = http(`
server { listen 80; server_name a.test;
  location /p/ { if ($http_x_block) { return 444; } proxy_pass http://127.0.0.1:9; }
  location /e/ { error_page 404 =444 /nf.html; }
}`);
  const m = modelOf(conf);
  const at = (path: string, bytes: string) => new Attributor(m).attribute(facts({ request: `GET ${path} HTTP/1.1`, host: 'a.test', serverPort: 80, vars: { body_bytes_sent: bytes } }), 444);
  assert.equal(at('/p/x', '0').verdict, 'exact');
  // The upstream answered 444: no rule of this configuration.
  const up = at('/p/x', '8');
  assert.equal(up.verdict, 'unmatched', up.why);
  assert.match(up.why, /bytes were sent/);
  // A page sent with the status line 444 is the error_page's.
  const page = at('/e/x', '120');
  assert.equal(page.verdict, 'exact', page.why);
  assert.equal(page.rules[0].directive.name, 'error_page');
});

test('realip of the server replaces the address as the request is read; a location\'s realip then never runs', () => {
  // ngx_http_realip_handler runs in post-read (server settings) and preaccess, and declines once
  // its ctx exists: the location's X-Forwarded-For setting is moot when X-Real-IP was used.
  const conf = http(`
geo $rgeo { default 0; 127.0.0.5 1; }
server { listen 80; server_name _;
  set_real_ip_from 127.0.0.0/8; real_ip_header X-Real-IP;
  location /rip/ { set_real_ip_from 127.0.0.0/8; real_ip_header X-Forwarded-For; real_ip_recursive on; if ($rgeo) { return 444; } return 200; }
}`);
  const m = modelOf(conf);
  const f = facts({ request: 'POST /rip/x HTTP/1.1', host: 'shop', serverPort: 80, remoteAddr: '127.0.0.5', vars: { realip_remote_addr: '127.0.0.1' } });
  assert.deepEqual(outcomesOf(m, f).filter((o) => o.startsWith('444')), [`444:${lineOf(conf, 'location /rip/')}`]);
});

test('auth_request_set: its variable is "" until an auth_request has set it, then the subrequest\'s value', () => {
  const conf = http(`
server { listen 80;
  if ($http_x_block) { return 444; }
  location /a/ {
    auth_request /auth;
    auth_request_set $who $upstream_http_x_user;
    if ($who = "bad") { return 444; }
    error_page 403 = /deny;
  }
  location = /auth { internal; if ($http_x_no) { return 403; } return 204; }
  location = /deny { if ($who = "bad") { return 444; } return 403; }
}`);
  const m = modelOf(conf);
  const outcomes = outcomesOf(m, known('GET /a/x HTTP/1.1'));
  // The location's own if runs in the rewrite phase, before the subrequest: never a 444 of its own.
  assert.ok(!outcomes.includes(`444:${lineOf(conf, 'auth_request_set') + 1}`), outcomes.join(' '));
  assert.ok(outcomes.includes(`444:${lineOf(conf, 'x_block')}`), outcomes.join(' '));
  // After the refusal's redirect the variable holds what the subrequest set (unknown here).
  assert.ok(outcomes.includes(`444:${lineOf(conf, 'location = /deny')}`), outcomes.join(' '));
});

test('$remote_addr read before a redirect to a realip location keeps the old address; the access checks there see realip\'s', () => {
  const conf = http(`
server { listen 80;
  location /rip/ { set_real_ip_from 127.0.0.0/8; real_ip_header X-Forwarded-For; deny 127.0.0.5; error_page 403 = @drop; try_files $uri =404; }
  location /fw/ { if ($remote_addr = 127.0.0.5) { return 444; } rewrite ^/fw/(.*)$ /rip/$1 last; }
  location @drop { return 444; }
}`);
  const m = modelOf(conf);
  // The log writes the address cached in /fw/, the connection's own: deny saw the one from X-Forwarded-For.
  const r = route(m, facts({ request: 'GET /fw/x HTTP/1.1', host: 'h', serverPort: 80, remoteAddr: '127.0.0.1', vars: {} }));
  assert.ok(r.outcomes.some((o) => o.status === 444 && o.path.some((p) => p.startsWith('deny 127.0.0.5'))), r.outcomes.map((o) => o.path.join(' | ')).join('\n'));
});

test('a socket explored in part: the servers on it that no history reached keep their 444 rules as candidates', () => {
  const ifs = Array.from({ length: 12 }, (_, i) => `if ($http_x_${i}) { set $v${i} 1; }`).join('\n  ');
  const conf = http(`
server { listen 80 default_server;
  ${ifs}
  location / { return 200; }
  location /never { return 444; }
}
server { listen 80; server_name b.test; location / { return 444; } }`);
  const m = modelOf(conf);
  // Host not logged: the default server's histories come first and use up the budget.
  const f = facts({ request: 'GET / HTTP/1.1', serverPort: 80, remoteAddr: '192.0.2.1' });
  assert.equal(route(m, f).truncated, true);
  const a = new Attributor(m).attribute(f, 444);
  assert.equal(a.verdict, 'ambiguous');
  assert.ok(a.rules.some((r) => r.range.start.line + 1 === lineOf(conf, 'server_name b.test')), a.why);
});

test('$server_protocol unlogged: HTTP/0.9 is out when the line shows another method or a request header', () => {
  const conf = http(`
server { listen 80;
  if ($server_protocol = "") { return 444; }
  if ($http_x_block) { return 444; }
  location / { return 200; }
}`);
  const m = modelOf(conf);
  const at = (method: string, vars: Record<string, string | null>) =>
    outcomesOf(m, facts({ method, target: '/', serverPort: 80, remoteAddr: '192.0.2.1', vars }));
  const http09 = `444:${lineOf(conf, 'server_protocol')}`;
  const header = `444:${lineOf(conf, 'http_x_block')}`;
  // POST, or a logged User-Agent: never HTTP/0.9.
  assert.ok(!at('POST', {}).includes(http09), at('POST', {}).join(' '));
  assert.ok(!at('GET', { http_user_agent: 'curl/8' }).includes(http09));
  assert.ok(at('GET', { http_user_agent: 'curl/8' }).includes(header));
  // A GET without headers in the line may have been HTTP/0.9.
  assert.ok(at('GET', { http_user_agent: null }).includes(http09));
});

test('one rule reached through several servers: exact, and the explanation says the server is not known', () => {
  const conf = http(`
limit_req_zone $binary_remote_addr zone=z:1m rate=1r/m;
limit_req_status 444;
server { listen 80 default_server; server_name a.test; location / { limit_req zone=z; try_files $uri =404; } }
server { listen 80; server_name b.test; location / { limit_req zone=z; try_files $uri =404; } }
`);
  const a = new Attributor(modelOf(conf)).attribute(facts({ request: 'GET / HTTP/1.1', serverPort: 80, remoteAddr: '192.0.2.1', vars: {} }), 444);
  assert.equal(a.verdict, 'exact');
  assert.equal(a.rules[0].range.start.line + 1, lineOf(conf, 'limit_req_status 444'));
  assert.match(a.why, /the same rule answers in 2 servers, which the line does not tell apart: a\.test \(.*\), b\.test \(/);
});
