import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  combinedFormat, COMBINED_FORMAT, compileLogFormat, formatFromArgs, formatVariables, LogFormatError,
  type LogParseResult, parseFormatSegments, renderLogLine, statusIndex,
} from '../../server/src/core/logs/format';
import { escapeValue, toByteString, toDisplayString, unescapeValue } from '../../server/src/core/logs/escape';

function ok(r: LogParseResult): Extract<LogParseResult, { ok: true }> {
  if (!r.ok) assert.fail(`did not parse: ${r.reason} at ${r.at}`);
  return r;
}

describe('log_format segments, as ngx_http_log_compile_format splits them', () => {
  const shape = (f: string) =>
    parseFormatSegments(f).map((s) => (s.kind === 'literal' ? `'${s.text}'` : `${s.name}${s.logOp ? '!' : ''}`));

  test('$name ends at the first byte that is not [A-Za-z0-9_]', () => {
    assert.deepEqual(shape('$remote_addr-$host.x$a1_b:$status'), ['remote_addr', "'-'", 'host', "'.x'", 'a1_b', "':'", 'status!']);
  });
  test('${name} lets a name touch letters; names are case-insensitive, log ops are not', () => {
    assert.deepEqual(shape('${host}name$Status $status'), ['host', "'name'", 'status', "' '", 'status!']);
    const segs = parseFormatSegments('${Host}');
    assert.equal(segs[0].kind === 'variable' && segs[0].written, '${Host}');
  });
  test('nginx errors for broken variables', () => {
    const err = (f: string) => assert.throws(() => parseFormatSegments(f), LogFormatError);
    err('x $');
    err('${');
    err('$ x');
    err('${}');
    assert.throws(() => parseFormatSegments('${host'), /the closing bracket in "host" variable is missing/);
    assert.throws(() => parseFormatSegments('${ho st}'), /the closing bracket in "ho" variable is missing/);
    assert.throws(() => parseFormatSegments('a $'), /invalid parameter "\$"/);
  });
  test('literals keep their UTF-8 bytes', () => {
    const [lit] = parseFormatSegments('→ $status');
    assert.equal(lit.kind === 'literal' && lit.bytes, '\xe2\x86\x92 ');
  });
  test('escape= prefix and concatenation of the string arguments', () => {
    assert.deepEqual(formatFromArgs(['escape=json', '{"a":"$a",', '"b":"$b"}']), { escape: 'json', format: '{"a":"$a","b":"$b"}' });
    assert.deepEqual(formatFromArgs(['$a ', '$b']), { escape: 'default', format: '$a $b' });
    assert.throws(() => formatFromArgs(['escape=xml', '$a']), /unknown log format escaping "xml"/);
  });
});

describe('escaping, as ngx_http_log_escape / ngx_escape_json write values', () => {
  test('default: " \\ and bytes < 0x20 or >= 0x7f become \\xHH (upper case)', () => {
    assert.equal(escapeValue('a"b\\c\x01\x7f\xc3\xa9 ~', 'default'), 'a\\x22b\\x5Cc\\x01\\x7F\\xC3\\xA9 ~');
  });
  test('json: \\" \\\\ short control escapes and \\u00XX; high bytes raw', () => {
    assert.equal(escapeValue('a"b\\c\n\r\t\b\f\x01\x1f\x7f\xc3\xa9', 'json'), 'a\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001F\x7f\xc3\xa9');
  });
  test('none: as is', () => {
    assert.equal(escapeValue('a"b\\\x01', 'none'), 'a"b\\\x01');
  });
  test('unescape undoes escape for every byte', () => {
    let all = '';
    for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
    for (const mode of ['default', 'json', 'none'] as const) assert.equal(unescapeValue(escapeValue(all, mode), mode), all);
  });
  test('sequences nginx never writes are kept literally', () => {
    assert.equal(unescapeValue('\\think\\x4', 'default'), '\\think\\x4');
    assert.equal(unescapeValue('a\\qb\\', 'json'), 'a\\qb\\');
  });
  test('byte strings to and from text', () => {
    assert.equal(toByteString('é€'), '\xc3\xa9\xe2\x82\xac');
    assert.equal(toDisplayString('\xc3\xa9\xe2\x82\xac'), 'é€');
    assert.equal(toDisplayString('ok\xff"'), 'ok\\xFF"');
  });
});

describe('parsing combined lines', () => {
  const f = combinedFormat();

  test('a plain line, with `-` read as absent', () => {
    const r = ok(f.parse('203.0.113.9 - - [10/Oct/2023:13:55:36 +0200] "GET /a?b=1 HTTP/1.1" 200 2326 "-" "curl/8.0"'));
    assert.deepEqual(r.fields, {
      remote_addr: '203.0.113.9', remote_user: undefined, time_local: '10/Oct/2023:13:55:36 +0200',
      request: 'GET /a?b=1 HTTP/1.1', status: '200', body_bytes_sent: '2326', http_referer: undefined, http_user_agent: 'curl/8.0',
    });
    assert.equal(r.raw.http_referer, '-');
    assert.equal(r.ambiguous, undefined);
  });
  test('IPv6, escaped quotes and backslashes in the user agent', () => {
    const r = ok(f.parse('2001:db8::1 - - [10/Oct/2023:13:55:36 -0000] "GET / HTTP/1.1" 444 0 "-" "x \\x22quoted\\x22 \\x5C y"'));
    assert.equal(r.fields.remote_addr, '2001:db8::1');
    assert.equal(r.fields.http_user_agent, 'x "quoted" \\ y');
    assert.equal(r.raw.http_user_agent, 'x \\x22quoted\\x22 \\x5C y');
  });
  test('spaces and " [" in $remote_user, spaces in $request', () => {
    const r = ok(f.parse('1.2.3.4 - us er [x] [10/Oct/2023:13:55:36 +0000] "GET /a b c HTTP/1.1" 400 0 "-" "-"'));
    assert.equal(r.fields.remote_user, 'us er [x]');
    assert.equal(r.fields.request, 'GET /a b c HTTP/1.1');
    assert.equal(r.ambiguous, undefined);
  });
  test('binary garbage and empty requests', () => {
    const r = ok(f.parse('1.2.3.4 - - [29/Jul/2023:10:26:07 -0700] "\\x16\\x03\\x01\\x00t\\x01" 400 157 "-" "-"'));
    assert.equal(r.fields.request, '\x16\x03\x01\x00t\x01');
    assert.equal(ok(f.parse('1.2.3.4 - - [29/Jul/2023:10:26:07 -0700] "" 400 0 "-" "-"')).fields.request, '');
  });
  test('lines of another shape fail with a reason and a position', () => {
    const base = '1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "ua"';
    const bad = (line: string, reason: RegExp) => {
      const r = f.parse(line);
      assert.equal(r.ok, false, line);
      if (!r.ok) {
        assert.match(r.reason, reason);
        assert.ok(r.at >= 0 && r.at <= line.length);
      }
      assert.equal(f.match(line), undefined);
    };
    bad(base + ' "extra"', /\$http_user_agent: unexpected "\\"" in this field/);
    bad(base + ' extra', /expected "\\"" at the end of the line/);
    bad(base.replace('200', '2x0'), /\$status/);
    bad(base.replace('[10/Oct', '[1/Oct'), /\$time_local/);
    bad(base.replace('" 200', '"200'), /after \$request/);
    bad('', /expected/);
    bad('garbage', /expected/);
  });
  test('a space where nginx never writes one reads only leniently, and says so', () => {
    const r = ok(f.parse('web 1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "ua"'));
    assert.equal(r.lenient, true);
    assert.equal(r.fields.remote_addr, 'web 1.2.3.4');
    // The fast path is strict: such a line does not match.
    assert.equal(f.match('web 1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "ua"'), undefined);
  });
  test('match + value: the fast path the trace pipeline uses', () => {
    const line = '1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 444 0 "-" "a\\x22b"';
    const spans = f.match(line)!;
    const st = statusIndex(f);
    assert.equal(line.slice(spans[2 * st], spans[2 * st + 1]), '444');
    assert.equal(f.value(line, spans, f.indexOf('http_user_agent')), 'a"b');
    assert.equal(f.value(line, spans, f.indexOf('http_referer')), undefined);
    assert.deepEqual(formatVariables(f), ['remote_addr', 'remote_user', 'time_local', 'request', 'status', 'body_bytes_sent', 'http_referer', 'http_user_agent']);
    assert.equal(f.indexOf('host'), -1);
  });
});

describe('other formats and escape modes', () => {
  test('escape=json: escaped quotes inside a value do not end it', () => {
    const f = compileLogFormat('j', '{"ua":"$http_user_agent","req":"$request","s":$status,"u":"$remote_user"}', 'json');
    const line = '{"ua":"a\\",\\"req\\":\\"x\\\\","req":"GET / HTTP/1.1","s":200,"u":""}';
    const r = ok(f.parse(line));
    assert.equal(r.fields.http_user_agent, 'a","req":"x\\');
    assert.equal(r.fields.request, 'GET / HTTP/1.1');
    assert.equal(r.fields.remote_user, undefined);
    assert.equal(r.ambiguous, undefined);
  });
  test('escape=none: a line that splits two ways is reported ambiguous', () => {
    const f = compileLogFormat('n', '"$http_user_agent" "$http_referer"', 'none');
    const r = ok(f.parse('"a" "b" "c"'));
    assert.equal(r.ambiguous, true);
    const u = ok(f.parse('"a b" "c"'));
    assert.equal(u.ambiguous, undefined);
    assert.equal(u.fields.http_user_agent, 'a b');
  });
  test('log operations: $msec, $request_time, $time_iso8601, $pipe, $bytes_sent', () => {
    const f = compileLogFormat('ops', '$msec $request_time $time_iso8601 $pipe $bytes_sent $request_length', 'default');
    const r = ok(f.parse('1700000000.123 0.004 2023-11-14T22:13:20+00:00 . 512 77'));
    assert.equal(r.fields.time_iso8601, '2023-11-14T22:13:20+00:00');
    assert.equal(r.fields.pipe, '.');
    assert.equal(f.parse('1700000000.12 0.004 2023-11-14T22:13:20+00:00 . 512 77').ok, false);
  });
  test('variables next to each other are split by what they can hold', () => {
    const f = compileLogFormat('adj', '$status$body_bytes_sent', 'default');
    assert.deepEqual(ok(f.parse('4440')).fields, { status: '444', body_bytes_sent: '0' });
    // $server_port is digits (%ui): the path that follows it is the request URI's, one way only.
    const u = compileLogFormat('url', '$status $scheme://$host:$server_port$request_uri', 'default');
    const line = '444 http://a:8080/admin';
    assert.equal(u.readsTwoWays(line), false);
    assert.deepEqual(ok(u.parse(line)).fields, { status: '444', scheme: 'http', host: 'a', server_port: '8080', request_uri: '/admin' });
  });
  test('literals with UTF-8 bytes match the bytes of the line', () => {
    const f = compileLogFormat('u', '$remote_addr → $status', 'default');
    assert.equal(ok(f.parse(toByteString('1.2.3.4 → 200'))).fields.status, '200');
  });
  test('which formats can read a line two ways', () => {
    assert.equal(combinedFormat().mayBeAmbiguous, true); // $remote_user may hold " ["
    assert.equal(compileLogFormat('m', '$remote_addr "$request" $status "$http_user_agent"', 'default').mayBeAmbiguous, false);
    assert.equal(compileLogFormat('n', '"$request" "$http_user_agent"', 'none').mayBeAmbiguous, true);
  });
  test('matchReadings and readsTwoWays agree with match and parse', () => {
    const formats = [
      combinedFormat(),
      compileLogFormat('n', '"$http_user_agent" "$http_referer"', 'none'),
      compileLogFormat('h', '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$host"', 'default'),
      compileLogFormat('t', '$remote_addr $remote_user $request_uri $status', 'none'),
    ];
    const piece = fc.constantFrom('"', ' ', '" "', 'a', '-', '[', '] "', 'GET / HTTP/1.1', '444', '0', '1.2.3.4', '[01/Mar/2024:00:00:00 +0000]', '\\x22');
    const line = fc.array(piece, { maxLength: 24 }).map((a) => a.join(''));
    const real = fc.tuple(fc.constantFrom('-', 'a b', 'x" "y'), fc.constantFrom('a', '"', 'c" "d'), fc.constantFrom('444', '200')).map(
      ([user, ua, st]) => `1.2.3.4 - ${user} [01/Mar/2024:00:00:00 +0000] "GET / HTTP/1.1" ${st} 0 "-" "${ua}" "h"`,
    );
    fc.assert(
      fc.property(fc.oneof(line, real), (l) => {
        for (const f of formats) {
          const m = f.match(l);
          const spans = m && Array.from(m);
          const r = f.parse(l);
          const twoWays = r.ok && r.ambiguous === true;
          assert.equal(f.readsTwoWays(l), f.mayBeAmbiguous && twoWays, `${f.name}: ${l}`);
          const both = f.matchReadings(l);
          assert.deepEqual(both && Array.from(both.spans), spans, `${f.name}: ${l}`);
          if (both) assert.equal(both.twoWays, f.mayBeAmbiguous && twoWays, `${f.name}: ${l}`);
        }
      }),
      { seed: 7, numRuns: 3000 },
    );
  });
  test('a format with a newline in it: one record, two lines', () => {
    const f = compileLogFormat('two', '$remote_addr\n"$request" $status', 'default');
    assert.equal(f.linesPerRecord, 2);
    assert.deepEqual(ok(f.parse('1.2.3.4\n"GET / HTTP/1.1" 200')).fields, { remote_addr: '1.2.3.4', request: 'GET / HTTP/1.1', status: '200' });
  });
  test('a format without variables', () => {
    const f = compileLogFormat('lit', 'hello', 'default');
    assert.ok(f.parse('hello').ok);
    assert.equal(f.parse('hello!').ok, false);
  });
});

describe('bounded work on hostile lines', () => {
  test('many ways to split: gives up or answers, quickly', () => {
    const f = compileLogFormat('n', '$a $b $c $d $e $f $g', 'none');
    const line = 'x '.repeat(20_000) + 'x';
    const t0 = performance.now();
    const r = f.parse(line);
    assert.ok(performance.now() - t0 < 2_000);
    if (r.ok) assert.equal(r.ambiguous, true);
    else assert.match(r.reason, /too many ways/);
    assert.ok(f.match(line) !== null);
  });
  test('adjacent text variables on a long line', () => {
    const f = compileLogFormat('n', '$a$b$c$d:', 'none');
    const t0 = performance.now();
    const r = f.parse('y'.repeat(100_000));
    assert.equal(r.ok, false);
    assert.ok(performance.now() - t0 < 2_000);
  });
  test('a 2 MB user agent', () => {
    const ua = 'A'.repeat(2 << 20);
    const r = ok(combinedFormat().parse(`1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "${ua}"`));
    assert.equal(r.fields.http_user_agent?.length, ua.length);
  });
});

// Byte strings nginx could put in a variable, and what each escape mode does with them.
const bytes = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 40 })
  .filter((s) => !s.includes('\n'));
const token = fc.stringMatching(/^[0-9a-f.:]{1,20}$/);

describe('properties', () => {
  const FORMATS = [
    { fmt: COMBINED_FORMAT, escape: 'default' as const },
    { fmt: `${COMBINED_FORMAT} "$http_x_forwarded_for" $host $request_time`, escape: 'default' as const },
    { fmt: '{"a":"$remote_addr","r":"$request","s":$status,"ua":"$http_user_agent","x":"$x"}', escape: 'json' as const },
  ];

  for (const { fmt, escape } of FORMATS) {
    test(`render then parse gives the values back (${escape}: ${fmt.slice(0, 40)}...)`, () => {
      const f = compileLogFormat('p', fmt, escape);
      fc.assert(
        fc.property(token, bytes, bytes, bytes, bytes, bytes, fc.integer({ min: 100, max: 999 }), (addr, user, req, ref, ua, x, st) => {
          const values: Record<string, string | undefined> = {
            remote_addr: addr, remote_user: user, time_local: '10/Oct/2023:13:55:36 +0000', request: req,
            status: String(st), body_bytes_sent: '12', http_referer: ref, http_user_agent: ua, http_x_forwarded_for: x,
            host: addr, request_time: '0.001', x,
          };
          const line = renderLogLine(f, values);
          const r = ok(f.parse(line));
          assert.equal(r.lenient, undefined);
          for (const name of f.variables) {
            const v = values[name];
            const absent = escape === 'default' ? v === '-' : v === '';
            assert.equal(r.fields[name], absent ? undefined : v, `$${name}`);
          }
        }),
        { numRuns: 300, seed: 4 },
      );
    });
  }

  test('the generated matcher and the general search agree on any line', () => {
    const fmts = [
      compileLogFormat('a', COMBINED_FORMAT, 'default'),
      compileLogFormat('b', '$remote_addr "$request" $status "$http_user_agent" $host', 'none'),
      compileLogFormat('c', '{"r":"$request","s":$status,"u":"$http_user_agent"}', 'json'),
      compileLogFormat('d', '$host:$server_port [$time_iso8601] $msec $status$body_bytes_sent "$a" $b', 'default'),
    ];
    const slow = fmts.map((f) => compileLogFormat(f.name, f.source, f.escape, { fastPath: false }));
    const pieces = fc.constantFrom(' ', '"', '\\', '\\"', '-', '[', ']', '200', '444', ':', '{', '}', ',', 'a', '1.2.3.4',
      '10/Oct/2023:13:55:36 +0000', '2023-11-14T22:13:20+00:00', '0.001', 'GET / HTTP/1.1', '"r":"', '","s":', ',"u":"', '"}');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }), fc.integer({ min: 0, max: fmts.length - 1 }), fc.boolean(), (parts, k, seedLine) => {
        // Half the time start from a line of the format, so that matches happen.
        const line = (seedLine ? sampleLine(k) : '') + parts.join('');
        const a = fmts[k].parse(line);
        const b = slow[k].parse(line);
        assert.deepEqual(a, b);
        const ma = fmts[k].match(line);
        const mb = slow[k].match(line);
        assert.deepEqual(ma && [...ma], mb && [...mb]);
      }),
      { numRuns: 2000, seed: 7 },
    );
    function sampleLine(k: number): string {
      return [
        '1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "ua"',
        '1.2.3.4 "GET / HTTP/1.1" 200 "ua" h',
        '{"r":"GET /","s":200,"u":"x"}',
        'h:80 [2023-11-14T22:13:20+00:00] 1.000 2005 "a" b',
      ][k];
    }
  });
});
