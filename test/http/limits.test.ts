// limit_req / limit_conn in the preaccess phase: whether one rejected a request is not in the log,
// unless $limit_req_status / $limit_conn_status are (REJECTED, PASSED, DELAYED, ... or empty).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Attributor, facts, http, lineOf, modelOf, outcomesOf } from './support';

const conf = http(`
limit_req_zone $binary_remote_addr zone=z:1m rate=1r/s;
limit_conn_zone $binary_remote_addr zone=c:1m;
server {
  listen 80;
  location /x {
    limit_req zone=z;
    limit_req_status 444;
    limit_conn c 1;
    limit_conn_status 444;
  }
}
`);

test('the logged limit status variables decide which limit dropped a request', () => {
  const m = modelOf(conf);
  const at = (vars: Record<string, string | null>) =>
    new Attributor(m).attribute(facts({ request: 'GET /x HTTP/1.1', host: 'h', serverPort: 80, remoteAddr: '192.0.2.1', vars }), 444);
  const req = lineOf(conf, 'limit_req_status 444');
  const conn = lineOf(conf, 'limit_conn_status 444');
  const lines = (a: ReturnType<typeof at>) => a.rules.map((r) => r.range.start.line + 1).sort();
  const unlogged = at({});
  assert.equal(unlogged.verdict, 'ambiguous');
  assert.deepEqual(lines(unlogged), [req, conn].sort());
  const byReq = at({ limit_req_status: 'REJECTED', limit_conn_status: null });
  assert.equal(byReq.verdict, 'exact');
  assert.deepEqual(lines(byReq), [req]);
  const byConn = at({ limit_req_status: 'PASSED', limit_conn_status: 'REJECTED' });
  assert.equal(byConn.verdict, 'exact');
  assert.deepEqual(lines(byConn), [conn]);
  // Neither rejected: no rule of this configuration logs 444 for it.
  assert.equal(at({ limit_req_status: 'PASSED', limit_conn_status: 'PASSED' }).verdict, 'unmatched');
  // The cache keys on the logged statuses: one attributor, each answer as fresh.
  const shared = new Attributor(m);
  const cases: Record<string, string | null>[] = [{}, { limit_req_status: 'REJECTED' }, { limit_req_status: 'PASSED', limit_conn_status: 'REJECTED' }, { limit_req_status: 'PASSED', limit_conn_status: 'PASSED' }];
  for (const vars of cases) {
    const f = facts({ request: 'GET /x HTTP/1.1', host: 'h', serverPort: 80, remoteAddr: '192.0.2.1', vars });
    assert.deepEqual(shared.attribute(f, 444).rules, new Attributor(m).attribute(f, 444).rules, JSON.stringify(vars));
  }
});

test('$limit_req_status is not found before the preaccess phase, then what the limit decided', () => {
  // r->main->limit_req_status (a not cacheable variable); a map over it is evaluated at log time.
  const conf = http(`
log_format n '$status';
map $http_user_agent $bot { default 0; ~*bot 1; }
map $limit_req_status $rejected { REJECTED 1; default 0; }
limit_req_zone $binary_remote_addr zone=z:1m rate=1r/m;
server { listen 80; server_name _;
  access_log /var/log/nginx/limited.log n if=$rejected;
  access_log /var/log/nginx/all.log n;
  limit_req zone=z nodelay; limit_req_status 444;
  location /a { if ($bot) { return 444; } }
  location /b { if ($limit_req_status = "") { return 444; } }
}`);
  const m = modelOf(conf);
  const limited = new Attributor(m, { logFile: '/var/log/nginx/limited.log' }).attribute(facts({ vars: {} }), 444);
  assert.equal(limited.verdict, 'exact', limited.why);
  assert.equal(limited.rules[0].range.start.line + 1, lineOf(conf, 'limit_req zone=z'));
  // In the rewrite phase the limit has not run yet: the `if` in /b always holds.
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET /b HTTP/1.1', host: 'x', vars: {} })), [`444:${lineOf(conf, 'location /b')}`]);
  assert.equal(new Attributor(m, { logFile: '/var/log/nginx/all.log' }).attribute(facts({ vars: {} }), 444).rules.length, 3);
});

test('limit_req rejected, then the error_page target\'s limit_conn rejects with 444: limit_conn had not run yet', () => {
  const conf = http(`
limit_req_zone $binary_remote_addr zone=r:1m rate=1r/m;
limit_conn_zone $binary_remote_addr zone=c:1m;
server { listen 80; server_name a.test;
  limit_req zone=r; limit_conn c 1; limit_conn_status 444;
  error_page 503 = /busy;
  location / { proxy_pass http://127.0.0.1:9; }
  location = /busy { try_files /busy.html =444; }
}`);
  const m = modelOf(conf);
  const f = facts({ request: 'GET /x HTTP/1.1', host: 'a.test', serverPort: 80, remoteAddr: '127.0.0.41', vars: { limit_req_status: 'REJECTED', limit_conn_status: 'REJECTED' } });
  const a = new Attributor(m).attribute(f, 444);
  assert.equal(a.verdict, 'exact', a.why);
  assert.equal(a.rules[0].range.start.line + 1, lineOf(conf, 'limit_conn_status 444'));
});

test('a logged limit status is found only where a limit ran: a rewrite-phase 444 logs "-"', () => {
  const conf = http(`
limit_req_zone $binary_remote_addr zone=r:1m rate=1r/m;
limit_req_status 444;
server { listen 80 default_server; return 444; }
server { listen 80; server_name a.test; location / { limit_req zone=r; try_files $uri =404; } }`);
  const m = modelOf(conf);
  const at = (status: string | null) => new Attributor(m).attribute(facts({ request: 'GET / HTTP/1.1', serverPort: 80, remoteAddr: '192.0.2.1', vars: { limit_req_status: status } }), 444);
  // Host not logged: REJECTED is the limit's; "-" is the default server's return.
  assert.equal(at('REJECTED').verdict, 'exact');
  assert.equal(at('REJECTED').rules[0].range.start.line + 1, lineOf(conf, 'limit_req_status 444'));
  assert.equal(at(null).verdict, 'exact');
  assert.equal(at(null).rules[0].range.start.line + 1, lineOf(conf, 'default_server'));
});
