// error_page around `return`, as nginx 1.22 answered when run by hand (/tmp prefix, curl):
//   error_page 404 = @n; return 404 "text";   → 404, the page is never used (ngx_http_send_response)
//   error_page 404 = @n; return 404;          → the named location's answer
//   error_page 404 =444 @r; @r: return 200;   → the status line and the log say 444
//   error_page 404 =444 @r; @r: return 404 "t" → 444;  @r: return 404 → 404;  @r: return 302 /x → 302
//   error_page 404 =444 /page.html (a file)   → 444 with the page: logged 444, nothing dropped
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Attributor, facts, http, lineOf, modelOf, outcomesOf } from './support';
import { route } from '../../server/src/core/http/route';

const conf = http(`
server {
  listen 80;
  location /f { error_page 404 = @n444; return 404 "text"; }
  location /g { error_page 404 = @n444; return 404; }
  location /h { error_page 404 =444 @r200; }
  location /i { error_page 404 =444 @r404t; }
  location /j { error_page 404 =444 @r404; }
  location /k { error_page 404 =444 @r302; }
  location /p { error_page 404 =444 /page.html; }
  location = /page.html { }
  location @n444 { return 444; }
  location @r200 { return 200; }
  location @r404t { return 404 "t"; }
  location @r404 { return 404; }
  location @r302 { return 302 /elsewhere; }
}
`);

const req = (path: string) => facts({ request: `GET ${path} HTTP/1.1`, host: 'h', serverPort: 80 });

test('a return that sends its own response never reaches error_page', () => {
  const m = modelOf(conf);
  assert.deepEqual(outcomesOf(m, req('/f/x')), [`404:${lineOf(conf, 'location /f')}`]);
  assert.deepEqual(outcomesOf(m, req('/g/x')), [`444:${lineOf(conf, 'location @n444')}`]);
});

test('error_page =444 rewrites the status of what is sent: content and returns that send a response, not redirects or errors', () => {
  const m = modelOf(conf);
  const statuses = (path: string) => outcomesOf(m, req(path)).map((o) => o.split(':')[0]);
  assert.ok(statuses('/h/x').includes('444'));
  assert.ok(statuses('/i/x').includes('444'));
  assert.ok(!statuses('/j/x').includes('444'));
  assert.ok(!statuses('/k/x').includes('444'));
  assert.ok(statuses('/p/x').includes('444'));
});

test('a 444 logged by error_page =444 is attributed to that error_page, and says it was not a drop', () => {
  const m = modelOf(conf);
  for (const [path, loc] of [['/h/x', 'location /h'], ['/p/x', 'location /p']]) {
    const a = new Attributor(m).attribute(req(path), 444);
    assert.notEqual(a.verdict, 'unmatched', path);
    assert.ok(a.rules.some((r) => r.directive.name === 'error_page' && r.range.start.line + 1 === lineOf(conf, loc)), `${path}: ${a.why}`);
    assert.match(a.why, /not dropped/);
  }
  assert.ok(m.sources444.some((r) => r.directive.name === 'error_page'));
});

test('error_page after an upstream handler: only what nginx answers itself, unless the module intercepts or next_upstream lists the code', () => {
  const c = http(`
upstream two { server 127.0.0.1:1; server 127.0.0.1:2; }
server {
  listen 80;
  error_page 403 = @d403;
  error_page 404 = @d404;
  error_page 502 = @d502;
  location /px/ { proxy_pass http://127.0.0.1:1; }
  location /ix/ { proxy_pass http://127.0.0.1:1; proxy_intercept_errors on; }
  location /nx/ { proxy_pass http://two; proxy_next_upstream error http_404; }
  location /fx/ { fastcgi_pass 127.0.0.1:9000; }
  location /fi/ { fastcgi_pass 127.0.0.1:9000; fastcgi_intercept_errors ON; }
  location /st/ { }
  location @d403 { return 444; }
  location @d404 { return 444; }
  location @d502 { return 444; }
}
`);
  const m = modelOf(c);
  // (An upstream's X-Accel-Redirect may reach any named location too: not what is asked here.)
  const drops = (path: string) =>
    route(m, req(path))
      .outcomes.filter((o) => o.status === 444 && !o.path.some((p) => p.includes('X-Accel-Redirect')))
      .map((o) => ({ [lineOf(c, 'location @d403')]: 403, [lineOf(c, 'location @d404')]: 404, [lineOf(c, 'location @d502')]: 502 })[o.rule!.range.start.line + 1]);
  // The backend's 403/404 goes out as it is; nginx's own 502 (connection refused) takes the page.
  assert.deepEqual(drops('/px/a'), [502]);
  assert.deepEqual(drops('/ix/a'), [403, 404, 502]);
  assert.deepEqual(drops('/nx/a'), [404, 502]);
  assert.deepEqual(drops('/fx/a'), [502]);
  assert.deepEqual(drops('/fi/a'), [403, 404, 502]);
  // The static handler: any of them (a file's permissions, a missing file...).
  assert.deepEqual(drops('/st/a'), [403, 404, 502]);
});
