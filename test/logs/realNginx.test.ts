// Differential test: real nginx writes the logs, our parser reads them back,
// and every value must be exactly what the test sent.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { combinedFormat, compileLogFormat, type LogFormat, type LogParseResult } from '../../server/src/core/logs/format';
import { parseRequestLine } from '../../server/src/core/logs/request';
import { hasNginx, httpRequest, nginxTest, type RunningNginx, sendRaw, startNginx } from '../support/realNginx';

const EXT =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" ' +
  '"$http_user_agent" $host "$http_host" $server_port $request_time "${custom}x" "$http_x_weird"';
const JS =
  '{"addr":"$remote_addr","req":"$request","status":$status,"ua":"$http_user_agent","host":"$host",' +
  '"custom":"$custom","weird":"$http_x_weird","rt":$request_time,"port":"$server_port","user":"$remote_user"}';
const RAW = '$status|$server_port|$request_time|$remote_addr|$http_x_weird';

const CONF = `
log_format ext '${EXT}';
log_format js escape=json '${JS}';
log_format raw escape=none '${RAW}';
server {
  listen 127.0.0.1:{{port}};
  listen 127.0.0.1:{{port1}};
  server_name localhost;
  access_log {{logs}}/combined.log;
  access_log {{logs}}/ext.log ext;
  access_log {{logs}}/js.log js;
  access_log {{logs}}/raw.log raw;
  set $custom $http_x_custom;
  location / { return 200 "ok\\n"; }
  location /drop { return 444; }
}
`;

const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');
// nginx trims spaces at the ends of header values: none here.
const LONG_UA = 'Mozilla/5.0' + ' a "quoted" b\\c'.repeat(450);

interface Case {
  name: string;
  /** Raw bytes sent (latin1). */
  send: string;
  from: string;
  /** Which of the two listening ports (default 0). */
  port?: number;
  status: number;
  /** Values nginx must have logged (byte strings); undefined = not found. */
  expect: Record<string, string | undefined>;
}

const CASES: Case[] = [
  {
    name: 'plain request',
    send: httpRequest('GET', '/a?b=1', { 'User-Agent': 'curl/8.0' }),
    from: '127.0.0.1',
    status: 200,
    expect: { request: 'GET /a?b=1 HTTP/1.1', http_user_agent: 'curl/8.0', http_referer: undefined, host: 'localhost', http_host: 'localhost', remote_user: undefined },
  },
  {
    name: 'quotes, backslashes and escape look-alikes in headers',
    send: httpRequest('GET', '/q', { 'User-Agent': 'say "hi" \\ back\\slash \\x41 \\u0041', 'X-Weird': '"\\"', Referer: 'http://r/"x"' }),
    from: '127.0.0.2',
    status: 200,
    expect: { http_user_agent: 'say "hi" \\ back\\slash \\x41 \\u0041', http_x_weird: '"\\"', http_referer: 'http://r/"x"' },
  },
  {
    name: 'non-ASCII (UTF-8 and invalid UTF-8) and control bytes',
    send: httpRequest('GET', '/caf\xc3\xa9', { 'User-Agent': 'na\xc3\xafve \xf0\x9f\x98\x80 \xff\xfe', 'X-Weird': 'tab\there\x01\x1b\x7f', 'X-Custom': '\xe2\x82\xac "c"' }),
    from: '127.0.0.3',
    status: 200,
    expect: {
      request: 'GET /caf\xc3\xa9 HTTP/1.1',
      http_user_agent: 'na\xc3\xafve \xf0\x9f\x98\x80 \xff\xfe',
      http_x_weird: 'tab\there\x01\x1b\x7f',
      custom: '\xe2\x82\xac "c"',
    },
  },
  {
    name: 'spaces and brackets in $remote_user (Basic auth)',
    send: httpRequest('GET', '/u', { Authorization: `Basic ${b64('us er [x] "q":pw')}`, 'User-Agent': 'ua' }),
    from: '127.0.0.4',
    status: 200,
    expect: { remote_user: 'us er [x] "q"', http_user_agent: 'ua' },
  },
  {
    name: 'Host with port and upper case: $host vs $http_host',
    send: httpRequest('GET', '/h', { Host: 'WWW.Example.COM:8080', 'User-Agent': '-' }),
    from: '127.0.0.5',
    status: 200,
    expect: { host: 'www.example.com', http_host: 'WWW.Example.COM:8080', http_user_agent: '-' },
  },
  {
    name: 'absolute URI in the request line (on the second port)',
    send: httpRequest('GET', 'http://Abs.Example/p?x=%22y%22', { Host: 'other' }),
    from: '127.0.0.6',
    port: 1,
    status: 200,
    expect: { request: 'GET http://Abs.Example/p?x=%22y%22 HTTP/1.1', host: 'abs.example', http_host: 'other' },
  },
  {
    name: 'a very long user agent',
    send: httpRequest('GET', '/long', { 'User-Agent': LONG_UA }),
    from: '127.0.0.7',
    status: 200,
    expect: { http_user_agent: LONG_UA },
  },
  {
    name: 'return 444',
    send: httpRequest('GET', '/drop?x="1"', { 'User-Agent': 'bad "bot"' }),
    from: '127.0.0.8',
    status: 444,
    expect: { request: 'GET /drop?x="1" HTTP/1.1', http_user_agent: 'bad "bot"' },
  },
  {
    name: 'HTTP/1.0 without Host',
    send: 'GET /old HTTP/1.0\r\nUser-Agent: old\r\n\r\n',
    from: '127.0.0.9',
    status: 200,
    expect: { request: 'GET /old HTTP/1.0', http_host: undefined, host: 'localhost' },
  },
  {
    name: 'HTTP/0.9 request',
    send: 'GET /nine\r\n',
    from: '127.0.0.10',
    status: 200,
    expect: { request: 'GET /nine' },
  },
  {
    name: 'space in the URI (400 in 1.22, whole line logged)',
    send: 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n',
    from: '127.0.0.11',
    status: 400,
    expect: { request: 'GET /a b HTTP/1.1' },
  },
  {
    name: 'empty header value: logged empty, not as missing',
    send: 'GET /e HTTP/1.1\r\nHost: a\r\nX-Weird: \r\nReferer:\r\nConnection: close\r\n\r\n',
    from: '127.0.0.13',
    status: 200,
    expect: { http_x_weird: '', http_referer: '', http_user_agent: undefined, host: 'a' },
  },
  {
    name: 'an empty request line',
    send: '\r\n\r\n',
    from: '127.0.0.14',
    status: 400,
    expect: { request: '', http_user_agent: undefined },
  },
  {
    name: 'TLS handshake on the plain port',
    send: '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"\\ \x00',
    from: '127.0.0.12',
    status: 400,
    expect: { request: '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"\\ \x00' },
  },
];

function fieldsOf(r: LogParseResult): Record<string, string | undefined> {
  assert.ok(r.ok, `line did not parse: ${!r.ok ? r.reason : ''}`);
  assert.ok(!r.ambiguous, 'reported ambiguous');
  assert.ok(!r.lenient, 'needed the lenient pass');
  return r.fields;
}

describe('logs written by real nginx parse back to the values sent', { skip: !hasNginx() && 'no /usr/sbin/nginx' }, () => {
  let ngx: RunningNginx;
  const lines: Record<string, string[]> = {};
  const formats: Record<string, LogFormat> = {
    combined: combinedFormat(),
    ext: compileLogFormat('ext', EXT, 'default'),
    js: compileLogFormat('js', JS, 'json'),
    raw: compileLogFormat('raw', RAW, 'none'),
  };

  before(async () => {
    ngx = await startNginx({ conf: CONF, ports: 2 });
    for (const c of CASES) {
      const res = await sendRaw(ngx.ports[c.port ?? 0], c.send, { localAddress: c.from, end: c.status === 400 });
      if (c.status === 444) assert.ok(res.empty, `${c.name}: 444 must close without a response`);
      // An HTTP/0.9 response has no status line; an empty request line gets no response.
      else if (!c.send.startsWith('GET /nine') && c.send !== '\r\n\r\n') assert.equal(res.status, c.status, `${c.name}: response status`);
    }
    for (const name of Object.keys(formats)) lines[name] = await ngx.waitForLines(`${name}.log`, CASES.length);
  });
  after(async () => {
    await ngx?.stop();
  });

  CASES.forEach((c, i) => {
    test(c.name, () => {
      const want = (k: string, got: string | undefined, fmt: string) => {
        // escape=default writes a missing value as `-`: a real `-` reads as missing too.
        // json and none write a missing value as nothing: an empty one reads as missing too.
        const text = fmt === 'js' || fmt === 'raw';
        const expected = (!text && c.expect[k] === '-') || (text && c.expect[k] === '') ? undefined : c.expect[k];
        if (got !== expected) {
          assert.fail(`${fmt}: $${k} = ${JSON.stringify(got)?.slice(0, 200)}, want ${JSON.stringify(expected)?.slice(0, 200)}; line ${JSON.stringify(lines[fmt][i].slice(0, 300))}`);
        }
      };

      const ext = fieldsOf(formats.ext.parse(lines.ext[i]));
      assert.equal(ext.remote_addr, c.from);
      assert.equal(ext.status, String(c.status));
      assert.match(ext.request_time!, /^\d+\.\d{3}$/);
      assert.match(ext.time_local!, /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}$/);
      assert.equal(ext.server_port, String(ngx.ports[c.port ?? 0]));
      for (const k of Object.keys(c.expect)) want(k, ext[k], 'ext');

      const comb = fieldsOf(formats.combined.parse(lines.combined[i]));
      for (const k of ['remote_addr', 'remote_user', 'request', 'status', 'http_referer', 'http_user_agent']) {
        assert.equal(comb[k], ext[k], `combined and ext agree on $${k}`);
      }

      const js = fieldsOf(formats.js.parse(lines.js[i]));
      assert.equal(js.remote_addr, c.from);
      assert.equal(js.status, String(c.status));
      for (const k of Object.keys(c.expect)) {
        if (k === 'http_referer' || k === 'http_host') continue; // not in this format
        // json logs a missing value as empty, `-` stays `-`.
        want(k, js[k], 'js');
      }

      const raw = fieldsOf(formats.raw.parse(lines.raw[i]));
      assert.equal(raw.remote_addr, c.from);
      assert.equal(raw.status, String(c.status));
      if ('http_x_weird' in c.expect) want('http_x_weird', raw.http_x_weird, 'raw');

      // The request line, taken apart as nginx did.
      if (c.expect.request !== undefined) {
        const req = parseRequestLine(ext.request);
        assert.equal(req.valid, c.status !== 400, `request line validity: ${JSON.stringify(req)}`);
      }
    });
  });

  test('the request line parts match what nginx routed', () => {
    const r = parseRequestLine(fieldsOf(formats.ext.parse(lines.ext[5])).request);
    assert.equal(r.host, 'Abs.Example');
    assert.equal(r.path, '/p');
    assert.equal(r.args, 'x=%22y%22');
    const nine = parseRequestLine(fieldsOf(formats.ext.parse(lines.ext[9])).request);
    assert.equal(nine.version, '0.9');
    assert.equal(nine.protocol, undefined);
  });
});

describe('nginxTest', { skip: !hasNginx() && 'no /usr/sbin/nginx' }, () => {
  test('accepts our formats and rejects what our compiler rejects', async () => {
    assert.equal((await nginxTest(CONF, { ports: 2 })).ok, true);
    const bad = await nginxTest(`log_format x '\${host';\nserver { listen 127.0.0.1:{{port}}; access_log {{logs}}/x.log x; }`);
    assert.equal(bad.ok, false);
    assert.match(bad.stderr, /the closing bracket in "host" variable is missing/);
  });
});
