import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  candidatePaths,
  directivesAllowedIn,
  isBlock,
  lookupDirective,
  lookupVariable,
  UNKNOWN_CONTEXT,
} from '../../server/src/core/reference';
import { argRuleOf, countAllowed, describeCounts, parseSyntaxLine } from '../../server/src/core/argSyntax';

const LOC = ['http', 'server', 'location'];

test('return: the http rewrite entry in http contexts, the stream entry in stream', () => {
  const h = lookupDirective('return', [...LOC, 'if']);
  assert.equal(h.isAllowed, true);
  assert.deepEqual(h.allowed.map((d) => d.module), ['ngx_http_rewrite_module']);
  assert.equal(h.allowed[0].url, 'https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#return');
  assert.match(h.allowed[0].description, /444/);
  assert.doesNotMatch(h.allowed[0].description, /<p>/, 'docs are Markdown, not HTML');
  assert.deepEqual(h.allowed[0].syntax, ['*`code`* [*`text`*]', '*`code`* *`URL`*', '*`URL`*']);
  assert.deepEqual([h.allowed[0].args.values, h.allowed[0].args.exact], [[1, 2], true]);

  const s = lookupDirective('return', ['stream', 'server']);
  assert.deepEqual(s.allowed.map((d) => d.module), ['ngx_stream_return_module']);
  assert.deepEqual(s.allowed[0].args.values, [1]);
  assert.equal(s.allowed[0].url, 'https://nginx.org/en/docs/stream/ngx_stream_return_module.html#return');
});

test('server and listen resolve per family; upstream server is not a block', () => {
  assert.equal(lookupDirective('server', ['http']).allowed[0].module, 'ngx_http_core_module');
  assert.equal(isBlock('server', ['http']), true);
  assert.equal(isBlock('server', ['http', 'upstream']), false);
  assert.equal(isBlock('server', ['stream', 'upstream']), false);
  assert.equal(isBlock('server', null), undefined, 'both kinds exist when the context is unknown');
  assert.equal(lookupDirective('listen', ['mail', 'server']).allowed[0].module, 'ngx_mail_core_module');
  assert.equal(lookupDirective('listen', ['stream', 'server']).allowed[0].module, 'ngx_stream_core_module');
  assert.equal(lookupDirective('server', ['mail']).allowed[0].isBlock, true);
});

test('contexts: main, events, if in server vs if in location, limit_except, core directives', () => {
  assert.equal(lookupDirective('proxy_pass', ['http']).isAllowed, false);
  assert.ok(lookupDirective('proxy_pass', ['http']).allowedContexts.includes('http location'));
  assert.equal(lookupDirective('proxy_pass', [...LOC, 'limit_except']).isAllowed, true);
  assert.equal(lookupDirective('gzip', ['http', 'server', 'if']).isAllowed, false, 'gzip is "if in location" only');
  assert.equal(lookupDirective('gzip', [...LOC, 'if']).isAllowed, true);
  assert.equal(lookupDirective('return', ['http', 'server', 'if']).isAllowed, true);
  assert.equal(lookupDirective('user', ['http']).isAllowed, false);
  assert.equal(lookupDirective('user', []).isAllowed, true);
  assert.equal(lookupDirective('http', []).isAllowed, true);
  assert.equal(lookupDirective('location', []).isAllowed, false);
  assert.equal(lookupDirective('worker_connections', ['events']).isAllowed, true);
  assert.equal(lookupDirective('error_log', ['stream', 'server']).isAllowed, true);
  assert.equal(lookupDirective('error_log', ['events']).isAllowed, false);
  assert.equal(lookupDirective('include', ['events']).isAllowed, true);
  assert.equal(lookupDirective('include', ['http', 'upstream']).isAllowed, true);
  assert.equal(lookupDirective('if', [...LOC, 'if']).isAllowed, false, 'if does not nest');
});

test('unknown and partly known contexts', () => {
  // A fragment nothing includes: never "not allowed" at its top level.
  assert.equal(lookupDirective('proxy_pass', null).isAllowed, true);
  assert.equal(lookupDirective('worker_processes', null).isAllowed, true);
  assert.equal(lookupDirective('location', [UNKNOWN_CONTEXT]).isAllowed, true);
  assert.equal(lookupDirective('proxy_passs', null).isAllowed, undefined);
  // Inside a location of such a fragment we do know it is http.
  assert.equal(lookupDirective('proxy_pass', [UNKNOWN_CONTEXT, 'location']).isAllowed, true);
  assert.equal(lookupDirective('worker_processes', [UNKNOWN_CONTEXT, 'location']).isAllowed, false);
  assert.ok(candidatePaths([UNKNOWN_CONTEXT, 'location']).every((p) => p[0] === 'http'));
  // Inside map/types/geo: entries, not directives.
  assert.equal(lookupDirective('default', ['http', 'map']).isAllowed, undefined);
  assert.equal(lookupDirective('root', ['http', 'types']).isAllowed, undefined);
  // Inside a third-party block: nothing to say.
  assert.equal(lookupDirective('listen', ['rtmp', 'server']).isAllowed, undefined);
});

test('a name the reference only has for another tree is not called misplaced', () => {
  // mail's `proxy` is missing from the reference; only the mgmt block's is there.
  const l = lookupDirective('proxy', ['mail', 'server']);
  assert.equal(l.isAllowed, undefined);
  assert.equal(l.foreign, true);
});

test('gaps between the reference and nginx 1.22 are widened, never narrowed', () => {
  assert.equal(lookupDirective('fastcgi_split_path_info', ['http', 'server']).isAllowed, true);
  const stub = lookupDirective('stub_status', LOC).allowed[0];
  assert.ok(countAllowed(stub.args, 0) && countAllowed(stub.args, 1));
  const el = lookupDirective('error_log', ['http']).allowed[0];
  assert.ok(countAllowed(el.args, 4), 'several levels may follow the file');
});

test('completion lists: upstream, events, if in server', () => {
  const ups = directivesAllowedIn(['http', 'upstream']).map((d) => d.name);
  for (const n of ['server', 'keepalive', 'hash', 'include']) assert.ok(ups.includes(n), n);
  assert.ok(!ups.includes('listen'));
  const ev = directivesAllowedIn(['events']).map((d) => d.name);
  assert.ok(ev.includes('worker_connections') && !ev.includes('http'));
  const sif = directivesAllowedIn(['http', 'server', 'if']).map((d) => d.name);
  assert.ok(sif.includes('return') && sif.includes('rewrite') && !sif.includes('proxy_pass'));
  const main = directivesAllowedIn([]).map((d) => d.name);
  for (const n of ['http', 'events', 'stream', 'mail', 'user', 'worker_processes']) assert.ok(main.includes(n), n);
  assert.ok(!main.includes('server'));
});

test('variables: exact names, prefix families, family preference', () => {
  const ua = lookupVariable('$http_user_agent');
  assert.equal(ua[0].name, '$http_NAME');
  assert.equal(ua[0].url, 'https://nginx.org/en/docs/http/ngx_http_core_module.html#var_http_');
  assert.equal(lookupVariable('upstream_http_server')[0].name, '$upstream_http_NAME', 'longest prefix wins');
  assert.equal(lookupVariable('$sent_http_content_type')[0].name, '$sent_http_NAME');
  assert.equal(lookupVariable('$arg_page')[0].name, '$arg_NAME');
  assert.equal(lookupVariable('$cookie_sid')[0].name, '$cookie_NAME');
  assert.equal(lookupVariable('$https')[0].name, '$https');
  assert.equal(lookupVariable('${request_uri}')[0].name, '$request_uri');
  assert.equal(lookupVariable('$remote_addr', 'stream')[0].module, 'ngx_stream_core_module');
  assert.equal(lookupVariable('$remote_addr', 'http')[0].module, 'ngx_http_core_module');
  assert.equal(lookupVariable('$remote_addr', 'http')[0].url, 'https://nginx.org/en/docs/http/ngx_http_core_module.html#var_remote_addr');
  assert.deepEqual(lookupVariable('$no_such_thing'), []);
  assert.deepEqual(lookupVariable('$http_'), [], 'a bare prefix is not a variable');
});

test('Plus-only directives are marked from their descriptions', () => {
  assert.deepEqual(lookupDirective('state', ['http', 'upstream']).allowed[0].commercial, {});
  assert.deepEqual(lookupDirective('sticky', ['http', 'upstream']).allowed[0].commercial, { until: '1.29.6' });
  assert.equal(lookupDirective('proxy_pass', LOC).allowed[0].commercial, undefined);
});

test('argument counts from syntax lines', () => {
  const counts = (s: string) => {
    const r = parseSyntaxLine(s);
    return [describeCounts(r.counts), r.exact];
  };
  assert.deepEqual(counts('*`code`* [*`text`*]'), ['1 or 2', true]);
  assert.deepEqual(counts('`on` | `off`'), ['1', true]);
  assert.deepEqual(counts('*`name`* ...'), ['1 or more', true]);
  assert.deepEqual(counts(''), ['no arguments', true]);
  assert.deepEqual(counts('*`regex`* *`replacement`* [*`flag`*]'), ['2 or 3', true]);
  assert.deepEqual(counts('*`code`* ... [`=`[*`response`*]] *`uri`*'), ['2 or more', true]);
  assert.deepEqual(counts('*`address`*[:*`port`*] [`default_server`]'), ['1 or 2', true], 'glued pieces are one argument');
  assert.deepEqual(counts('`zone`=*`name`*:*`size`* [`timeout`=*`time`*]'), ['1 or 2', true]);
  assert.deepEqual(counts('*`name`* [`escape`=`default`|`json`|`none`] *`string`* ...'), ['2 or more', true]);
  assert.deepEqual(counts('*`address`* [`transparent`] | `off`'), ['1 or 2', true]);
  assert.deepEqual(counts('`resize` *`width`* *`height`*'), ['3', true]);
  assert.equal(counts('(*`condition`*) `{...}`')[1], false, 'free text in parentheses is doubtful');
  assert.equal(counts('*`address`* [*`parameters`*]')[1], false, 'parameters stands for several words');
  assert.equal(parseSyntaxLine('*`name`* `{...}`').block, true);
  assert.deepEqual(counts('*`module.js`* | *`export_name from module.js`*'), ['1 or 3', true], 'a placeholder of several words');
  // Several lines: union; a long run of optional parameters only bounds from below.
  const img = argRuleOf(['`off`', '`rotate` `90` | `180` | `270`', '`resize` *`width`* *`height`*']);
  assert.deepEqual(img.values, [1, 2, 3]);
  const listen = argRuleOf(['*`port`* [`default_server`] [`ssl`] [`proxy_protocol`] [`deferred`] [`bind`]']);
  assert.deepEqual([listen.values, listen.from], [[], 1]);
});
