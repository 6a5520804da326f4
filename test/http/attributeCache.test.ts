// The attribution cache shares one routing among requests that differ only in facts the routing
// did not read, reading maps and geos by their answer and the path only when something looked at
// it. Whatever it shares, each answer must be the one a fresh routing of that request gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Attributor, facts, http, modelOf } from './support';
import { routeStats } from '../../server/src/core/http/route';
import type { RequestFacts } from '../../server/src/core/http/request';

const conf = http(`
map $http_user_agent $bad_bot {
  default 0;
  ~*(?:\\b)evilbot(?:\\b) 3;
  ~*scanner 3;
  "~*^curl/" 1;
  "Exact Agent" 2;
}
map $http_referer $bad_referer {
  hostnames;
  default 0;
  spam.example 1;
  *.casino.example 1;
}
map $uri $legacy { default 0; ~^/old/ 1; }
map $request_method $odd_method { default 1; GET 0; HEAD 0; }
map $http_user_agent $agent_kind { default web; "~^(\\w+)/" tool; "Exact Agent" exact; }
geo $blocked_net { default 0; 10.0.0.0/8 1; 10.1.0.0/16 0; 192.168.7.7 1; }
server {
  listen 80 default_server;
  server_name _;
  return 444;
}
server {
  listen 80;
  server_name a.test www.a.test;
  if ($bad_bot = 3) { return 444; }
  if ($blocked_net) { return 444; }
  location / {
    if ($bad_referer) { return 444; }
    if ($legacy) { return 410; }
    return 200;
  }
  location ~ \\.php$ { if ($bad_bot = 1) { return 444; } return 200; }
  location = /xmlrpc.php { return 444; }
  location /admin/ { if ($request_uri ~ "debug=1") { return 444; } return 200; }
  location /api/ { if ($args ~ token=) { return 200; } return 444; }
  # A map's regex replaces the location's captures (nginx 1.22): $1 after it depends on the agent.
  location ~ ^/cap/(\\w+)$ { if ($agent_kind = nope) { return 410; } set $c $1; if ($c = x) { return 444; } if ($c = Wget) { return 403; } return 200; }
}
server {
  listen 80;
  server_name b.test;
  rewrite ^/go/(.*)$ /$1 last;
  location /private/ { deny 10.0.0.0/8; allow all; return 200; }
  location / { if ($http_user_agent ~* mobile) { return 444; } return 200; }
  location /m/ { if ($request_method = POST) { return 444; } return 200; }
  location /mm/ { if ($odd_method) { return 444; } return 200; }
  location /le/ { limit_except GET { deny all; } error_page 403 = @drop; proxy_pass http://127.0.0.1:9; }
  location @drop { if ($request_method = HEAD) { return 410; } return 444; }
}
`);

const pools = {
  host: ['a.test', 'www.a.test', 'b.test', 'unknown.test', '-'],
  path: ['/cap/x', '/cap/Wget', '/', '/index.php', '/xmlrpc.php', '/old/page', '/admin/x', '/api/v1', '/private/k', '/go/private/k', '/go/xmlrpc.php', '/.env', '/a//b', '/%2e%2e/x', '/x.php', '/m/x', '/mm/x', '/le/x', '/go/le/'],
  query: ['', '?debug=1', '?token=abc', '?a=b'],
  method: ['GET', 'POST', 'HEAD', 'PUT', 'TRACE', 'CONNECT', 'OPTIONS'],
  protocol: ['HTTP/1.1', 'HTTP/1.0'],
  ua: ['Wget/1.0', 'Mozilla/5.0', 'EvilBot/2.0', 'my scanner', 'curl/8.0', 'Exact Agent', 'exact agent', 'Mobile Safari', null],
  referer: ['http://spam.example/', 'spam.example', 'x.casino.example', 'ok.example', null],
  addr: ['10.2.3.4', '10.1.2.3', '192.168.7.7', '203.0.113.5', '10.9.9.9'],
};

const request = fc.record({
  host: fc.constantFrom(...pools.host),
  path: fc.constantFrom(...pools.path),
  query: fc.constantFrom(...pools.query),
  method: fc.constantFrom(...pools.method),
  protocol: fc.constantFrom(...pools.protocol),
  ua: fc.constantFrom(...pools.ua),
  referer: fc.constantFrom(...pools.referer),
  addr: fc.constantFrom(...pools.addr),
  logsHost: fc.boolean(),
  // A format logging $uri / $args (the values at log time, which prune histories).
  loggedUri: fc.constantFrom(undefined, '/', '/xmlrpc.php', '/le/x', '/private/k', 'path'),
  loggedArgs: fc.constantFrom(undefined, null, 'debug=1', 'token=abc'),
});

type Req = typeof request extends fc.Arbitrary<infer T> ? T : never;

function toFacts(r: Req): RequestFacts {
  return facts({
    request: `${r.method} ${r.path}${r.query} ${r.protocol}`,
    host: r.logsHost ? r.host : undefined,
    serverPort: 80,
    remoteAddr: r.addr,
    vars: {
      http_user_agent: r.ua,
      http_referer: r.referer,
      ...(r.loggedUri !== undefined && { uri: r.loggedUri === 'path' ? r.path : r.loggedUri }),
      ...(r.loggedArgs !== undefined && { args: r.loggedArgs }),
    },
  });
}

const view = (a: ReturnType<Attributor['attribute']>) => ({
  verdict: a.verdict,
  rules: a.rules.map((r) => `${r.range.start.line + 1}:${r.range.start.character + 1}`),
  why: a.why,
  missing: [...a.missing].sort(),
});

test('the attribution cache answers every request as a fresh routing would', () => {
  const model = modelOf(conf);
  fc.assert(
    fc.property(fc.array(request, { minLength: 20, maxLength: 120 }), fc.constantFrom(444, 200, 410, 403), (reqs, status) => {
      const shared = new Attributor(model);
      const before = routeStats.routes;
      for (const r of reqs) {
        const f = toFacts(r);
        const cached = view(shared.attribute(f, status));
        const fresh = view(new Attributor(model).attribute(f, status));
        assert.deepEqual(cached, fresh, JSON.stringify(r));
      }
      return routeStats.routes - before <= reqs.length * 2;
    }),
    { seed: 4_441, numRuns: 150 },
  );
});

test('requests that differ only in what nobody read share one routing', () => {
  const model = modelOf(conf);
  const a = new Attributor(model);
  const base = { request: 'GET /anything/at/all HTTP/1.1', host: 'a.test', serverPort: 80, remoteAddr: '203.0.113.5' };
  const before = routeStats.routes;
  // Two blocklisted agents: $bad_bot answers 3 for both, the server-level if drops both before
  // any location is looked at, so neither the agent nor the path is part of the answer.
  const x = a.attribute(facts({ ...base, vars: { http_user_agent: 'EvilBot/1', http_referer: null } }), 444);
  const afterFirst = routeStats.routes;
  const y = a.attribute(facts({ ...base, request: 'GET /other HTTP/1.1', vars: { http_user_agent: 'a scanner', http_referer: 'x' } }), 444);
  assert.equal(x.verdict, 'exact');
  assert.deepEqual(view(x).rules, view(y).rules);
  assert.ok(afterFirst > before);
  assert.equal(routeStats.routes, afterFirst, 'the second request reused the first routing');
  // A path that needs normalising is never shared: nginx may answer 400 from it.
  a.attribute(facts({ ...base, request: 'GET /%zz HTTP/1.1', vars: { http_user_agent: 'EvilBot/1', http_referer: null } }), 444);
  assert.equal(routeStats.routes, afterFirst + 1);
});

test('requests that differ only in their method share one routing unless something read it', () => {
  const model = modelOf(conf);
  const a = new Attributor(model);
  const line = (method: string, path: string, ua = 'EvilBot/1') =>
    facts({ request: `${method} ${path} HTTP/1.1`, host: 'a.test', serverPort: 80, remoteAddr: '203.0.113.5', vars: { http_user_agent: ua, http_referer: null } });
  // The server-level drop looks at the agent only.
  const before = routeStats.routes;
  const x = a.attribute(line('GET', '/x'), 444);
  const afterFirst = routeStats.routes;
  const y = a.attribute(line('PUT', '/x'), 444);
  assert.equal(x.verdict, 'exact');
  assert.deepEqual(view(x), view(y));
  assert.ok(afterFirst > before);
  assert.equal(routeStats.routes, afterFirst, 'PUT reused the GET routing');
  // TRACE never reaches a rule: it has its own key.
  assert.equal(a.attribute(line('TRACE', '/x'), 444).verdict, 'unmatched');
  // `if ($request_method = POST)` reads it: GET and POST part.
  const b = (method: string) =>
    facts({ request: `${method} /m/x HTTP/1.1`, host: 'b.test', serverPort: 80, remoteAddr: '203.0.113.5', vars: { http_user_agent: 'Mozilla/5.0', http_referer: null } });
  assert.equal(a.attribute(b('POST'), 444).verdict, 'exact');
  assert.equal(a.attribute(b('GET'), 444).verdict, 'unmatched');
  assert.equal(a.attribute(b('DELETE'), 444).verdict, 'unmatched');
  assert.equal(a.attribute(b('POST'), 444).verdict, 'exact');
  // limit_except GET (which allows HEAD too).
  const le = (method: string) =>
    facts({ request: `${method} /le/x HTTP/1.1`, host: 'b.test', serverPort: 80, remoteAddr: '203.0.113.5', vars: { http_user_agent: 'Mozilla/5.0', http_referer: null } });
  const excluded = (method: string) => a.attribute(le(method), 444).why.includes('excluded by limit_except');
  assert.deepEqual(['GET', 'POST', 'HEAD', 'PUT', 'GET'].map(excluded), [false, true, false, true, false]);
});

test('captures a map\'s regex left behind are part of the key when the routing reads them', () => {
  // $agent_kind is "tool" for both agents, but its regex leaves $1 = Wget or Mozilla (nginx 1.22
  // keeps a map's captures), which /cap/ reads after it.
  const model = modelOf(conf);
  const a = new Attributor(model);
  const at = (ua: string) => facts({ request: 'GET /cap/x HTTP/1.1', host: 'a.test', serverPort: 80, remoteAddr: '203.0.113.5', vars: { http_user_agent: ua, http_referer: null } });
  assert.equal(a.attribute(at('Mozilla/5.0'), 403).verdict, 'unmatched');
  assert.equal(a.attribute(at('Wget/1.0'), 403).verdict, 'exact');
  assert.equal(a.attribute(at('Wget/2.0'), 444).verdict, 'unmatched');
});
