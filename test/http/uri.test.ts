import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeUri, parseRequestLine, unsupportedVersion, validateHost } from '../../server/src/core/http/uri';

test('normalizeUri decodes, merges slashes and resolves dot segments like ngx_http_parse_complex_uri', () => {
  const ok = (t: string, uri: string, args?: string, merge = true) =>
    assert.deepEqual(normalizeUri(t, merge), { ok: true, uri, args }, t);
  ok('/', '/');
  ok('/a/b', '/a/b');
  ok('//a///b', '/a/b');
  ok('//a//b', '//a//b', undefined, false);
  ok('/a/./b', '/a/b');
  ok('/a/../b', '/b');
  ok('/a/b/..', '/a/');
  ok('/a/.', '/a/');
  ok('/%65xact', '/exact');
  ok('/a%2Fb', '/a/b');
  ok('/a/%2e%2e/b', '/b');
  ok('/a/%2E./b', '/b');
  ok('/a%3Fb?x=1', '/a?b', 'x=1');
  ok('/a%25b', '/a%b');
  ok('/a+b', '/a+b');
  ok('/x?y=%41', '/x', 'y=%41');
  ok('/x?', '/x', '');
  ok('/x#frag', '/x');
  ok('/a/..b', '/a/..b');
  ok('/a/...', '/a/...');
  // `GET http://h?x=1`: the request line's target has no path; nginx's URI is "/".
  ok('?x=1', '/', 'x=1');
});

test('normalizeUri rejects what nginx answers 400', () => {
  for (const t of ['/..', '/../x', '/a/../../x', '/%zz', '/%4', '/a%00b', '/%2e%2e'])
    assert.deepEqual(normalizeUri(t, true), { ok: false }, t);
});

test('validateHost lowercases, strips the port and one trailing dot, rejects bad hosts', () => {
  assert.equal(validateHost('Example.COM'), 'example.com');
  assert.equal(validateHost('example.com.'), 'example.com');
  assert.equal(validateHost('example.com:8080'), 'example.com');
  assert.equal(validateHost('example.com.:80'), 'example.com');
  assert.equal(validateHost('[::1]:80'), '[::1]');
  assert.equal(validateHost('.example.com'), '.example.com');
  assert.equal(validateHost('a..b'), undefined);
  assert.equal(validateHost('a/b'), undefined);
  assert.equal(validateHost(''), undefined);
  assert.equal(validateHost(':80'), undefined);
  assert.equal(validateHost('.'), undefined);
  assert.equal(validateHost('a b'), undefined);
  // ngx_strlow changes A-Z only: a UTF-8 'É' (C3 89) keeps its bytes; JS would lower C3 to E3.
  assert.equal(validateHost('\xC3\x89.Test'), '\xC3\x89.test');
});

test('parseRequestLine: origin form, absolute form, invalid lines', () => {
  assert.deepEqual(parseRequestLine('GET /a?b HTTP/1.1'), { method: 'GET', target: '/a?b', protocol: 'HTTP/1.1' });
  assert.deepEqual(parseRequestLine('GET http://Ex.com:8/p HTTP/1.1'), { method: 'GET', target: '/p', protocol: 'HTTP/1.1', host: 'Ex.com:8' });
  assert.deepEqual(parseRequestLine('GET http://ex.com HTTP/1.0'), { method: 'GET', target: '/', protocol: 'HTTP/1.0', host: 'ex.com' });
  assert.equal(parseRequestLine('\x16\x03\x01'), undefined);
  assert.equal(parseRequestLine('get / HTTP/1.1'), undefined);
  assert.equal(parseRequestLine('GET x HTTP/1.1'), undefined);
  // The first major digit must be 1-9: a written-out HTTP/0.9 is a 400 (nginx 1.22).
  assert.equal(parseRequestLine('GET / HTTP/0.9'), undefined);
});

test('an HTTP major version above 1 is a 505, not a 400; "HTTP/2.0" may also be an HTTP/2 request as nginx logs it', async () => {
  assert.ok(unsupportedVersion('GET / HTTP/3.0'));
  assert.ok(unsupportedVersion('GET /a HTTP/2'));
  assert.ok(unsupportedVersion('GET / HTTP/10.0'));
  assert.ok(unsupportedVersion('GET http://h/ HTTP/2.0'));
  assert.ok(!unsupportedVersion('GET / HTTP/0.9'));
  assert.ok(!unsupportedVersion('GET * HTTP/2.0'));
  assert.ok(!unsupportedVersion('get / HTTP/2.0'));
  const { facts, http, lineOf, modelOf, outcomesOf } = await import('./support');
  const body = `error_page 505 = /ver; location / { return 444; } location = /ver { return 403; }`;
  const plain = http(`server { listen 80 default_server; ${body} }`);
  assert.deepEqual(outcomesOf(modelOf(plain), facts({ request: 'GET / HTTP/2.0', serverPort: 80 })), [`403:${lineOf(plain, 'listen 80')}`]);
  const h2 = http(`server { listen 80 default_server http2; ${body} }`);
  assert.deepEqual(outcomesOf(modelOf(h2), facts({ request: 'GET / HTTP/2.0', serverPort: 80 })).sort(), [`403:${lineOf(h2, 'listen 80')}`, `444:${lineOf(h2, 'listen 80')}`]);
});

test('parseRequestLine: runs of spaces nginx skips stay in $request (HTTP/0.9 with a trailing space included)', () => {
  // As nginx 1.22 logged them when sent these request lines.
  assert.deepEqual(parseRequestLine('GET  /a HTTP/1.1'), { method: 'GET', target: '/a', protocol: 'HTTP/1.1' });
  assert.deepEqual(parseRequestLine('GET /b  HTTP/1.1'), { method: 'GET', target: '/b', protocol: 'HTTP/1.1' });
  assert.deepEqual(parseRequestLine('GET /c HTTP/1.1 '), { method: 'GET', target: '/c', protocol: 'HTTP/1.1' });
  assert.deepEqual(parseRequestLine('GET /d   '), { method: 'GET', target: '/d', protocol: 'HTTP/0.9' });
  assert.deepEqual(parseRequestLine('GET /e'), { method: 'GET', target: '/e', protocol: 'HTTP/0.9' });
});

test('an HTTP/0.9 request has no Host: the server named "" or the default server takes it', async () => {
  const { facts, http, modelOf, outcomesOf } = await import('./support');
  const m = modelOf(http(`server { listen 80 default_server; location / { return 444; } } server { listen 80; server_name a.test; return 200; }`));
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET /', serverPort: 80 })), ['444:3']);
  assert.deepEqual(outcomesOf(m, facts({ request: 'GET / ', serverPort: 80 })), ['444:3']);
});

test('parseRequestLine: HTTP/1.x with a minor version of up to three digits, which demands a Host from 1.1 on', async () => {
  const { requiresHost } = await import('../../server/src/core/http/uri');
  // nginx 1.22: "GET /x HTTP/1.10" routed (444), without Host 400; "HTTP/1.1000" and "HTTP/01.1" 400.
  assert.equal(parseRequestLine('GET /x HTTP/1.10')?.protocol, 'HTTP/1.10');
  assert.equal(parseRequestLine('GET /x HTTP/1.100')?.protocol, 'HTTP/1.100');
  assert.equal(parseRequestLine('GET /x HTTP/1.1000'), undefined);
  assert.equal(parseRequestLine('GET /x HTTP/01.1'), undefined);
  assert.deepEqual(['HTTP/0.9', 'HTTP/1.0', 'HTTP/1.00', 'HTTP/1.01', 'HTTP/1.1', 'HTTP/1.10', 'HTTP/2.0'].map(requiresHost), [false, false, false, true, true, true, true]);
});
