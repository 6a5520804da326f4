// Differential suite: real nginx decides, our router must agree.
//
// Each scenario runs through /usr/sbin/nginx (see nginxHarness.ts for how nginx itself reports
// which 444 rule fired). Then the access logs nginx wrote with the scenario's own formats are
// traced with the uninstrumented config, and every 444 line is checked:
//  - `exact` must name the rule nginx ran (a confident wrong answer fails the suite);
//  - `ambiguous` must list that rule among its candidates;
//  - `unmatched` is wrong (nginx did produce the line under this config).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/core/parser';
import { readFileSync } from 'node:fs';
import { buildModelFromFile } from '../../server/src/core/http/model';
import { checkRun, type Counts } from './breadthRunner';
import { cleanup, haveNginx, runScenario, type Req, type Scenario } from './nginxHarness';

const COMMON = `
  client_body_temp_path PREFIX/tmp_body; proxy_temp_path PREFIX/tmp_proxy; fastcgi_temp_path PREFIX/tmp_fcgi;
  uwsgi_temp_path PREFIX/tmp_uwsgi; scgi_temp_path PREFIX/tmp_scgi;
  root PREFIX/html;
  log_format vhost '$remote_addr - [$time_local] "$request" $status $body_bytes_sent "$http_user_agent" "$host" $server_port';
  access_log PREFIX/logs/access.log;
  access_log PREFIX/logs/vhost.log vhost;
`;
const conf = (body: string, extraTop = '') => `events {}\nhttp {\n${COMMON}\n${extraTop}\n${body}\n}\n`;

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0';
const get = (path: string, host: string | null = 'localhost', extra: Partial<Req> = {}): Req => ({ path, host, ...extra });
const ua = (u: string) => ({ headers: { 'User-Agent': u } });

const scenarios: Scenario[] = [
  {
    name: 'server selection: default_server, first server, exact/wildcard/regex names, empty name',
    conf: conf(`
  server { listen 127.0.0.1:PORT; server_name first.test; return 444; }
  server { listen 127.0.0.1:PORT default_server; server_name _; return 444; }
  server { listen 127.0.0.1:PORT; server_name exact.test *.wild.test;
    location / { return 200; }
    location /drop { return 444; } }
  server { listen 127.0.0.1:PORT; server_name .dot.test;
    if ($http_user_agent ~* bot) { return 444; }
    return 204; }
  server { listen 127.0.0.1:PORT; server_name tail.*; return 444; }
  server { listen 127.0.0.1:PORT; server_name ~^(?<sub>[a-z]+)\\.re\\.test$;
    if ($sub = evil) { return 444; }
    return 205; }
  server { listen 127.0.0.1:PORT; server_name ~^www\\d+\\.re\\.test$; return 444; }
  server { listen 127.0.0.1:PORT; server_name ""; return 444; }
  server { listen 127.0.0.1:PORT2; server_name second.test; location / { return 444; } location /ok { return 200; } }
  server { listen 127.0.0.1:PORT2; server_name other.test; return 444; }
`),
    requests: [
      get('/', 'first.test'),
      get('/', 'FIRST.TEST'),
      get('/', 'first.test.'),
      get('/', 'first.test:8080'),
      get('/', 'unknown.test'),
      get('/', '_'),
      get('/', 'exact.test'),
      get('/drop', 'exact.test'),
      get('/drop', 'a.wild.test'),
      get('/drop', 'a.b.wild.test'),
      get('/', 'wild.test'),
      get('/', 'dot.test', ua('Googlebot')),
      get('/', 'x.dot.test', ua('somebot')),
      get('/', 'x.dot.test', ua(BROWSER)),
      get('/', 'tail.com'),
      get('/', 'tail.co.uk'),
      get('/', 'evil.re.test'),
      get('/', 'good.re.test'),
      get('/', 'www12.re.test'),
      get('/', null),
      get('/', null, { protocol: 'HTTP/1.0', headers: { 'User-Agent': 'bot' } }),
      get('/', 'second.test', { port: 1 }),
      get('/ok', 'second.test', { port: 1 }),
      get('/ok', 'nothing.test', { port: 1 }),
      get('/', 'other.test', { port: 1 }),
      get('/', null, { port: 1 }),
    ],
  },
  {
    name: 'location selection: =, ^~, regex order, nested, case-insensitive, URI normalization',
    conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name loc.test;
    location = /exact { return 444; }
    location ^~ /static/ { return 444; }
    location /files/ {
      location ~ \\.bak$ { return 444; }
      return 200;
    }
    location ~* \\.(php|asp)$ { return 444; }
    location ~ ^/admin { return 444; }
    location /admin/ok { return 200; }
    location ^~ /admin/safe { return 200; }
    location / {
      if ($request_method = POST) { return 444; }
      return 200;
    }
  }
`),
    requests: [
      get('/exact'),
      get('/exact/'),
      get('/exactly'),
      get('/static/x.php'),
      get('/files/a.bak'),
      get('/files/a.txt'),
      get('/x.PHP'),
      get('/x.php?y=1'),
      get('/admin/ok'),
      get('/admin/safe/x'),
      get('/admin'),
      { path: '/', method: 'POST', host: 'loc.test' },
      get('/'),
      get('/%65xact'),
      get('//static//x'),
      get('/a/../static/y'),
      get('/files/./../exact'),
      get('/files/x%2Ebak'),
      get('/%2e%2e/x'),
      get('/files/%2e%2e/exact'),
    ],
  },
  {
    name: 'rewrite phase: server level then location, captures, last re-matching, break, set, cycles',
    conf: conf(`
  server { listen 127.0.0.1:PORT default_server;
    rewrite ^/old/(.*)$ /new/$1;
    if ($arg_drop) { return 444; }
    location /new/ { if ($uri ~ /new/bad) { return 444; } return 200; }
    location /loop { rewrite ^ /loop2 last; }
    location /loop2 { return 444; }
    location /brk { rewrite ^ /loop2 break; return 444; }
    location /set { set $x 1; if ($x) { return 444; } return 200; }
    location /unset { set $x 0; if ($x) { return 444; } return 200; }
    location ~ ^/cap/(\\d+)$ { set $n $1; if ($n = 7) { return 444; } return 200; }
    location ~ ^/cap2/(?<num>\\d+)$ { if ($num ~ ^9) { return 444; } return 200; }
    location /cycle { rewrite ^ /cycle2 last; }
    location /cycle2 { rewrite ^ /cycle last; }
    location /chain { rewrite ^/chain(.*)$ /new$1; rewrite ^/new/ok /new/bad; }
    location /both { if ($http_referer ~* spam) { return 444; } if ($http_user_agent !~ Mozilla) { return 444; } return 200; }
    location /eq { if ($http_x_token != secret) { return 444; } return 200; }
  }
`),
    requests: [
      get('/old/bad'),
      get('/old/good'),
      get('/new/bad'),
      get('/x?drop=1'),
      get('/x?drop=0'),
      get('/x?drop='),
      get('/loop'),
      get('/brk'),
      get('/set'),
      get('/unset'),
      get('/cap/7'),
      get('/cap/8'),
      get('/cap2/99'),
      get('/cap2/19'),
      get('/cycle'),
      get('/chain/ok'),
      get('/chain/x'),
      get('/both', 'localhost', { headers: { Referer: 'http://SPAM.example/', 'User-Agent': BROWSER } }),
      get('/both', 'localhost', { headers: { 'User-Agent': 'curl/8' } }),
      get('/both', 'localhost', { headers: { 'User-Agent': BROWSER } }),
      get('/eq', 'localhost', { headers: { 'X-Token': 'secret' } }),
      get('/eq', 'localhost', { headers: { 'X-Token': 'nope' } }),
    ],
  },
  {
    name: 'map (regex, hostnames, default), geo, set',
    conf: conf(
      `
  server { listen 127.0.0.1:PORT default_server; server_name _;
    if ($bad_ua) { return 444; }
    if ($host_blocked) { return 444; }
    location / { if ($blocked_net) { return 444; } return 200; }
  }
`,
      `
  map $http_user_agent $bad_ua { default 0; ~*(sqlmap|nikto) 1; "~^curl/7" 1; exactbot 1; }
  map $host $host_blocked { hostnames; default 0; *.blocked.test 1; blocked.test 1; www.ok.* 0; .deny.test 1; }
  geo $blocked_net { default 0; 127.0.0.5/32 1; 127.0.1.0/24 1; }
`,
    ),
    requests: [
      get('/', 'a.test', ua('sqlmap/1.7')),
      get('/', 'a.test', ua('Nikto')),
      get('/', 'a.test', ua('curl/7.88')),
      get('/', 'a.test', ua('curl/8.1')),
      get('/', 'a.test', ua('ExactBot')),
      get('/', 'a.test', ua('exactbot2')),
      get('/', 'x.blocked.test', ua(BROWSER)),
      get('/', 'blocked.test', ua(BROWSER)),
      get('/', 'BLOCKED.test.', ua(BROWSER)),
      get('/', 'deny.test', ua(BROWSER)),
      get('/', 'a.deny.test', ua(BROWSER)),
      get('/', 'www.ok.com', ua(BROWSER)),
      get('/', 'fine.test', { ...ua(BROWSER), from: '127.0.0.5' }),
      get('/', 'fine.test', { ...ua(BROWSER), from: '127.0.1.9' }),
      get('/', 'fine.test', { ...ua(BROWSER), from: '127.0.0.6' }),
    ],
  },
  {
    name: 'limit_except, allow/deny trap, error_page to a named location, try_files',
    conf: conf(`
  server { listen 127.0.0.1:PORT default_server;
    location /le { limit_except GET { deny all; } return 444; }
    location /trap { allow 127.0.0.2; deny all; return 444; }
    location /acl { allow 127.0.0.2; deny all; error_page 403 = @drop; }
    location /ep { error_page 404 = @drop; }
    location /tf { try_files $uri @drop; }
    location /ret { error_page 418 = @drop; return 418; }
    location @drop { return 444; }
  }
`),
    requests: [
      get('/le'),
      { path: '/le', method: 'POST', host: 'localhost' },
      { path: '/le', method: 'HEAD', host: 'localhost' },
      { path: '/le', method: 'DELETE', host: 'localhost' },
      get('/trap'),
      get('/trap', 'localhost', { from: '127.0.0.2' }),
      get('/acl'),
      get('/acl', 'localhost', { from: '127.0.0.2' }),
      get('/ep/missing'),
      get('/tf/missing'),
      get('/ret'),
      { path: '/', method: 'TRACE', host: 'localhost' },
    ],
  },
  {
    name: 'realip from X-Forwarded-For feeds $remote_addr and allow/deny',
    conf: conf(
      `
  server { listen 127.0.0.1:PORT default_server;
    location /x { if ($remote_addr ~ ^10\\.) { return 444; } return 200; }
    location /acl { allow 192.168.0.0/16; deny all; error_page 403 = @drop; }
    location @drop { return 444; }
  }
`,
      `  set_real_ip_from 127.0.0.1; real_ip_header X-Forwarded-For; real_ip_recursive on;`,
    ),
    requests: [
      get('/x', 'localhost', { headers: { 'X-Forwarded-For': '10.1.2.3' } }),
      get('/x', 'localhost', { headers: { 'X-Forwarded-For': '10.1.2.3, 192.168.1.1' } }),
      get('/x', 'localhost', { headers: { 'X-Forwarded-For': '10.9.9.9, 127.0.0.1' } }),
      get('/x', 'localhost', { from: '127.0.0.2', headers: { 'X-Forwarded-For': '10.1.2.3' } }),
      get('/acl', 'localhost', { headers: { 'X-Forwarded-For': '192.168.4.4' } }),
      get('/acl', 'localhost', { headers: { 'X-Forwarded-For': '172.16.0.1' } }),
      get('/acl'),
    ],
  },
  {
    name: 'access_log off / if= / per-location logs decide which rules a log can show',
    conf: conf(
      `
  server { listen 127.0.0.1:PORT default_server; access_log off; return 444; }
  server { listen 127.0.0.1:PORT; server_name logged.test;
    location /quiet { access_log off; return 444; }
    location /cond { access_log PREFIX/logs/access.log combined if=$log_it; return 444; }
    location /other { access_log PREFIX/logs/other.log; return 444; }
    location / { return 444; }
  }
`,
      `  map $http_user_agent $log_it { default 1; ~bot 0; }`,
    ),
    requests: [
      get('/', 'nobody.test'),
      get('/', 'logged.test'),
      get('/quiet', 'logged.test'),
      get('/cond', 'logged.test', ua(BROWSER)),
      get('/cond', 'logged.test', ua('bot')),
      get('/other', 'logged.test'),
    ],
  },
  {
    name: 'limit_req_status 444',
    conf: conf(
      `
  server { listen 127.0.0.1:PORT default_server;
    location /lim { limit_req zone=one nodelay; limit_req_status 444; }
    location /open { return 200; }
  }
`,
      `  limit_req_zone $binary_remote_addr zone=one:1m rate=1r/m;`,
    ),
    requests: [get('/lim'), get('/lim'), get('/lim'), get('/open')],
  },
  {
    name: 'server-level rules run before location selection',
    conf: conf(`
  server { listen 127.0.0.1:PORT default_server;
    if ($request_uri ~ "^/both") { return 444; }
    rewrite ^/moved$ /loc;
    location /both { return 403; }
    location /loc { return 444; }
    location / { return 200; }
  }
`),
    requests: [get('/both'), get('/moved'), get('/loc'), get('/fine')],
  },
  {
    name: 'every decision visible: nested ^~ vs outer regex, regex order, auto-redirect, absolute URI, methods',
    conf: conf(
      `
  server { listen 127.0.0.1:PORT default_server; server_name all.test;
    location /a/ { location ^~ /a/b/ { return 444; } location ~ \\.y$ { return 444; } return 444; }
    location ~ \\.x$ { return 444; }
    location ~* /CASE { return 444; }
    location ~ /case { return 444; }
    location /api/ { proxy_pass http://127.0.0.1:9; }
    location = / { return 444; }
    location / { return 444; }
    location /lim { limit_except GET POST { deny all; } return 444; }
    location @never { return 444; }
  }
  server { listen 127.0.0.1:PORT; server_name abs.test; return 444; }
`,
    ),
    requests: [
      get('/a/b/c.x'),
      get('/a/b/c.y'),
      get('/a/c.y'),
      get('/a/c.x'),
      get('/a/c'),
      get('/a/b/c'),
      get('/x/Case'),
      get('/x/case'),
      get('/x/CASE'),
      get('/api'),
      get('/api/'),
      get('/apix'),
      get('/'),
      get('/index.html'),
      get('/?a=b'),
      get('http://abs.test/'.replace('http://abs.test', '/'), 'abs.test'),
      { path: 'http://abs.test/a/c', host: 'all.test' },
      { path: 'http://ALL.test./a/c.x', host: 'abs.test' },
      { path: '/lim', method: 'PUT', host: 'all.test' },
      { path: '/lim', method: 'POST', host: 'all.test' },
      { path: '/lim', method: 'FOO', host: 'all.test' },
      { path: '/lim', method: 'HEAD', host: 'all.test' },
      { path: '/lim', method: 'OPTIONS', host: 'all.test' },
    ],
  },
  {
    name: 'every decision visible: server names with ports, case, trailing dots, no Host, two sockets',
    conf: conf(
      `
  server { listen 127.0.0.1:PORT; server_name a.test; return 444; }
  server { listen 127.0.0.1:PORT; server_name b.test *.b.test; return 444; }
  server { listen 127.0.0.1:PORT; server_name ~^(www\\.)?c\\.test$; return 444; }
  server { listen 127.0.0.1:PORT; server_name c.*; return 444; }
  server { listen 127.0.0.1:PORT2 default_server; server_name a.test; return 444; }
  server { listen 127.0.0.1:PORT2; server_name _ ""; return 444; }
`,
      `  log_format hosts '$remote_addr "$request" $status "$http_host" $server_name';
  access_log PREFIX/logs/hosts.log hosts;`,
    ),
    requests: [
      get('/', 'a.test'),
      get('/', 'A.Test:81'),
      get('/', 'a.test.'),
      get('/', 'x.b.test'),
      get('/', 'B.TEST'),
      get('/', 'www.c.test'),
      get('/', 'c.test'),
      get('/', 'c.example'),
      get('/', 'zzz.test'),
      get('/', null),
      get('/', 'a.test', { port: 1 }),
      get('/', 'b.test', { port: 1 }),
      get('/', null, { port: 1 }),
      get('/', '_', { port: 1 }),
      get('/', '', { protocol: 'HTTP/1.0' }),
    ],
  },
  {
    name: 'every decision visible: if operators, map with captures and variables, set chains',
    conf: conf(
      `
  server { listen 127.0.0.1:PORT default_server;
    if ($http_user_agent ~ "^Mozilla") { set $ok 1; }
    if ($http_user_agent !~* "mozilla") { return 444; }
    if ($route_for_ua = scanner) { return 444; }
    location /q { if ($args ~ "(^|&)id=(?<id>\\d+)") { return 444; } if ($arg_x) { return 444; } return 444; }
    location /ref { if ($http_referer ~* "^https?://([^/]+)") { set $refhost $1; } if ($refhost = evil.test) { return 444; } return 444; }
    location /ok { if ($ok != 1) { return 444; } if ($request_uri ~ "%41") { return 444; } return 444; }
    location / { return 444; }
  }
`,
      `  map $http_user_agent $route_for_ua { default ""; "~*(?<kind>scan)ner" $kind$kind; ~*zgrab scanner; }`,
    ),
    requests: [
      get('/', 'h', ua('curl')),
      get('/', 'h', ua('Mozilla zgrab')),
      get('/', 'h', ua('Mozilla scanner')),
      get('/q?id=12', 'h', ua(BROWSER)),
      get('/q?x=1', 'h', ua(BROWSER)),
      get('/q?x=0', 'h', ua(BROWSER)),
      get('/q', 'h', ua(BROWSER)),
      get('/ref', 'h', { headers: { 'User-Agent': BROWSER, Referer: 'https://evil.test/x' } }),
      get('/ref', 'h', { headers: { 'User-Agent': BROWSER, Referer: 'https://good.test/x' } }),
      get('/ref', 'h', ua(BROWSER)),
      get('/ok', 'h', ua(BROWSER)),
      get('/ok%41', 'h', ua(BROWSER)),
      get('/okA', 'h', ua(BROWSER)),
      get('/ok', 'h', ua('mozilla lower')),
    ],
  },
  {
    name: 'every decision visible: error_page chains, internal locations, try_files, satisfy',
    conf: conf(`
  server { listen 127.0.0.1:PORT default_server;
    error_page 404 = @notfound;
    location @notfound { return 444; }
    location /int { internal; return 444; }
    location /tf { try_files $uri /int; }
    location /tf2 { try_files $uri =444; }
    location /ep { error_page 403 /int; deny all; }
    location /ep2 { error_page 403 = @named2; return 403; }
    location @named2 { if ($request_method = POST) { return 444; } return 444; }
    location /own { error_page 404 = @own; }
    location @own { return 444; }
    location / { return 444; }
  }
`),
    requests: [
      get('/missing.html'.replace('/missing', '/own/missing')),
      get('/int'),
      get('/tf/nothing'),
      get('/tf2/nothing'),
      get('/ep'),
      get('/ep2'),
      { path: '/ep2', method: 'POST', host: 'localhost' },
      get('/'),
    ],
  },
  {
    name: 'valid_referers / $invalid_referer, realip configured in a location only',
    conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name site.test *.site.test;
    location /img/ {
      valid_referers none server_names *.friend.test friend.test/ok/ ~\\.search\\.;
      if ($invalid_referer) { return 444; }
      return 444;
    }
    location /strict/ {
      valid_referers blocked friend.test;
      if ($invalid_referer) { return 444; }
      return 444;
    }
    location /rip/ {
      set_real_ip_from 127.0.0.1; real_ip_header X-Forwarded-For;
      if ($remote_addr = 127.0.0.1) { return 444; }
      if ($remote_addr ~ ^10\\.) { return 444; }
      deny 10.0.0.0/8;
      return 444;
    }
  }
`),
    requests: [
      get('/img/a', 'site.test'),
      get('/img/a', 'site.test', { headers: { Referer: 'https://www.site.test/page' } }),
      get('/img/a', 'site.test', { headers: { Referer: 'http://a.friend.test/' } }),
      get('/img/a', 'site.test', { headers: { Referer: 'http://FRIEND.test/ok/x' } }),
      get('/img/a', 'site.test', { headers: { Referer: 'http://friend.test/no' } }),
      get('/img/a', 'site.test', { headers: { Referer: 'https://www.Search.example/?q=1' } }),
      get('/img/a', 'site.test', { headers: { Referer: 'https://evil.test/' } }),
      get('/img/a', 'site.test', { headers: { Referer: 'garbage' } }),
      get('/strict/a', 'site.test'),
      get('/strict/a', 'site.test', { headers: { Referer: 'garbage' } }),
      get('/strict/a', 'site.test', { headers: { Referer: 'http://friend.test:8080/x' } }),
      get('/strict/a', 'site.test', { headers: { Referer: 'http://other.test/x' } }),
      get('/rip/', 'site.test', { headers: { 'X-Forwarded-For': '10.2.3.4' } }),
      get('/rip/', 'site.test', { from: '127.0.0.3', headers: { 'X-Forwarded-For': '10.2.3.4' } }),
      get('/rip/', 'site.test'),
    ],
  },
  {
    name: 'a server without server_name is named "": Host-less requests go to it, not to the default',
    conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name _; return 444; }
  server { listen 127.0.0.1:PORT; return 444; }
  server { listen 127.0.0.1:PORT; server_name named.test; return 444; }
`),
    requests: [get('/', null), get('/', 'other.test'), get('/', 'named.test'), get('/', '_'), get('/x', null, { protocol: 'HTTP/1.0' })],
  },
  {
    name: 'server-level break/rewrite flags, inherited error_page, if blocks drop try_files',
    conf: conf(`
  server { listen 127.0.0.1:PORT default_server;
    error_page 403 = @srv403;
    location @srv403 { return 444; }
    if ($arg_stop) { break; }
    rewrite ^/sb/(.*)$ /sbt/$1 break;
    rewrite ^/sl/(.*)$ /slt/$1 last;
    if ($arg_late) { return 444; }
    location /sbt/ { return 444; }
    location /slt/ { return 444; }
    location /deny { deny all; }
    location /iff { if ($arg_a) { set $x 1; } try_files $uri =444; }
    location / { return 444; }
  }
`),
    requests: [
      get('/x?stop=1&late=1'),
      get('/x?late=1'),
      get('/sb/a?late=1'),
      get('/sl/a'),
      get('/sb/a'),
      get('/deny'),
      get('/iff/nothing'),
      get('/iff/nothing?a=1'),
    ],
  },
];

test('differential: our attribution of every 444 agrees with real nginx', { skip: !haveNginx && 'nginx not installed' }, async () => {
  const c: Counts = { exact: 0, ambiguous: 0, unmatched: 0, wrong: 0 };
  const wrong: string[] = [];
  for (const sc of scenarios) {
    const run = await runScenario(sc);
    try {
      const text = readFileSync(run.confPath, 'latin1');
      await checkRun(sc, run, buildModelFromFile(parse(text, run.confPath), { prefix: run.prefix + '/' }), c, wrong);
    } finally {
      cleanup(run);
    }
  }
  console.log(`differential: ${c.exact} exact, ${c.ambiguous} ambiguous, ${wrong.length} wrong`);
  assert.deepEqual(wrong, []);
  assert.ok(c.exact > 50, `expected most vhost-log lines exact, got ${c.exact}`);
});
