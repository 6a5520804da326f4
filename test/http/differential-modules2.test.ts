// Differential breadth, third part: Debian nginx-full modules admins put in front of `return 444`
// that the other suites do not cover — the browser module ($ancient_browser, $modern_browser,
// $msie), PROXY protocol with realip, secure_link.
//
// Same contract as differential-breadth.test.ts (see breadthRunner.ts): real nginx decides through
// the harness's markers, every 444 line of every log must be attributed to the rule it ran.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { haveNginx, type Req, type Scenario } from './nginxHarness';
import { conf, get, runBreadth, ua } from './breadthRunner';

const AGENTS = [
  'Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.9.0.5) Gecko/2008 Firefox/3.0.5',
  'Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.8.1.20) Gecko/2008 Firefox/2.0',
  'Mozilla/5.0 (X11; rv:1.9.0.5.7) Gecko',
  'Mozilla/5.0 (X11; rv:99999999999999999999999) Gecko',
  'Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)',
  'Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1)',
  'Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.0) Opera 9.0',
  'Opera/9.80 (X11; Linux x86_64; U; en) Presto/2.2.15 Version/10.00',
  'Opera/9.64 (X11; Linux i686; U; en)',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  'Mozilla/5.0 (compatible; Konqueror/3.4; Linux) KHTML/3.4.2 (like Gecko)',
  'Mozilla/5.0 (compatible; Konqueror/4.2; Linux)',
  'Mozilla/4.72 [en] (X11; U; Linux)',
  'Mozilla/4.7',
  'Lynx/2.8.9rel.1 libwww-FM/2.14',
  'Wget/1.21',
  'curl/8.0',
  'MSIE 6.',
  'MSIE 6.0',
  '-',
  '',
];
/** Every path from trusted and untrusted clients with PROXY headers of several kinds. */
const proxied = (paths: string[], port: 0 | 1): Req[] =>
  ['127.0.0.2', '127.0.0.3', '127.0.0.9'].flatMap((from) =>
    paths.flatMap((path) => [
      ...['198.51.100.5', '203.0.113.7', '192.0.2.1', '127.0.0.2'].flatMap((src) =>
        ['1234', '5555'].map((sport) => get(path, 'localhost', { port, from, proxy: `PROXY TCP4 ${src} 127.0.0.1 ${sport} 80\r\n` })),
      ),
      get(path, 'localhost', { port, from, proxy: 'PROXY UNKNOWN\r\n' }),
      get(path, 'localhost', { port, from, proxy: 'PROXY TCP6 2001:db8::1 ::1 1234 80\r\n' }),
      // nginx 1.22 takes any run of hex digits, dots and colons as the address.
      get(path, 'localhost', { port, from, proxy: 'PROXY TCP4 1.2.3 127.0.0.1 1234 80\r\n' }),
    ]),
  );
/** A request with no User-Agent header at all. */
const noUa = (path: string, extra: Partial<Req> = {}): Req => ({ path, host: 'localhost', ...extra });

function scenarios(): Scenario[] {
  return [
    {
      name: 'browser module: modern/ancient lists, unlisted, netscape4, values, $msie, no User-Agent',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server;
    modern_browser gecko 1.9; modern_browser msie 7.0; modern_browser safari 500; modern_browser konqueror 3.5;
    ancient_browser_value old;
    location / { if ($ancient_browser) { return 444; } return 444; }
    location /ms { if ($msie) { return 444; } return 444; }
    location /u { modern_browser opera 9.80; modern_browser unlisted; ancient_browser Lynx netscape4 Wget; if ($ancient_browser = old) { return 444; } return 444; }
    location /mv { modern_browser_value yes; if ($modern_browser = yes) { return 444; } return 444; }
    location /dup { modern_browser gecko 100; modern_browser gecko 1.0; if ($ancient_browser) { return 444; } return 444; }
    location /only { modern_browser unlisted; if ($ancient_browser) { return 444; } return 444; }
  }
`,
        `  log_format noua '$remote_addr [$time_local] "$request" $status "$host"';
  access_log PREFIX/logs/noua.log noua;`,
      ),
      requests: [
        ...['/', '/ms', '/u', '/mv', '/dup', '/only'].flatMap((p) => [...AGENTS.map((a) => get(p, 'localhost', ua(a))), noUa(p)]),
      ],
    },
    {
      name: 'browser module: server-level if, a location that redefines the lists after the value was cached',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server; ancient_browser curl; modern_browser unlisted;
    if ($ancient_browser) { return 444; }
    location / { return 444; }
    location /r { ancient_browser Wget; rewrite ^ /in last; }
    location /in { if ($ancient_browser) { return 444; } return 444; }
  }
`),
      requests: ['curl/8.0', 'Mozilla/5.0 curl', 'Wget/1.21', 'xcurl', ''].flatMap((a) => [get('/', 'localhost', ua(a)), get('/r', 'localhost', ua(a))]).concat([noUa('/'), noUa('/r')]),
    },
    {
      name: 'PROXY protocol with realip from it: allow/deny, geo, $proxy_protocol_addr/_port, UNKNOWN, TCP6, broken headers',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT proxy_protocol default_server;
    set_real_ip_from 127.0.0.0/29; real_ip_header proxy_protocol;
    error_page 403 = @drop;
    location /geo { if ($bad) { return 444; } return 444; }
    location /deny { deny 203.0.113.0/24; allow all; }
    location /pp { if ($pp_bad) { return 444; } if ($proxy_protocol_port = 1234) { return 444; } return 444; }
    location /addr { if ($remote_addr = 127.0.0.2) { return 444; } return 444; }
    location @drop { return 444; }
  }
`,
        `  log_format pp '$remote_addr $realip_remote_addr $proxy_protocol_addr:$proxy_protocol_port "$request" $status';
  access_log PREFIX/logs/pp.log pp;
  log_format rr '$remote_addr $realip_remote_addr "$request" $status';
  access_log PREFIX/logs/rr.log rr;
  geo $bad { default 0; 198.51.100.0/24 1; 127.0.0.3 1; }
  map $proxy_protocol_addr $pp_bad { default 0; ~^203\\.0\\.113\\. 1; }`,
      ),
      requests: proxied(['/geo', '/deny', '/pp', '/addr'], 0).concat([
        get('/geo', 'localhost', { unlogged: true }),
        get('/geo', 'localhost', { proxy: 'PROXY TCP4 198.51.100.x 127.0.0.1 1 80\r\n', unlogged: true }),
        get('/geo', 'localhost', { proxy: 'PROXY TCP4 198.51.100.5 127.0.0.1 1234 80\n', unlogged: true }),
      ]),
    },
    {
      name: 'PROXY protocol without realip, beside a plain socket: $proxy_protocol_addr is empty there',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT proxy_protocol default_server; listen 127.0.0.2:PORT;
    location / { if ($proxy_protocol_addr = "") { return 444; } if ($remote_addr = 127.0.0.3) { return 444; } if ($pp_bad) { return 444; } return 444; }
  }
`,
        `  log_format pp '$server_addr $remote_addr $proxy_protocol_addr "$request" $status';
  access_log PREFIX/logs/pp.log pp;
  map $proxy_protocol_addr $pp_bad { default 0; ~^203\\.0\\.113\\. 1; }`,
      ),
      requests: proxied(['/'], 0).concat(['127.0.0.3', '127.0.0.4'].map((from) => get('/', 'localhost', { from, to: '127.0.0.2' }))),
    },
    {
      name: 'secure_link: md5 with expiry (valid, expired, malformed), without expiry, the older secure_link_secret',
      conf: conf(`
  server { listen 127.0.0.1:PORT default_server;
    location /s/ {
      secure_link $arg_md5,$arg_expires;
      secure_link_md5 "$secure_link_expires$uri$remote_addr secret";
      if ($secure_link = "") { return 444; }
      if ($secure_link = "0") { return 444; }
      return 444;
    }
    location /n/ { secure_link $arg_h; secure_link_md5 "$uri s2"; if ($secure_link = "") { return 444; } return 444; }
    location /p/ { secure_link_secret word; if ($secure_link = "") { return 444; } if ($secure_link ~ ^a) { return 444; } return 444; }
  }
`),
      requests: secureLinkRequests(),
    },
    {
      name: 'keep-alive: pipelined requests on one connection keep no set, map, browser or secure_link state between them; limit_req across them',
      conf: conf(
        `
  server { listen 127.0.0.1:PORT default_server;
    modern_browser gecko 1.9; modern_browser msie 7.0;
    location /set { set $flag 1; if ($ancient_browser) { set $old 1; } if ($secure_link) { return 204; } return 200; }
    location /check { if ($flag) { return 444; } if ($marked) { return 444; } if ($ancient_browser) { return 444; } if ($secure_link = "") { return 444; } return 444; }
    location /lim { limit_req zone=one; limit_req_status 444; }
    secure_link $arg_h; secure_link_md5 "$uri k";
  }
`,
        `  limit_req_zone $binary_remote_addr zone=one:1m rate=1r/m;
  map $arg_mark $marked { default 0; 1 1; }`,
      ),
      requests: [
        get('/set'),
        { ...get('/check?mark=1'), sameConnection: true },
        get('/set'),
        { ...get('/check'), sameConnection: true },
        get('/set', 'localhost', ua('Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)')),
        { ...get('/check'), sameConnection: true },
        get(`/set?h=${b64url('/set k')}`),
        { ...get(`/check?h=${b64url('/set k')}`), sameConnection: true },
        get('/check', 'localhost', ua('Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)')),
        get('/lim', 'localhost', { from: '127.0.0.5' }),
        { ...get('/lim', 'localhost'), sameConnection: true },
        get('/lim', 'localhost', { from: '127.0.0.6' }),
        { ...get('/set', 'localhost'), sameConnection: true },
        { ...get('/lim', 'localhost'), sameConnection: true },
      ],
    },
  ];
}

const b64url = (s: string) => createHash('md5').update(s).digest('base64url');
const hex = (s: string) => createHash('md5').update(s).digest('hex');

function secureLinkRequests(): Req[] {
  const now = Math.floor(Date.now() / 1000);
  const s = (exp: string, hash: string, from = '127.0.0.1') => get(`/s/file?md5=${hash}&expires=${exp}`, 'localhost', { from });
  const good = (exp: number, ip = '127.0.0.1') => b64url(`${exp}/s/file${ip} secret`);
  return [
    s(String(now + 3600), good(now + 3600)),
    s(String(now + 3600), good(now + 3600) + '=='),
    s(String(now + 3600), good(now + 3600) + '=x'),
    s(String(now - 3600), good(now - 3600)),
    s(String(now - 86400 * 30), good(now - 86400 * 30)),
    s(String(now + 3600), good(now + 3600), '127.0.0.2'),
    s(String(now + 3600), good(now + 3600, '127.0.0.2'), '127.0.0.2'),
    s(String(now + 3600), good(now + 3599)),
    s(String(now + 3600), good(now + 3600).slice(0, 21)),
    s(String(now + 3600), '+' + good(now + 3600).slice(1)),
    s('0', good(0)),
    s('abc', good(now)),
    s('', good(now)),
    get('/s/file'),
    get(`/s/file?md5=${b64url('/s/file127.0.0.1 secret')}`),
    get(`/n/a?h=${b64url('/n/a s2')}`),
    get(`/n/a?h=${b64url('/n/b s2')}`),
    get(`/n/a?h=${b64url('/n/a s2').toUpperCase()}`),
    get('/n/a'),
    ...['abc', 'abc?x=1', 'zz/y', 'b'].flatMap((rest) => [get(`/p/${hex(rest + 'word')}/${rest}`), get(`/p/${hex(rest + 'word').toUpperCase()}/${rest}`), get(`/p/${hex(rest + 'wrong')}/${rest}`)]),
    get('/p/abc'),
    get(`/p/${hex('word')}/`),
  ];
}

/** The echo module, which Debian's nginx-full ships as a dynamic module (libnginx-mod-http-echo). */
const ECHO_SO = '/usr/lib/nginx/modules/ngx_http_echo_module.so';

function echoScenario(): Scenario {
  return {
    name: 'echo module: echo is a content handler (no index module), echo_exec redirects, echo_status 444 is logged 444',
    conf:
      `load_module ${ECHO_SO};\n` +
      conf(`
  server { listen 127.0.0.1:PORT default_server; root FILES/www;
    location / { echo "ok"; }
    location = /index.html { return 444; }
    location /st/ { if ($arg_quiet) { return 200; } echo_status 444; echo "dropped"; }
    location /x/ { echo_exec /drop; }
    location /q/ { echo_exec /drop a=1; }
    location /n/ { echo_exec @gone; }
    location = /drop { if ($arg_a) { return 403; } return 444; }
    location @gone { if ($http_user_agent ~* bot) { return 444; } return 404; }
  }`),
    files: { 'www/': '', 'www/index.html': 'hi\n' },
    requests: [get('/'), get('/index.html'), get('/st/'), get('/st/?quiet=1'), get('/x/'), get('/q/'), get('/n/', 'localhost', ua('somebot/1.0')), get('/n/')],
  };
}

test('differential breadth (modules, part 2): our attribution of every 444 agrees with real nginx', { skip: !haveNginx && 'nginx not installed', timeout: 120_000 }, async () => {
  const echo = existsSync(ECHO_SO);
  if (!echo) console.log(`SKIPPED the echo module scenario: ${ECHO_SO} is not installed (apt install libnginx-mod-http-echo)`);
  const { total, failures } = await runBreadth('differential modules 2', [...scenarios(), ...(echo ? [echoScenario()] : [])]);
  assert.equal(failures.length, 0, `${failures.length} failures (FAIL lines above)`);
  assert.ok(total.exact > 100, `expected most lines of the User-Agent-carrying logs exact, got ${total.exact}`);
});
