import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestLine } from '../../server/src/core/logs/request';

test('method, path, args and protocol', () => {
  assert.deepEqual(parseRequestLine('GET /a/b?x=1&y=%20 HTTP/1.1'), {
    method: 'GET', target: '/a/b?x=1&y=%20', path: '/a/b', args: 'x=1&y=%20', protocol: 'HTTP/1.1', version: '1.1', valid: true,
  });
  const noArgs = parseRequestLine('POST /form HTTP/1.0');
  assert.equal(noArgs.args, undefined);
  assert.equal(parseRequestLine('GET /? HTTP/1.1').args, '');
});

test('absolute-form targets carry a host; nginx uses "/" for an empty path', () => {
  const r = parseRequestLine('GET http://Example.com:8080/p?q HTTP/1.1');
  assert.equal(r.host, 'Example.com:8080');
  assert.equal(r.path, '/p');
  assert.equal(r.args, 'q');
  assert.equal(parseRequestLine('GET http://h HTTP/1.1').path, '/');
  assert.equal(parseRequestLine('GET http://h?x HTTP/1.1').args, 'x');
  assert.equal(parseRequestLine('CONNECT foo.com:25 HTTP/1.1').valid, false);
});

test('HTTP/0.9: no protocol, GET only', () => {
  const r = parseRequestLine('GET /nine');
  assert.equal(r.version, '0.9');
  assert.equal(r.protocol, undefined);
  assert.equal(r.valid, true);
  assert.deepEqual(
    [parseRequestLine('POST /x').valid, parseRequestLine('POST /x').reason],
    [false, 'client sent invalid method in HTTP/0.9 request'],
  );
});

test('what nginx 1.22 refuses, with its reasons', () => {
  const reason = (l: string | undefined) => {
    const r = parseRequestLine(l);
    assert.equal(r.valid, false, String(l));
    return r.reason;
  };
  assert.equal(reason(undefined), 'no request line was received');
  assert.equal(reason(''), 'empty request line');
  assert.equal(reason('\x16\x03\x01\x00\xa5'), 'client sent invalid method');
  assert.equal(reason('get / HTTP/1.1'), 'client sent invalid method');
  assert.equal(reason('HELP'), 'client sent invalid request');
  assert.equal(reason('GET /a b HTTP/1.1'), 'client sent invalid request');
  assert.equal(reason('GET /a\x01 HTTP/1.1'), 'client sent invalid request');
  assert.equal(reason('GET /x HTTP/1.1 extra'), 'client sent invalid request');
  assert.equal(reason('GET x HTTP/1.1'), 'client sent invalid request');
  // What could be read is still returned.
  assert.equal(parseRequestLine('GET /a b HTTP/1.1').path, '/a');
});

test('extra spaces between parts are allowed, as nginx allows them', () => {
  const r = parseRequestLine('GET   /x   HTTP/1.1  ');
  assert.equal(r.valid, true);
  assert.equal(r.path, '/x');
});

test('HTTP/2 and HTTP/3 request lines (built by nginx) are not errors', () => {
  const r = parseRequestLine('GET /h2 HTTP/2.0');
  assert.equal(r.valid, true);
  assert.equal(r.version, '2.0');
});
