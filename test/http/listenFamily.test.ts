// Which listen socket took a connection whose local address ($server_addr) is logged: the socket
// of that address, else the wildcard of its family. nginx listens on [::] with ipv6only=on by
// default (ngx_http_core_listen), so an IPv4 connection never reaches a [::] server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facts, http, modelOf, outcomesOf } from './support';

const req = (serverAddr: string) => facts({ request: 'GET / HTTP/1.1', host: 'a.test', serverPort: 8080, serverAddr });

test('an IPv4 $server_addr without a socket of its own goes to *:port, not [::]:port', () => {
  const m = modelOf(http(`
server { listen 8080 default_server; server_name a.test; return 444; }
server { listen 127.0.0.1:8080; server_name b.test; return 401; }
server { listen [::]:8080; server_name c.test; return 402; }`));
  assert.deepEqual(outcomesOf(m, req('127.0.0.1')), ['401:5']);
  // (The 400: the same line from an HTTP/1.1 request without Host, refused in a.test, whose name `$host` then logs.)
  assert.deepEqual(outcomesOf(m, req('127.0.0.2')), ['400', '444:4']);
  assert.deepEqual(outcomesOf(m, req('2001:db8::1')), ['402:6']);
});

test('[::] with ipv6only=off takes IPv4 connections too', () => {
  const m = modelOf(http(`
server { listen [::]:8080 ipv6only=off; server_name c.test; return 402; }`));
  assert.deepEqual(outcomesOf(m, req('127.0.0.2')), ['402:4']);
});
