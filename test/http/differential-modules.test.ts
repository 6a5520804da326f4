// Differential breadth, second part: the modules admins put in front of `return 444` that the first
// suite does not cover — split_clients buckets, valid_referers forms, satisfy/auth_basic with
// error pages, client_max_body_size (413) into error_page, internal locations, rewrite flags and
// `?`, `set $args`, map variants (volatile, $request_uri, $args, cookies, included files), geo on
// other variables, listen sockets on two loopback addresses.
//
// Same contract as differential-breadth.test.ts (see breadthRunner.ts): real nginx decides through
// the harness's markers, every 444 line of every log must be attributed to the rule it ran.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { haveNginx, type Scenario } from './nginxHarness';
import { BROWSER, conf, get, m, ref, runBreadth, ua } from './breadthRunner';

const basic = (userPass: string) => ({ headers: { 'User-Agent': BROWSER, Authorization: 'Basic ' + Buffer.from(userPass).toString('base64') } });

function scenarios(): Scenario[] {
  return [
    {
      name: 'split_clients: buckets by address, argument and user agent, in if and map',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server;
    location /s { if ($bucket = a) { return 444; } if ($drop_b) { return 444; } return 200; }
    location /ab { if ($ab) { return 444; } return 200; }
    location /ua { if ($uas = x) { return 444; } if ($uas = "") { return 444; } return 200; }
  }
`,
        `  split_clients "\${remote_addr}AAA" $bucket { 33.3% a; 33.3% b; * c; }
  split_clients $arg_id $ab { 50% on; * ""; }
  split_clients "$http_user_agent" $uas { 10% x; 0.5% y; 20% z; }
  map $bucket $drop_b { b 1; default 0; }`,
      ),
      requests: [
        ...[2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => get('/s', 'localhost', { from: `127.0.0.${n}` })),
        ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => get(`/ab?id=${n}`)),
        get('/ab'),
        ...['curl/8.0', 'Wget/1.21', 'python-requests/2.31', 'Go-http-client/1.1', BROWSER, 'x', ''].map((u) => get('/ua', 'localhost', ua(u))),
      ],
    },
    {
      name: 'valid_referers: none, blocked, server_names, wildcards, regex, host/uri, caseless',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name shop.test *.shop.test;
    location /img/ { valid_referers none blocked server_names *.example.com example.* ~\\.google\\. partner.test/gallery/; if ($invalid_referer) { return 444; } return 200; }
    location /strict/ { valid_referers server_names; if ($invalid_referer) { return 444; } return 200; }
    location /none/ { valid_referers none good.test; if ($invalid_referer) { return 444; } return 200; }
    location /blocked/ { valid_referers blocked good.test; if ($invalid_referer) { return 444; } return 200; }
  }
`),
      requests: [
        ...['/img/', '/strict/', '/none/', '/blocked/'].flatMap((p) => [
          get(p + 'a', 'shop.test'),
          get(p + 'a', 'shop.test', ref('')),
          get(p + 'a', 'shop.test', ref('foo')),
          get(p + 'a', 'shop.test', ref('http://shop.test/page')),
        ]),
        ...[
          'https://a.example.com/x',
          'http://example.com/',
          'http://example.org/x',
          'http://www.google.com/search?q=1',
          'http://partner.test/gallery/1',
          'http://partner.test/other',
          'http://x.shop.test/',
          'http://evil.test/?shop.test',
          'HTTP://EXAMPLE.ORG/',
          'http://shop.test:8080/',
          'ftp://shop.test/',
          'http://a.b',
        ].map((r) => get('/img/a', 'shop.test', ref(r))),
        get('/strict/a', 'www.shop.test', ref('http://www.shop.test/')),
        get('/strict/a', 'shop.test', ref('http://shop.test.evil/')),
      ],
    },
    {
      name: 'satisfy any/all, allow/deny and auth_basic into error_page 401/403 named locations',
      files: { htpasswd: 'alice:{PLAIN}secret\n' },
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server;
    error_page 401 = @unauth;
    error_page 403 = @forbidden;
    location /any { satisfy any; allow 127.0.0.2; deny all; auth_basic "x"; auth_basic_user_file FILES/htpasswd; }
    location /all { satisfy all; allow 127.0.0.0/29; deny all; auth_basic "x"; auth_basic_user_file FILES/htpasswd; }
    location /only { auth_basic "x"; auth_basic_user_file FILES/htpasswd; }
    location /anyopen { satisfy any; deny 127.0.0.5; auth_basic "x"; auth_basic_user_file FILES/htpasswd; }
    location /off { auth_basic "x"; auth_basic_user_file FILES/htpasswd;
      location /off/pub { auth_basic off; if ($arg_x) { return 444; } }
    }
    location @unauth { return 444; }
    location @forbidden { if ($http_user_agent ~ keep) { return 403; } return 444; }
  }
`),
      requests: [
        get('/any', 'localhost', { from: '127.0.0.2' }),
        get('/any', 'localhost', { from: '127.0.0.3' }),
        get('/any', 'localhost', { from: '127.0.0.3', ...basic('alice:secret') }),
        get('/any', 'localhost', { from: '127.0.0.3', ...basic('alice:wrong') }),
        get('/any', 'localhost', { from: '127.0.0.3', ...basic(':secret') }),
        get('/all', 'localhost', { from: '127.0.0.2' }),
        get('/all', 'localhost', { from: '127.0.0.2', ...basic('alice:secret') }),
        get('/all', 'localhost', { from: '127.0.0.9' }),
        get('/all', 'localhost', { from: '127.0.0.9', ...basic('alice:secret') }),
        get('/all', 'localhost', { from: '127.0.0.9', ...ua('keep') }),
        get('/only'),
        get('/only', 'localhost', basic('bob:x')),
        get('/only', 'localhost', basic('alice:secret')),
        get('/anyopen', 'localhost', { from: '127.0.0.5' }),
        get('/anyopen', 'localhost', { from: '127.0.0.6' }),
        get('/off/pub?x=1'),
        get('/off/priv?x=1'),
      ],
    },
    {
      name: 'client_max_body_size 413 into error_page, internal locations, error_page to internal URIs, recursive_error_pages',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server;
    client_max_body_size 10;
    error_page 413 = @big;
    location /up { if ($request_method = PUT) { return 444; } }
    location /small { client_max_body_size 1k; error_page 413 = @big2; if ($arg_d) { return 444; } }
    location /free { client_max_body_size 0; if ($arg_d) { return 444; } }
    location @big { return 444; }
    location @big2 { if ($arg_k) { return 200; } return 444; }
    location /int { internal; if ($arg_i) { return 444; } return 200; }
    location /e404 { error_page 404 /int?i=1; }
    location /rw { rewrite ^ /int?i=1 last; }
    location /chain { error_page 404 = @first; }
    location @first { error_page 404 = @second; try_files /nothing =404; }
    location @second { return 444; }
    location /chainr { recursive_error_pages on; error_page 404 = @firstr; }
    location @firstr { recursive_error_pages on; error_page 404 = @second; try_files /nothing =404; }
  }
`),
      requests: [
        m('POST', '/up', 'localhost', { body: 'x'.repeat(20) }),
        m('PUT', '/up', 'localhost', { body: 'x'.repeat(20) }),
        m('PUT', '/up', 'localhost', { body: 'x'.repeat(5) }),
        m('POST', '/up', 'localhost', { body: 'x'.repeat(5) }),
        get('/up', 'localhost', { body: 'x'.repeat(50) }),
        m('POST', '/small?d=1', 'localhost', { body: 'x'.repeat(2000) }),
        m('POST', '/small?d=1', 'localhost', { body: 'x'.repeat(20) }),
        m('POST', '/small?k=1', 'localhost', { body: 'x'.repeat(2000) }),
        m('POST', '/free?d=1', 'localhost', { body: 'x'.repeat(2000) }),
        get('/int?i=1'),
        get('/int'),
        get('/e404'),
        get('/rw'),
        get('/chain'),
        get('/chainr'),
      ],
    },
    {
      name: 'rewrite flags and "?", set $args, return with URLs, $is_args, map on $request_uri/$args/$cookie',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server;
    location /setargs { set $args "id=7"; if ($arg_id = 7) { return 444; } return 200; }
    location /qs { set $args "\${args}&z=1"; if ($query_string ~ "z=1$") { return 444; } return 200; }
    location /isargs { set $args ""; if ($is_args) { return 444; } return 200; }
    location /redir { rewrite ^ /target redirect; return 444; }
    location /perm { rewrite ^ /target permanent; }
    location /q { rewrite ^/q(.*)$ /qq$1? last; }
    location /qa { rewrite ^/qa(.*)$ /qq$1?n=1 last; }
    location /qq { if ($args) { return 444; } return 200; }
    location /url { rewrite ^ http://example.test/x last; return 444; }
    location /ret { return 302 /elsewhere; }
    location /mapped { if ($bad_uri) { return 444; } if ($bad_args) { return 444; } if ($bad_cookie) { return 444; } return 200; }
    location /after { rewrite ^/after(.*)$ /mapped$1 last; }
  }
`,
        `  map $request_uri $bad_uri { default 0; ~*wp-login 1; "~^/mapped/x\\?a=1$" 1; }
  map $args $bad_args { default 0; ~(^|&)cmd= 1; "" 0; }
  map $cookie_session $bad_cookie { default 0; evil 1; }`,
      ),
      requests: [
        get('/setargs'),
        get('/setargs?id=8'),
        get('/qs?a=1'),
        get('/qs'),
        get('/isargs?a=1'),
        get('/redir'),
        get('/perm'),
        get('/q/x?a=1'),
        get('/qa/x?a=1'),
        get('/qq?a=1'),
        get('/url'),
        get('/ret'),
        get('/mapped/wp-login.php'),
        get('/mapped/x?a=1'),
        get('/mapped/y?cmd=ls'),
        get('/mapped/y?x=1&cmd=ls'),
        get('/mapped/y', 'localhost', { headers: { 'User-Agent': BROWSER, Cookie: 'a=1; session=evil' } }),
        get('/after/wp-login.php'),
        get('/after/y?cmd=1'),
      ],
    },
    {
      name: 'map volatile vs cached across rewrite, map from an included file, geo on $arg_*, geo ranges with delete',
      files: {
        'agents.map': '  ~*evilbot 1;\n  "~*scan(ner)?" 1;\n  Mozilla/4.0 1;\n',
      },
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server;
    location /v { set $seen_v $is_x_v; set $seen_c $is_x_c; rewrite ^ /x last; }
    location = /x { if ($is_x_v) { return 444; } return 200; }
    location /c { set $seen_c $is_x_c; rewrite ^ /y last; }
    location = /y { if ($is_x_c = 0) { return 444; } return 200; }
    location /agents { if ($bad_agent) { return 444; } return 200; }
    location /geo { if ($geo_arg = blocked) { return 444; } if ($rng = r) { return 444; } return 200; }
  }
`,
        `  map $uri $is_x_v { volatile; /x 1; default 0; }
  map $uri $is_x_c { /y 1; default 0; }
  map $http_user_agent $bad_agent { default 0; include FILES/agents.map; }
  geo $arg_ip $geo_arg { default ok; 10.0.0.0/8 blocked; 10.1.0.0/16 ok; }
  geo $rng { ranges; default -; 127.0.0.10-127.0.0.20 r; 127.0.0.15-127.0.0.16 delete; }`,
      ),
      requests: [
        get('/v'),
        get('/c'),
        get('/agents', 'localhost', ua('EvilBot/1.0')),
        get('/agents', 'localhost', ua('MyScanner')),
        get('/agents', 'localhost', ua('Mozilla/4.0')),
        get('/agents', 'localhost', ua('mozilla/4.0')),
        get('/agents', 'localhost', ua('Mozilla/4.01')),
        get('/geo?ip=10.2.3.4'),
        get('/geo?ip=10.1.3.4'),
        get('/geo?ip=nonsense'),
        get('/geo', 'localhost', { from: '127.0.0.12' }),
        get('/geo', 'localhost', { from: '127.0.0.15' }),
        get('/geo', 'localhost', { from: '127.0.0.20' }),
        get('/geo', 'localhost', { from: '127.0.0.21' }),
      ],
    },
    {
      name: 'listen sockets on two loopback addresses of one port: which server took the request',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name one.test; if ($arg_a) { return 444; } return 200; }
  server { listen 127.0.0.2:PORT default_server; server_name two.test; if ($arg_b) { return 444; } location / { return 444; } location /ok { return 200; } }
  server { listen 127.0.0.2:PORT; server_name named.test; return 444; }
`),
      requests: [
        get('/?a=1', 'one.test'),
        get('/?a=1', 'named.test'),
        get('/?b=1', 'one.test', { to: '127.0.0.2' }),
        get('/ok?b=1', 'any.test', { to: '127.0.0.2' }),
        get('/x', 'any.test', { to: '127.0.0.2' }),
        get('/ok', 'named.test', { to: '127.0.0.2' }),
        get('/ok?a=1', null, { to: '127.0.0.1' }),
      ],
    },
    {
      name: 'oversized request line and headers into error_page (414, 494), limit_except deny into a 403 page',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; server_name big.test;
    large_client_header_buffers 2 1k;
    error_page 414 = @long;
    error_page 494 = @hdr;
    location @long { return 444; }
    location @hdr { return 444; }
    location /le { limit_except GET { deny all; } error_page 403 = @le403; }
    location @le403 { return 444; }
    location / { return 200; }
  }
  server { listen 127.0.0.1:PORT; server_name other.test; large_client_header_buffers 2 1k; error_page 494 = @o; location @o { return 444; } location / { return 200; } }
`),
      requests: [
        get('/' + 'a'.repeat(1500)),
        get('/', 'big.test', { headers: { 'User-Agent': BROWSER, Cookie: 'c=' + 'x'.repeat(1500) } }),
        get('/', 'other.test', { headers: { 'User-Agent': BROWSER, Cookie: 'c=' + 'x'.repeat(1500) } }),
        get('/', 'big.test', { headers: { 'User-Agent': BROWSER, Cookie: 'c=' + 'x'.repeat(600), 'X-A': 'y'.repeat(600) } }),
        m('POST', '/le'),
        m('HEAD', '/le'),
        get('/le'),
      ],
    },
    {
      name: 'file tests, try_files and index against real files: alias (prefix and regex), $uri/, -f/-d/-e on $request_filename, an index file or its absolute fallback',
      files: { 'www/real/a.txt': 'a', 'www/tf/x.txt': 'x', 'www/tf/dir/index.html': 'i', 'www/fe/yes.txt': 'y', 'www/de/sub/': '', 'www/ix/a/index.html': 'i', 'www/ix/b/': '', 'www/d2/sub/index.html': 'i' },
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; root FILES/www;
    location /al/ { alias FILES/www/real/; try_files $uri =444; }
    location /tf/ { try_files $uri $uri/ =444; }
    location /fe/ { if (-f $request_filename) { return 444; } return 200; }
    location /de/ { if (!-e $request_filename) { return 444; } if (-d $request_filename) { return 444; } return 200; }
    location /ix/ { index index.html /drop-ix; }
    location = /drop-ix { return 444; }
    location ~ ^/ix/.*/index\\.html$ { return 444; }
    location /d2/ { try_files $uri $uri/ =404; }
    location ~ ^/d2/sub/index\\.html$ { return 444; }
    location ~ ^/rx/(.*)$ { alias FILES/www/real/$1;
      if (!-e $request_filename) { return 444; }
      return 444;
    }
  }
`),
      requests: [
        ...[get('/al/a.txt'), get('/al/b.txt'), get('/tf/x.txt'), get('/tf/y.txt'), get('/tf/dir/'), get('/fe/yes.txt'), get('/fe/no.txt')],
        ...[get('/de/sub'), get('/de/none'), get('/de/'), get('/ix/a/'), get('/ix/b/'), get('/ix/c/'), get('/rx/a.txt'), get('/rx/b.txt'), get('/d2/sub/'), get('/d2/sub')],
      ],
    },
    {
      name: 'two loopback addresses with $server_addr logged; flag variables built by several ifs; hostnames map with captures',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server; server_name one.test;
    if ($http_user_agent ~* (bot|crawl)) { set $block 1; }
    if ($request_uri ~ ^/api) { set $block "\${block}1"; }
    if ($block = 11) { return 444; }
    location / { if ($tenant = blocked) { return 444; } return 200; }
  }
  server { listen 127.0.0.2:PORT default_server; server_name two.test; if ($arg_b) { return 444; } location / { return 444; } location /ok { return 200; } }
`,
        `  log_format addr '$server_addr $remote_addr "$request" $status';
  access_log PREFIX/logs/addr.log addr;
  map $http_host $tenant { hostnames; default ok; *.bad.test blocked; ~^(?<sub>[a-z]+)\.evil\.test$ blocked; }`,
      ),
      requests: [
        get('/api/x', 'one.test', ua('Googlebot')),
        get('/web', 'one.test', ua('Googlebot')),
        get('/api/x', 'one.test'),
        get('/', 'a.bad.test'),
        get('/', 'x.evil.test'),
        get('/', 'x.good.test'),
        get('/?b=1', 'one.test', { to: '127.0.0.2' }),
        get('/x', 'two.test', { to: '127.0.0.2' }),
        get('/ok', 'two.test', { to: '127.0.0.2' }),
      ],
    },
    {
      name: 'auth_request: a 444 in the subrequest closes the main request; its 401/403 pass on, another status is a 500',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server;
    error_page 500 = /e500;
    location /a1/ { auth_request /auth403; error_page 403 = /deny; }
    location /a2/ { auth_request /auth444; }
    location /a3/ { auth_request /auth401; error_page 401 = /deny; }
    location /a4/ { satisfy any; deny all; auth_request /auth403; error_page 403 = /deny; }
    location /a5/ { auth_request /authc; }
    location /a6/ { auth_request /auth302; }
    location /a7/ { auth_request /tf/check; }
    location /tf/ { root FILES/www; try_files /nope =444; }
    location /a8/ { auth_request /nf/check; }
    location /nf/ { root FILES/www; error_page 404 = @c; }
    location @c { return 444; }
    location = /auth403 { return 403; }
    location = /auth401 { return 401; }
    location = /auth444 { return 444; }
    location = /auth302 { return 302 /x; }
    location = /authc { if ($request_uri ~ bad) { return 444; } return 204; }
    location = /deny { return 444; }
    location = /e500 { return 444; } }`),
      files: { 'www/': '' },
      requests: ['/a1/x', '/a2/x', '/a3/x', '/a4/x', '/a5/bad', '/a5/good', '/a6/x', '/a7/x', '/a8/x'].map((p) => get(p)),
    },
    {
      name: 'auth_request to a URI no location matches: the server-level try_files answers the subrequest',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; root FILES/www;
    try_files $uri =444;
    location /a/ { auth_request /gate/check; }
    location /b/ { auth_request /ok; }
    location /c/ { auth_request /gate/check; error_page 403 = @d; }
    location @d { return 444; } }`),
      files: { 'www/ok': 'x', 'www/a/x': 'x', 'www/b/x': 'x' },
      requests: ['/a/x', '/b/x', '/c/x'].map((p) => get(p)),
    },
    {
      name: 'random_index: a directory URI goes (with its args) to a random regular file of it, before the index module; a missing directory is a 404',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; root FILES/www;
    error_page 404 = @gone;
    location /r/ { random_index on; }
    location ~ \\.php$ { if ($args) { return 444; } return 444; }
    location @gone { return 444; } }`),
      files: { 'www/r/x.php': 'x', 'www/r/.hidden': 'h', 'www/r/sub/index.html': 'i', 'www/r/empty/': '' },
      requests: [get('/r/'), get('/r/?q=1'), m('POST', '/r/'), get('/r/sub/'), get('/r/none/'), get('/r/empty/')],
    },
    {
      name: 'limits whose keys were empty leave the request unlimited, so the next location\'s limit runs',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server; root FILES/www;
    location /t/ { limit_req zone=hk; try_files $uri /b/y; }
    location /b/ { limit_req zone=ip; limit_req_status 444; } }`,
        `  limit_req_zone $binary_remote_addr zone=ip:1m rate=1r/m;
  limit_req_zone $http_x_key zone=hk:1m rate=1r/m;`,
      ),
      files: { 'www/b/y': 'y' },
      requests: [get('/t/q', 'localhost', { from: '127.0.0.83' }), get('/t/q', 'localhost', { from: '127.0.0.83' })],
    },
    {
      // One limit_req_status per scenario: the harness names the rule of a limit by its status directive.
      name: 'a limit_req in an auth_request subrequest rejecting with 444 closes the main request',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server; root FILES/www;
    location /p/ { auth_request /auth/ok; }
    location /auth/ { internal; limit_req zone=ip; limit_req_status 444; } }`,
        `  limit_req_zone $binary_remote_addr zone=ip:1m rate=1r/m;`,
      ),
      files: { 'www/auth/ok': 'ok', 'www/p/x': 'x' },
      requests: [get('/p/x', 'localhost', { from: '127.0.0.91' }), get('/p/x', 'localhost', { from: '127.0.0.91' })],
    },
  ];
}

test('differential breadth (modules): our attribution of every 444 agrees with real nginx', { skip: !haveNginx && 'nginx not installed', timeout: 120_000 }, async () => {
  const { total, failures } = await runBreadth('differential modules', scenarios());
  assert.equal(failures.length, 0, `${failures.length} failures (FAIL lines above)`);
  assert.ok(total.exact > 100, `expected most lines of the Host-carrying logs exact, got ${total.exact}`);
});
