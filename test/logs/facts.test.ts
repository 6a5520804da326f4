// What a log line's values tell the router (http/request.ts factsBuilder), checked against a
// plain reading of the rules, one variable at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { factsBuilder, factsFromLog, type RequestFacts } from '../../server/src/core/http/request';
import { formatForLog, TracedLineReader } from '../../server/src/core/trace';
import { http, modelOf } from '../http/support';

const FIELD: Record<string, keyof RequestFacts> = {
  request: 'request', request_method: 'method', request_uri: 'target', server_protocol: 'protocol', host: 'host', http_host: 'httpHost',
  server_name: 'serverName', server_port: 'serverPort', server_addr: 'serverAddr', remote_addr: 'remoteAddr', scheme: 'scheme', status: 'status',
};
const OWN_ONLY = ['request', 'host', 'server_name', 'server_port', 'server_addr', 'remote_addr', 'scheme', 'status'];

/** The rules, written out: absent values, numbers, `$host`'s dash, `vars` for everything else. */
function expected(logged: string[], values: (string | undefined)[], absentIsEmpty: boolean) {
  const own: Record<string, unknown> = {};
  const vars: Record<string, string | null> = {};
  logged.forEach((n, i) => {
    const v = values[i];
    if (n in FIELD) {
      const f = FIELD[n];
      own[f] =
        n === 'host' ? v ?? (absentIsEmpty ? '' : '-')
        : n === 'http_host' ? v ?? null
        : n === 'server_name' ? v ?? ''
        : n === 'server_port' || n === 'status' ? (v !== undefined && /^\d+$/.test(v) ? +v : undefined)
        : v;
    }
    if (!OWN_ONLY.includes(n)) vars[n] = n === 'http_host' ? v ?? null : v ?? (absentIsEmpty ? '' : null);
  });
  return { own, vars };
}

test('facts from logged values follow the rules for every variable, absent value and repeat', () => {
  const name = fc.constantFrom(...Object.keys(FIELD), 'http_user_agent', 'http_referer', 'arg_id', 'cookie_s', 'bad_bot');
  const value = fc.option(fc.constantFrom('', '-', '80', '8080x', 'example.com', 'GET / HTTP/1.1', '0'), { nil: undefined });
  fc.assert(
    fc.property(fc.array(fc.tuple(name, value), { maxLength: 14 }), fc.boolean(), (pairs, absentIsEmpty) => {
      const logged = pairs.map((p) => p[0]);
      const values = pairs.map((p) => p[1]);
      const facts = factsBuilder(logged, absentIsEmpty)(values);
      const { own, vars } = expected(logged, values, absentIsEmpty);
      for (const f of Object.values(FIELD)) assert.deepEqual(facts[f], own[f], `${f} of ${JSON.stringify(pairs)}`);
      assert.deepEqual(facts.vars, vars);
      assert.deepEqual(Object.keys(facts.vars), Object.keys(vars), 'vars keep the order of first occurrence');
    }),
    { seed: 8_080, numRuns: 3_000 },
  );
});

test('factsFromLog reads values by name', () => {
  const f = factsFromLog(['remote_addr', 'host', 'http_user_agent', 'status'], { remote_addr: '192.0.2.1', http_user_agent: 'curl', status: '444' });
  assert.equal(f.remoteAddr, '192.0.2.1');
  assert.equal(f.host, '-');
  assert.equal(f.status, 444);
  assert.deepEqual(f.vars, { http_user_agent: 'curl' });
});

test('a traced line that reads two ways gives only what every reading agrees on, line after line', () => {
  // As test/logs/hostUriShapes.test.ts: host "a.test?x=1" with an empty URI is a second reading.
  const format = '$remote_addr [$time_local] "$request" $status $scheme://$host$request_uri "$http_user_agent"';
  const model = modelOf(http(`log_format x '${format}';\naccess_log /var/log/nginx/x.log x;\nserver { listen 80; if ($http_user_agent ~ curl) { return 444; } }`));
  const reader = new TracedLineReader(model, formatForLog(model, '/var/log/nginx/x.log'), new Set([444]));
  const twoWays = '192.0.2.1 [27/Nov/2026:10:00:00 +0000] "GET http://a.test?x=1 HTTP/1.1" 444 http://a.test?x=1 "curl/8"';
  const oneWay = '192.0.2.1 [27/Nov/2026:10:00:00 +0000] "GET /p?x=1 HTTP/1.1" 444 http://a.test/p?x=1 "curl/8"';
  // Alternating, so that the reader's builders are used again, not only made.
  for (let i = 0; i < 3; i++) {
    const t = reader.read(twoWays);
    assert.ok(t && t !== 'unreadable');
    assert.equal(t.facts.request, 'GET http://a.test?x=1 HTTP/1.1');
    assert.equal(t.facts.vars.http_user_agent, 'curl/8');
    assert.equal(t.facts.host, undefined, 'the host is in doubt');
    assert.equal(t.facts.target, undefined, 'the request URI is in doubt');
    const o = reader.read(oneWay);
    assert.ok(o && o !== 'unreadable');
    assert.equal(o.facts.host, 'a.test');
    assert.equal(o.facts.target, '/p?x=1');
  }
});
