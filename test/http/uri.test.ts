import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeUri, parseRequestLine, validateHost } from '../../server/src/core/http/uri';

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
});

test('parseRequestLine: origin form, absolute form, invalid lines', () => {
  assert.deepEqual(parseRequestLine('GET /a?b HTTP/1.1'), { method: 'GET', target: '/a?b', protocol: 'HTTP/1.1' });
  assert.deepEqual(parseRequestLine('GET http://Ex.com:8/p HTTP/1.1'), { method: 'GET', target: '/p', protocol: 'HTTP/1.1', host: 'Ex.com:8' });
  assert.deepEqual(parseRequestLine('GET http://ex.com HTTP/1.0'), { method: 'GET', target: '/', protocol: 'HTTP/1.0', host: 'ex.com' });
  assert.equal(parseRequestLine('\x16\x03\x01'), undefined);
  assert.equal(parseRequestLine('get / HTTP/1.1'), undefined);
  assert.equal(parseRequestLine('GET x HTTP/1.1'), undefined);
});
