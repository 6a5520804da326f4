import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { detectLogFormat, KNOWN_FORMATS } from '../../server/src/core/logs/detect';
import { compileLogFormat, renderLogLine } from '../../server/src/core/logs/format';
import { jsonLinesParser, variableForJsonKey } from '../../server/src/core/logs/jsonLines';
import { syslogPrefixLength, withSyslogPrefix } from '../../server/src/core/logs/syslog';
import { syntheticValues } from '../support/accessLog';

function linesOf(name: string, count = 50): string[] {
  const k = KNOWN_FORMATS.find((f) => f.name === name)!;
  const f = compileLogFormat(k.name, k.format, k.escape);
  const next = syntheticValues({ seed: 3 });
  return Array.from({ length: count }, () => {
    const v = next();
    return renderLogLine(f, {
      ...v, http_x_forwarded_for: '10.0.0.1, 10.0.0.2', server_port: '443', upstream_cache_status: 'HIT',
      upstream_status: '200', request_method: 'GET', scheme: 'https', request_uri: '/x', gzip_ratio: '2.10',
      server: '10.0.0.9:8080', trailing: '0.003 "extra"',
    });
  });
}

describe('detectLogFormat', () => {
  for (const k of KNOWN_FORMATS) {
    test(`recognises ${k.name}`, () => {
      const d = detectLogFormat(linesOf(k.name))!;
      if (k.name === 'combined_host') {
        // `"$host"` at the end also reads as main's `"$http_x_forwarded_for"`:
        // main is the likelier one, and both are listed.
        assert.equal(d.name, 'main');
        assert.deepEqual(d.candidates.slice(0, 2), [{ name: 'main', matched: 50 }, { name: 'combined_host', matched: 50 }]);
        return;
      }
      assert.equal(d.name, k.name);
      assert.equal(d.matched, 50);
      assert.equal(d.confidence, 1);
      assert.ok(d.parser.parse(linesOf(k.name, 1)[0]).ok);
    });
  }

  test('behind a syslog header', () => {
    const lines = linesOf('combined', 10).map((l) => `Sep 15 16:13:46 web-1 nginx[2869]: ${l}`);
    const d = detectLogFormat(lines)!;
    assert.equal(d.name, 'syslog+combined');
    assert.equal(d.matched, 10);
    const r = d.parser.parse(lines[0]);
    assert.ok(r.ok && r.fields.status);
  });

  test('JSON lines: keys mapped to nginx variables', () => {
    const lines = [
      '{"time":"2024-03-01T10:00:00+00:00","remote_addr":"1.2.3.4","request":"GET / HTTP/1.1","status":444,"user_agent":"x \\"y\\"","host":"a.example"}',
      '{"time":"2024-03-01T10:00:01+00:00","remote_addr":"1.2.3.5","request":"GET /b HTTP/1.1","status":200,"user_agent":"","host":"b.example","http":{"referrer":"r"}}',
    ];
    const d = detectLogFormat(lines)!;
    assert.equal(d.name, 'json');
    assert.equal(d.matched, 2);
    assert.ok(d.parser.variables.includes('status'));
    const r = d.parser.parse(lines[0]);
    assert.ok(r.ok);
    assert.equal(r.fields.status, '444');
    assert.equal(r.fields.http_user_agent, 'x "y"');
    assert.equal(r.fields.time_iso8601, '2024-03-01T10:00:00+00:00');
    const r2 = d.parser.parse(lines[1]);
    assert.ok(r2.ok && r2.fields.http_user_agent === undefined);
  });

  test('blank lines and # comments are not counted; mixed logs give a partial confidence', () => {
    const lines = ['# comment', '', ...linesOf('combined', 6), 'not a log line', '2024/01/01 00:00:00 [error] 1#1: x'];
    const d = detectLogFormat(lines)!;
    assert.equal(d.name, 'combined');
    assert.equal(d.total, 8);
    assert.equal(d.matched, 6);
    assert.equal(d.confidence, 0.75);
  });

  test('a space in the last field rules out "$host" there', () => {
    const d = detectLogFormat(linesOf('main', 5))!;
    assert.equal(d.name, 'main');
    assert.ok(!d.candidates.some((c) => c.name === 'combined_host'));
  });

  test('formats of the loaded config come first', () => {
    const own = compileLogFormat('mine', '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent', 'default');
    const d = detectLogFormat(linesOf('common', 5), { extra: [own] })!;
    assert.equal(d.name, 'mine');
  });

  test('nothing to go on', () => {
    assert.equal(detectLogFormat([]), undefined);
    assert.equal(detectLogFormat(['', '# x']), undefined);
    assert.equal(detectLogFormat(['\x00\x01\x02binary', 'zzz']), undefined);
  });
});

test('syslog headers', () => {
  assert.equal(syslogPrefixLength('Sep  5 16:13:46 host nginx: x'), 'Sep  5 16:13:46 host nginx: '.length);
  assert.equal(syslogPrefixLength('<190>Sep 15 16:13:46 host nginx: x'), '<190>Sep 15 16:13:46 host nginx: '.length);
  assert.equal(syslogPrefixLength('2021-09-15T16:13:46.123+02:00 host nginx[1]: x'), '2021-09-15T16:13:46.123+02:00 host nginx[1]: '.length);
  assert.equal(syslogPrefixLength('1.2.3.4 - - [x]'), 0);
  const p = withSyslogPrefix(compileLogFormat('s', '$status', 'default'));
  const bad = p.parse('Sep 15 16:13:46 host nginx: abc');
  assert.ok(!bad.ok && bad.at >= 'Sep 15 16:13:46 host nginx: '.length);
});

test('JSON keys to variables', () => {
  assert.equal(variableForJsonKey('status_code'), 'status');
  assert.equal(variableForJsonKey('http.response.status_code'), 'status');
  assert.equal(variableForJsonKey('http_x_forwarded_for'), 'http_x_forwarded_for');
  assert.equal(variableForJsonKey('Remote_Addr'), 'remote_addr');
  assert.equal(variableForJsonKey('something_else'), undefined);
  const p = jsonLinesParser();
  assert.equal(p.parse('not json').ok, false);
  assert.equal(p.parse('{"a":1}').ok, false);
  assert.equal(p.parse('[1,2]').ok, false);
  const r = p.parse('{"status":"200","ua":"caf\xc3\xa9 \\u20ac"}');
  assert.ok(r.ok && r.fields.http_user_agent === 'caf\xc3\xa9 \xe2\x82\xac');
});
