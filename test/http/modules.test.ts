// Router rules for split_clients, valid_referers, satisfy/auth_basic, client_max_body_size, `set
// $args`, rewrite into internal locations and volatile maps (each also checked against real nginx
// in differential-modules.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { murmurHash2, splitClientsOf, splitValue } from '../../server/src/core/http/lookup';
import { route } from '../../server/src/core/http/route';
import { facts, http, lineOf, modelOf, one, outcomesOf } from './support';

const known = (request: string, vars: Record<string, string | null> = {}, remoteAddr = '192.0.2.1') =>
  facts({ request, host: 'localhost', serverPort: 80, remoteAddr, vars });

test('split_clients: MurmurHash2 of the bytes as ngx_murmur_hash2 computes it', () => {
  // Reference values from nginx's C function compiled as is.
  const ref: [string, number][] = [
    ['', 0],
    ['a', 2456313694],
    ['ab', 446775395],
    ['abc', 324500635],
    ['abcd', 646393889],
    ['abcde', 1594468574],
    ['127.0.0.2AAA', 2639344089],
    ['\xff\xfe\x80', 2735668869],
    ['curl/8.0', 924240616],
  ];
  for (const [k, h] of ref) assert.equal(murmurHash2(k), h, JSON.stringify(k));
});

test('split_clients: cumulative percentages, `*`, a sum under 100% leaves the rest empty', () => {
  const conf = http(`
split_clients "\${remote_addr}AAA" $bucket { 33.3% a; 33.3% b; * c; }
split_clients $http_user_agent $uas { 10% x; 0.5% y; 20% z; }
server { listen 80; location / { if ($bucket = a) { return 444; } if ($bucket = b) { return 401; } return 402; } }
`);
  const m = modelOf(conf);
  const sc = splitClientsOf(m).get('bucket')!;
  assert.deepEqual(
    sc.parts.map((p) => p.value),
    ['a', 'b', 'c'],
  );
  // 33.3% of 0xffffffff, floored, then twice that; `*` takes the rest.
  assert.equal(sc.parts[0].below, Math.floor((3330 * 0xffffffff) / 10000));
  assert.equal(sc.parts[1].below, 2 * Math.floor((3330 * 0xffffffff) / 10000));
  assert.equal(sc.parts[2].below, 0);
  const expect = (addr: string) => {
    const h = murmurHash2(addr + 'AAA');
    return h < sc.parts[0].below ? 444 : h < sc.parts[1].below ? 401 : 402;
  };
  for (const n of [2, 3, 4, 5, 6, 7, 8, 9]) {
    const addr = `127.0.0.${n}`;
    assert.equal(one(m, known('GET / HTTP/1.1', {}, addr)).status, expect(addr), addr);
  }
  const uas = splitClientsOf(m).get('uas')!;
  // murmurHash2('curl/8.0') = 924240616: past 10.5% (450971566), below 30.5% (1309965025); 'a' is past 30.5%.
  assert.equal(splitValue(uas, 'curl/8.0'), 'z');
  assert.equal(splitValue(uas, 'a'), '');
  // Without the address the bucket is unknown: every branch is possible.
  const loc = lineOf(conf, 'location /');
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET / HTTP/1.1', host: 'localhost', serverPort: 80 })), [`401:${loc}`, `402:${loc}`, `444:${loc}`]);
});

test('valid_referers: a Referer logged empty (JSON "") may have been absent or empty', () => {
  const conf = http(`
server { listen 80;
  location /b/ { valid_referers blocked good.test; if ($invalid_referer) { return 444; } return 200; }
  location /n/ { valid_referers none good.test; if ($invalid_referer) { return 444; } return 200; }
  location /nb/ { valid_referers none blocked good.test; if ($invalid_referer) { return 444; } return 200; }
}
`);
  const m = modelOf(conf);
  const b = lineOf(conf, 'location /b/');
  const n = lineOf(conf, 'location /n/');
  for (const v of ['', null]) {
    // Absent is invalid for `blocked` alone, empty is valid: both histories.
    assert.deepEqual(outcomesOf(m, known('GET /b/x HTTP/1.1', { http_referer: v })), [`200:${b}`, `444:${b}`]);
    assert.deepEqual(outcomesOf(m, known('GET /n/x HTTP/1.1', { http_referer: v })), [`200:${n}`, `444:${n}`]);
    assert.equal(one(m, known('GET /nb/x HTTP/1.1', { http_referer: v })).status, 200);
  }
  assert.equal(one(m, known('GET /b/x HTTP/1.1', { http_referer: 'foo' })).status, 200);
  assert.equal(one(m, known('GET /n/x HTTP/1.1', { http_referer: 'http://evil.test/' })).status, 444);
});

test('satisfy any: an auth refusal answers 401 even when deny matched; no user name is always refused', () => {
  const conf = http(`
server { listen 80;
  error_page 401 = @unauth;
  error_page 403 = @forbidden;
  location /any { satisfy any; allow 10.0.0.1; deny all; auth_basic "x"; auth_basic_user_file /etc/htpasswd; }
  location /all { allow 192.0.2.0/24; deny all; auth_basic "x"; auth_basic_user_file /etc/htpasswd; }
  location /nofile { auth_basic "x"; if ($arg_a) { return 444; } }
  location @unauth { return 444; }
  location @forbidden { return 444; }
}
`);
  const m = modelOf(conf);
  const unauth = lineOf(conf, '@unauth {');
  const forbidden = lineOf(conf, '@forbidden {');
  // $remote_user logged as "-": no user name, auth_basic answers 401, which sticks over deny's 403.
  assert.equal(one(m, known('GET /any HTTP/1.1', { remote_user: null })).rule!.range.start.line + 1, unauth);
  // Allowed by address: auth_basic never runs (the content handler may still answer 401/403).
  const allowed = route(m, known('GET /any HTTP/1.1', { remote_user: null }, '10.0.0.1')).outcomes;
  assert.ok(allowed.some((o) => o.status === 'content'));
  assert.ok(allowed.every((o) => !o.path.some((p) => p.includes('auth_basic'))));
  // A user name: the password may or may not have matched.
  assert.deepEqual(outcomesOf(m, known('GET /any HTTP/1.1', { remote_user: 'bob' })).includes(`444:${unauth}`), true);
  assert.deepEqual(outcomesOf(m, known('GET /any HTTP/1.1', { remote_user: 'bob' })).includes(`444:${forbidden}`), true);
  // satisfy all: the access module runs first; its 403 comes before any 401.
  assert.equal(one(m, known('GET /all HTTP/1.1', { remote_user: null }, '10.9.9.9')).rule!.range.start.line + 1, forbidden);
  assert.equal(one(m, known('GET /all HTTP/1.1', { remote_user: null })).rule!.range.start.line + 1, unauth);
  // auth_basic without a user file declines.
  assert.equal(one(m, known('GET /nofile?a=1 HTTP/1.1', { remote_user: null })).rule!.range.start.line + 1, lineOf(conf, 'location /nofile'));
});

test('client_max_body_size: a larger Content-Length is a 413 before the location rewrite phase', () => {
  const conf = http(`
server { listen 80;
  client_max_body_size 10;
  error_page 413 = @big;
  location /up { if ($request_method = PUT) { return 444; } }
  location /free { client_max_body_size 0; if ($request_method = PUT) { return 444; } }
  location /plain { client_max_body_size 1k; if ($request_method = PUT) { return 444; } error_page 404 /x; }
  location @big { return 444; }
}
`);
  const m = modelOf(conf);
  const big = lineOf(conf, '@big {');
  const up = lineOf(conf, 'location /up');
  assert.equal(one(m, known('PUT /up HTTP/1.1', { content_length: '20' })).rule!.range.start.line + 1, big);
  assert.equal(one(m, known('PUT /up HTTP/1.1', { content_length: '10' })).rule!.range.start.line + 1, up);
  assert.equal(one(m, known('PUT /up HTTP/1.1', { http_content_length: null })).rule!.range.start.line + 1, up);
  // Not logged: either.
  assert.deepEqual(outcomesOf(m, known('PUT /up HTTP/1.1')), [`444:${big}`, `444:${up}`]);
  // 0 disables the check; without an error_page for 413 a 413 is never a 444.
  assert.equal(one(m, known('PUT /free HTTP/1.1')).rule!.range.start.line + 1, lineOf(conf, 'location /free'));
  assert.deepEqual(outcomesOf(m, known('PUT /plain HTTP/1.1')), [`444:${lineOf(conf, 'location /plain')}`]);
});

test('set $args changes r->args: $arg_*, $query_string, $is_args and later redirects see it', () => {
  const conf = http(`
server { listen 80;
  location /a { set $args "id=7"; if ($arg_id = 7) { return 444; } return 200; }
  location /q { set $args "\${args}&z=1"; if ($query_string ~ "z=1$") { return 444; } return 200; }
  location /i { set $args ""; if ($is_args) { return 444; } return 200; }
  location /r { rewrite ^ /t?x=1 last; }
  location /t { if ($is_args) { return 444; } return 200; }
}
`);
  const m = modelOf(conf);
  assert.equal(one(m, known('GET /a?id=8 HTTP/1.1')).status, 444);
  assert.equal(one(m, known('GET /q HTTP/1.1')).status, 444);
  assert.equal(one(m, known('GET /i?x=1 HTTP/1.1')).status, 200);
  assert.equal(one(m, known('GET /r HTTP/1.1')).status, 444);
});

test('a rewritten URI is internal: it may enter an `internal` location', () => {
  const conf = http(`
server { listen 80;
  location /rw { rewrite ^ /int last; }
  location /int { internal; return 444; }
}
`);
  const m = modelOf(conf);
  assert.equal(one(m, known('GET /rw HTTP/1.1')).status, 444);
  assert.equal(one(m, known('GET /int HTTP/1.1')).status, 404);
});

test('map: cached for the request after its first use, unless volatile', () => {
  const conf = http(`
map $uri $vol { volatile; /x 1; default 0; }
map $uri $cached { /x 1; default 0; }
server { listen 80;
  location /v { set $s $vol; rewrite ^ /x last; }
  location /c { set $s $cached; rewrite ^ /y last; }
  location = /x { if ($vol) { return 444; } return 200; }
  location = /y { if ($cached = 0) { return 444; } return 200; }
}
`);
  const m = modelOf(conf);
  assert.equal(one(m, known('GET /v HTTP/1.1')).status, 444);
  assert.equal(one(m, known('GET /c HTTP/1.1')).status, 444);
});

test('error_page 494: an unlogged header overflow is a possible history at the Host-chosen or default server', () => {
  const conf = http(`
server { listen 80 default_server; server_name big.test; error_page 494 = @hdr; location @hdr { return 444; }
  location / { if ($arg_a) { return 444; } } }
server { listen 80; server_name other.test; location / { return 200; } }
server { listen 80; server_name third.test; error_page 494 = @o; location @o { return 444; } location / { return 200; } }
`);
  const m = modelOf(conf);
  const hdr = lineOf(conf, 'big.test');
  const third = lineOf(conf, 'third.test');
  const req = (host: string, path = '/') => facts({ request: `GET ${path} HTTP/1.1`, host, httpHost: host, serverPort: 80, vars: {} });
  // The overflow may have come before or after the Host header: the default server's page, or third.test's.
  assert.deepEqual(outcomesOf(m, req('third.test')), [`200:${third}`, `444:${third}`, `444:${hdr}`].sort());
  // other.test has no error_page 494: only the default server's page can log 444.
  assert.deepEqual(outcomesOf(m, req('other.test')), [`200:${lineOf(conf, 'other.test')}`, `444:${hdr}`].sort());
  // The page's rule and the location's own rule stay apart.
  assert.deepEqual(outcomesOf(m, req('big.test', '/?a=1')), [`444:${hdr}`, `444:${hdr + 1}`]);
});

test('split_clients, map and geo defining one variable: the last definition is the one nginx uses', () => {
  // Checked with nginx 1.22: a=fromSplit, b=fromGeo.
  const conf = http(`
map $http_x $a { default fromMap; }
split_clients $http_x $a { * fromSplit; }
split_clients $http_x $b { * fromSplit; }
geo $b { default fromGeo; }
server { listen 80;
  location /a { if ($a = fromSplit) { return 444; } return 200; }
  location /b { if ($b = fromGeo) { return 444; } return 200; }
}`);
  const m = modelOf(conf);
  assert.equal(one(m, known('GET /a HTTP/1.1', { http_x: 'k' })).status, 444);
  assert.equal(one(m, known('GET /b HTTP/1.1', { http_x: 'k' })).status, 444);
  assert.equal(splitClientsOf(m).has('b'), false);
});
