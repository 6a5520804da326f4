// Differential breadth for TLS: servers on an `ssl` listen beside plain ones, all writing one log.
// nginx picks the certificate by SNI and then the virtual server by Host (ngx_http_set_virtual_server:
// a Host equal to the SNI keeps the SNI's server, another Host is looked up again and, when no name
// matches, falls to the default server, not the SNI's). With no Host at all (HTTP/1.0) nginx still
// runs that lookup on the empty name (ngx_http_process_request_header), so the default server answers.
// `ssl_reject_handshake on` in the default server refuses unknown SNI before any request exists.
// `ssl` on one server's listen makes the whole address:port TLS (ngx_http_add_addresses ORs it).
//
// Same contract as differential-breadth.test.ts (see breadthRunner.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { haveNginx, type Scenario } from './nginxHarness';
import { conf, get, runBreadth } from './breadthRunner';

const TLS_DIR = fileURLToPath(new URL('./fixtures/tls/', import.meta.url));
const CERTS = `ssl_certificate ${TLS_DIR}cert.pem; ssl_certificate_key ${TLS_DIR}key.pem;`;
const tls = (servername?: string) => ({ port: 1 as const, tls: { servername } });

function scenarios(): Scenario[] {
  return [
    {
      name: 'ssl_reject_handshake default, named TLS servers, SNI vs Host, $scheme/$https in ifs and maps, http beside https',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server; server_name _; return 444; }
  server { listen 127.0.0.1:PORT; server_name shop.test;
    location /admin { if ($scheme = http) { return 444; } return 200; }
    location /flag { if ($tlsflag = plain) { return 444; } return 200; }
    location / { return 200; }
  }
  server { listen 127.0.0.1:PORT2 ssl default_server; ssl_reject_handshake on; return 444; }
  server { listen 127.0.0.1:PORT2 ssl; server_name shop.test; ${CERTS}
    location /admin { if ($scheme = http) { return 444; } if ($arg_x) { return 444; } return 200; }
    location /flag { if ($tlsflag = plain) { return 444; } if ($https = on) { return 444; } return 200; }
    location /drop { return 444; }
    location / { return 200; }
  }
  server { listen 127.0.0.1:PORT2 ssl; server_name api.test; ${CERTS}
    if ($plain) { return 444; }
    location / { if ($https) { return 444; } return 200; }
    location /ok { return 200; }
  }
`,
        `  map $scheme $plain { http 1; default 0; }
  map $https $tlsflag { on tls; default plain; }`,
      ),
      requests: [
        get('/admin', 'shop.test'),
        get('/flag', 'shop.test'),
        get('/', 'evil.test'),
        get('/admin', 'shop.test', tls('shop.test')),
        get('/admin?x=1', 'shop.test', tls('shop.test')),
        get('/flag', 'shop.test', tls('shop.test')),
        get('/drop', 'shop.test', tls('shop.test')),
        get('/', 'api.test', tls('api.test')),
        get('/ok', 'api.test', tls('api.test')),
        // SNI names one server, Host another: the Host's server answers.
        get('/flag', 'shop.test', tls('api.test')),
        get('/', 'api.test', tls('shop.test')),
        // SNI known, Host unknown: the default server answers, not the SNI's.
        get('/drop', 'evil.test', tls('shop.test')),
        get('/ok', 'evil.test', tls('api.test')),
        // Unknown or no SNI: the handshake is refused, nothing logged.
        get('/drop', 'shop.test', tls('evil.test')),
        get('/drop', 'shop.test', tls()),
        // No Host (HTTP/1.0): the empty name is looked up, so the default server answers despite the SNI.
        get('/drop', null, tls('shop.test')),
        get('/', null, tls('api.test')),
        get('/ok', null, tls('api.test')),
      ],
    },
    {
      name: '443-style catch-all return 444 with a certificate, one server on both ports, a plain listen on a TLS port',
      conf: conf(
        `
  ${CERTS}
  server { listen 127.0.0.1:PORT default_server; listen 127.0.0.1:PORT2 ssl default_server; server_name _; return 444; }
  server { listen 127.0.0.1:PORT; listen 127.0.0.1:PORT2 ssl; server_name www.test;
    if ($scheme != https) { return 301 https://$host$request_uri; }
    location /api { if ($https = "") { return 444; } if ($http_user_agent ~ curl) { return 444; } return 200; }
    location /pay { if ($scheme = http) { return 444; } return 200; }
    location / { return 200; }
  }
  server { listen 127.0.0.1:PORT2; server_name legacy.test;
    location / { if ($scheme = https) { return 444; } return 200; }
    location /ok { if ($https != on) { return 444; } return 200; }
  }
`,
      ),
      requests: [
        get('/', 'evil.test'),
        get('/', 'evil.test', tls()),
        get('/', 'evil.test', tls('evil.test')),
        get('/', 'evil.test', tls('www.test')),
        get('/api', 'www.test'),
        get('/api', 'www.test', tls('www.test')),
        get('/api', 'www.test', { ...tls('www.test'), headers: { 'User-Agent': 'curl/8.0' } }),
        get('/pay', 'www.test', tls('www.test')),
        get('/pay', 'www.test'),
        get('/', 'legacy.test', tls('legacy.test')),
        get('/ok', 'legacy.test', tls('legacy.test')),
        get('/', null, tls('www.test')),
        get('/', null, tls()),
      ],
    },
    {
      name: 'http and https vhosts with catch-alls on both ports: a logged $scheme tells the port',
      conf: conf(
        `
  ${CERTS}
  map $http_user_agent $bad { default 0; ~*(curl|sqlmap) 1; }
  server { listen 127.0.0.1:PORT default_server; server_name _; return 444; }
  server { listen 127.0.0.1:PORT; server_name shop.test;
    location ~ /\\.git { return 444; }
    location / { return 301 https://$host$request_uri; }
  }
  server { listen 127.0.0.1:PORT2 ssl default_server; server_name _; return 444; }
  server { listen 127.0.0.1:PORT2 ssl; server_name shop.test;
    if ($bad) { return 444; }
    location ~ /\\.git { return 444; }
    location / { return 200; }
  }
`,
      ),
      requests: [
        get('/.git/config', 'shop.test', tls('shop.test')),
        get('/.git/config', 'shop.test'),
        get('/', 'evil.test', tls('evil.test')),
        get('/', 'evil.test'),
        get('/', 'shop.test', { ...tls('shop.test'), headers: { 'User-Agent': 'curl/8.0' } }),
      ],
    },
    {
      name: 'a request refused before Host is read (bad line or URI, 414, 505) on a TLS port: at the server the SNI named, else the default',
      conf: conf(
        `
  ${CERTS}
  server { listen 127.0.0.1:PORT2 ssl default_server; server_name _; error_page 400 414 505 = /d; location = /d { return 444; } location / { return 200; } }
  server { listen 127.0.0.1:PORT2 ssl; server_name a.test; error_page 400 414 505 = /e; location = /e { return 444; } location / { return 200; } }
  server { listen 127.0.0.1:PORT2 ssl; server_name b.test; location / { return 200; } }
`,
      ),
      requests: [
        get('/../x', 'a.test', tls('a.test')),
        get('/x', 'a.test', { ...tls('a.test'), protocol: 'HTTP/1.1 x' }),
        get('/x', 'a.test', { ...tls('a.test'), protocol: 'HTTP/2.0' }),
        get('/' + 'x'.repeat(9000), 'a.test', tls('a.test')),
        get('/../x', 'a.test', tls('nobody.test')),
        get('/../x', 'a.test', tls()),
        get('/../x', 'b.test', tls('b.test')),
      ],
    },
  ];
}

test('differential breadth (TLS): our attribution of every 444 agrees with real nginx', { skip: !haveNginx && 'nginx not installed', timeout: 60_000 }, async () => {
  const { total, failures } = await runBreadth('differential TLS', scenarios());
  assert.equal(failures.length, 0, `${failures.length} failures (FAIL lines above)`);
  assert.ok(total.exact > 40, `expected most lines of the Host-carrying logs exact, got ${total.exact}`);
  // The refused handshakes and the 444s all reached the logs as nginx wrote them: none unmatched.
  assert.equal(total.unmatched, 0);
});
