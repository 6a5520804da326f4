// What the 444 hovers and diagnostics claim, shown by real nginx (Debian 1.22 nginx-full on
// 127.0.0.1 high ports, temp prefix, stopped by pid). Each test asserts what nginx did.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http2 from 'node:http2';
import { Socket } from 'node:net';
import { hasNginx, httpRequest, nginxTest, sendRaw, startNginx, type RunningNginx } from '../support/realNginx';
import { checkDrops } from '../../server/src/core/drops/checks';
import { fixtures, graphOf, wrapFixture } from './support';

const STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

describe('444 facts against real nginx', { skip: !hasNginx() && 'no /usr/sbin/nginx' }, () => {
  let ngx: RunningNginx;
  // One instance, one port per scenario: starting nginx once keeps the suite fast.
  const CONF = `
    log_format t '$server_port $status $request';
    limit_req_zone $binary_remote_addr zone=slow:1m rate=1r/m;

    # 0: plain drop
    server { listen 127.0.0.1:{{port0}}; access_log {{logs}}/t.log t; return 444; }

    # 1: server-level return runs before location selection and location-level directives
    server {
      listen 127.0.0.1:{{port1}};
      if ($arg_drop) { return 444; }
      location = /exact { return 200 "exact\\n"; }
      location / { return 200 "location\\n"; }
    }

    # 2: allow/deny + return: the allowed address is dropped too; without the return it is let in
    server {
      listen 127.0.0.1:{{port2}};
      location /admin/ { allow 127.0.0.0/8; deny all; return 444; }
      location /open/ { allow 127.0.0.0/8; deny all; return 200 "open\\n"; }
      location /nobody/ { deny all; }
    }

    # 3: limit_except: excluded methods use the limit_except configuration (no location return)
    server {
      listen 127.0.0.1:{{port3}};
      location / {
        limit_except GET { deny all; }
        return 444;
      }
    }

    # 4: error_page to a named location that returns 444
    server {
      listen 127.0.0.1:{{port4}};
      access_log {{logs}}/t.log t;
      location / { deny all; error_page 403 = @drop; }
      location @drop { return 444; }
    }

    # 5: limit_req_status 444 applies where the request gets past the rewrite phase...
    server {
      listen 127.0.0.1:{{port5}};
      location / { limit_req zone=slow nodelay; limit_req_status 444; try_files /nonexistent =204; }
      # ...and never where a return answers first
      location /ret { limit_req zone=slow nodelay; limit_req_status 444; return 200 "ret\\n"; }
    }

    # 6: server_name _ is an ordinary name; the first server is the implicit default
    server { listen 127.0.0.1:{{port6}}; server_name first.test; return 200 "first\\n"; }
    server { listen 127.0.0.1:{{port6}}; server_name _; return 444; }

    # 7: a request without Host goes to the server with the empty name
    server { listen 127.0.0.1:{{port7}} default_server; server_name default.test; return 200 "default\\n"; }
    server { listen 127.0.0.1:{{port7}}; server_name ""; return 200 "empty\\n"; }

    # 8: flagless server-level rewrite changes the URI locations are chosen by
    server {
      listen 127.0.0.1:{{port8}};
      rewrite ^/old/(.*)$ /drop/$1;
      location /drop/ { return 444; }
      location / { return 200 "kept\\n"; }
    }

    # 9: $host is lower-cased without the port; $http_host is the header as sent
    server {
      listen 127.0.0.1:{{port9}};
      if ($host ~ ^Shop\\.test$) { return 444; }
      if ($http_host ~ ^shop\\.test$) { return 200 "http_host\\n"; }
      if ($host ~ ^shop\\.test$) { return 200 "host\\n"; }
      return 200 "neither\\n";
    }

    # 10: error_page ... =444 sends a response whose status line says 444 (no drop)
    server {
      listen 127.0.0.1:{{port10}};
      access_log {{logs}}/t.log t;
      root {{prefix}}/nonexistent;
      location / { error_page 404 =444 /e; }
      location = /e { return 200 "page\\n"; }
    }

    # 11: a server-level rewrite ... last before a server-level return lets requests reach a location
    server {
      listen 127.0.0.1:{{port11}};
      if ($uri ~ ^/\\.well-known/) { rewrite ^ /acme last; }
      return 301 https://new.test$request_uri;
      location /acme { return 200 "acme\\n"; }
    }

    # 12: a nested location's request does not run the outer location's return
    server {
      listen 127.0.0.1:{{port12}};
      location /app/ {
        return 444;
        location /app/static/ { return 200 "static\\n"; }
        location /app/plain/ { }
      }
    }
  `;

  before(async () => {
    ngx = await startNginx({ conf: CONF, ports: 13 });
  });
  after(async () => {
    await ngx?.stop();
  });

  const get = (port: number, target: string, headers: Record<string, string> = {}, method = 'GET') => sendRaw(port, httpRequest(method, target, headers));
  const body = (r: { data: Buffer }) => r.data.toString('latin1').split('\r\n\r\n').slice(1).join('');

  test('return 444 closes the connection with zero bytes sent, and the access log records 444', async () => {
    const r = await get(ngx.ports[0], '/');
    assert.equal(r.data.length, 0);
    const lines = await ngx.waitForLines('t.log', 1);
    assert.ok(lines.some((l) => l.startsWith(`${ngx.ports[0]} 444 GET / HTTP/1.1`)), lines.join('\n'));
  });

  test('server-level rewrite directives run before location selection (even an exact location)', async () => {
    assert.equal((await get(ngx.ports[1], '/exact?drop=1')).data.length, 0);
    assert.equal(body(await get(ngx.ports[1], '/exact')), 'exact\n');
    assert.equal(body(await get(ngx.ports[1], '/x')), 'location\n');
  });

  test('allow ...; deny all; return 444; drops the allowed address too (rewrite phase before access phase)', async () => {
    const dropped = await get(ngx.ports[2], '/admin/');
    assert.ok(dropped.empty, 'allowed 127.0.0.1 is dropped');
    // A return with content answers whoever the access rules would reject: here nothing is rejected
    // by the rewrite phase, and a deny-only location shows the access phase does run otherwise.
    assert.equal((await get(ngx.ports[2], '/open/')).status, 200);
    assert.equal((await get(ngx.ports[2], '/nobody/')).status, 403);
  });

  test('limit_except: GET runs the location return; POST gets the limit_except configuration (403), not the return', async () => {
    assert.ok((await get(ngx.ports[3], '/')).empty);
    const post = await sendRaw(ngx.ports[3], httpRequest('POST', '/', { 'Content-Length': '0' }));
    assert.equal(post.status, 403);
  });

  test('TRACE is answered 405 before any rule', async () => {
    const r = await get(ngx.ports[0], '/', {}, 'TRACE');
    assert.equal(r.status, 405);
  });

  test('error_page 403 = @drop with location @drop { return 444; } drops the request', async () => {
    const r = await get(ngx.ports[4], '/');
    assert.ok(r.empty);
    const lines = await ngx.waitForLines('t.log', 2);
    assert.ok(lines.some((l) => l.startsWith(`${ngx.ports[4]} 444 `)), lines.join('\n'));
  });

  test('limit_req_status 444 drops the requests over the limit; not where a return answers first', async () => {
    assert.equal((await get(ngx.ports[5], '/a')).status, 204);
    assert.ok((await get(ngx.ports[5], '/a')).empty, 'second request within the minute: 444');
    assert.equal((await get(ngx.ports[5], '/ret')).status, 200);
    assert.equal((await get(ngx.ports[5], '/ret')).status, 200, 'the return ran before limit_req');
  });

  test('server_name _ is not special: unknown hosts go to the first server', async () => {
    assert.equal(body(await get(ngx.ports[6], '/', { Host: 'unknown.test' })), 'first\n');
    assert.ok((await get(ngx.ports[6], '/', { Host: '_' })).empty, 'only Host "_" reaches it');
  });

  test('a request without Host uses the server with the empty name', async () => {
    const r = await sendRaw(ngx.ports[7], 'GET / HTTP/1.0\r\n\r\n');
    assert.equal(body(r), 'empty\n');
    assert.equal(body(await get(ngx.ports[7], '/', { Host: 'other.test' })), 'default\n');
  });

  test('$host is lower-case without the port (a case-sensitive upper-case pattern never matches); $http_host keeps case and port', async () => {
    const p = ngx.ports[9];
    assert.equal(body(await get(p, '/', { Host: 'Shop.test' })), 'host\n', 'upper-case Host: not dropped, $http_host missed, $host matched');
    assert.equal(body(await get(p, '/', { Host: `shop.test:${p}` })), 'host\n', 'Host with port: $http_host missed');
    assert.equal(body(await get(p, '/', { Host: 'shop.test' })), 'http_host\n');
  });

  test('error_page 404 =444 /page answers with an HTTP response whose status line is 444, logged as 444', async () => {
    const r = await get(ngx.ports[10], '/missing');
    assert.equal(r.empty, false);
    assert.match(r.data.toString('latin1'), /^HTTP\/1\.1 444 \r\n/);
    assert.equal(body(r), 'page\n');
    const lines = await ngx.waitForLines('t.log', 1);
    assert.ok(lines.some((l) => l.startsWith(`${ngx.ports[10]} 444 GET /missing`)), lines.join('\n'));
  });

  test('server-level return answers before location selection, unless a rewrite ... last before it leaves the server-level set', async () => {
    assert.equal(body(await get(ngx.ports[11], '/.well-known/x')), 'acme\n');
    assert.equal((await get(ngx.ports[11], '/acme')).status, 301, 'the location is reached only through the rewrite');
  });

  test("a nested location's requests do not run the outer location's return (rewrite codes are not inherited)", async () => {
    assert.ok((await get(ngx.ports[12], '/app/x')).empty);
    assert.equal(body(await get(ngx.ports[12], '/app/static/x')), 'static\n');
    assert.equal((await get(ngx.ports[12], '/app/plain/x')).status, 404, 'an empty nested location serves files: the outer return does not run');
  });

  test('a flagless server-level rewrite sends the request to another location', async () => {
    assert.ok((await get(ngx.ports[8], '/old/x')).empty);
    assert.equal(body(await get(ngx.ports[8], '/x')), 'kept\n');
  });
});

describe('444 on HTTP/2 and with reset_timedout_connection', { skip: !hasNginx() && 'no /usr/sbin/nginx' }, () => {
  test('HTTP/2: only the stream is reset, the connection serves the next request; reset_timedout_connection on: TCP RST instead of FIN', async () => {
    const ngx = await startNginx({
      ports: 3,
      conf: `server { listen 127.0.0.1:{{port0}} http2; location /drop { return 444; } location / { return 200 "ok\\n"; } }
             server { listen 127.0.0.1:{{port1}}; reset_timedout_connection on; return 444; }
             server { listen 127.0.0.1:{{port2}}; return 444; }`,
    });
    try {
      const session = http2.connect(`http://127.0.0.1:${ngx.ports[0]}`);
      const req = (p: string) =>
        new Promise<string>((resolve) => {
          const r = session.request({ ':path': p });
          let out = '';
          r.on('response', (h) => (out += `${h[':status']} `));
          r.on('data', (c: Buffer) => (out += c.toString()));
          r.on('end', () => resolve(out));
          r.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code}`));
          r.end();
        });
      assert.equal(await req('/drop'), 'error ERR_HTTP2_STREAM_ERROR');
      assert.equal(await req('/'), '200 ok\n', 'same session, next stream answered');
      session.close();
      const close = (port: number) =>
        new Promise<string>((resolve) => {
          const sock = new Socket();
          const timer = setTimeout(() => (sock.destroy(), resolve('timeout')), 5000);
          let how = '';
          sock.on('end', () => (how = 'FIN'));
          sock.on('error', (e: NodeJS.ErrnoException) => (how = e.code ?? 'error'));
          sock.on('close', () => (clearTimeout(timer), resolve(how)));
          sock.connect(port, '127.0.0.1', () => sock.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n'));
        });
      assert.equal(await close(ngx.ports[1]), 'ECONNRESET');
      assert.equal(await close(ngx.ports[2]), 'FIN');
    } finally {
      await ngx.stop();
    }
  });
});

describe('stream return 444', { skip: !hasNginx() && 'no /usr/sbin/nginx' }, () => {
  test('sends the literal text "444"', async () => {
    const ngx = await startNginx({
      conf: `load_module ${STREAM_MODULE};
daemon on;
pid {{prefix}}/nginx.pid;
error_log {{prefix}}/error.log;
events { worker_connections 64; }
stream { server { listen 127.0.0.1:{{port}}; return 444; } }
`,
    });
    try {
      const r = await sendRaw(ngx.port, '', { end: true });
      assert.equal(r.data.toString('latin1'), '444');
    } finally {
      await ngx.stop();
    }
  });
});

describe('nginx -t on the 444 fixtures', { skip: !hasNginx() && 'no /usr/sbin/nginx' }, () => {
  let certDir = '';
  before(() => {
    certDir = mkdtempSync(join(tmpdir(), 'nginx-lens-cert-'));
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
  });
  after(() => rmSync(certDir, { recursive: true, force: true }));

  const fill = (s: string) => s.replace(/\{\{cert\}\}/g, join(certDir, 'cert.pem')).replace(/\{\{key\}\}/g, join(certDir, 'key.pem'));

  test('every fixture is accepted, except those whose code is an nginx -t error, which fail with our message', async () => {
    for (const f of fixtures()) {
      const conf = f.stream ? '' : fill(f.body);
      const main = f.stream ? `stream { ${f.body} }` : undefined;
      const r = f.stream
        ? await nginxTest(`load_module ${STREAM_MODULE};\npid {{prefix}}/nginx.pid;\nerror_log {{prefix}}/error.log;\nevents {}\n${main}\n`)
        : await nginxTest(conf);
      const errors = checkDrops(graphOf(wrapFixture(f, fill))).filter((d) => d.severity === 'error');
      if (errors.length) {
        assert.equal(r.ok, false, `${f.code}/${f.name}: nginx accepted what we call an error`);
        for (const e of errors) assert.ok(r.stderr.includes(e.message.replace(/ \(nginx -t fails.*$/, '')), `${f.code}/${f.name}: nginx said ${r.stderr}, we said ${e.message}`);
      } else {
        assert.ok(r.ok, `${f.code}/${f.name}: ${r.stderr}`);
      }
      if (f.code === 'ignored-server' && f.positive) assert.match(r.stderr, /conflicting server name "shop.test" on 127.0.0.1:\d+, ignored/);
    }
  });

  test('ignored-server warns for exactly the names nginx -t calls conflicting', async () => {
    const cases = [
      'server { listen 127.0.0.1:{{port}}; server_name x.test; } server { listen 127.0.0.1:{{port}}; server_name .x.test; }',
      // A lone server's names are hashed only when its last regex name captures.
      'server { listen 127.0.0.1:{{port}}; server_name x.test .x.test; }',
      'server { listen 127.0.0.1:{{port}}; server_name x.test .x.test ~^(a)\\.y$; }',
      'server { listen 127.0.0.1:{{port}}; server_name .x.test x.test; }',
      'server { listen 127.0.0.1:{{port}}; server_name *.x.test; } server { listen 127.0.0.1:{{port}}; server_name .x.test; } server { listen 127.0.0.1:{{port}}; server_name x.test; }',
      'server { listen 127.0.0.1:{{port}}; server_name .x.test; } server { listen 127.0.0.1:{{port}}; server_name *.x.test www.x.*; } server { listen 127.0.0.1:{{port}}; server_name www.x.* a.test a.test; }',
    ];
    for (const body of cases) {
      const r = await nginxTest(body);
      assert.ok(r.ok, r.stderr);
      const theirs = [...r.stderr.matchAll(/conflicting server name "([^"]*)"/g)].map((m) => m[1]).sort();
      const ours = checkDrops(graphOf(`events {} http { ${body.replace(/\{\{port\}\}/g, '8080')} }`))
        .filter((d) => d.code === 'ignored-server')
        .map((d) => /conflicting server name "([^"]*)"/.exec(d.message)![1])
        .sort();
      assert.deepEqual({ body, ours }, { body, ours: theirs });
    }
  });

  test('a default ssl server without a certificate fails nginx -t; with ssl_reject_handshake on it passes', async () => {
    const without = await nginxTest('server { listen 127.0.0.1:{{port}} ssl default_server; return 444; }');
    assert.equal(without.ok, false);
    assert.match(without.stderr, /no "ssl_certificate" is defined/);
    const reject = await nginxTest('server { listen 127.0.0.1:{{port}} ssl default_server; ssl_reject_handshake on; return 444; }');
    assert.ok(reject.ok, reject.stderr);
  });

  test('invalid-regex says what nginx -t says, for regexes in location, if, server_name, map and rewrite', async () => {
    const cases = [
      'location ~ "a{2,1}" { }',
      'location ~ "[z-a]" { }',
      'location ~* "(?<n>a)(?<n>b)" { }',
      'location ~ "(?<=a+)b" { }',
      'if ($http_user_agent ~ "a**") { return 444; }',
      'server_name "~^(www\\.)?(ex"; ',
      'rewrite "^/(a" /b last;',
      'location ~ "\\\\" { }',
    ];
    for (const c of cases) {
      const conf = c.startsWith('server_name') ? `server { listen 127.0.0.1:{{port}}; ${c} }` : `server { listen 127.0.0.1:{{port}}; ${c} }`;
      const r = await nginxTest(conf);
      const ours = checkDrops(graphOf(`events {} http { ${conf.replace('{{port}}', '8080')} }`)).filter((d) => d.code === 'invalid-regex');
      assert.equal(r.ok, false, c);
      assert.equal(ours.length, 1, `${c}: ${ours.map((d) => d.message)}`);
      assert.ok(r.stderr.includes(ours[0].message), `${c}\nnginx: ${r.stderr}\nours:  ${ours[0].message}`);
    }
    const map = 'map $host $m { "~^(a" 1; }';
    const r = await nginxTest(`${map} server { listen 127.0.0.1:{{port}}; }`);
    const ours = checkDrops(graphOf(`events {} http { ${map} }`)).filter((d) => d.code === 'invalid-regex');
    assert.equal(r.ok, false);
    assert.ok(ours.length === 1 && r.stderr.includes(ours[0].message), `nginx: ${r.stderr} ours: ${ours.map((d) => d.message)}`);
  });

  test('duplicate default_server is rejected', async () => {
    const r = await nginxTest('server { listen 127.0.0.1:{{port}} default_server; } server { listen 127.0.0.1:{{port}} default_server; }');
    assert.equal(r.ok, false);
    assert.match(r.stderr, /a duplicate default server for 127\.0\.0\.1:\d+/);
  });
});
