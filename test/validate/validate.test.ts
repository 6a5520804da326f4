import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/core/parser';
import { validateFile, type ValidateOptions } from '../../server/src/core/validate';

/** "line:code" for each diagnostic (1-based lines), in order. */
function check(text: string, ctx: string[] | null = [], opts: ValidateOptions = {}): string[] {
  return validateFile(parse(text, '/t/nginx.conf'), ctx, opts).map((d) => `${d.range.start.line + 1}:${d.code}`);
}

function diags(text: string, ctx: string[] | null = [], opts: ValidateOptions = {}) {
  return validateFile(parse(text, '/t/nginx.conf'), ctx, opts);
}

const OK_CONF = `user www-data;
worker_processes auto;
events { worker_connections 768; }
http {
  include mime.types;
  log_format main '$remote_addr "$request" $status';
  map $http_user_agent $bad { default 0; ~*curl 1; }
  types { text/html html; }
  upstream app { server 127.0.0.1:8080 weight=5 max_fails=3; keepalive 16; }
  server {
    listen 80 default_server;
    server_name _;
    if ($bad) { return 444; }
    location / {
      if ($request_method = POST) { return 405; }
      if (-f $request_filename) { break; }
      if ( $http_x ~* "^a b$" ) { set $x 1; }
      limit_except GET { deny all; }
      proxy_pass http://app;
      add_header X-A "b c" always;
    }
    location @named { return 200 "ok"; }
  }
}
stream { server { listen 53 udp; return "x"; } }
`;

test('a valid nginx.conf gets nothing', () => {
  assert.deepEqual(check(OK_CONF), []);
});

test('unknown directive: a warning, with a fix for a typo', () => {
  const [d] = diags('http { server { location / { proxy_passs http://x; } } }');
  assert.equal(d.severity, 'warning');
  assert.equal(d.code, 'unknown-directive');
  assert.match(d.message, /did you mean "proxy_pass"/);
  assert.equal(d.fixes?.[0].edits[0].newText, 'proxy_pass');
  assert.deepEqual(check('http { my_custom_directive on; }'), ['1:unknown-directive']);
  assert.deepEqual(check('http { my_custom_directive on; }', [], { extraDirectives: ['my_custom_directive'] }), []);
});

test('third-party directives Debian loads are information, not warnings', () => {
  const d = diags('http { more_set_headers "Server: x"; brotli on; }');
  assert.deepEqual(d.map((x) => [x.severity, x.code]), [
    ['information', 'third-party-directive'],
    ['information', 'third-party-directive'],
  ]);
  assert.match(d[0].message, /headers-more/);
});

test('not allowed here: only for known directives in a known context', () => {
  assert.deepEqual(check('proxy_pass http://x;\nlocation / { }\n'), ['1:not-allowed-here', '2:not-allowed-here']);
  assert.deepEqual(check('http {\n  if ($a) { return 444; }\n}'), ['2:not-allowed-here']);
  assert.deepEqual(check('http { server { location / { user nobody; } } }'), ['1:not-allowed-here']);
  const [d] = diags('http { proxy_pass http://x; }');
  assert.equal(d.severity, 'error');
  assert.match(d.message, /"proxy_pass" directive is not allowed here.*http location/);
  // A fragment whose includer is unknown: no context verdict at its top level...
  assert.deepEqual(check('proxy_pass http://x;\nlisten 80;\nworker_processes 1;\nlocation / { root /x; }\n', null), []);
  // ...but inside its own blocks the context is known.
  assert.deepEqual(check('location / {\n  worker_processes 1;\n}\n', null), ['2:not-allowed-here']);
  // The block of a misplaced directive is judged where it could stand, without cascades.
  assert.deepEqual(check('location / { proxy_pass http://x; root /x; }'), ['1:not-allowed-here']);
});

test('lua directives at main level are misplaced, inside http they are third-party', () => {
  assert.deepEqual(check('content_by_lua_block { ngx.say("}") }\nevents {}'), ['1:not-allowed-here']);
  assert.deepEqual(check('location / { content_by_lua_block { ngx.say("}") } }', ['http', 'server']), ['1:third-party-directive']);
});

test('block-ness: has no opening "{" / is not terminated by ";"', () => {
  assert.deepEqual(check('add_header X y;\nserver "some";', ['http']), ['2:missing-block']);
  const [d] = diags('server {\n  listen 80 {\n  }\n}', ['http']);
  assert.equal(d.code, 'unexpected-block');
  assert.match(d.message, /directive "listen" is not terminated by ";"/);
  assert.equal(d.range.end.line, 1, 'nginx names the line of the "{"');
  // upstream's server is not a block; http's server is.
  assert.deepEqual(check('upstream u { server a { } }', ['http']), ['1:unexpected-block']);
});

test('argument counts where the syntax is unambiguous', () => {
  assert.deepEqual(check('user;\nevents {}'), ['1:invalid-arg-count']);
  assert.deepEqual(check('return 301 https://x extra;', ['http', 'server']), ['1:invalid-arg-count']);
  assert.deepEqual(check('rewrite ^/a b c d;', ['http', 'server']), ['1:invalid-arg-count']);
  assert.deepEqual(check('set $a <http or https>;', ['http', 'server']), ['1:invalid-arg-count']);
  assert.deepEqual(check('add_header a b always x;', ['http']), ['1:invalid-arg-count']);
  const [d] = diags('set $upstream_proto <http or https>;', ['http', 'server']);
  assert.match(d.message, /4 given, 2 expected/);
  // Many-word directives and the ones nginx parses itself are not second-guessed.
  assert.deepEqual(check('server { listen 80 default_server ssl http2 reuseport backlog=511 rcvbuf=1k sndbuf=1k deferred bind; }', ['http']), []);
  assert.deepEqual(check('upstream u { server 10.0.0.1 weight=5 max_fails=3 fail_timeout=30s backup; }', ['http']), []);
  assert.deepEqual(check('error_log /var/log/e.log debug_http debug_event debug_core;'), []);
  assert.deepEqual(check('stub_status on;', ['http', 'server', 'location']), []);
  // Unknown context: only when every reading agrees (return takes 1..2 in http, 1 in stream).
  assert.deepEqual(check('return 444 "x" y;', null), ['1:invalid-arg-count']);
  assert.deepEqual(check('return 444 "x";', null), []);
});

test('duplicates nginx rejects, and only those', () => {
  assert.deepEqual(check('events {}\nevents {}\n'), ['2:duplicate-directive']);
  assert.deepEqual(check('http {}\nhttp {}\n'), ['2:duplicate-directive']);
  assert.deepEqual(check('gzip on;\ngzip off;', ['http']), ['2:duplicate-directive']);
  assert.deepEqual(check('client_max_body_size 1m;\nclient_max_body_size 2m;', ['http', 'server']), ['2:duplicate-directive']);
  const [d] = diags('gzip on;\ngzip off;', ['http']);
  assert.equal(d.message, '"gzip" directive is duplicate');
  assert.equal(d.related?.[0].range.start.line, 0);
  // Different blocks, or directives that accumulate: fine.
  assert.deepEqual(check('gzip on; server { gzip off; location / { gzip on; if ($a) { gzip off; } } }', ['http']), []);
  assert.deepEqual(check('add_header a b; add_header c d; proxy_set_header A b; proxy_set_header C d; listen 80; listen 443;', ['http', 'server']), []);
  assert.deepEqual(check('server { } server { }', ['http']), []);
  // ngx_mail_core_protocol just overwrites; obsolete http2_* directives only warn.
  assert.deepEqual(check('server { protocol imap; protocol imap; }', ['mail']), []);
  assert.deepEqual(check('http2_idle_timeout 1s; http2_idle_timeout 2s;', ['http', 'server']), []);
  // Duplicates are certain even where the context is unknown.
  assert.deepEqual(check('gzip on;\ngzip on;', null), ['2:duplicate-directive']);
});

test('if conditions as ngx_http_rewrite_module parses them', () => {
  const ok = ['($a)', '($a = b)', '($a != "b c")', '($a ~ ^x)', '($a !~* "^(a|b)$")', '(-f $x)', '(!-e $x)', '( $a )', '( -d /tmp )'];
  for (const c of ok) assert.deepEqual(check(`if ${c} { return 444; }`, ['http', 'server']), [], c);
  const bad = ['(1)', '($a == b)', '(-z $x)', '($a b c d)', '$a'];
  for (const c of bad) assert.deepEqual(check(`if ${c} { return 444; }`, ['http', 'server']), ['1:invalid-if-condition'], c);
});

test('map, geo, types, split_clients and Lua contents are not directives', () => {
  assert.deepEqual(check('map $a $b { hostnames; default 0; ~^x 1; include /x; proxy_pass 1; }\ngeo $c { 10.0.0.0/8 1; }\ntypes { a/b c; }\nsplit_clients $a $d { 50% a; * b; }', ['http']), []);
  assert.deepEqual(check('~*curl 1;\n"~bot" 1;\n127.0.0.1 0;', ['http', 'map']), [], 'a file included inside map');
  assert.deepEqual(check('rtmp { server { listen 1935; application live { live on; } } }'), ['1:third-party-directive']);
});

test('template placeholders are named, not mistaken for typos', () => {
  const d = diags('{{range services}}\nupstream x { server a; }\n', ['http']);
  assert.deepEqual(d.map((x) => `${x.range.start.line + 1}:${x.code}`), ['1:template-placeholder']);
  assert.equal(d[0].severity, 'warning');
  assert.deepEqual(check('server_name {{ domain }};', ['http', 'server']), ['1:template-placeholder']);
  assert.deepEqual(check('${SERVER_BLOCK}', ['http']), ['1:template-placeholder']);
  const env = diags('listen ${HTTP_PORT};\nset $a ${b};', ['http', 'server']);
  assert.deepEqual(env.map((x) => [x.severity, x.code]), [['information', 'template-placeholder']]);
});

test('NGINX Plus directives are flagged for open-source targets', () => {
  assert.deepEqual(check('upstream u { state /var/lib/u.state; }', ['http']), ['1:nginx-plus-only']);
  assert.deepEqual(check('upstream u { state /var/lib/u.state; }', ['http'], { nginxPlus: true }), []);
  // Open source since 1.29.6: flagged only for an older target.
  assert.deepEqual(check('upstream u { server a; sticky cookie srv; }', ['http'], { nginxVersion: '1.22.1' }), ['1:nginx-plus-only']);
  assert.deepEqual(check('upstream u { server a; sticky cookie srv; }', ['http'], { nginxVersion: '1.29.6' }), []);
  assert.deepEqual(check('upstream u { server a; sticky cookie srv; }', ['http']), []);
});

test('read-only built-in variables cannot be redefined', () => {
  assert.deepEqual(check('map $scheme $https { default ""; }', ['http']), ['1:duplicate-variable']);
  assert.deepEqual(check('location / { set $scheme $1; set $args x; set $limit_rate 1k; set $my 1; }', ['http', 'server']), ['1:duplicate-variable']);
  assert.deepEqual(check('geo $remote_addr $host { default 1; }', ['http']), ['1:duplicate-variable']);
});

test('an upstream without servers', () => {
  assert.deepEqual(check('upstream u {\n  zone u 64k;\n}', ['http']), ['1:empty-upstream']);
  assert.deepEqual(check('upstream u { zone u 64k; }', ['stream']), ['1:empty-upstream']);
  assert.deepEqual(check('upstream u { include /etc/nginx/u.conf; }', ['http']), []);
  assert.deepEqual(check('upstream u { zone u 64k; }', ['http'], { nginxPlus: true }), []);
});

test('syntax errors are included on request', () => {
  assert.deepEqual(check('http {\n  server {\n', [], { includeSyntaxErrors: true }).filter((c) => c.startsWith('3:')), ['3:syntax-unexpected-eof']);
  assert.deepEqual(check('http {\n  server {\n'), []);
});

test('bad input: deep nesting and binary text do not throw', () => {
  const deep = 'location / {'.repeat(10000) + '}'.repeat(10000);
  assert.doesNotThrow(() => diags(deep, ['http', 'server']));
  assert.doesNotThrow(() => diags('\u0000\u0001\u0002 {{{ ;;; }}}', null, { includeSyntaxErrors: true }));
  const long = 'a'.repeat(1_000_000) + ';';
  assert.doesNotThrow(() => diags(long, []));
});

test('a long list of entries read as directives stays fast (typo suggestions are capped)', () => {
  let text = '';
  for (let i = 0; i < 20000; i++) text += `word${i % 1000}abcdefgh${i} 1;\n`;
  const file = parse(text, '/t/list.conf');
  diags('warm_up 1;', null);
  const started = Date.now();
  const out = validateFile(file, null);
  assert.equal(out.length, 20000);
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
});
