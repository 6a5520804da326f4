// The index module (ngx_http_index_handler), as nginx 1.22 answered by hand: a directory URI in a
// static location redirects internally to an existing index file; an absolute last entry is used
// without a test once the directory exists; a missing directory is a 404 before it; a location
// with its own content handler (proxy_pass...) never runs it; only GET, HEAD and POST.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facts, http, lineOf, modelOf, outcomesOf } from './support';

const conf = http(`
server {
  listen 80;
  location /idx/ { index start.html; }
  location = /idx/start.html { return 444; }
  location /only/ { index /only-target; }
  location = /only-target { return 444; }
  location /abs/ { index a.html /abs-target; }
  location = /abs-target { return 444; }
  location /px/ { index px.html; proxy_pass http://127.0.0.1:1/; }
  location = /px/px.html { return 444; }
}
`);

const at = (m: ReturnType<typeof modelOf>, request: string) => outcomesOf(m, facts({ request, host: 'h', serverPort: 80 }));

test('index: an existing index file, an absolute entry, a missing directory; not under a content handler, not for other methods', () => {
  const m = modelOf(conf);
  const ret = (needle: string) => `444:${lineOf(conf, needle)}`;
  const loc = (needle: string) => `content@loc${lineOf(conf, needle)}`;
  assert.deepEqual(at(m, 'GET /idx/ HTTP/1.1'), [ret('location = /idx/start.html'), loc('location /idx/')].sort());
  // The only entry is absolute: redirected without any test.
  assert.deepEqual(at(m, 'POST /only/ HTTP/1.1'), [ret('location = /only-target')]);
  // Not for DELETE: the static module then refuses the method (405).
  assert.deepEqual(at(m, 'DELETE /only/ HTTP/1.1'), [`405@loc${lineOf(conf, 'location /only/')}`]);
  // a.html existed (→ /abs/a.html, static), or the directory did and /abs-target answered, or it did not (404).
  assert.deepEqual(at(m, 'GET /abs/ HTTP/1.1'), [ret('location = /abs-target'), loc('location /abs/')].sort());
  assert.deepEqual(at(m, 'GET /px/ HTTP/1.1'), [loc('location /px/')]);
  assert.deepEqual(at(m, 'GET /idx/x HTTP/1.1'), [loc('location /idx/')]);
});

test('index: a location nested in a proxied one has no content handler of its own; an if block inside the proxied one has its', () => {
  const c = http(`
server {
  listen 80;
  location /px/ {
    proxy_pass http://127.0.0.1:1/;
    if ($arg_x) { set $y 1; }
    location /px/in/ { index in.html; }
  }
  location = /px/in/in.html { return 444; }
  location = /px/px.html { return 444; }
}
`);
  const m = modelOf(c);
  const ret = (needle: string) => `444:${lineOf(c, needle)}`;
  const loc = (needle: string) => `content@loc${lineOf(c, needle)}`;
  // ngx_http_core_find_config_phase clears r->content_handler: the nested location serves statically.
  assert.deepEqual(at(m, 'GET /px/in/ HTTP/1.1'), [ret('location = /px/in/in.html'), loc('location /px/in/')].sort());
  // The if block keeps the location's proxy handler (ngx_http_update_location_config leaves it).
  assert.deepEqual(at(m, 'GET /px/?x=1 HTTP/1.1'), [loc('location /px/ {')]);
});
