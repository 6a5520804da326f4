// The status nginx logs when a 444 follows an error page, plain HTTP on a TLS port (497), and geo
// over a value that is no address. Each checked against nginx 1.22 in differential-admin.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Attributor, facts, http, lineOf, modelOf, outcomesOf } from './support';
import { geoValue } from '../../server/src/core/http/lookup';

test('error_page without "=" keeps the error status in the log even when its page closes with return 444', () => {
  // ngx_http_special_response_handler sets r->err_status; only `=` (bare or with a code) replaces
  // it; $status reads err_status before headers_out.status, which the close set to 444.
  const conf = http(`
server { listen 80;
  location /kept { error_page 404 @drop; }
  location /reset { error_page 404 = @drop; }
  location /other { error_page 404 =403 @drop; }
  location /deny { deny all; error_page 403 @drop; }
  location @drop { return 444; }
}`);
  const m = modelOf(conf);
  const req = (path: string) => facts({ request: `GET ${path} HTTP/1.1`, host: 'h', serverPort: 80, remoteAddr: '192.0.2.1' });
  const drop = lineOf(conf, 'location @drop');
  const statuses = (path: string) => outcomesOf(m, req(path)).map((o) => o.split(/[:@]/)[0]);
  assert.ok(!statuses('/kept/x').includes('444'), outcomesOf(m, req('/kept/x')).join(' '));
  assert.ok(outcomesOf(m, req('/kept/x')).includes(`404:${drop}`));
  assert.ok(outcomesOf(m, req('/reset/x')).includes(`444:${drop}`));
  assert.ok(!statuses('/other/x').includes('444'));
  assert.deepEqual(outcomesOf(m, req('/deny/x')), [`403:${drop}`]);
});

test('a 444 line in a server beside a `error_page 404 @drop` one is not blamed on that drop', () => {
  const conf = http(`
server { listen 80 default_server; error_page 404 @drop; location @drop { return 444; } }
server { listen 80; server_name b.test; location /b { return 444; } }`);
  const m = modelOf(conf);
  // No Host logged: either server could have taken GET /b, but only b.test's rule logs 444.
  const a = new Attributor(m).attribute(facts({ request: 'GET /b HTTP/1.1', serverPort: 80 }), 444);
  assert.equal(a.verdict, 'exact', a.why);
  assert.equal(a.rules[0].range.start.line + 1, lineOf(conf, 'location /b'));
});

test('plain HTTP sent to an ssl listen: 497 at the Host-chosen server, into its error_page', () => {
  const conf = http(`
server { listen 443 ssl; server_name s.test;
  error_page 497 = @plain;
  location @plain { return 444; }
  location / { return 200; }
}`);
  const m = modelOf(conf);
  const plain = lineOf(conf, 'location @plain');
  const base = { request: 'GET / HTTP/1.1', host: 's.test', serverPort: 443 };
  // $scheme not logged: the only 444 is the plain-HTTP one.
  assert.deepEqual(outcomesOf(m, facts(base)).filter((o) => o.startsWith('444')), [`444:${plain}`]);
  const a = new Attributor(m).attribute(facts(base), 444);
  assert.equal(a.verdict, 'exact', a.why);
  assert.equal(a.rules[0].range.start.line + 1, plain);
  // $scheme logged: https never reaches the page, http always does.
  assert.ok(!outcomesOf(m, facts({ ...base, scheme: 'https' })).some((o) => o.startsWith('444')));
  assert.deepEqual(outcomesOf(m, facts({ ...base, scheme: 'http' })).filter((o) => o !== '400'), [`444:${plain}`]);
  // Without `=` the page answers as 400 (ngx_http_core_error_page), so its close logs 400.
  const m2 = modelOf(conf.replace('error_page 497 = @plain', 'error_page 497 @plain'));
  // (The plain '400': the same line from a request without Host, refused before the 497.)
  assert.deepEqual(outcomesOf(m2, facts({ ...base, scheme: 'http' })), ['400', `400:${plain}`]);
});

test('geo over a value that is no address looks up 255.255.255.255 (INADDR_NONE), in cidr and ranges geos', () => {
  const m = modelOf(http(`
geo $http_x_forwarded_for $cidr { default d; 10.0.0.0/8 ten; 255.255.255.255 none; }
geo $http_x_forwarded_for $rng { ranges; default d; 255.255.255.0-255.255.255.255 none; }
geo $http_x_forwarded_for $plain { default d; 10.0.0.0/8 ten; }
server { listen 80; }`));
  const cidr = m.geos.get('cidr')!;
  const rng = m.geos.get('rng')!;
  assert.equal(geoValue(cidr, '10.1.2.3'), 'ten');
  assert.equal(geoValue(cidr, '10.1.2.3, 127.0.0.1'), 'none');
  assert.equal(geoValue(cidr, ''), 'none');
  assert.equal(geoValue(cidr, 'not-an-ip'), 'none');
  assert.equal(geoValue(rng, 'x'), 'none');
  assert.equal(geoValue(m.geos.get('plain')!, '10.1.2.3, 127.0.0.1'), 'd');
  // ngx_inet_addr reads an empty octet as 0.
  assert.equal(geoValue(cidr, '10..2.3'), 'ten');
});

test('access_log: the format is the second argument, whatever parameters follow (gzip without a level)', async () => {
  const { accessLogsOf } = await import('../../server/src/core/http/route');
  const m = modelOf(http(`
log_format vhost '$host "$request" $status';
server { listen 80; access_log /var/log/nginx/a.log vhost gzip; access_log /var/log/nginx/b.log vhost buffer=32k gzip=4 flush=5s if=$x; }`));
  const defs = accessLogsOf(m, m.servers[0].scope);
  assert.deepEqual(defs.map((d) => [d.resolvedPath, d.format, !!d.ifCond]), [
    ['/var/log/nginx/a.log', 'vhost', false],
    ['/var/log/nginx/b.log', 'vhost', true],
  ]);
});
