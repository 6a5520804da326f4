// $proxy_protocol_* as the router derives them (checked against real nginx in
// differential-modules2.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facts, http, lineOf, modelOf, one, outcomesOf } from './support';

const req = (remoteAddr: string, vars: Record<string, string | null> = {}, serverPort = 80) =>
  facts({ request: 'GET / HTTP/1.1', host: 'localhost', serverPort, remoteAddr, vars });

test('proxy_protocol: a socket without it has an empty $proxy_protocol_addr; one with it, unknown unless logged', () => {
  const conf = http(`server { listen 80; listen 81 proxy_protocol;
    location / { if ($proxy_protocol_addr = "") { return 444; } return 403; } }`);
  const m = modelOf(conf);
  assert.equal(one(m, req('192.0.2.1')).status, 444);
  assert.deepEqual(outcomesOf(m, req('192.0.2.1', {}, 81)).map((o) => o.split(':')[0]), ['403', '444']);
  assert.equal(one(m, req('192.0.2.1', { proxy_protocol_addr: '198.51.100.5' }, 81)).status, 403);
  // Logged as "-": not found ("PROXY UNKNOWN"); the header cannot carry a literal "-".
  assert.equal(one(m, req('192.0.2.1', { proxy_protocol_addr: null }, 81)).status, 444);
});

test('proxy_protocol: realip from the header gives $proxy_protocol_addr when the trusted connection address is logged and differs', () => {
  const conf = http(`map $proxy_protocol_addr $bad { default 0; ~^203\\.0\\.113\\. 1; }
server { listen 80 proxy_protocol; set_real_ip_from 10.0.0.0/8; real_ip_header proxy_protocol;
  location / { if ($bad) { return 444; } return 403; } }`);
  const m = modelOf(conf);
  const drop = lineOf(conf, 'return 444');
  assert.equal(one(m, req('203.0.113.7', { realip_remote_addr: '10.1.2.3' })).rule!.range.start.line + 1, drop);
  assert.equal(one(m, req('198.51.100.5', { realip_remote_addr: '10.1.2.3' })).status, 403);
  // Untrusted connection (realip did not run), an unchanged address ("PROXY UNKNOWN", or the
  // header named the proxy itself), or no connection address: the header's address is unknown.
  for (const vars of [{ realip_remote_addr: '192.0.2.9' }, { realip_remote_addr: '10.1.2.3' }, {}] as Record<string, string>[]) {
    const addr = vars.realip_remote_addr === '10.1.2.3' ? '10.1.2.3' : '203.0.113.7';
    assert.deepEqual(outcomesOf(m, req(addr, vars)).map((o) => o.split(':')[0]), ['403', '444'], JSON.stringify(vars));
  }
  // A location's own realip (another header) may run where the server's declined.
  const loc = modelOf(conf.replace('location / {', 'location / { real_ip_header X-Real-IP;'));
  assert.deepEqual(outcomesOf(loc, req('203.0.113.7', { realip_remote_addr: '10.1.2.3' })).map((o) => o.split(':')[0]), ['403', '444']);
});
