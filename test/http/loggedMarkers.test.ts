// A logged variable the configuration assigns with `set` (`set $reason ...` before a drop) names
// the history nginx took: one that assigned another value, or none, did not write the line.
// Checked against nginx 1.22 in differential-admin.test.ts ("marker variables").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Attributor, facts, http, lineOf, modelOf } from './support';
import { compileNamed, TracedLineReader } from '../../server/src/core/trace';

const conf = http(`
log_format marked '$remote_addr "$request" $status "$reason"';
server { listen 80 default_server; server_name a.test;
  if ($http_user_agent ~* bot) { set $reason ua; return 444; }
  location /wp- { set $reason path; return 444; }
  location /x { return 444; }
}
server { listen 80; server_name b.test;
  location / { set $reason "b-site"; return 444; }
}`);

test('a logged `set` marker picks the drop that assigned it', () => {
  const m = modelOf(conf);
  // Neither Host nor user agent logged: without $reason, /wp-login is one of three drops.
  const base = { request: 'GET /wp-login HTTP/1.1', serverPort: 80, remoteAddr: '192.0.2.1' };
  const none = new Attributor(m).attribute(facts(base), 444);
  assert.equal(none.verdict, 'ambiguous', none.why);
  const at = (reason: string | null) => new Attributor(m).attribute(facts({ ...base, vars: { reason } }), 444);
  for (const [reason, needle] of [['ua', 'if ($http_user_agent'], ['path', 'location /wp-'], ['b-site', 'set $reason "b-site"']] as const) {
    const a = at(reason);
    assert.equal(a.verdict, 'exact', `${reason}: ${a.why}`);
    assert.equal(a.rules[0].range.start.line + 1, lineOf(conf, needle), reason);
  }
  // A value no drop assigns: none of them wrote this line.
  assert.equal(at('other').verdict, 'unmatched');
});

test('a drop that assigns no marker logs it empty, as `-`', () => {
  const m = modelOf(conf);
  const base = { request: 'GET /x HTTP/1.1', serverPort: 80, remoteAddr: '192.0.2.1' };
  // /x drops without assigning: logged "-" is it; the bot drop assigned "ua" and is ruled out.
  const a = new Attributor(m).attribute(facts({ ...base, host: 'a.test', vars: { reason: null } }), 444);
  assert.equal(a.verdict, 'exact', a.why);
  assert.equal(a.rules[0].range.start.line + 1, lineOf(conf, 'location /x'));
  // Logged "ua": the bot drop, also for /x (its own drop would have logged "-").
  const b = new Attributor(m).attribute(facts({ ...base, host: 'a.test', vars: { reason: 'ua' } }), 444);
  assert.equal(b.verdict, 'exact', b.why);
  assert.equal(b.rules[0].range.start.line + 1, lineOf(conf, 'if ($http_user_agent'));
});

test('the marker is read from the log line in the config\'s format', () => {
  const m = modelOf(conf);
  const reader = new TracedLineReader(m, { format: compileNamed(m, 'marked')!, how: 'given' }, new Set([444]));
  const attributor = new Attributor(m);
  const lineOfRule = (line: string) => {
    const t = reader.read(line);
    assert.ok(t && t !== 'unreadable', line);
    const a = attributor.attribute(t.facts, t.status);
    assert.equal(a.verdict, 'exact', a.why);
    return a.rules[0].range.start.line + 1;
  };
  assert.equal(lineOfRule('192.0.2.1 "GET /wp-login HTTP/1.1" 444 "path"'), lineOf(conf, 'location /wp-'));
  // The same request line (one cache entry for it), another marker.
  assert.equal(lineOfRule('192.0.2.1 "GET /wp-login HTTP/1.1" 444 "ua"'), lineOf(conf, 'if ($http_user_agent'));
});

test('nginx\'s own variables that `set` may change are not taken as empty where a history leaves them', () => {
  // `$limit_rate` logs r->limit_rate ("0" when nothing set it), `$args` the request's arguments.
  const c = http(`
server { listen 80;
  location /slow { set $limit_rate 1k; set $args a=1; return 444; }
  location /x { return 444; }
}`);
  const m = modelOf(c);
  const a = new Attributor(m).attribute(facts({ request: 'GET /x?b=2 HTTP/1.1', serverPort: 80, vars: { limit_rate: '0', args: 'b=2' } }), 444);
  assert.equal(a.verdict, 'exact', a.why);
  assert.equal(a.rules[0].range.start.line + 1, lineOf(c, 'location /x'));
});

test('a line that logs the marker is not answered from a line of the same request that did not (one log, two formats)', () => {
  const m = modelOf(conf);
  const attributor = new Attributor(m);
  const base = { request: 'GET /wp-login HTTP/1.1', serverPort: 80, remoteAddr: '192.0.2.1' };
  assert.equal(attributor.attribute(facts(base), 444).verdict, 'ambiguous');
  const a = attributor.attribute(facts({ ...base, vars: { reason: 'path' } }), 444);
  assert.equal(a.verdict, 'exact', a.why);
  assert.equal(a.rules[0].range.start.line + 1, lineOf(conf, 'location /wp-'));
});

test('a map variable that `set` overrides on one path keeps its map value on the others', () => {
  // The map variable is changeable: `set` replaces it where it runs; elsewhere it is the map's.
  const c = http(`
log_format m '$remote_addr "$request" $status "$kind"';
map $request_uri $kind { default page; ~^/api api; }
server { listen 80;
  location /x { set $kind manual; return 444; }
  location /api { return 444; }
}`);
  const m = modelOf(c);
  const a = new Attributor(m).attribute(facts({ request: 'GET /api/v1 HTTP/1.1', serverPort: 80, vars: { kind: 'api' } }), 444);
  assert.equal(a.verdict, 'exact', a.why);
  assert.equal(a.rules[0].range.start.line + 1, lineOf(c, 'location /api'));
});
