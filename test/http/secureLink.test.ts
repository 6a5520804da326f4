// ngx_http_secure_link_module as the router evaluates it (checked against real nginx in
// differential-modules2.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { atotm, loggedSecond, secureLinkConf, secureLinkHash } from '../../server/src/core/http/secureLink';
import { Attributor, facts, http, lineOf, modelOf, one, outcomesOf } from './support';

const b64url = (s: string) => createHash('md5').update(s).digest('base64url');
const hex = (s: string) => createHash('md5').update(s).digest('hex');

test('secure_link: the hash is base64url of 16 bytes, at most 24 characters, read up to the first "="', () => {
  const h = b64url('x');
  assert.equal(h.length, 22);
  assert.ok(secureLinkHash(h));
  assert.ok(secureLinkHash(h + '=='));
  assert.ok(secureLinkHash(h + '=x'));
  assert.equal(secureLinkHash(h + '==='), undefined);
  assert.equal(secureLinkHash(h.slice(0, 21)), undefined);
  assert.equal(secureLinkHash(h + 'A'), undefined);
  assert.equal(secureLinkHash('+' + h.slice(1)), undefined);
  assert.equal(atotm(''), undefined);
  assert.equal(atotm('12a'), undefined);
  assert.equal(atotm('9223372036854775808'), undefined);
  assert.equal(atotm('0042'), 42n);
});

test('secure_link: the logged second from $msec, $time_iso8601 or $time_local', () => {
  assert.equal(loggedSecond({ msec: '1764292391.123' }), 1764292391);
  assert.equal(loggedSecond({ time_iso8601: '2025-11-28T02:13:11+01:00' }), 1764292391);
  assert.equal(loggedSecond({ time_local: '28/Nov/2025:01:13:11 +0000' }), 1764292391);
  assert.equal(loggedSecond({ time_local: '27/Nov/2025:20:13:11 -0500' }), 1764292391);
  assert.equal(loggedSecond({}), undefined);
});

test('secure_link: merge — the secret is inherited only where neither secure_link nor secure_link_md5 is', () => {
  const m = modelOf(http(`secure_link_secret top; server { listen 80; location /a { secure_link $arg_h; } location /b { } location /c { secure_link_secret mine; } }`));
  const scope = (p: string) => m.servers[0].locations.prefix.find((l) => l.name === p)!.scope;
  assert.deepEqual(secureLinkConf(scope('/a')), { variable: '$arg_h', md5: undefined });
  assert.deepEqual(secureLinkConf(scope('/b')), { secret: 'top' });
  assert.deepEqual(secureLinkConf(scope('/c')), { secret: 'mine' });
});

test('secure_link: routes on the hash, and on the expiry when the log has the request time', () => {
  const conf = http(`server { listen 80;
    location /s/ { secure_link $arg_md5,$arg_e; secure_link_md5 "$secure_link_expires$uri secret";
      if ($secure_link = "") { return 444; } if ($secure_link = "0") { return 410; } return 200; }
    location /p/ { secure_link_secret word; if ($secure_link = "") { return 444; } return 200; }
  }`);
  const m = modelOf(conf);
  const T = 1764292391;
  const req = (path: string, vars: Record<string, string> = {}) => facts({ request: `GET ${path} HTTP/1.1`, host: 'localhost', serverPort: 80, remoteAddr: '192.0.2.1', vars });
  const link = (e: number) => `/s/f?md5=${b64url(`${e}/s/f secret`)}&e=${e}`;
  const at = { msec: `${T}.500` };
  assert.equal(one(m, req(link(T + 10), at)).status, 200);
  assert.equal(one(m, req(link(T), at)).status, 200);
  assert.equal(one(m, req(link(T - 3600), at)).status, 410);
  assert.equal(one(m, req(`/s/f?md5=${b64url('x')}&e=${T + 10}`, at)).rule!.range.start.line + 1, lineOf(conf, 'return 444'));
  // Expired a few seconds before the log: the variable may have run before the expiry.
  assert.deepEqual(outcomesOf(m, req(link(T - 5), at)).map((o) => o.split(':')[0]), ['200', '410']);
  assert.equal(one(m, req(link(T - 5), { ...at, request_time: '0.001' })).status, 410);
  // No time logged: the expiry decides nothing.
  assert.deepEqual(outcomesOf(m, req(link(T - 3600))).map((o) => o.split(':')[0]), ['200', '410']);
  // The older form: md5 of the URI past the second '/' (args included) and the secret, in hex.
  assert.equal(one(m, req(`/p/${hex('a?b=1word')}/a?b=1`)).status, 200);
  assert.equal(one(m, req(`/p/${hex('a?b=1word').toUpperCase()}/a?b=1`)).status, 200);
  assert.equal(one(m, req(`/p/${hex('aword')}/a?b=1`)).status, 444);
  assert.equal(one(m, req('/p/a')).status, 444);
});

test('secure_link: a config that reads $secure_link needs the logged request time', () => {
  const m = modelOf(http(`server { listen 80; secure_link $arg_h,$arg_e; secure_link_md5 x; if ($secure_link = "0") { return 444; } }`));
  for (const v of ['msec', 'time_iso8601', 'time_local', 'request_time']) assert.ok(m.referencedVars.has(v), v);
});

test('secure_link: $secure_link_expires is empty until $secure_link has read an expiry', () => {
  const conf = http(`server { listen 80;
    location /s/ { secure_link $arg_md5,$arg_e; secure_link_md5 "$uri k";
      if ($secure_link_expires) { return 403; } if ($secure_link = "") { return 444; } if ($secure_link_expires = 99) { return 410; } return 200; } }`);
  const m = modelOf(conf);
  const req = (path: string) => facts({ request: `GET ${path} HTTP/1.1`, host: 'localhost', serverPort: 80, remoteAddr: '192.0.2.1', vars: { msec: '1000.5' } });
  // The hash is checked after the expiry is read: a wrong hash still leaves ctx->expires set.
  assert.equal(one(m, req(`/s/f?md5=${b64url('x')}&e=99`)).status, 444);
  assert.equal(one(m, req(`/s/f?md5=${b64url('/s/f k')}&e=99`)).status, 410);
});

test('secure_link: the attribution cache tells secure_link_secret links apart by their arguments', () => {
  const conf = http(`server { listen 80; location /p/ { secure_link_secret word; if ($secure_link = "") { return 444; } return 200; } }`);
  const m = modelOf(conf);
  const at = new Attributor(m);
  const req = (target: string) => facts({ request: `GET ${target} HTTP/1.1`, host: 'localhost', serverPort: 80, remoteAddr: '192.0.2.1' });
  const ok = `/p/${hex('a?b=1word')}/a?b=1`;
  assert.equal(at.outcomes(req(ok)).outcomes[0].status, 200);
  assert.equal(at.outcomes(req(ok.replace('b=1', 'b=2'))).outcomes[0].status, 444);
});
