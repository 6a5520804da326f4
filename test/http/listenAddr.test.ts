// Listen addresses as nginx compares them: the socket addresses the text gives (ngx_parse_url,
// ngx_cmp_sockaddr), not the text; host names as getaddrinfo resolves them where nginx runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facts, http, lineOf, outcomesOf } from './support';
import { ipv6Text, ipv6ToBigInt, listenAddrKey } from '../../server/src/core/http/ip';
import { buildModelFromFile } from '../../server/src/core/http/model';
import { parse } from '../../server/src/core/parser';
import { hostsResolver } from '../../server/src/node/hosts';

const modelWith = (conf: string, resolveHost?: (n: string) => readonly string[] | undefined) =>
  buildModelFromFile(parse(conf, '/etc/nginx/nginx.conf'), { prefix: '/var/lib/nginx/', resolveHost });

test('IPv6 printed as ngx_inet6_ntop prints it', () => {
  const cases: [string, string][] = [
    ['0:0:0:0:0:0:0:1', '::1'],
    ['::', '::'],
    ['1::', '1::'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['0:0:1::', '0:0:1::'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
    ['::FFFF:7F00:1', '::ffff:127.0.0.1'],
    ['::7f00:2', '::127.0.0.2'],
    ['::2', '::2'],
    ['2001:DB8:0:0:1::', '2001:db8:0:0:1::'], ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
  ];
  for (const [text, printed] of cases) assert.equal(ipv6Text(ipv6ToBigInt(text)!), printed, text);
});

test('listen addresses: one key per socket address, whatever the spelling; names are not addresses', () => {
  assert.equal(listenAddrKey('*'), '*');
  assert.equal(listenAddrKey('0.0.0.0'), '*');
  assert.equal(listenAddrKey('127.000.000.001'), '127.0.0.1');
  assert.equal(listenAddrKey('[0:0:0:0:0:0:0:1]'), '[::1]');
  assert.equal(listenAddrKey('[::0]'), '[::]');
  assert.equal(listenAddrKey('localhost'), undefined);
  assert.equal(listenAddrKey('vm'), undefined);
});

test('two spellings of one address are one address:port: its default server and its names together', () => {
  const conf = http(`
server { listen 127.0.0.1:80 default_server; return 444; }
server { listen 127.000.000.001:80; server_name a.test; location /x { return 403; } }
server { listen [::1]:80 default_server; return 444; }
server { listen [0:0:0:0:0:0:0:1]:80; server_name a.test; location /x { return 404; } }
server { listen [::0]:81 default_server; return 444; }
server { listen [::]:81; server_name b.test; location /y { return 405; } }
`);
  const m = modelWith(conf);
  assert.equal(m.groups.get(80)!.size, 2);
  assert.equal(m.groups.get(81)!.size, 1);
  const at = (addr: string, port: number, path: string, host: string) =>
    outcomesOf(m, facts({ request: `GET ${path} HTTP/1.1`, host, serverPort: port, serverAddr: addr, vars: {} }));
  assert.deepEqual(at('127.0.0.1', 80, '/x', 'a.test'), [`403:${lineOf(conf, 'location /x { return 403')}`]);
  assert.deepEqual(at('::1', 80, '/x', 'a.test'), [`404:${lineOf(conf, 'location /x { return 404')}`]);
  assert.deepEqual(at('::1', 81, '/y', 'b.test'), [`405:${lineOf(conf, 'location /y')}`]);
  assert.deepEqual(at('::1', 81, '/y', 'zz.test'), [`444:${lineOf(conf, '[::0]:81')}`]);
});

test('a host name listens on every address it resolves to; one we cannot resolve stays possible', () => {
  const conf = http(`
server { listen 8080 default_server; listen [::]:8080 default_server; return 444; }
server { listen localhost:8080; listen vm:8081; server_name a.test; location /x { return 403; } }
server { listen 8081 default_server; return 444; }
`);
  const both = modelWith(conf, (n) => (n === 'localhost' ? ['127.0.0.1', '::1'] : undefined));
  const at = (m: ReturnType<typeof modelWith>, addr: string, port: number) =>
    outcomesOf(m, facts({ request: 'GET /x HTTP/1.1', host: 'a.test', httpHost: 'a.test', serverPort: port, serverAddr: addr, vars: {} }));
  const named = `403:${lineOf(conf, 'location /x')}`;
  assert.deepEqual(at(both, '::1', 8080), [named]);
  assert.deepEqual(at(both, '127.0.0.1', 8080), [named]);
  // Where localhost is 127.0.0.1 only (the default), ::1 reaches the [::] socket.
  assert.deepEqual(at(modelWith(conf), '::1', 8080), [`444:${lineOf(conf, 'listen [::]:8080')}`]);
  // `vm` unresolved: its socket may be the logged address, or the wildcard took the request.
  assert.deepEqual(at(both, '127.0.0.1', 8081), [named, `444:${lineOf(conf, 'listen 8081 default_server')}`].sort());
  // Resolved, it is the logged address's own socket.
  assert.deepEqual(at(modelWith(conf, (n) => (n === 'vm' ? ['127.0.0.1'] : undefined)), '127.0.0.1', 8081), [named]);
});

test('$server_addr: the socket\'s address when the listen names one, else unknown', () => {
  const conf = http(`
map $server_addr $internal { 127.0.0.2 1; default 0; }
server { listen 127.0.0.2:80; listen 80; location / { if ($internal) { return 444; } return 403; } }
`);
  const m = modelWith(conf);
  const at = (serverAddr?: string) => outcomesOf(m, facts({ request: 'GET / HTTP/1.1', host: 'h', serverPort: 80, ...(serverAddr ? { serverAddr } : {}), vars: {} }));
  const drop = `444:${lineOf(conf, 'if ($internal)')}`;
  const refuse = `403:${lineOf(conf, 'return 403')}`;
  assert.deepEqual(at('127.0.0.2'), [drop]);
  assert.deepEqual(at('127.0.0.9'), [refuse]);
  // Unlogged: the 127.0.0.2 socket (its address known) or the wildcard one (any address).
  assert.deepEqual(at(), [drop, refuse].sort());
});

test('hosts resolver: /etc/hosts entries, IPv4 first; AI_ADDRCONFIG keeps the only family with a non-loopback address', () => {
  const hostsText = '127.0.0.1 localhost\n::1 localhost ip6-localhost\n# 10.0.0.1 commented\n127.0.1.1 Web.Example web\n';
  const v4only = hostsResolver({ hostsText, interfaceAddrs: [{ family: 'IPv4', address: '127.0.0.1' }, { family: 'IPv6', address: '::1' }, { family: 'IPv4', address: '10.1.2.3' }] });
  assert.deepEqual(v4only('localhost'), ['127.0.0.1']);
  assert.deepEqual(v4only('WEB'), ['127.0.1.1']);
  assert.equal(v4only('commented'), undefined);
  const loopbackOnly = hostsResolver({ hostsText, interfaceAddrs: [{ family: 'IPv4', address: '127.0.0.1' }, { family: 'IPv6', address: '::1' }] });
  assert.deepEqual(loopbackOnly('localhost'), ['127.0.0.1', '::1']);
  const dual = hostsResolver({ hostsText, interfaceAddrs: [{ family: 'IPv4', address: '10.1.2.3' }, { family: 'IPv6', address: 'fe80::1' }] });
  assert.deepEqual(dual('localhost'), ['127.0.0.1', '::1']);
  assert.deepEqual(hostsResolver({ interfaceAddrs: [] })('localhost'), undefined);
  // Lines whose address inet_pton refuses are skipped (glibc's parser); asked for IPv4 only,
  // glibc reads ::1 as 127.0.0.1 and an IPv4-mapped address as its IPv4 one.
  const odd = '127.000.000.003 zeroname\n127.0.0.7 zeroname\nfe80::1%lo zoned\n::ffff:10.0.0.9 mapped\n::1 ip6-localhost\n';
  const v4 = hostsResolver({ hostsText: odd, interfaceAddrs: [{ family: 'IPv4', address: '10.1.2.3' }] });
  assert.deepEqual(v4('zeroname'), ['127.0.0.7']);
  assert.equal(v4('zoned'), undefined);
  assert.deepEqual(v4('mapped'), ['10.0.0.9']);
  assert.deepEqual(v4('ip6-localhost'), ['127.0.0.1']);
  const both = hostsResolver({ hostsText: odd, interfaceAddrs: [] });
  assert.deepEqual(both('ip6-localhost'), ['::1']);
  assert.deepEqual(both('mapped'), ['::ffff:10.0.0.9']);
});

test('a plain IPv4 client did not come through a dual-stack [::] socket, which logs it as ::ffff:a.b.c.d', () => {
  const conf = http(`
server { listen [::]:8080 ipv6only=off; return 444; }
server { listen 8081; location / { return 403; } }
`);
  const m = modelWith(conf);
  const at = (remoteAddr: string) => outcomesOf(m, facts({ request: 'GET / HTTP/1.1', host: 'h', remoteAddr, vars: {} }));
  assert.deepEqual(at('192.0.2.7'), [`403:${lineOf(conf, 'return 403')}`]);
  assert.deepEqual(at('::ffff:192.0.2.7'), [`444:${lineOf(conf, 'ipv6only=off')}`]);
  assert.deepEqual(at('2001:db8::7'), [`444:${lineOf(conf, 'ipv6only=off')}`]);
});
