// Differential breadth, admin part: "which rule dropped this request?" asked the way an admin
// auditing a real server would ask it. Several 444 rules per server reached through different
// paths (exact, ^~ with nested regexes, regex order, nested prefixes, rewrite last/break/no flag,
// `set` flags), error pages into drop locations with and without `=` (without it nginx logs the
// original error status, not 444), map chains with hostnames/captures/includes, geo over a header,
// realip, method filters with limit_except, catch-all servers with their own logs, access_log in
// `if` blocks and with if=, limit_req_status 444, and plain HTTP sent to a TLS port (497).
// Then what probing real nginx found we had wrong: cookie parsing, `server_name $hostname`,
// repeated single-valued headers (400 at the chosen server), rewrite capture escaping and the
// replacement's own `?`, 414 for an over-long request line, locations nested in a regex location,
// the index module keeping the args, an upstream's X-Accel-Redirect, and a request no location
// takes (the server's rewrite codes run once).
//
// Same contract as differential-breadth.test.ts (see breadthRunner.ts): real nginx decides through
// the harness's markers; every 444 line of every log must be attributed to the rule it ran.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { hostname } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { haveNginx, type Scenario } from './nginxHarness';
import { BROWSER, conf, get, m, ref, runBreadth, ua } from './breadthRunner';

const TLS_DIR = fileURLToPath(new URL('./fixtures/tls/', import.meta.url));
const CERTS = `ssl_certificate ${TLS_DIR}cert.pem; ssl_certificate_key ${TLS_DIR}key.pem;`;
const xff = (v: string, from = '127.0.0.5') => ({ from, headers: { 'User-Agent': BROWSER, 'X-Forwarded-For': v } });

function scenarios(): Scenario[] {
  return [
    {
      name: 'one shop, many 444 paths: = , ^~ with nested regex, regex order, nested prefixes, rewrite last/break/no flag, set flags',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name shop.test www.shop.test;
    set $block 0;
    if ($http_user_agent ~* "(nikto|sqlmap|masscan)") { set $block 1; }
    if ($block) { return 444; }
    location = /xmlrpc.php { return 444; }
    location ^~ /media/ { location ~* \\.(php|phtml)$ { return 444; } return 200; }
    location ~* \\.(env|git|bak|sql)$ { return 444; }
    location ~ ^/(wp-admin|wp-login) { return 444; }
    location ~* ^/WP- { return 403; }
    location /old/ { rewrite ^/old/(.*)$ /trap/$1 last; }
    location /trap/ { return 444; }
    location /brk/ { rewrite ^ /trap/x break; return 444; }
    location /noflag/ { rewrite ^/noflag/(.*)$ /trap/$1; return 444; }
    location /api/ {
      location /api/v1/ { return 444; }
      location ~ \\.json$ { if ($arg_key = "") { return 444; } return 200; }
      return 200;
    }
    location / { return 200; }
  }
`),
      requests: [
        get('/xmlrpc.php', 'shop.test'),
        get('/xmlrpc.php?rsd', 'www.shop.test'),
        get('/xmlrpc.phpx', 'shop.test'),
        get('/media/a.PHP', 'shop.test'),
        get('/media/a.css', 'shop.test'),
        get('/media/.env', 'shop.test'),
        get('/x/.env', 'shop.test'),
        get('/backup.SQL', 'shop.test'),
        get('/wp-admin/', 'shop.test'),
        get('/WP-ADMIN/', 'shop.test'),
        get('/wp-login.php', 'shop.test'),
        get('/old/a', 'shop.test'),
        get('/brk/a', 'shop.test'),
        get('/noflag/a', 'shop.test'),
        get('/api/v1/users', 'shop.test'),
        get('/api/v1/users.json', 'shop.test'),
        get('/api/v1/users.json?key=1', 'shop.test'),
        get('/api/v2/x', 'shop.test'),
        get('/', 'shop.test', ua('Mozilla/5.00 (Nikto/2.1.6)')),
        get('/media/a.css', 'shop.test', ua('sqlmap/1.7')),
        get('/', 'shop.test'),
        get('/xmlrpc.php', 'other.test'),
      ],
    },
    {
      name: 'error_page into drop locations: = @drop vs @drop (logs the error), internal pages, location error_page override, return before deny',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name _;
    error_page 403 = @drop;
    error_page 404 @quiet;
    location @drop { return 444; }
    location @quiet { return 444; }
    location /private/ { deny all; }
    location /allowed/ { allow 127.0.0.2; deny all; return 200; }
    location /files/ { }
    location /own/ { error_page 404 = /gone.html; }
    location /own2/ { error_page 404 /gone.html; }
    location = /gone.html { internal; return 444; }
    location /gone/ { return 410; }
    location /ro/ { limit_except GET { deny all; } }
  }
  server { listen 127.0.0.1:PORT; server_name site.test;
    location / { return 444; }
    location /ok { return 200; }
  }
`),
      requests: [
        get('/private/x'),
        get('/private/x', 'localhost', { from: '127.0.0.2' }),
        get('/allowed/', 'localhost', { from: '127.0.0.2' }),
        get('/allowed/', 'localhost', { from: '127.0.0.3' }),
        get('/files/missing'),
        get('/own/x'),
        get('/own2/x'),
        get('/gone.html'),
        get('/gone/'),
        m('POST', '/ro/x'),
        m('DELETE', '/ro/x'),
        get('/ro/x'),
        m('HEAD', '/ro/x'),
        get('/', 'site.test'),
        get('/private/x', 'site.test'),
        get('/ok', 'site.test'),
      ],
    },
    {
      name: 'error page chains: recursive_error_pages with = and without, a URI page, an internal drop page, =410 over a drop',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name _;
    recursive_error_pages on;
    location /a/ { error_page 404 = @a; }
    location @a { error_page 403 = @b; deny all; }
    location /c/ { error_page 404 = @c; }
    location @c { error_page 403 @b; deny all; }
    location /d/ { error_page 404 @d; }
    location @d { error_page 403 = @b; deny all; }
    location /e/ { error_page 404 =410 @b; }
    location /f/ { error_page 404 /drop-page; }
    location = /drop-page { error_page 403 = @b; deny all; }
    location /g/ { error_page 404 = /g-page; }
    location = /g-page { internal; return 444; }
    location /h/ { error_page 404 = @h; }
    location @h { return 403; }
    location @b { return 444; }
  }
  server { listen 127.0.0.1:PORT; server_name nr.test;
    location /a/ { error_page 404 @a; }
    location @a { error_page 403 = @b; deny all; }
    location @b { return 444; }
    location /z { return 444; }
  }
`),
      requests: ['/a/x', '/c/x', '/d/x', '/e/x', '/f/x', '/g/x', '/h/x', '/z'].map((p) => get(p)).concat([get('/a/x', 'nr.test'), get('/z', 'nr.test')]),
    },
    {
      name: 'map chains: class map feeding a composite key, hostnames map on $host, captures from $uri, an included map file',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server; server_name _;
    if ($deny_ua) { return 444; }
    location / { if ($guard) { return 444; } if ($section = debug) { return 444; } return 200; }
  }
`,
        `  map $http_user_agent $ua_class { default human; ~*(bot|crawler|spider) bot; "~*^(curl|wget|python)" tool; "" empty; }
  map "$ua_class:$request_method" $deny_ua { default 0; "~^bot:(POST|PUT)$" 1; ~^tool: 1; ~^empty: 1; }
  map $host $site { hostnames; default other; .shop.test shop; *.api.test api; www.blog.* blog; }
  map $uri $section { default none; "~^/(?<sec>[a-z]+)/" $sec; }
  map "$site:$section" $guard { default 0; shop:admin 1; api:internal 1; include FILES/guard.map; }`,
      ),
      files: { 'guard.map': 'blog:wp 1;\n~^other:secret 1;\n' },
      requests: [
        get('/', 'shop.test', ua('Mozilla/5.0 (compatible; bingbot/2.0)')),
        m('POST', '/', 'shop.test', ua('Mozilla/5.0 (compatible; bingbot/2.0)')),
        get('/', 'shop.test', ua('curl/8.4.0')),
        get('/', 'shop.test', ua('')),
        get('/admin/x', 'shop.test'),
        get('/admin/x', 'A.Shop.Test'),
        get('/admin/x', 'shop.test.'),
        get('/internal/x', 'v1.api.test'),
        get('/internal/x', 'api.test'),
        get('/wp/x', 'www.blog.example'),
        get('/secret/x', 'unknown.test'),
        get('/secret/x', 'shop.test'),
        get('/debug/x', 'shop.test'),
        get('/Debug/x', 'shop.test'),
        get('/debugx', 'shop.test'),
      ],
    },
    {
      name: 'realip from X-Forwarded-For (recursive), geo over the raw header, geo ranges on the real address, deny into a drop page',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server; server_name _;
    set_real_ip_from 127.0.0.0/24; real_ip_header X-Forwarded-For; real_ip_recursive on;
    error_page 403 = @drop;
    location @drop { return 444; }
    if ($xff_blocked) { return 444; }
    if ($remote_addr ~ "^198\\.51\\.100\\.") { return 444; }
    location / { if ($range_bad) { return 444; } deny 203.0.113.0/24; return 200; }
    location /static/ { deny 203.0.113.0/24; }
  }
`,
        `  geo $http_x_forwarded_for $xff_blocked { default 0; 10.0.0.0/8 1; 255.255.255.255 1; }
  geo $range_bad { ranges; default 0; 192.0.2.10-192.0.2.20 1; 127.0.0.20-127.0.0.29 1; }`,
      ),
      requests: [
        get('/', 'localhost', xff('10.1.2.3')),
        get('/', 'localhost', xff('10.1.2.3, 127.0.0.7')),
        get('/', 'localhost', xff('192.0.2.15')),
        get('/', 'localhost', xff('192.0.2.15, 127.0.0.9')),
        get('/', 'localhost', xff('198.51.100.4')),
        get('/', 'localhost', xff('8.8.8.8, 198.51.100.4')),
        get('/', 'localhost', xff('203.0.113.9')),
        get('/static/x', 'localhost', xff('203.0.113.9')),
        get('/static/x', 'localhost', xff('8.8.4.4')),
        get('/', 'localhost', { from: '127.0.0.25' }),
        get('/', 'localhost', { from: '127.0.0.35' }),
        get('/', 'localhost', xff('not-an-ip')),
      ],
    },
    {
      name: 'method filters: server-level !~ allow-list, limit_except into a named drop, HEAD-only and POST-only locations',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name _;
    if ($request_method !~ ^(GET|HEAD|POST|PUT)$) { return 444; }
    location /ro/ { limit_except GET { deny all; } error_page 403 = @m; }
    location @m { return 444; }
    location /headless/ { if ($request_method = HEAD) { return 444; } return 200; }
    location /post-only { if ($request_method != POST) { return 444; } return 200; }
    location / { return 200; }
  }
`),
      requests: [
        m('DELETE', '/'),
        m('OPTIONS', '/ro/'),
        m('PATCH', '/post-only'),
        m('PUT', '/ro/x'),
        m('POST', '/ro/x'),
        m('HEAD', '/ro/x'),
        get('/ro/x'),
        m('HEAD', '/headless/x'),
        get('/headless/x'),
        get('/post-only'),
        m('POST', '/post-only'),
        m('PROPFIND', '/post-only'),
      ],
    },
    {
      name: 'server selection on two ports: later default_server with its own log, wildcard before regex, "" on the second port, HTTP/0.9',
      conf: conf(`
  server { listen 127.0.0.1:PORT; server_name a.test; location / { return 200; } location /x { return 444; } }
  server { listen 127.0.0.1:PORT default_server; server_name _; access_log PREFIX/logs/blocked.log withhost; return 444; }
  server { listen 127.0.0.1:PORT; server_name *.a.test; if ($http_user_agent ~* bot) { return 444; } return 200; }
  server { listen 127.0.0.1:PORT; server_name ~^api\\.(?<ver>v\\d+)\\.(a|b)\\.test$; if ($ver = v1) { return 444; } return 200; }
  server { listen 127.0.0.1:PORT2 default_server; server_name b.test; location / { return 444; } location = /ok { return 200; } }
  server { listen 127.0.0.1:PORT2; server_name ""; location / { return 444; } }
  server { listen 127.0.0.1:PORT2; server_name a.test; location /x { return 444; } location / { return 200; } }
`),
      requests: [
        get('/x', 'a.test'),
        get('/x', 'A.TEST:80'),
        get('/', 'a.test'),
        get('/', 'zzz.test'),
        get('/', null),
        get('/', 'api.v1.a.test', ua('Googlebot')),
        get('/', 'api.v1.a.test'),
        get('/', 'api.v1.b.test'),
        get('/', 'api.v2.b.test'),
        get('http://a.test/x', 'zzz.test'),
        get('/', 'b.test', { port: 1 }),
        get('/ok', 'b.test', { port: 1 }),
        get('/ok', null, { port: 1 }),
        get('/x', 'a.test', { port: 1 }),
        get('/x', 'zzz.test', { port: 1 }),
        get('/', 'a.test.', { port: 1 }),
        // HTTP/0.9 (no headers read: the Host sent is ignored) and runs of spaces in the request line.
        get('/x', 'a.test', { port: 1, protocol: '' }),
        get('/x', 'a.test', { protocol: '' }),
        get(' /x', 'a.test', { port: 1 }),
        get('/x', 'a.test', { port: 1, protocol: 'HTTP/1.1 ' }),
        get('/x', 'a.test', { protocol: 'HTTP/1.10' }),
        get('/x', null, { protocol: 'HTTP/1.10' }),
        get('HTTP://A.TEST/x', 'zzz.test'),
      ],
    },
    {
      name: 'access_log per server and location: if=$loggable, off, a log in an if block, formats without Host',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server; server_name one.test;
    access_log PREFIX/logs/one.log tiny if=$loggable;
    location /quiet/ { access_log off; return 444; }
    location /loud/ { access_log PREFIX/logs/loud.log sn; if ($http_user_agent ~* bot) { return 444; } return 444; }
    location / {
      if ($arg_drop) { access_log PREFIX/logs/ifdrop.log tiny; return 444; }
      if ($arg_x = "") { return 444; }
      return 200;
    }
  }
  server { listen 127.0.0.1:PORT; server_name two.test;
    location / { if ($http_referer ~* spam) { return 444; } return 200; }
    location /loud/ { access_log PREFIX/logs/loud.log sn; return 444; }
  }
`,
        `  log_format tiny '$remote_addr "$request" $status';
  log_format sn '$server_name $status "$request_uri" "$http_user_agent"';
  map $status $loggable { ~^[23] 0; default 1; }`,
      ),
      requests: [
        get('/quiet/x', 'one.test'),
        get('/loud/x', 'one.test', ua('superbot')),
        get('/loud/x', 'one.test'),
        get('/?drop=1', 'one.test'),
        get('/?x=1', 'one.test'),
        get('/', 'one.test'),
        get('/', 'nowhere.test'),
        get('/', 'two.test', ref('http://spam.test/')),
        get('/', 'two.test'),
        get('/loud/x', 'two.test', ua('superbot')),
        get('/?drop=1', 'two.test', ref('http://spam.test/')),
      ],
    },
    {
      name: 'limit_req_status 444 at server level beside location limits keyed on a header and on a whitelist map, return 444 beats the limit',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server; server_name _;
    limit_req zone=perip; limit_req_status 444;
    location /login { if ($http_user_agent ~* bot) { return 444; } }
    location /api/ { limit_req zone=perkey burst=1 nodelay; }
    location /free/ { return 200; }
    location /wl/ { limit_req zone=wl; error_page 404 = @gone; }
    location @gone { return 444; }
  }
`,
        `  limit_req_zone $binary_remote_addr zone=perip:1m rate=1r/m;
  limit_req_zone $http_x_api_key zone=perkey:1m rate=1r/m;
  geo $limited { default 1; 127.0.0.47 0; }
  map $limited $wl_key { 0 ""; 1 $binary_remote_addr; }
  limit_req_zone $wl_key zone=wl:1m rate=1r/m;`,
      ),
      requests: [
        get('/login', 'localhost', { from: '127.0.0.41' }),
        get('/login', 'localhost', { from: '127.0.0.41' }),
        get('/login', 'localhost', { from: '127.0.0.42', ...ua('evilbot') }),
        get('/login', 'localhost', { from: '127.0.0.42', ...ua('evilbot') }),
        get('/free/', 'localhost', { from: '127.0.0.41' }),
        get('/api/a', 'localhost', { from: '127.0.0.43', headers: { 'X-Api-Key': 'k1' } }),
        get('/api/a', 'localhost', { from: '127.0.0.44', headers: { 'X-Api-Key': 'k1' } }),
        get('/api/a', 'localhost', { from: '127.0.0.45', headers: { 'X-Api-Key': 'k1' } }),
        get('/api/a', 'localhost', { from: '127.0.0.46' }),
        get('/api/a', 'localhost', { from: '127.0.0.46' }),
        get('/api/a', 'localhost', { from: '127.0.0.46' }),
        get('/wl/x', 'localhost', { from: '127.0.0.47' }),
        get('/wl/x', 'localhost', { from: '127.0.0.47' }),
        get('/wl/x', 'localhost', { from: '127.0.0.47' }),
        get('/wl/x', 'localhost', { from: '127.0.0.48' }),
        get('/wl/x', 'localhost', { from: '127.0.0.48' }),
      ],
    },
    {
      name: 'rate limit met after an internal redirect: try_files and error_page into a limited php location (limit_req_status 444)',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server; server_name blog.test;
    root FILES/www;
    # One limit_req_status for both limits: the harness tells which rule fired, not which limit.
    limit_req_status 444;
    location / { try_files $uri $uri/ /index.php?$args; }
    location /missing/ { error_page 404 = /index.php; }
    location = /wp-login.php { limit_req zone=login; }
    location ~ \\.php$ { limit_req zone=php; if ($arg_cmd) { return 444; } }
  }
`,
        `  limit_req_zone $binary_remote_addr zone=php:1m rate=1r/m;
  limit_req_zone $binary_remote_addr zone=login:1m rate=1r/m;`,
      ),
      files: { 'www/index.php': 'index\n', 'www/wp-login.php': 'login\n', 'www/real.html': 'real\n' },
      requests: [
        get('/hello-world/', 'blog.test', { from: '127.0.0.51' }),
        get('/hello-world/', 'blog.test', { from: '127.0.0.51' }),
        get('/real.html', 'blog.test', { from: '127.0.0.52' }),
        get('/missing/x', 'blog.test', { from: '127.0.0.53' }),
        get('/missing/x', 'blog.test', { from: '127.0.0.53' }),
        get('/wp-login.php', 'blog.test', { from: '127.0.0.54' }),
        get('/wp-login.php', 'blog.test', { from: '127.0.0.54' }),
        get('/?cmd=id', 'blog.test', { from: '127.0.0.55' }),
        get('/x.php?cmd=id', 'blog.test', { from: '127.0.0.56' }),
      ],
    },
    {
      name: 'plain HTTP sent to a TLS port: error_page 497 into a drop location, TLS requests beside it',
      conf: conf(`
  ${CERTS}
  server { listen 127.0.0.1:PORT default_server; server_name _; location / { return 444; } location /ok { return 200; } }
  server { listen 127.0.0.1:PORT2 ssl default_server; server_name secure.test;
    error_page 497 = @plain;
    location @plain { return 444; }
    location /drop { return 444; }
    location / { return 200; }
  }
  server { listen 127.0.0.1:PORT2 ssl; server_name other.test;
    error_page 497 https://$host:$server_port$request_uri;
    location / { return 444; }
  }
`),
      requests: [
        get('/', 'secure.test', { port: 1 }),
        get('/drop', 'secure.test', { port: 1 }),
        get('/', 'secure.test', { port: 1, tls: { servername: 'secure.test' } }),
        get('/drop', 'secure.test', { port: 1, tls: { servername: 'secure.test' } }),
        get('/', 'other.test', { port: 1 }),
        get('/', 'other.test', { port: 1, tls: { servername: 'other.test' } }),
        get('/', 'nowhere.test', { port: 1 }),
        get('/', 'secure.test'),
        get('/ok', 'secure.test'),
      ],
    },
    {
      name: 'if operators admins write: UA alternation, $args/$request_uri/$arg_x tests, -f (unknowable), return after set',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name _;
    if ($http_user_agent ~* (zgrab|masscan|python-requests|Go-http-client)) { return 444; }
    if ($args ~* "(\\.\\./|etc/passwd|%00)") { return 444; }
    if ($request_uri ~ "^/index\\.php/") { return 444; }
    location /search { if ($arg_q = "") { return 444; } return 200; }
    location /dl/ { if (-f $request_filename) { return 200; } return 444; }
    location /tag { set $t $arg_t; if ($t ~ "^[0-9]+$") { return 200; } return 444; }
    location / { return 200; }
  }
`),
      requests: [
        get('/', 'localhost', ua('Mozilla/5.0 zgrab/0.x')),
        get('/', 'localhost', ua('Go-http-client/1.1')),
        get('/?f=../../etc/passwd'),
        get('/?f=a%00b'),
        get('/index.php/admin'),
        get('/index.php?x=1'),
        get('/search'),
        get('/search?q='),
        get('/search?Q=a'),
        get('/search?q=a'),
        get('/dl/none'),
        get('/tag?t=12'),
        get('/tag?t=a1'),
        get('/tag'),
      ],
    },
    {
      name: 'marker variables: `set $reason` before most drops, a named capture and a map variable `set` overrides, logged without Host, so the marker names the rule',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server; server_name _;
    if ($http_user_agent ~* "(sqlmap|nikto)") { set $reason badua; return 444; }
    if ($request_uri ~ "^/c/(?<kind>[a-z]+)/") { return 444; }
    location ~ \\.php$ { set $reason php; return 444; }
    location /admin { if ($request_method = POST) { set $reason adminpost; return 444; } return 444; }
    location /ok { return 200; }
    location /setarea { set $area manual; return 444; }
    location / { return 200; }
  }
  server { listen 127.0.0.1:PORT; server_name shop.test;
    location / { set $reason shop; return 444; }
    location /api { return 444; }
    location ~ \\.php$ { set $reason shop-php; return 444; }
  }
`,
        `log_format marked '$remote_addr [$time_local] "$request" $status "$reason" "$kind" "$area"';
  access_log PREFIX/logs/marked.log marked;
  map $request_uri $area { default web; ~^/api api; }`,
      ),
      requests: [
        get('/x.php', 'any.test'),
        get('/x.php', 'shop.test'),
        get('/x.php', 'shop.test', ua('sqlmap/1.7')),
        get('/x.php', 'any.test', ua('Nikto')),
        get('/admin', 'any.test'),
        m('POST', '/admin', 'any.test'),
        m('POST', '/admin', 'shop.test'),
        get('/api/v1', 'shop.test'),
        get('/api/v1', 'any.test'),
        get('/c/tools/x', 'any.test'),
        get('/c/tools/x.php', 'any.test'),
        get('/c/Tools/x', 'any.test'),
        get('/ok', 'shop.test'),
        get('/ok', 'any.test'),
        get('/', 'shop.test', ua('sqlmap')),
        get('/setarea', 'any.test'),
        get('/setarea', 'shop.test'),
      ],
    },
    {
      name: 'cookies as nginx parses them: spaces around "=", "," between pairs, a trailing space kept, a tab not skipped',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server;
    location /eq { if ($cookie_s = "abc") { return 444; } return 200; }
    location /ne { if ($cookie_s != "abc") { return 444; } return 200; } }`,
        `log_format ck '$remote_addr "$request" $status "$http_cookie"';
  access_log PREFIX/logs/ck.log ck;`,
      ),
      requests: [
        ...['s = abc', 's= abc', 's =abc', 'a=1, s=abc', 'a=1,s=abc', 'S=abc'].map((c) => get('/eq', 'localhost', { headers: { Cookie: c } })),
        ...['s=abc ; x=1', 'x=1;\ts=abc', 'x=1; s=abc', 'ss=abc'].map((c) => get('/ne', 'localhost', { headers: { Cookie: c } })),
      ],
    },
    {
      name: 'a repeated Host or other single-valued header: 400 at the server chosen so far, into its error_page 400',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name def.test; error_page 400 = @d; location @d { return 444; } location / { return 200; } }
  server { listen 127.0.0.1:PORT; server_name a.test; error_page 400 = @a; location @a { return 444; }
    location / { if ($cookie_s != "") { return 444; } return 200; } }`),
      requests: [
        // The harness sends Host first; a lowercase key is a second header line.
        get('/', 'a.test', { headers: { host: 'b.test' } }),
        get('/', 'b.test', { headers: { host: 'a.test' } }),
        get('/', 'a.test', { headers: { Authorization: 'Basic eDp5', authorization: 'Basic eDp6' } }),
        get('/', 'a.test', { headers: { 'If-Match': '"a"', 'if-match': '"b"' } }),
        get('/', 'a.test', { headers: { Cookie: 's=1' } }),
        get('/', 'a.test'),
      ],
    },
    {
      name: 'rewrite captures escaped (NGX_ESCAPE_ARGS) for a path with % or +: in args, in set/if before any rewrite; a ? from a capture or variable stays in $uri',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server;
    error_page 500 = /e500;
    location = /e500 { return 444; }
    location /a/ { rewrite ^/a/(.*)$ /b?x=$1 last; }
    location = /b {
      if ($arg_x = "p%2Bq") { return 444; }
      if ($arg_x = "p%20q") { return 444; }
      if ($arg_x = "p%26q") { return 444; }
      if ($arg_x = "p%C3%A9") { return 444; }
      if ($arg_x = "pAq") { return 444; }
      if ($arg_x = "p+q") { return 444; }
      return 200; }
    location ~ ^/s/(.*)$ { set $x $1; if ($x = "p%20q") { return 444; } if ($x = "p q") { return 444; } if ($x = "p+q") { return 444; } return 200; }
    location ~ ^/r/ { rewrite ^/r/(.*)$ /rr/$1; set $z $1; if ($z = "p%20q") { return 444; } if ($z = "p q") { return 444; } return 200; }
    location /q/ { rewrite ^/q/(.*)$ /qq/$1 last; }
    location /qq/ { if ($uri = "/qq/x?y") { return 444; } if ($args = "y") { return 444; } return 200; }
    location = /v { set $t "/vv?k=1"; rewrite ^/v$ $t last; }
    location /vv { if ($uri = "/vv?k=1") { return 444; } if ($arg_k = 1) { return 444; } return 200; }
    location /z { rewrite ^/z(.*)$ $1 last; }
    location / { return 200; } }`),
      requests: [
        ...['p+q', 'p%2Bq', 'p%20q', 'p%26q', 'p%C3%A9', 'p%41q'].map((x) => get(`/a/${x}`)),
        ...['/s/p%20q', '/s/p+q', '/s/pq', '/r/p%20q', '/q/x%3Fy', '/v', '/v?a=2', '/z'].map((x) => get(x)),
      ],
    },
    {
      name: 'a request line longer than large_client_header_buffers: 414 at the default server (before Host), into its error_page',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; error_page 414 = /e; location = /e { return 444; } location / { return 200; } }
  server { listen 127.0.0.1:PORT; server_name other; error_page 414 = /e2; location = /e2 { return 444; } location / { return 200; } }`),
      requests: [get(`/${'a'.repeat(9000)}`), get(`/${'b'.repeat(9000)}`, 'other'), get('/short', 'other')],
    },
    {
      name: 'locations nested in a regex location: only the nested regexes are searched (a nested prefix, = or ^~ never)',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server;
    location ~ /r/ { location /r/x/ { return 444; } location = /r/y { return 444; } location ^~ /r/z/ { location ~ q { return 444; } return 444; } location ~ w { return 444; } return 444; }
    location ~ /api/ { location /api/admin/ { return 444; } return 444; }
    location ~ q { return 444; } }`),
      requests: ['/r/x/', '/r/x/w', '/a/r/x/', '/r/y', '/r/z/q', '/r/z/a', '/r/a', '/r/w', '/r/x/q', '/api/admin/x', '/api/x'].map((p) => get(p)),
    },
    {
      name: 'the index module redirects with the request\'s args: WordPress author scans, = / with index, an absolute last index',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; root FILES/www; index index.php index.html;
    location / { try_files $uri $uri/ /index.php?$args; }
    location ~ \\.php$ { if ($args ~* "author=\\d+") { return 444; } return 200; } }
  server { listen 127.0.0.1:PORT2 default_server; root FILES/www;
    location = / { index index.html; }
    location = /index.html { if ($arg_z) { return 444; } }
    location /n/ { index none.html /last.php; }
    location = /last.php { if ($arg_z) { return 444; } return 200; } }`),
      files: { 'www/': '', 'www/index.php': '<?php', 'www/index.html': 'hi', 'www/blog/index.php': '<?php', 'www/n/a.txt': 'a' },
      requests: [
        get('/?author=1'),
        get('/blog/?author=2'),
        get('/nope?author=3'),
        get('/?z=1', 'localhost', { port: 1 }),
        get('/', 'localhost', { port: 1 }),
        get('/n/?z=1', 'localhost', { port: 1 }),
      ],
    },
    {
      name: 'no location matches: the server\'s own configuration, whose rewrite codes run once (server if, rewrite, set, then try_files =444)',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; root FILES/www;
    if ($arg_a) { set $x 1; }
    rewrite ^/a(.*)$ /aa$1;
    if ($uri = /aaax) { return 444; }
    set $n "\${n}x";
    if ($n = xx) { return 444; }
    try_files $uri =444;
    location /z { return 200; }
    location /l { try_files $uri =444; } }`),
      files: { 'www/': '', 'www/real': 'x' },
      requests: ['/x?a=1', '/x', '/real?a=1', '/ax', '/q', '/l/x?a=1'].map((p) => get(p)),
    },
    {
      name: 'server_name $hostname: $server_name is the machine name',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name def.test; location / { return 200; } }
  server { listen 127.0.0.1:PORT; server_name $hostname; location / { if ($arg_h) { return 444; } return 200; } }`),
      requests: [get('/?h=1', hostname()), get('/', hostname()), get('/?h=1', 'def.test')],
    },
    {
      name: 'an absolute-form request line without a path: $request_uri is "?args", the URI "/"',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name _;
    location = / { if ($args = "x=1") { return 444; } return 200; }
    location / { return 403; } }
  server { listen 127.0.0.1:PORT; server_name a.test; location ~ ^/$ { return 444; } }`),
      requests: [get('http://a.test?x=1', 'zzz'), get('http://b.test?x=1', 'zzz'), get('http://b.test', 'zzz', { headers: { 'User-Agent': 'x' } })],
    },
    {
      name: 'recursive_error_pages counts where the first page was taken: on there lets a page\'s own error_page take the next error',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; root FILES/www;
    location /r/ { recursive_error_pages on; error_page 404 /r404; }
    location = /r404 { error_page 404 = @drop; }
    location /t/ { recursive_error_pages on; error_page 404 = @t; }
    location @t { error_page 404 = @drop; return 404; }
    location /s/ { error_page 404 /s404; }
    location = /s404 { recursive_error_pages on; error_page 404 = @drop; }
    location @drop { return 444; } }`),
      files: { 'www/x': 'x' },
      requests: ['/r/n', '/t/n', '/s/n'].map((p) => get(p)),
    },
    {
      name: 'request lines nginx refuses: an HTTP major version above 1 is a 505, a written-out HTTP/0.9, a lowercase method or * a 400',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server;
    error_page 400 = /bad;
    error_page 505 = /ver;
    location / { return 444; }
    location = /bad { return 444; }
    location = /ver { return 444; } }`),
      requests: [
        get('/', 'localhost', { protocol: 'HTTP/2.0' }),
        get('/', 'localhost', { protocol: 'HTTP/0.9' }),
        get('/', 'localhost', { protocol: 'HTTP/3.0' }),
        get('/a', 'localhost', { protocol: 'HTTP/2' }),
        get('/', 'localhost', { protocol: 'HTTP/10.0' }),
        m('get', '/'),
        get('*', 'localhost'),
        get('/'),
      ],
    },
    {
      name: 'geo proxy: X-Forwarded-For entries that are no address end the walk (recursive on one port, not on the other), empty header lines',
      conf: conf(`
  geo $g { default none; proxy 127.0.0.1; proxy_recursive; 10.0.0.5 five; 127.0.0.1 local; }
  geo $h { default none; proxy 127.0.0.1; 10.0.0.5 five; 127.0.0.1 local; }
  server { listen 127.0.0.1:PORT default_server;
    location / {
      if ($g = five) { return 444; }
      if ($g = local) { return 444; }
      if ($g = none) { return 444; }
      return 200; } }
  server { listen 127.0.0.1:PORT2 default_server;
    location / {
      if ($h = five) { return 444; }
      if ($h = local) { return 444; }
      if ($h = none) { return 444; }
      return 200; } }`),
      requests: [
        ...['junk', '10.0.0.5 junk', 'junk, 127.0.0.1', '10.0.0.5:8080', '10.0.0.5, junk', '10.0.0.5,,127.0.0.1', '10.0.0.5'].map((v) => get('/', 'localhost', { headers: { 'X-Forwarded-For': v } })),
        ...['junk', '10.0.0.5, junk', '10.0.0.5 junk', '10.0.0.5:8080', '10.0.0.5'].map((v) => get('/', 'localhost', { port: 1, headers: { 'X-Forwarded-For': v } })),
        // A second header line (sent with another spelling of the name), empty or only a comma.
        get('/', 'localhost', { headers: { 'X-Forwarded-For': '10.0.0.5', 'x-forwarded-for': '' } }),
        get('/', 'localhost', { headers: { 'X-Forwarded-For': '10.0.0.5', 'x-forwarded-for': ',' } }),
      ],
    },
    {
      name: 'r->captures: a map\'s regex replaces them (a key without groups empties $1) and sets its named captures; an internal redirect and valid_referers leave them',
      conf: conf(`
  map $http_user_agent $bot { default 0; ~(bot) 1; }
  map $http_user_agent $bad_ua { default 0; ~*(curl|wget) 1; ~*mozilla 0; }
  map $http_user_agent $ver { default 0; "~MSIE (?<iever>\\d+)" 1; }
  server { listen 127.0.0.1:PORT default_server; root FILES/www;
    location ~ ^/(a)/ { if ($bot) { } set $c "$1"; if ($c = bot) { return 444; } return 200; }
    location ~ ^/p/(\\w+)\\.html$ { if ($bad_ua) { return 403; } try_files /pages/$1.html =444; }
    location /v/ { if ($ver) { } if ($iever = 6) { return 444; } return 200; }
    location ~ ^/t/(q)/ { try_files $uri /e; }
    location = /e { set $c "$1"; if ($c = q) { return 444; } return 200; }
    location ~ ^/(r)/ { valid_referers none example.org ~(zzz); if ($invalid_referer) { return 403; } set $c "$1"; if ($c = r) { return 444; } return 200; } }`),
      files: { 'www/pages/home.html': 'h' },
      requests: [
        get('/a/x', 'localhost', ua('mybot')),
        get('/a/x'),
        get('/p/home.html'),
        get('/p/home.html', 'localhost', ua('Opera/9')),
        get('/v/x', 'localhost', ua('Mozilla/4.0 (compatible; MSIE 6.0)')),
        get('/t/q/x'),
        get('/r/x', 'localhost', ref('http://zzz.com/')),
      ],
    },
    {
      name: 'the copy-pasted Host guard in a named server: with Host unlogged, $host there is one of its own names',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name _; return 444; }
  server { listen 127.0.0.1:PORT; server_name a.test www.a.test;
    if ($host !~ ^(www\\.)?a\\.test$) { return 444; }
    if ($host = www.a.test) { rewrite ^ /www last; }
    location /wp-admin/ { return 444; }
    location = /www { return 444; }
    location / { return 200; } }
  server { listen 127.0.0.1:PORT; server_name b.test *.b.test;
    if ($host != b.test) { return 444; }
    location / { return 200; } }`),
      requests: [get('/x', 'evil.test'), get('/wp-admin/', 'a.test'), get('/x', 'www.a.test'), get('/x', 'x.b.test'), get('/x', 'B.TEST.'), get('/x', 'a.test:80')],
    },
    {
      name: 'origin reachable only through its load balancer: geo on $realip_remote_addr, which a logged X-Forwarded-For and $remote_addr decide, beside deny into a drop',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server; server_name _;
    set_real_ip_from 127.0.0.5; real_ip_header X-Forwarded-For; real_ip_recursive on;
    error_page 403 = @drop;
    location @drop { return 444; }
    if ($direct) { return 444; }
    location /admin/ { allow 192.168.0.0/16; deny all; } }`,
        `  geo $realip_remote_addr $direct { default 1; 127.0.0.5 0; }`,
      ),
      requests: [
        get('/admin/', 'localhost', { from: '127.0.0.7' }),
        get('/admin/', 'localhost', { from: '127.0.0.7', headers: { 'User-Agent': BROWSER, 'X-Forwarded-For': '10.1.1.1' } }),
        get('/admin/', 'localhost', { from: '127.0.0.5', headers: { 'User-Agent': BROWSER, 'X-Forwarded-For': '10.1.1.1' } }),
        get('/admin/', 'localhost', { from: '127.0.0.5', headers: { 'User-Agent': BROWSER, 'X-Forwarded-For': '8.8.8.8, 127.0.0.5' } }),
        get('/admin/', 'localhost', { from: '127.0.0.7', headers: { 'User-Agent': BROWSER, 'X-Forwarded-For': '8.8.8.8, 127.0.0.5' } }),
        get('/admin/', 'localhost', { from: '127.0.0.5', headers: { 'User-Agent': BROWSER, 'X-Forwarded-For': 'junk' } }),
      ],
    },
    {
      // Found probing with scanner-shaped requests: CONNECT is a 405 like TRACE; an invalid Host
      // header after an absolute-form line is refused at the line host's server; nginx compares
      // config text and Host as bytes (UTF-8 in the file), lower-casing A-Z only.
      name: 'scanner shapes: CONNECT, absolute-form line with a bad Host, non-ASCII names and Host bytes',
      conf: conf(`
  map $uri $cafe { default 0; /café 1; }
  server { listen 127.0.0.1:PORT default_server; error_page 400 405 = @d; location @d { return 444; }
    if ($request_method !~ ^(GET|HEAD|POST)$) { return 444; }
    location /é { return 444; }
    location / { return 200; }
  }
  server { listen 127.0.0.1:PORT; server_name a.test; error_page 400 = @a; location @a { return 444; } location / { return 200; } }
  server { listen 127.0.0.1:PORT; server_name пример.test;
    if ($cafe) { return 444; }
    if ($uri = "/i/é") { return 444; }
    location = /exact-é { return 444; }
    location / { return 200; }
  }
`),
      requests: [
        m('CONNECT', '/x'),
        m('CONNECT', 'http://a.test/x', 'a.test'),
        m('PUT', '/x'),
        get('http://a.test/x', ''),
        get('http://a.test/x', 'bad/host'),
        get('http://a.test/x', 'a..b'),
        get('/x', 'bad/host'),
        get('/%C3%A9'),
        get('/%C3%A9/deeper'),
        get('/caf%C3%A9', '\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80.test'),
        get('/i/%C3%A9', '\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80.test'),
        get('/exact-%C3%A9', '\xD0\x9F\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80.TEST'),
        get('/', '\xC3\x89'),
      ],
    },
    {
      // A request line or user agent holding the format's separator makes a line read two ways,
      // which may disagree on $status: a 200 must not come out as a 444, nor a 444 be lost.
      name: 'lines that read two ways disagree on $status (| separators, escape=none)',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server; location /admin { return 444; } location / { return 200; } }
`,
        `log_format pipe '$remote_addr|$time_local|$request|$status|$body_bytes_sent|$http_referer|$http_user_agent';
  access_log PREFIX/logs/pipe.log pipe;
  log_format raw escape=none '"$http_user_agent" $status "$request"';
  access_log PREFIX/logs/raw.log raw;`,
      ),
      requests: [
        get('/admin|200|0|x'),
        get('/x|444|0|y'),
        get('/admin'),
        get('/admin', 'localhost', ua('x" 200 "y')),
        get('/x', 'localhost', ua('x" 444 "GET /admin HTTP/1.1')),
      ],
    },
    // Found probing real-world setups: valid_referers levels inherit the regexes they lack
    // (ngx_http_referer_merge_conf); $invalid_referer and geo values are cached for the request;
    // a server-level geo reads the connection's address before a location's realip replaces it.
    {
      name: 'referers: location valid_referers inherits the server-level ~regex referers',
      conf: conf(`
    server { listen 127.0.0.1:PORT; server_name a.test;
      valid_referers ~\\.google\\.;
      location /img/ {
        valid_referers none blocked a.test;
        if ($invalid_referer) { return 444; }
        return 444;
      }
    }
  `),
      requests: [get('/img/x.png', 'a.test', ref('http://www.google.com/'))],
    },
    {
      name: 'referers: location valid_referers inherits the server-level server_names regexes',
      conf: conf(`
    server { listen 127.0.0.1:PORT; server_name ~^(www\\.)?b\\.test$;
      valid_referers server_names;
      location /img/ {
        valid_referers none blocked cdn.test;
        if ($invalid_referer) { return 444; }
        return 444;
      }
    }
  `),
      requests: [get('/img/x.png', 'b.test', ref('http://www.b.test/'))],
    },
    {
      name: 'referers: $invalid_referer is cached: the server-level evaluation wins in the location',
      conf: conf(`
    server { listen 127.0.0.1:PORT; server_name c.test;
      valid_referers none blocked c.test;
      if ($invalid_referer) { set $hotlink 1; }
      location /img/ {
        valid_referers none blocked c.test partner.test;
        if ($invalid_referer) { return 444; }
        return 444;
      }
    }
  `),
      requests: [get('/img/x.png', 'c.test', ref('http://partner.test/'))],
    },
    {
      name: 'realip: geo in the server rewrite phase sees the connection address; realip only runs later (location, preaccess)',
      conf: conf(`
    geo $blocked { default 0; 10.66.0.0/16 1; }
    server { listen 127.0.0.1:PORT; server_name g.test;
      if ($blocked) { return 444; }
      location / {
        set_real_ip_from 127.0.0.1; real_ip_header X-Forwarded-For;
        try_files $uri =444;
      }
    }
  `),
      requests: [get('/x', 'g.test', { headers: { 'User-Agent': BROWSER, 'X-Forwarded-For': '10.66.1.1' } })],
    },
    {
      name: 'geo: a geo value is cached for the request: a later change of its source variable is not seen',
      conf: conf(`
    geo $client $blocked { default 0; 10.66.0.0/16 1; }
    server { listen 127.0.0.1:PORT; server_name g.test;
      set $client $remote_addr;
      if ($blocked) { set $seen 1; }
      location / {
        set $client $http_x_real_ip;
        if ($blocked) { return 444; }
        return 444;
      }
    }
  `, `log_format xr '$remote_addr "$host" "$request" $status "$http_x_real_ip"'; access_log PREFIX/logs/xr.log xr;`),
      requests: [get('/x', 'g.test', { headers: { 'User-Agent': BROWSER, 'X-Real-IP': '10.66.1.1' } })],
    },
    {
      // Admins log a map's verdict: with its source (the user agent) unlogged, the logged value
      // decides the ifs that read it ("-" is empty when the map cannot give "-").
      name: 'a logged map verdict decides the rule when its source is not logged',
      conf: conf(
        `
  map $http_user_agent $reason { default ""; ~*sqlmap scanner; ~*curl curl; }
  server { listen 127.0.0.1:PORT default_server;
    if ($reason = scanner) { return 444; }
    if ($reason) { return 444; }
    location /x { return 444; }
    location / { return 200; }
  }
`,
        `log_format r '$status "$reason" "$request"';
  access_log PREFIX/logs/r.log r;`,
      ),
      requests: [get('/', 'localhost', ua('sqlmap')), get('/', 'localhost', ua('curl/8')), get('/x'), get('/x', 'localhost', ua('curl/8'))],
    },
    {
      // JSON formats often log $uri and $args instead of $request: the logged $uri is where the
      // request ended, and where it started unless a rewrite or redirect changed it.
      name: 'a $uri-only JSON format: rewrites, redirects and error pages between start and end',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server;
    rewrite ^/old/(.*)$ /trap/$1 last;
    location /admin { return 444; }
    location /trap/ { return 444; }
    location /tf/ { try_files $uri /trap/tf; }
    location /nf/ { error_page 404 = /trap/nf; }
    location /named/ { error_page 404 = @drop; }
    location @drop { return 444; }
    location ~ \\.php$ { if ($arg_x) { return 444; } return 444; }
    location / { return 444; }
  }
`,
        `log_format uj escape=json '{"status":"$status","method":"$request_method","uri":"$uri","args":"$args","host":"$host"}';
  access_log PREFIX/logs/uj.log uj;`,
      ),
      requests: [
        get('/admin'),
        get('/admin/x?q=1'),
        get('/old/a'),
        get('/trap/a'),
        get('/tf/missing'),
        get('/nf/missing'),
        get('/named/missing'),
        get('/a.php?x=1'),
        get('/a.php'),
        get('/'),
        get('/x/y'),
      ],
    },
    {
      name: 'realip: $remote_addr read (cached) before location-level realip: log shows the proxy, deny used the real address',
      files: { 'www/': '' },
      conf: conf(`
    map $remote_addr $internal { default 0; ~^127\\. 1; }
    server { listen 127.0.0.1:PORT; server_name r.test; root FILES/www;
      if ($internal) { set $via_lb 1; }
      location / {
        set_real_ip_from 127.0.0.0/8; real_ip_header X-Forwarded-For;
        deny 10.66.0.0/16;
        error_page 403 = @drop;
        try_files $uri =444;
      }
      location @drop { return 444; }
    }
  `),
      requests: [get('/x', 'r.test', { headers: { 'User-Agent': BROWSER, 'X-Forwarded-For': '10.66.1.1' } })],
    },
    {
      // Found probing request-level errors: an unknown Transfer-Encoding is a 501 at the
      // Host-chosen server; a request refused in its request line has no URI, so an error_page
      // into a named location is a 500 (which error_page 500 may take).
      name: 'request-level errors: 501 for an unknown Transfer-Encoding, a bad request line into @named',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; error_page 501 = @drop; location @drop { return 444; } location / { return 200; } }
  server { listen 127.0.0.1:PORT2 default_server; recursive_error_pages on; error_page 400 = @drop; error_page 500 = /e500;
    location @drop { return 444; } location = /e500 { return 444; } location / { return 200; } }
`),
      requests: [
        m('POST', '/', 'localhost', { headers: { 'User-Agent': BROWSER, 'Transfer-Encoding': 'gzip' } }),
        m('POST', '/', 'localhost', { headers: { 'User-Agent': BROWSER, 'Transfer-Encoding': 'identity' } }),
        m('get', '/', 'localhost', { port: 1 }),
        get('/../x', 'localhost', { port: 1 }),
        get('/x', 'bad/host', { port: 1 }),
      ],
    },
    {
      // Found probing server selection: alone on its address:port, a server whose last regex
      // name captures nothing gets no name tables (ngx_http_optimize_servers), so its regexes
      // never run and their captures stay unset.
      name: 'a lone server\'s regex names run only when the last one captures',
      conf: conf(`
  server { listen 127.0.0.1:PORT; server_name ~^(?<sub>[a-z]+)\\.x\\.test$ ~^y\\.test$;
    if ($sub = "") { return 444; }
    location / { return 444; } }
  server { listen 127.0.0.1:PORT2; server_name ~^y\\.test$ ~^(?<sub2>[a-z]+)\\.x\\.test$;
    if ($sub2 = "") { return 444; }
    location / { return 444; } }
`),
      requests: [get('/', 'foo.x.test'), get('/', 'y.test'), get('/', 'foo.x.test', { port: 1 }), get('/', 'y.test', { port: 1 })],
    },
    {
      // Found probing the index module (an avoidable ambiguity): for a directory URI without an
      // index file, a missing directory (or a file in its place) is the index module's 404, an
      // existing one declines to the content phase's 403; autoindex lists it instead.
      name: 'a directory URI without an index file: 404 when missing, 403 when it exists, listed under autoindex',
      files: { 'www/': '', 'www/empty/': '', 'www/f': 'x', 'www/idx/': '', 'www/idx/index.html': 'x', 'www/ai/': '', 'www/ai/e/': '' },
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name i.test;
    root FILES/www;
    error_page 403 = @d403;
    error_page 404 = @d404;
    location @d403 { return 444; }
    location @d404 { return 444; }
    location = /idx/index.html { return 444; }
    location /ai/ { autoindex on; }
    location / { } }
`),
      requests: [get('/empty/'), get('/nope/'), get('/f/'), get('/idx/'), get('/ai/e/'), get('/ai/none/'), m('POST', '/empty/')],
    },
    {
      // Found probing the rewrite phase (an avoidable ambiguity on every PHP line): Debian's
      // snippets/fastcgi-php.conf tries $fastcgi_script_name (ngx_http_fastcgi_split) as a file.
      name: 'Debian\'s fastcgi-php snippet: try_files $fastcgi_script_name =404 into a drop; the upstream down into another',
      files: {
        'www/': '', 'www/index.php': 'x', 'www/app/': '', 'www/app/index.php': 'x', 'snippets/': '',
        'snippets/fastcgi-php.conf': 'fastcgi_split_path_info ^(.+?\\.php)(/.*)$;\ntry_files $fastcgi_script_name =404;\nset $path_info $fastcgi_path_info;\nfastcgi_index index.php;\n',
      },
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name d.test;
    root FILES/www;
    index index.php;
    error_page 404 = @drop;
    error_page 502 = @down;
    location @drop { return 444; }
    location @down { return 444; }
    location ~ [^/]\\.php(/|$) { include FILES/snippets/fastcgi-php.conf; fastcgi_pass 127.0.0.1:9; }
    location / { try_files $uri $uri/ /index.php?$args; } }
`),
      requests: [get('/nope.php'), get('/index.php'), get('/some/page'), get('/index.php/x/y'), get('/nope.php/x'), get('/app/'), get('/app/index.php/p')],
    },
    {
      // Found probing the rewrite phase: after `rewrite ... break` (or `break` after a rewrite)
      // r->valid_location is 0 and an alias location cannot map its URI: try_files and the static
      // module answer 500, $request_filename is empty. An internal redirect makes it valid again.
      name: 'alias after a break-type rewrite: try_files and static 500, $request_filename empty; valid again after a redirect',
      files: { 's/': '', 's/a.css': 'x' },
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name g.test;
    error_page 500 = @err;
    location @err { return 444; }
    rewrite ^/assets/v\\d+/(.*)$ /assets/$1 break;
    location /assets/ { alias FILES/s/; try_files $uri =444; }
    location /p/ { rewrite ^/p/(.*)$ /st/$1; break; }
    location /st/ { alias FILES/s/; }
    location /r/ { rewrite ^/r/(.*)$ /assets/$1 break; try_files $uri @back; }
    location @back { return 444; } }
  server { listen 127.0.0.1:PORT2 default_server; server_name _;
    rewrite ^/v\\d+/(.*)$ /$1 break;
    location /static/ { alias FILES/s/; if (!-f $request_filename) { return 444; } return 444; } }
`),
      requests: [get('/assets/v2/zz.css'), get('/assets/v2/a.css'), get('/assets/a.css'), get('/assets/zz.css'), get('/p/a.css'), get('/r/a.css'),
        get('/v1/static/a.css', 'localhost', { port: 1 }), get('/static/a.css', 'localhost', { port: 1 }), get('/static/zz.css', 'localhost', { port: 1 })],
    },
    {
      // Found probing the rewrite phase: a catastrophic regex makes PCRE2 fail (-47), and nginx
      // answers 500 (error_page) where our engine gives up; the 500 must be among the candidates.
      name: 'a regex that hits PCRE2\'s match limit in an if and in a location: 500 into error_page',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name re.test;
    error_page 500 = @err;
    location @err { return 444; }
    location ~ "^/l/(a+)+$" { return 444; }
    location / {
      if ($http_user_agent ~ "^(a+)+$") { return 444; }
      return 444; } }
`),
      requests: [get('/', 're.test', { headers: { 'User-Agent': 'a'.repeat(40) + '!' } }), get(`/l/${'a'.repeat(40)}!`, 're.test'), get('/l/aa', 're.test'), get('/x', 're.test')],
    },
    {
      // ngx_http_core_find_static_location set r->loc_conf to the prefix match before the
      // regexes ran: a regex failing then is a 500 under that location, with its error_page.
      name: 'a location regex failing after a prefix match: the prefix location\'s error_page takes the 500',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name re.test;
    error_page 500 = @server;
    location @server { return 444; }
    location @pfx { return 444; }
    location /l/ { error_page 500 = @pfx; return 444; }
    location /l/in/ { location ~ "^/l/in/(b+)+$" { return 444; } error_page 500 = @pfx; return 444; }
    location ~ "^/[ln]/(a+)+$" { return 444; } }
`),
      requests: [get(`/l/${'a'.repeat(40)}!`, 're.test'), get(`/n/${'a'.repeat(40)}!`, 're.test'), get('/l/aa', 're.test'), get(`/l/in/${'b'.repeat(40)}!`, 're.test'), get('/l/x', 're.test')],
    },
    {
      // Found probing the rewrite phase: a rewrite whose URI comes out empty ends the script with
      // 500 (ngx_http_script_regex_end_code), and the empty URI cannot enter a named location.
      name: 'a rewrite to a zero-length URI is a 500 into error_page; a named one refuses the empty URI',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name z.test;
    error_page 500 = /oops;
    location = /oops { return 444; }
    rewrite ^/shop(.*)$ $1;
    if ($uri = "") { return 444; }
    location / { return 444; }
    location /api { rewrite ^/api(.*)$ $1; return 444; } }
  server { listen 127.0.0.1:PORT2 default_server; server_name _;
    error_page 500 = @e;
    location @e { return 444; }
    location /api { rewrite ^/api(.*)$ ?x=1; return 444; }
    location /v { rewrite ^/v(.*)$ $1; return 444; }
    location / { return 444; } }
`),
      requests: [get('/shop'), get('/shop/x'), get('/api'), get('/api/x'), get('/api', 'localhost', { port: 1 }), get('/api/y', 'localhost', { port: 1 }), get('/v', 'localhost', { port: 1 }), get('/z', 'localhost', { port: 1 })],
    },
    {
      // Found by a random-config probe (an avoidable ambiguity): an HTTP/1.1 request that reached
      // the rewrite phase had a valid Host, so `$http_host = ""` is false even when not logged.
      name: 'an unlogged $http_host is not empty in HTTP/1.1; the 400 of a missing one goes to error_page',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name a.test;
    if ($http_host = "") { return 444; }
    location / { return 444; } }
  server { listen 127.0.0.1:PORT2 default_server; server_name _; error_page 400 = @e;
    location @e { if ($http_host = "") { return 444; } return 444; }
    location / { if ($http_host = "") { return 444; } return 444; } }
`),
      requests: [get('/', 'a.test'), get('/', null), get('/', 'a.test', { protocol: 'HTTP/1.0' }), get('/', null, { protocol: 'HTTP/1.0' }),
        get('/', 'x.test', { port: 1 }), get('/', null, { port: 1 }), get('/', 'bad/host', { port: 1 }), get('/', '', { port: 1 })],
    },
    {
      // Found by a random-config probe: `.x` claims `x` as an exact key, then as a head-wildcard
      // key (ngx_hash_add_key); either taken first makes nginx ignore it, with only a warning.
      name: 'a `.x` server_name ignored after `x` or `*.x` claimed its keys',
      conf: conf(`
  server { listen 127.0.0.1:PORT; server_name x.test; return 444; }
  server { listen 127.0.0.1:PORT; server_name .x.test; return 444; }
  server { listen 127.0.0.1:PORT default_server; return 444; }
  server { listen 127.0.0.1:PORT2; server_name *.y.test; return 444; }
  server { listen 127.0.0.1:PORT2; server_name .y.test; return 444; }
  server { listen 127.0.0.1:PORT2; server_name y.test w.test .w.test; return 444; }
  server { listen 127.0.0.1:PORT2 default_server; return 444; }
`),
      requests: [get('/', 'z.x.test'), get('/', 'x.test'), get('/', 'y.test', { port: 1 }), get('/', 'a.y.test', { port: 1 }), get('/', 'z.w.test', { port: 1 }), get('/', 'w.test', { port: 1 })],
    },
    {
      // Found by a log-format probe: an HTTP/0.9 line names no protocol, so `$server_protocol` is
      // not found: "" to `if`, "-" in the log.
      name: '$server_protocol of an HTTP/0.9 request is empty, logged with or without $request',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name _;
    if ($server_protocol = "") { return 444; }
    if ($server_protocol ~ "1\\.0") { return 444; }
    location / { return 444; } }
`, `log_format proto '$status [$server_protocol] $request_method $uri'; access_log PREFIX/logs/proto.log proto;`),
      requests: [get('/x', null, { protocol: '' }), get('/x', null, { protocol: 'HTTP/1.0' }), get('/x', 'a.test')],
    },
    {
      // Found by a log-format probe: nginx reads r->args anew on each read (`arg_*` are not
      // cacheable), so a logged `$args`/`$arg_NAME` shows the args where the request ended.
      name: 'logged $args, $query_string and $arg_NAME without the request line: final args, changed by set $args or a rewrite',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name a.test;
    if ($args ~ union) { return 444; }
    rewrite ^/old$ /new?id=0;
    location / { if ($arg_id = 0) { set $args "id=9"; return 444; } if ($is_args) { return 444; } return 444; }
    location /r { if ($arg_a = evil) { rewrite ^ /blocked?a=x last; } return 444; }
    location /blocked { return 444; } }
`, `log_format A '$status $uri [$args]'; access_log PREFIX/logs/A.log A;
  log_format Q '$status $uri [$query_string]'; access_log PREFIX/logs/Q.log Q;
  log_format I '$status $uri [$arg_id] [$arg_a]'; access_log PREFIX/logs/I.log I;`),
      requests: [get('/?x=union', 'a.test'), get('/a?id=0', 'a.test'), get('/a?id=1', 'a.test'), get('/a?id=9', 'a.test'), get('/a', 'a.test'), get('/a?', 'a.test'),
        get('/old', 'a.test'), get('/old?id=3', 'a.test'), get('/r?a=evil', 'a.test'), get('/r?a=x', 'a.test'), get('/blocked?a=x', 'a.test')],
    },
    {
      // Found by a log-format probe: ngx_http_send_error_page turns every method but HEAD into
      // GET before redirecting to a URI (a named location keeps it), and the log shows GET.
      name: 'a logged $request_method without $request: GET after an error_page redirect, kept by a named location and for HEAD',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name a.test;
    error_page 403 = /blocked;
    error_page 405 = @m;
    location /form { if ($request_method = POST) { return 403; } if ($request_method = PUT) { return 405; } return 444; }
    location /blocked { if ($request_method = HEAD) { return 444; } return 444; }
    location @m { if ($request_method = PUT) { return 444; } return 444; } }
`, `log_format M '$status $request_method $request_uri'; access_log PREFIX/logs/M.log M;
  log_format J escape=json '{"s":"$status","m":"$request_method","u":"$uri"}'; access_log PREFIX/logs/J.log J;`),
      requests: [m('POST', '/form', 'a.test', { body: 'x' }), m('GET', '/form', 'a.test'), m('HEAD', '/form', 'a.test'), m('PUT', '/form', 'a.test', { body: 'x' }),
        m('DELETE', '/form', 'a.test'), m('POST', '/blocked', 'a.test', { body: 'x' })],
    },
    {
      // Found by a log-format probe: a map's regex key sets $1..$9 and its named captures when
      // it matches, which a line without the map's source cannot tell.
      name: 'captures of a map regex whose source is not logged, with and without the map value logged',
      conf: conf(`
  map $http_user_agent $reason { default ""; ~*(?<tool>zgrab|masscan) "scanner"; ~*(curl) "cli"; }
  server { listen 127.0.0.1:PORT default_server; server_name a.test;
    if ($reason = sqlmap) { return 444; }
    if ($tool = zgrab) { return 444; }
    set $t $1; if ($t = curl) { return 444; }
    return 444; }
`, `log_format R '$status $request_uri'; access_log PREFIX/logs/R.log R;
  log_format R2 '$status "$reason" $request_uri'; access_log PREFIX/logs/R2.log R2;`),
      requests: [get('/', 'a.test', ua('zgrab/0.x')), get('/', 'a.test', ua('masscan')), get('/', 'a.test', ua('curl/8.1')), get('/', 'a.test', ua('sqlmap'))],
    },
    {
      // Found by a log-format probe: try_files copies the decoded `$uri` into the args unescaped,
      // so `$args` is logged with a raw space.
      name: 'a space in the logged $args and $query_string (try_files ...?q=$uri&$args), space- and pipe-separated formats',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name a.test;
    location / { try_files $uri /index.php?q=$uri&$args; }
    location = /index.php { return 444; }
    location ~ \\.php$ { return 444; }
    location /x { return 444; } }
`, `log_format a1 '$status $args $uri'; access_log PREFIX/logs/a1.log a1;
  log_format a2 '$remote_addr $request_method $uri $query_string $status $host "$http_user_agent"'; access_log PREFIX/logs/a2.log a2;
  log_format a3 '$status|$args|$uri|$http_user_agent'; access_log PREFIX/logs/a3.log a3;
  log_format a4 '$status $query_string "$http_user_agent"'; access_log PREFIX/logs/a4.log a4;`),
      requests: [get('/a%20/x', 'a.test'), get('/y%20/x?k=v', 'a.test'), get('/x/a%20b', 'a.test'), get('/plain', 'a.test')],
    },
    {
      // Found by a random-config probe with formats lacking the request line: the redirect
      // target's unknown args made its whole value unknown, and with it the URI after the
      // redirect; the histories that followed ran out of budget before the right one.
      name: 'without the request line: a try_files or error_page target with unknown args keeps its path',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name "";
    if ($http_host = "") { return 444; }
    error_page 403 /fb/403?from=$args;
    location ^~ /x/ { location ~* /(?<leaf>[^/]+)$ { if ($leaf = secret) { return 444; } try_files $uri $uri/ /index.php?$args; } try_files $uri $uri/ =404; error_page 404 = @drop; }
    location /deny/ { deny all; }
    location /fb/ { if ($arg_from = "") { return 444; } return 444; }
    location @drop { return 444; }
    location ~ \\.php$ { if ($arg_x) { return 444; } return 444; }
    location / { return 200; } }
`, `log_format nr1 '$status $request_method $uri [$args] "$http_user_agent"'; access_log PREFIX/logs/nr1.log nr1;
  log_format nr2 escape=json '{"s":"$status","m":"$request_method","u":"$uri","q":"$query_string"}'; access_log PREFIX/logs/nr2.log nr2;`),
      requests: [get('/x//', 'a.test'), get('/x/a/secret', 'a.test'), get('/x/a/b?x=1', 'a.test'), get('/x/a/b', 'a.test'), get('/deny/a?k=v', 'a.test'), get('/deny/a', 'a.test'),
        m('POST', '/deny/b?x=1', 'a.test', { body: 'q' })],
    },
    {
      // Found by a random-config probe: ngx_http_core_merge_loc_conf merges `internal`, so a
      // location nested in an internal one refuses direct requests too (404).
      name: 'a location nested in an internal location is internal too',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name a.test;
    error_page 404 = @drop;
    location @drop { return 444; }
    location ^~ /api/ { internal; location ~* /(?<leaf>[^/]+)$ { if ($leaf = secret) { return 444; } return 444; } location /api/in/ { return 444; } return 444; }
    location /go/ { rewrite ^/go/(.*)$ /api/$1 last; } }
`),
      requests: [m('OPTIONS', '/api/x/secret', 'a.test'), get('/api/x/secret', 'a.test'), get('/api/in/', 'a.test'), get('/api/', 'a.test'), get('/go/x/secret', 'a.test'), get('/go/in/', 'a.test'),
        get('/go/x/y', 'a.test')],
    },
    {
      // Found by a random-config probe with formats lacking the request line (M1-M3): a port
      // glued to `$uri` was pinned to one digit; an HTTP/0.9 line may name its server in an
      // absolute URI; `rewrite ^` (no groups) empties $1 even after a location regex set it.
      name: 'formats without the request line: a glued port, an HTTP/0.9 absolute URI, $1 after a regex without groups',
      conf: conf(`
  log_format h5 '$remote_addr $status $server_port$uri$is_args'; access_log PREFIX/logs/h5.log h5;
  log_format m_sp '$remote_addr $request_method $uri $args $status $server_protocol'; access_log PREFIX/logs/m_sp.log m_sp;
  log_format m_pipe '$status|$request_method|$host|$uri|$server_protocol'; access_log PREFIX/logs/m_pipe.log m_pipe;
  server { listen 127.0.0.1:PORT default_server; return 444; }
  server { listen 127.0.0.1:PORT; server_name localhost; location /a/ { return 444; } location / { return 444; } }
  server { listen 127.0.0.1:PORT2; server_name a.test; location /fb/ { return 444; } }
  server { listen 127.0.0.1:PORT2 default_server; server_name b.test;
    set $args "x=evil"; location ~ ^/(sa|sb)/ { rewrite ^ /fb/$1?k last; }
    location ^~ /fb/ { return 444; } }
`),
      requests: [get('/a/x', 'localhost'), { method: 'GET', path: 'http://localhost/x', host: null, protocol: '', headers: {} }, get('/x', null, { protocol: '' }),
        { method: 'GET', path: '/sa/admin', host: 'b.test', headers: {}, port: 1 }],
    },
    {
      // Found by an access-phase probe: realip set only in the location a redirect goes to runs
      // in that location's preaccess phase, after the first location's deny, limit and geo saw
      // the connection's own address; the log shows the address realip set.
      name: 'realip only in the target of try_files or error_page: deny, geo and limit_req before it see the connection\'s address',
      conf: conf(`
  geo $wl { default $binary_remote_addr; 127.0.0.6 ""; }
  limit_req_zone $wl zone=a:1m rate=1r/m;
  limit_req_zone $binary_remote_addr zone=b:1m rate=1r/m;
  server { listen 127.0.0.1:PORT default_server; server_name _;
    location / { deny 127.0.0.5; error_page 403 = @a; try_files $uri /app; }
    location /app { set_real_ip_from 127.0.0.0/8; real_ip_header X-Forwarded-For; try_files /nope =444; }
    location @a { return 444; } }
  server { listen 127.0.0.1:PORT2 default_server; server_name _;
    location / { limit_req zone=a; error_page 404 = /app; try_files /nope =404; }
    location /app { set_real_ip_from 127.0.0.0/8; real_ip_header X-Forwarded-For; limit_req zone=b; limit_req_status 444; empty_gif; } }
  server { listen 127.0.0.1:PORT2; server_name b.test;
    set_real_ip_from 127.0.0.0/8; real_ip_header X-Real-IP;
    location / { deny 127.0.0.5; error_page 403 = @a; try_files $uri /app; }
    location /app { real_ip_header X-Forwarded-For; try_files /nope =444; }
    location @a { return 444; } }
`),
      requests: [
        { ...get('/x', 'localhost', { headers: { 'X-Forwarded-For': '127.0.0.5' } }), from: '127.0.0.6' },
        { ...get('/x', 'localhost', { headers: { 'X-Forwarded-For': '127.0.0.5' } }), from: '127.0.0.6', port: 1 },
        { ...get('/x', 'localhost', { headers: { 'X-Forwarded-For': '127.0.0.5' } }), from: '127.0.0.6', port: 1 },
        { ...get('/x', 'b.test', { headers: { 'X-Forwarded-For': '127.0.0.5' } }), from: '127.0.0.6', port: 1 },
      ],
    },
    {
      // Found by an access-phase probe: a mirror subrequest that returns 444 terminates the main
      // request while it waits for its upstream, and the main request is logged 444.
      name: 'a mirror subrequest closing with 444 while the main request waits for its upstream',
      conf: conf(`
  server { listen 127.0.0.1:PORT2; server_name _; location / { return 200 "up"; } }
  server { listen 127.0.0.1:PORT default_server; server_name _;
    location / { mirror /m; error_page 502 = @drop; proxy_pass http://127.0.0.1:PORT2; }
    location = /m { internal; return 444; }
    location @drop { return 444; } }
`),
      requests: [get('/a')],
    },
    {
      // Found by a variables probe: nginx builds a value in two passes, lengths then copy; a
      // map first read in the lengths pass replaces the captures a `$1` before it then copies,
      // and `set`/`if` keep the length the first pass found.
      name: 'a map first read while a value is built replaces the $1 written before it',
      conf: conf(`
  map $http_user_agent $mobile { default 0; "~*(iphone|android)" 1; }
  map $http_user_agent $bot { default 0; ~(bo)t 1; }
  server { listen 127.0.0.1:PORT default_server;
    rewrite ^/p/(\\w+)$ /x/$1?m=$mobile last;
    location /x/iPhone { return 444; }
    location /x/ { return 444; }
    location ~ ^/(ab)/ { set $c "$1$bot"; if ($c = bo1) { return 444; } return 444; } }
`),
      requests: [get('/p/abcdefgh', 'localhost', ua('iPhone')), get('/p/abcdefgh', 'localhost', ua('curl')), get('/ab/x', 'localhost', ua('mybot')), get('/ab/x', 'localhost', ua('curl'))],
    },
    {
      // Found by a variables probe: ngx_http_subrequest shares the variables
      // (sr->variables = r->variables), so what the auth location sets, or the map it reads
      // first (with its own URI), is what the main request reads after it.
      name: 'an auth_request subrequest sets and caches variables the main request reads',
      conf: conf(`
  map $uri $isauth { default 0; /auth 1; }
  server { listen 127.0.0.1:PORT default_server;
    location /s/ { auth_request /auth; try_files /nope /drop; }
    location /p/ { auth_request /auth2; try_files /nope /drop2; }
    location = /auth { set $who sub; return 200; }
    location = /auth2 { if ($isauth) { return 200; } return 200; }
    location = /drop { if ($who = sub) { return 444; } return 444; }
    location = /drop2 { if ($isauth) { return 444; } return 444; } }
`),
      requests: [get('/s/x'), get('/p/x')],
    },
    {
      // Found by a limits probe: $limit_req_status is r->main's, not found ("-") until a limit ran,
      // so a logged REJECTED rules out the default server's rewrite-phase return, and "-" the limit.
      name: 'a logged limit status is found only where a limit ran',
      conf: conf(`
  limit_req_zone $binary_remote_addr zone=lim:1m rate=1r/m;
  limit_req_status 444;
  log_format lrs '$remote_addr "$request" $status $limit_req_status'; access_log PREFIX/logs/lrs.log lrs;
  server { listen 127.0.0.1:PORT default_server; return 444; }
  server { listen 127.0.0.1:PORT; server_name a.test; location / { limit_req zone=lim; try_files $uri =404; } }
`),
      requests: [get('/', 'a.test', { from: '127.0.0.61' }), get('/', 'a.test', { from: '127.0.0.61' }), get('/', 'zz.test', { from: '127.0.0.61' })],
    },
    {
      // Found by an ambiguity probe: ngx_http_parse_request_line refuses any method but GET in
      // an HTTP/0.9 line, and such a request has no headers, so a logged method or header rules
      // out the `$server_protocol = ""` branch in formats without the request line.
      name: 'a logged method or request header rules HTTP/0.9 out',
      conf: conf(`
  log_format zm '$status $request_method $uri $args'; access_log PREFIX/logs/zm.log zm;
  log_format zu '$status $uri "$http_user_agent"'; access_log PREFIX/logs/zu.log zu;
  server { listen 127.0.0.1:PORT default_server; server_name _;
    location /pr/ { if ($server_protocol = "") { return 444; } if ($server_protocol = HTTP/1.0) { return 444; } return 200; } }
`),
      requests: [m('HEAD', '/pr/x', 'a.test', { protocol: 'HTTP/1.0' }), get('/pr/y', 'a.test', { protocol: 'HTTP/1.0' }), get('/pr/z', null, { protocol: '' })],
    },
    {
      // Found by an ambiguity probe (seed 64006): `$remote_addr` read in one location is cached
      // with the connection's address; after `rewrite ... last` to a location with realip, deny
      // sees the address realip took from X-Forwarded-For, while the log still writes the old one.
      name: 'an address read before a rewrite into a realip location: deny there sees realip\'s',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name _;
    root FILES/www;
    location /rip/ { set_real_ip_from 127.0.0.0/8; real_ip_header X-Forwarded-For; deny 127.0.0.5; error_page 403 = @drop; try_files $uri =404; }
    location /fw/ { if ($remote_addr = 127.0.0.5) { return 444; } rewrite ^/fw/(.*)$ /rip/$1 last; }
    location @drop { return 444; } }
`),
      files: { 'www/index.html': 'i' },
      requests: [xff('127.0.0.5', '127.0.0.1'), xff('127.0.0.6', '127.0.0.1')].map((h) => get('/fw/x', 'a.test', h)),
    },
    {
      // Found by a wildcard-listen probe: nginx merges listens by socket address
      // (ngx_cmp_sockaddr on what ngx_inet_addr made of the text), so a zero-padded spelling
      // shares the address:port, its default server and its names with the plain one; and a
      // map on $server_addr reads the socket's address.
      name: 'two spellings of one listen address are one address:port; $server_addr is its address',
      conf: conf(
        `
  map $server_addr $second { 127.0.0.2 1; default 0; }
  server { listen 127.0.0.1:PORT default_server; return 444; }
  server { listen 127.000.000.001:PORT; server_name a.test; location /x { return 444; } location / { return 200; } }
  server { listen 127.0.0.2:PORT; server_name b.test; location / { if ($second) { return 444; } return 444; } }
`,
        `log_format addr '$server_addr:$server_port "$request" $status'; access_log PREFIX/logs/addr.log addr;`,
      ),
      requests: [get('/x', 'a.test'), get('/y', 'zz.test'), get('/x', 'b.test', { to: '127.0.0.2' })],
    },
    {
      // ngx_http_auth_request_variable answers "not found" until the access phase ran the
      // subrequest: an `if` on an auth_request_set variable in the same location never holds, so
      // the 444 of an unlogged header is the server's.
      name: 'an if on an auth_request_set variable in its own location runs before the subrequest set it',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server;
    if ($http_x_block) { return 444; }
    location /a/ {
      auth_request /auth;
      auth_request_set $who $sent_http_x_user;
      if ($who = "") { set $seen 1; }
      if ($who != "") { return 444; }
      error_page 403 = /deny;
    }
    location = /auth { internal; add_header X-User bad; if ($http_x_no) { return 403; } return 204; }
    location = /deny { if ($request_uri ~ "d=1") { return 444; } return 403; } }
`),
      requests: [get('/a/x', 'localhost', { headers: { 'User-Agent': BROWSER, 'X-Block': '1' } }), get('/a/y'), get('/a/z?d=1', 'localhost', { headers: { 'User-Agent': BROWSER, 'X-No': '1' } })],
    },
    {
      // Found by a random-config probe: args read before a rewrite that appends its own to them
      // (`?k` on empty args gives "k"); without the request line that history was dropped.
      name: 'args read before a rewrite that appends to them, logged without the request line',
      conf: conf(`
  log_format p1 '$status|$uri|$args'; access_log PREFIX/logs/p1.log p1;
  log_format p2 '$status|$host|$uri|$args'; access_log PREFIX/logs/p2.log p2;
  server { listen 127.0.0.1:PORT default_server; server_name b.test;
    location /xr/ { return 444; } }
  server { listen 127.0.0.1:PORT; server_name a.test;
    if ($args) { return 405; }
    location /rx/ { rewrite ^ /xr/?k last; }
    location /ry/ { if ($arg_k) { return 405; } rewrite ^ /xr/?k last; }
    location /xr/ { return 444; } }
`),
      requests: [get('/rx/a', 'a.test'), get('/ry/a', 'a.test'), get('/xr/?k', 'b.test'), get('/xr/', 'a.test')],
    },
    {
      // A quoted log_format spanning lines keeps its line breaks: each request is a record of
      // that many lines, traced from its first line.
      name: 'log formats written across two and three lines',
      conf: conf(`
  log_format ml2 '$remote_addr [$time_local]
      "$request" $status "$host"';
  access_log PREFIX/logs/ml2.log ml2;
  log_format ml3 '$status
	$request_method $uri
	"$http_user_agent"';
  access_log PREFIX/logs/ml3.log ml3;
  server { listen 127.0.0.1:PORT default_server; server_name _; return 444; }
  server { listen 127.0.0.1:PORT; server_name a.test;
    if ($http_user_agent ~* bot) { return 444; }
    location /drop { return 444; }
    location / { return 200; } }
`),
      requests: [get('/', 'a.test'), get('/drop', 'a.test'), get('/x', 'a.test', ua('somebot')), get('/', 'other.test'), get('/y', 'a.test')],
    },
    {
      // Found by a redirect-chain probe: error_page to a URI keeps HEAD, which a format without
      // the method (detail) cannot tell from GET.
      name: 'HEAD through error_page to a URI stays HEAD, the method unlogged',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name a.test;
    error_page 404 = /e;
    location /e { if ($request_method = HEAD) { return 444; } if ($request_method = GET) { return 444; } return 200; }
    location / { } }
`),
      requests: [m('HEAD', '/zz', 'a.test'), get('/zz', 'a.test'), m('POST', '/zz', 'a.test', { body: 'x' })],
    },
    {
      // Found by a Host probe: ngx_http_process_request_header looks the empty name up before it
      // refuses an HTTP/1.1 request without Host, so the 400 (and its error_page) is the unnamed
      // server's, not the default's; an empty Host is refused in the default server.
      name: 'HTTP/1.1 without Host: the 400 belongs to the server named ""',
      conf: conf(`
  error_page 400 = /err.html;
  server { listen 127.0.0.1:PORT default_server; server_name a.test; location / { return 200; } location = /err.html { return 401; } }
  server { listen 127.0.0.1:PORT; location = /err.html { return 444; } location / { return 444; } }
  server { listen 127.0.0.1:PORT2 default_server; server_name b.test; error_page 400 = @d; location @d { return 444; } location / { return 200; } }
  server { listen 127.0.0.1:PORT2; server_name ""; error_page 400 = @d; location @d { return 444; } }
`),
      requests: [get('/', null, { protocol: 'HTTP/1.1' }), get('/', null, { protocol: 'HTTP/1.1', port: 1 }), get('/', '', { protocol: 'HTTP/1.1', port: 1 }), get('/', null), get('/', 'a.test')],
    },
    {
      // Found by a log-side probe: ngx_http_log_handler writes with each access_log's own format,
      // so one file may hold lines of two formats; read in one only, a line of the other was
      // misread (a.test's "$http_x_forwarded_for" taken for `withhost`'s "$host").
      name: 'one file, two formats: a vhost writes its own format into the http level\'s files',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name b.test;
    location /a { return 444; } location / { return 200; } }
  server { listen 127.0.0.1:PORT; server_name a.test;
    access_log PREFIX/logs/withhost.log main; access_log PREFIX/logs/access.log withhost;
    if ($http_user_agent ~ bot) { return 444; } location /x { return 444; } location / { return 200; } }
`),
      requests: [get('/a', 'a.test', ua('bot')), get('/a', 'a.test', { headers: { 'User-Agent': 'bot', 'X-Forwarded-For': '10.1.2.3' } }), get('/x', 'a.test'), get('/a', 'b.test'), get('/a', 'zz.test'), get('/a', 'zz.test', ua('bot'))],
    },
  ];
}

test('differential breadth (admin): our attribution of every 444 agrees with real nginx', { skip: !haveNginx && 'nginx not installed', timeout: 120_000 }, async () => {
  const { total, failures } = await runBreadth('differential admin', scenarios());
  assert.equal(failures.length, 0, `${failures.length} failures (FAIL lines above)`);
  assert.ok(total.exact > 100, `expected most lines of the Host-carrying logs exact, got ${total.exact}`);
});

test('differential (admin): an upstream\'s X-Accel-Redirect into an internal drop location', { skip: !haveNginx && 'nginx not installed', timeout: 60_000 }, async () => {
  // The upstream: a plain HTTP server of the test, on a port the system picks.
  const upstream = createServer((req, res) => {
    const u = req.url ?? '';
    const to = u.startsWith('/p/args') ? '/internal/y?k=1' : u.startsWith('/p/accel') ? '/internal/x' : u.startsWith('/p/named') ? '@drop' : u.startsWith('/p/re') ? '/int-re/z' : undefined;
    res.writeHead(200, to ? { 'X-Accel-Redirect': to } : {});
    res.end('ok\n');
  });
  await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done));
  const port = (upstream.address() as AddressInfo).port;
  try {
    const { failures } = await runBreadth('differential admin (X-Accel-Redirect)', [
      {
        name: 'X-Accel-Redirect to an internal location, with args; ignored where proxy_ignore_headers says so',
        conf: conf(`
  server { listen 127.0.0.1:PORT default_server;
    location /p/ { proxy_pass http://127.0.0.1:${port}; }
    location /ign/ { proxy_pass http://127.0.0.1:${port}/p/accel; proxy_ignore_headers X-Accel-Redirect; }
    location /internal/ { internal; if ($arg_k) { return 444; } if ($request_method = GET) { return 444; } return 403; }
    location @drop { if ($request_method = POST) { return 444; } return 444; }
    location ~ ^/int-re/ { internal; return 444; }
    location / { return 200; } }`),
        requests: [get('/p/accel'), get('/p/args'), m('POST', '/p/accel'), get('/p/plain'), get('/ign/x'), get('/p/named'), m('POST', '/p/named', null, { body: 'x' }), get('/p/re')],
      },
    ]);
    assert.equal(failures.length, 0, `${failures.length} failures (FAIL lines above)`);
  } finally {
    upstream.close();
  }
});
