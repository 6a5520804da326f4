// Real nginx with wildcard listens (`listen PORT`, `*:PORT`, `0.0.0.0`, `[::]`, ipv6only=off)
// mixed with address-specific ones and spelled-out addresses. A wildcard binds every interface,
// so the harness allows one only where loopback is all there is: this file runs its scenarios in
// a network namespace of their own (`unshare -n`, which needs root), and says so when it cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { conf, get, runBreadth } from './breadthRunner';
import { hasNginx, isolatedNetwork } from '../support/realNginx';
import type { Req, Scenario } from './nginxHarness';

const ADDR = `log_format addr '$server_addr:$server_port "$request" $status "$http_host"'; access_log PREFIX/logs/addr.log addr;`;

/** Every host (null: HTTP/1.0 without Host) × destination × path, on one port. */
function matrix(hosts: (string | null)[], tos: string[], paths: string[], port: 0 | 1 = 0): Req[] {
  const out: Req[] = [];
  for (const to of tos)
    for (const host of hosts)
      for (const path of paths) {
        const where = to === '::1' ? { from: '::1' } : { to };
        out.push(host === null ? get(path, null, { protocol: 'HTTP/1.0', ...where, port }) : get(path, host, { ...where, port }));
      }
  return out;
}

function scenarios(): Scenario[] {
  return [
    {
      name: 'a wildcard catch-all beside vhosts on 127.0.0.2: each address has its own default server',
      conf: conf(
        `
  server { listen PORT default_server; server_name _; return 444; }
  server { listen 127.0.0.2:PORT; server_name a.test; location /x { return 444; } location / { return 200; } }
  server { listen 127.0.0.2:PORT; server_name b.test; return 444; }
`,
        ADDR,
      ),
      requests: matrix(['a.test', 'b.test', 'zz.test', null], ['127.0.0.1', '127.0.0.2', '127.0.0.3'], ['/', '/x']),
    },
    {
      name: 'a 127.0.0.1 catch-all beside wildcard vhosts, and *:PORT2 / 0.0.0.0:PORT2 as one socket',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server; return 444; }
  server { listen PORT; listen *:PORT2; server_name a.test; location /x { return 444; } location / { return 200; } }
  server { listen 0.0.0.0:PORT2 default_server; server_name c.test; location / { return 444; } }
`,
        ADDR,
      ),
      requests: [...matrix(['a.test', 'zz.test', null], ['127.0.0.1', '127.0.0.2'], ['/', '/x']), ...matrix(['a.test', 'c.test', 'zz.test'], ['127.0.0.1', '127.0.0.4'], ['/x'], 1)],
    },
    {
      name: '[::] sockets, with and without ipv6only=off, beside IPv4 ones',
      conf: conf(
        `
  server { listen [::]:PORT default_server; listen PORT default_server; return 444; }
  server { listen PORT; listen [::]:PORT; server_name a.test; location /x { return 444; } location / { return 200; } }
  server { listen [::]:PORT; server_name b.test; return 444; }
  server { listen [::0]:PORT2 ipv6only=off default_server; return 444; }
  server { listen [::]:PORT2; server_name a.test; location /y { return 444; } location / { return 200; } }
`,
        ADDR,
      ),
      requests: [...matrix(['a.test', 'b.test', 'zz.test', null], ['127.0.0.1', '::1'], ['/', '/x']), ...matrix(['a.test', 'zz.test'], ['127.0.0.1', '127.0.0.2', '::1'], ['/', '/y'], 1)],
    },
    {
      // A name listens on every address this machine's /etc/hosts gives it (as nginx's
      // getaddrinfo; in the namespace only loopback exists, so AI_ADDRCONFIG keeps both families).
      name: 'listen localhost:PORT beside wildcard sockets of both families',
      conf: conf(
        `
  server { listen PORT default_server; listen [::]:PORT default_server; return 444; }
  server { listen localhost:PORT; server_name a.test; location /x { return 444; } location / { return 200; } }
`,
        ADDR,
      ),
      requests: matrix(['a.test', 'zz.test', null], ['127.0.0.1', '127.0.0.2', '::1'], ['/', '/x']),
    },
    {
      name: 'spellings of one address and $server_addr beside a wildcard',
      conf: conf(
        `
  map $server_addr $inner { 127.0.0.2 1; default 0; }
  server { listen PORT default_server; if ($inner) { return 444; } location / { return 200; } }
  server { listen 127.000.000.002:PORT; server_name a.test; location /x { return 444; } location / { if ($inner) { return 444; } return 200; } }
  server { listen 127.0.0.2:PORT default_server; return 444; }
`,
        ADDR,
      ),
      requests: matrix(['a.test', 'zz.test', null], ['127.0.0.1', '127.0.0.2'], ['/', '/x']),
    },
  ];
}

const self = fileURLToPath(import.meta.url);

if (process.env.NGINX_LENS_NETNS_CHILD) {
  // The child, inside the namespace: run and report through the exit code.
  if (!isolatedNetwork()) throw new Error('not in an isolated network namespace');
  void runBreadth('differential wildcard listens', scenarios()).then(({ total, failures }) => {
    if (failures.length || total.exact < 100) console.log(`${failures.length} failures, ${total.exact} exact`);
    process.exit(failures.length || total.exact < 100 ? 1 : 0);
  });
} else {
  test('differential (wildcard listens, in a network namespace of their own): every 444 agrees with real nginx', { skip: !hasNginx() && 'nginx not installed', timeout: 240_000 }, (t) => {
    const r = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" --import tsx "$1"', process.execPath, self], {
      env: { ...process.env, NGINX_LENS_NETNS_CHILD: '1' },
      encoding: 'utf8',
      timeout: 230_000,
    });
    const why = `${r.error?.message ?? ''}${r.stderr ?? ''}`;
    if (r.status !== 0 && /Operation not permitted|unshare failed|ENOENT|not found/.test(why) && !(r.stdout ?? '').includes('differential wildcard')) {
      console.log(`SKIPPED wildcard-listen scenarios: cannot make a private network namespace here (${why.trim().split('\n')[0]})`);
      t.skip('no private network namespace (unshare -n needs root)');
      return;
    }
    console.log(r.stdout);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  });
}
