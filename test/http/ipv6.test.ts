// IPv6 clients in geo and allow/deny, as ngx_http_geo_module and ngx_http_access_module decide:
// per-family lists, IPv4-mapped addresses read as IPv4, `default` in both geo trees, and a ranges
// geo looking an IPv6 client up as 255.255.255.255.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Attributor, facts, http, modelOf, outcomesOf, lineOf } from './support';
import { forwardedAddr, ipv6ToBigInt, parseCidr6, v4Mapped } from '../../server/src/core/http/ip';
import { geoValue } from '../../server/src/core/http/lookup';

test('IPv6 text: compressed forms, dotted tails, brackets; malformed ones are not addresses', () => {
  const hex = (s: string) => ipv6ToBigInt(s)?.toString(16);
  assert.equal(hex('::1'), '1');
  assert.equal(hex('::'), '0');
  assert.equal(hex('2001:DB8::1'), '20010db8000000000000000000000001');
  assert.equal(hex('1:2:3:4:5:6:7:8'), '10002000300040005000600070008');
  assert.equal(hex('::ffff:192.0.2.1'), 'ffffc0000201');
  assert.equal(hex('[::1]'), '1');
  for (const bad of ['1:2:3:4:5:6:7:8:9', '1:::2', ':1', '1::2::3', 'fe80::1%eth0', '12345::', '::1.2.3.256', '1.2.3.4', 'unix:'])
    assert.equal(ipv6ToBigInt(bad), undefined, bad);
  assert.equal(v4Mapped(ipv6ToBigInt('::ffff:10.1.2.3')!), 0x0a010203);
  assert.equal(v4Mapped(ipv6ToBigInt('2001:db8::a01:203')!), undefined);
  const net = parseCidr6('2001:db8:ffff::7/32')!;
  assert.equal(net.lo, ipv6ToBigInt('2001:db8::'));
  assert.equal(net.hi, ipv6ToBigInt('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'));
  assert.equal(parseCidr6('::/129'), undefined);
});

test('geo: IPv6 networks by longest prefix, default in both families, mapped addresses as IPv4, ranges at 255.255.255.255', () => {
  const m = modelOf(
    http(`
geo $g { default d; 10.0.0.0/8 ten; 2001:db8::/32 doc; 2001:db8:1::/48 doc1; ::1 lo; }
geo $plain { 10.0.0.0/8 ten; }
geo $r { ranges; default d; 10.0.0.0-10.255.255.255 ten; 255.255.255.0-255.255.255.255 top; }
server { listen 80; return 200; }
`),
  );
  const g = m.geos.get('g')!;
  assert.equal(geoValue(g, '2001:db8::5'), 'doc');
  assert.equal(geoValue(g, '2001:db8:1::5'), 'doc1');
  assert.equal(geoValue(g, '2001:db9::5'), 'd');
  assert.equal(geoValue(g, '::1'), 'lo');
  assert.equal(geoValue(g, '::ffff:10.9.8.7'), 'ten');
  // ngx_parse_addr declines what ngx_inet6_addr does not read ("ip:port" from a load balancer's
  // X-Forwarded-For, brackets): looked up as INADDR_NONE.
  assert.equal(geoValue(g, 'zz::zz'), 'd');
  const none = modelOf(http(`geo $x { default d; 255.255.255.255/32 none; 203.0.113.0/24 doc; ::1 lo; } server { listen 80; return 200; }`)).geos.get('x')!;
  for (const v of ['203.0.113.5:1234', '[::1]', '[::1]:80', '::ffff:255.255.255.255', '1:2']) assert.equal(geoValue(none, v), 'none', v);
  assert.equal(geoValue(none, '203.0.113.5'), 'doc');
  assert.equal(geoValue(none, ':::1'), 'none');
  assert.equal(geoValue(m.geos.get('plain')!, '2001:db8::5'), '');
  assert.equal(geoValue(m.geos.get('r')!, '2001:db8::5'), 'top');
  assert.equal(geoValue(m.geos.get('r')!, '::ffff:10.0.0.1'), 'ten');
});

test('allow/deny: an IPv6 client meets only the IPv6 rules (and all); IPv4-mapped ones meet the IPv4 rules', () => {
  // No return: the rewrite phase would answer before the access phase runs.
  const conf = http(`
server {
  listen 80; listen [::]:80;
  location /v4only {
    deny 10.0.0.0/8; allow 192.0.2.0/24;
    deny all;
  }
  location /mixed {
    allow 10.0.0.0/8;
    deny 2001:db8::/32;
    allow all;
  }
  location /v6only {
    deny 2001:db8::/32;
    allow all;
  }
}
`);
  const m = modelOf(conf);
  const at = (path: string, addr: string) => outcomesOf(m, facts({ request: `GET ${path} HTTP/1.1`, host: 'h', serverPort: 80, remoteAddr: addr }));
  const denied = (needle: string) => [`403:${lineOf(conf, needle)}`];
  const served = (loc: string) => [`content@loc${lineOf(conf, `location ${loc}`)}`];
  // The IPv4 rules never match an IPv6 client: `deny all` does.
  assert.deepEqual(at('/v4only', '2001:db8::1'), denied('deny all'));
  // Mapped: checked as 192.0.2.9 against the IPv4 list.
  assert.deepEqual(at('/v4only', '::ffff:192.0.2.9'), served('/v4only'));
  assert.deepEqual(at('/v4only', '::ffff:10.0.0.9'), denied('deny 10.0.0.0/8'));
  assert.deepEqual(at('/mixed', '2001:db8::1'), denied('    deny 2001:db8::/32'));
  assert.deepEqual(at('/mixed', '2001:db9::1'), served('/mixed'));
  // Mapped, with IPv4 rules present: the IPv6 deny is not consulted.
  assert.deepEqual(at('/mixed', '::ffff:10.0.0.1'), served('/mixed'));
  assert.deepEqual(at('/v6only', '2001:db8::1'), [`403:${lineOf(conf, 'deny 2001:db8::/32', 1)}`]);
  // Mapped without IPv4 rules: the IPv6 list, where ::ffff:… is not in 2001:db8::/32.
  assert.deepEqual(at('/v6only', '::ffff:10.0.0.1'), served('/v6only'));

  // The attribution cache keys on network membership: every answer equals a fresh routing.
  const shared = new Attributor(m);
  for (const path of ['/v4only', '/mixed', '/v6only'])
    for (const addr of ['2001:db8::1', '2001:db8::2', '2001:db9::1', '::ffff:10.0.0.1', '::ffff:192.0.2.9', '10.0.0.1', '192.0.2.9', '203.0.113.1']) {
      const f = facts({ request: `GET ${path} HTTP/1.1`, host: 'h', serverPort: 80, remoteAddr: addr });
      const a = shared.attribute(f, 403);
      const b = new Attributor(m).attribute(f, 403);
      assert.deepEqual([a.verdict, a.rules], [b.verdict, b.rules], `${path} ${addr}`);
    }
});

test('an IPv6 client reached the IPv6 socket: its default server, not the IPv4 one (unless realip hides the connection)', () => {
  const conf = http(`
server { listen 80 default_server; return 444; }
server { listen [::]:80 default_server; location / { return 444; } }
server { listen 80; listen [::]:80; server_name known.test; return 200; }
`);
  const m = modelOf(conf);
  // combined: no Host logged.
  const at = (addr: string) => outcomesOf(m, facts({ request: 'GET / HTTP/1.1', serverPort: 80, remoteAddr: addr }));
  const known = `200:${lineOf(conf, 'known.test')}`;
  assert.deepEqual(at('2001:db8::7'), [known, `444:${lineOf(conf, 'listen [::]:80 default_server')}`].sort());
  assert.deepEqual(at('192.0.2.7'), [known, `444:${lineOf(conf, 'listen 80 default_server')}`].sort());
  const shared = new Attributor(m);
  for (const addr of ['2001:db8::7', '192.0.2.7', '2001:db8::8', '192.0.2.8']) {
    const f = facts({ request: 'GET / HTTP/1.1', serverPort: 80, remoteAddr: addr });
    const a = shared.attribute(f, 444);
    assert.equal(a.verdict, 'exact', addr);
    assert.deepEqual(a.rules, new Attributor(m).attribute(f, 444).rules);
  }
  // Behind realip the logged address is the client's, not the connection's: both sockets stay possible.
  const behind = modelOf(conf.replace('server { listen 80 default_server;', 'set_real_ip_from 10.0.0.0/8;\nserver { listen 80 default_server;'));
  const a = new Attributor(behind).attribute(facts({ request: 'GET / HTTP/1.1', serverPort: 80, remoteAddr: '2001:db8::7' }), 444);
  assert.equal(a.verdict, 'ambiguous');
});

test('geo proxy networks in IPv6: the client address comes from X-Forwarded-For behind them', () => {
  const conf = http(`
geo $blocked { proxy 2001:db8:ff::/48; proxy 10.0.0.0/8; default 0; 192.0.2.0/24 1; 2001:db8:bad::/48 1; }
server { listen 80; listen [::]:80; if ($blocked) { return 444; } return 200; }
`);
  const m = modelOf(conf);
  const at = (addr: string, xff: string | null) =>
    outcomesOf(m, facts({ request: 'GET / HTTP/1.1', host: 'h', serverPort: 80, remoteAddr: addr, vars: { http_x_forwarded_for: xff } }));
  const drop = `444:${lineOf(conf, 'if ($blocked)')}`;
  const ok = `200:${lineOf(conf, 'if ($blocked)')}`;
  assert.deepEqual(at('2001:db8:ff::1', '192.0.2.7'), [drop]);
  assert.deepEqual(at('2001:db8:ff::1', '198.51.100.7'), [ok]);
  assert.deepEqual(at('10.1.1.1', '2001:db8:bad::5'), [drop]);
  // Not a proxy: its own address decides, whatever X-Forwarded-For says.
  assert.deepEqual(at('2001:db8:1::1', '192.0.2.7'), [ok]);
});

test('X-Forwarded-For as ngx_http_get_forwarded_addr walks it: an entry that is no address ends the walk', () => {
  const trusted = (a: string) => a === '127.0.0.1' || a.startsWith('10.9.');
  const f = (xff: string, recursive = true) => forwardedAddr(xff, '127.0.0.1', trusted, recursive);
  assert.equal(f('10.0.0.5'), '10.0.0.5');
  assert.equal(f('junk'), '127.0.0.1');
  assert.equal(f('10.0.0.5 junk'), '127.0.0.1');
  assert.equal(f('10.0.0.5, junk'), '127.0.0.1');
  assert.equal(f('junk, 10.9.0.1'), '10.9.0.1');
  assert.equal(f('10.0.0.5,,10.9.0.1'), '10.0.0.5');
  assert.equal(f('10.0.0.5, 10.9.0.1', false), '10.9.0.1');
  assert.equal(f('10.0.0.5:8080'), '10.0.0.5');
  assert.equal(f('[::1]:80, 10.9.0.1'), '::1');
  assert.equal(f('10.0.0.5:0'), '127.0.0.1');
  // An untrusted start is never replaced.
  assert.equal(forwardedAddr('10.0.0.5', '192.0.2.1', trusted, true), '192.0.2.1');
  // An empty header line among several (joined with ", ") declines where an empty entry of one
  // line is skipped: the log cannot tell them apart.
  assert.equal(f('10.0.0.5, '), undefined);
  assert.equal(f('10.0.0.5, , 10.9.0.1'), undefined);
});
