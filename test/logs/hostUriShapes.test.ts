// $host and $request_uri written side by side ("$scheme://$host$request_uri", a common format)
// split one way only: a validated Host holds no "/" (ngx_http_validate_host) and a request URI
// starts at its path's "/" or, for an absolute URI without a path, at its "?" (ngx_http_parse.c).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileLogFormat } from '../../server/src/core/logs/format';
import { pinnedVariables } from '../../server/src/core/http/request';

const FORMAT = '$remote_addr [$time_local] "$request" $status $scheme://$host$request_uri "$http_user_agent"';
const line = (host: string, uri: string, request = `GET ${uri} HTTP/1.1`) =>
  `192.0.2.1 [27/Nov/2026:10:00:00 +0000] "${request}" 444 http://${host}${uri} "curl/8"`;

for (const fastPath of [true, false]) {
  test(`one reading of $host$request_uri (${fastPath ? 'generated matcher' : 'general search'})`, () => {
    const f = compileLogFormat('x', FORMAT, 'default', { fastPath });
    for (const [host, uri] of [
      ['shop.example.com', '/a/b?x=1'],
      ['shop.example.com', '/'],
      ['', '/only/path'],
      ['[::1]', '/v6'],
    ]) {
      const l = line(host, uri);
      const m = f.matchReadings(l);
      assert.ok(m, l);
      assert.equal(m.twoWays, false, l);
      assert.equal(f.value(l, m.spans, f.indexOf('host')), host, l);
      assert.equal(f.value(l, m.spans, f.indexOf('request_uri')), uri, l);
      const p = f.parse(l);
      assert.ok(p.ok && !p.ambiguous, l);
    }
  });
}

for (const fastPath of [true, false]) {
  test(`$scheme is http or https: a "://" in the URI after it gives no second reading (${fastPath ? 'generated matcher' : 'general search'})`, () => {
    const f = compileLogFormat('x', FORMAT, 'default', { fastPath });
    for (const uri of ['/?url=http://evil', '/r?u=https://a.test/b']) {
      const l = line('wp.test', uri);
      const m = f.matchReadings(l);
      assert.ok(m, l);
      assert.equal(m.twoWays, false, l);
      assert.equal(f.value(l, m.spans, f.indexOf('scheme')), 'http', l);
      assert.equal(f.value(l, m.spans, f.indexOf('host')), 'wp.test', l);
      assert.equal(f.value(l, m.spans, f.indexOf('request_uri')), uri, l);
    }
    // No other value is a scheme nginx writes.
    assert.equal(f.matchReadings(line('wp.test', '/').replace('http://', 'ftp://')), undefined);
  });
}

for (const fastPath of [true, false]) {
  test(`a long Host before $request_uri reads in one try per place a URI may start (${fastPath ? 'generated matcher' : 'general search'})`, () => {
    // nginx accepts a Host up to large_client_header_buffers; one try per byte ran out of budget
    // at about 700 bytes, and the line went untraced.
    for (const format of [FORMAT, '$remote_addr $host$request_uri $status', '$status $http_host$request_uri']) {
      const f = compileLogFormat('x', format, 'default', { fastPath });
      const host = `${'a-'.repeat(2000)}b.test`;
      const l = format.startsWith('$status')
        ? `444 ${host}/p?x=1`
        : format.startsWith('$remote_addr $host') ? `192.0.2.1 ${host}/p?x=1 444` : line(host, '/p?x=1');
      const m = f.matchReadings(l);
      assert.ok(m, format);
      if (format.includes('$http_host')) {
        // A raw Host header may hold "/" (nginx refuses it, but logs it): it may end before the
        // "/", before the "?", or at the end (an empty URI).
        assert.equal(m.twoWays, true, format);
        if (fastPath) assert.equal(f.allReadings(l, 16)?.length, 3, format);
        continue;
      }
      assert.equal(m.twoWays, false, format);
      assert.equal(f.value(l, m.spans, f.indexOf('host')), host, format);
      assert.equal(f.value(l, m.spans, f.indexOf('request_uri')), '/p?x=1', format);
    }
  });
}

test('a line nginx could not have written that way is still read (lenient), not lost', () => {
  const f = compileLogFormat('x', FORMAT, 'default');
  // A request URI that starts with neither "/" nor "?": only a hand-edited or foreign log has it.
  const l = line('h.test', 'odd');
  assert.ok(f.match(l), 'read by the lenient pass');
});

test('a line that still reads two ways keeps the values every reading agrees on', () => {
  // "a.test?x=1": a Host may hold "?" and an empty $request_uri is what a failed request logs,
  // so host "a.test?x=1" with an empty URI is a second reading. The request line and the user
  // agent read the same in both: they stay known; the host and the URI do not.
  const f = compileLogFormat('x', FORMAT, 'default');
  const l = line('a.test', '?x=1', 'GET http://a.test?x=1 HTTP/1.1');
  const m = f.matchReadings(l);
  assert.ok(m?.twoWays);
  assert.deepEqual(f.allReadings(l, 16)?.length, 2);
  assert.deepEqual(pinnedVariables(f, l, ['request', 'status', 'host', 'request_uri', 'http_user_agent']), ['request', 'status', 'http_user_agent']);
  // A line read one way keeps everything.
  const one = line('a.test', '/p?x=1');
  assert.deepEqual(pinnedVariables(f, one, ['request', 'host', 'request_uri']), ['request', 'host', 'request_uri']);
});

test('more readings than can be compared: only the fixed shapes are kept', () => {
  // escape=none and a space-separated format: a user agent with many spaces splits many ways.
  const f = compileLogFormat('y', '$status $http_user_agent $http_referer $http_x_a $http_x_b', 'none');
  const l = `444 ${Array.from({ length: 12 }, (_, i) => `w${i}`).join(' ')}`;
  assert.equal(f.allReadings(l, 16), undefined);
  assert.deepEqual(pinnedVariables(f, l, ['status', 'http_user_agent', 'http_referer']), ['status']);
});

for (const fastPath of [true, false]) {
  test(`an empty $request_uri logged as "-" (a refused request line) reads (${fastPath ? 'generated matcher' : 'general search'})`, () => {
    // nginx 1.22, a request line over large_client_header_buffers (414) into an error_page 444.
    const f = compileLogFormat('detail', '$remote_addr $server_name:$server_port "$request_uri" "$uri" "$args" $status "$http_host"', 'default', { fastPath });
    const l = '127.0.0.1 :43203 "-" "/e" "-" 444 "-"';
    const m = f.matchReadings(l);
    assert.ok(m, l);
    assert.equal(f.value(l, m.spans, f.indexOf('status')), '444');
  });
}
