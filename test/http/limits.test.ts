// limit_req / limit_conn in the preaccess phase: whether one rejected a request is not in the log,
// unless $limit_req_status / $limit_conn_status are (REJECTED, PASSED, DELAYED, ... or empty).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Attributor, facts, http, lineOf, modelOf } from './support';

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
