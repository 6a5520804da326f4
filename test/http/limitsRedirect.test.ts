// limit_req / limit_conn run once per request, from the first location that has them: a redirect
// out of a location without limits (try_files, error_page, index) meets the next one's
// (ngx_http_limit_req_handler declines only once r->main->limit_req_status is set).
// Checked against nginx 1.22 in differential-admin.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facts, http, lineOf, modelOf, outcomesOf } from './support';

const conf = http(`
limit_req_zone $binary_remote_addr zone=php:1m rate=1r/m;
limit_conn_zone $binary_remote_addr zone=c:1m;
server { listen 80;
  location / { try_files $uri $uri/ /index.php?$args; }
  location /once/ { limit_req zone=php; limit_req_status 429; try_files $uri /index.php; }
  location /conn/ { try_files $uri /c.php; }
  location = /c.php { limit_conn c 1; limit_conn_status 444; }
  location ~ \\.php$ { limit_req zone=php; limit_req_status 444; }
}`);
const req = (path: string) => facts({ request: `GET ${path} HTTP/1.1`, host: 'h', serverPort: 80, remoteAddr: '192.0.2.1' });

test('a limit in the location a try_files fallback reaches still applies', () => {
  const m = modelOf(conf);
  assert.ok(outcomesOf(m, req('/hello/')).includes(`444:${lineOf(conf, 'location ~')}`), outcomesOf(m, req('/hello/')).join(' '));
  assert.ok(outcomesOf(m, req('/conn/x')).includes(`444:${lineOf(conf, 'location = /c.php')}`));
});

test('a limit already evaluated is not evaluated again after the redirect', () => {
  const m = modelOf(conf);
  const o = outcomesOf(m, req('/once/x'));
  assert.ok(o.includes(`429:${lineOf(conf, 'location /once/')}`), o.join(' '));
  assert.ok(!o.some((x) => x.startsWith('444')), o.join(' '));
});

test('a limit whose zone key is empty for the request (a whitelist map) neither rejects nor counts as evaluated', () => {
  const c = http(`
geo $limited { default 1; 192.0.2.0/24 0; }
map $limited $limit_key { 0 ""; 1 $binary_remote_addr; }
limit_req_zone $limit_key zone=wl:1m rate=1r/m;
limit_req_zone $binary_remote_addr zone=all:1m rate=1r/m;
server { listen 80;
  location / { limit_req zone=wl; limit_req_status 444; try_files $uri /index.php; }
  location ~ \\.php$ { limit_req zone=all; limit_req_status 429; }
}`);
  const m = modelOf(c);
  const from = (remoteAddr: string) => outcomesOf(m, facts({ request: 'GET /x HTTP/1.1', host: 'h', serverPort: 80, remoteAddr }));
  // Whitelisted: the / limit is skipped, so the php location's limit is the one met.
  assert.ok(!from('192.0.2.1').some((o) => o.startsWith('444')), from('192.0.2.1').join(' '));
  assert.ok(from('192.0.2.1').some((o) => o.startsWith('429')), from('192.0.2.1').join(' '));
  // Anyone else: the / limit may reject, and once evaluated the php one is not met.
  assert.ok(from('198.51.100.1').some((o) => o.startsWith('444')));
  assert.ok(!from('198.51.100.1').some((o) => o.startsWith('429')));
});
