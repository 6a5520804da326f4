// Where a file opened on its own is read: under its includer, else as its content implies, else unknown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../server/src/core/fileSystem';
import { parse } from '../../server/src/core/parser';
import { candidateMains, fragmentContext, guessConfPrefix, inferContextFromContent } from '../../server/src/core/fragmentContext';
import { checkFile } from '../../server/src/core/check';

const infer = (text: string) => inferContextFromContent(parse(text, '/x.conf'));

test('content inference from the reference contexts, outermost fitting context first', () => {
  assert.deepEqual(infer('events { worker_connections 1024; }\nhttp { }\n'), []);
  assert.deepEqual(infer('user www-data;\nworker_processes auto;\ninclude /etc/nginx/modules-enabled/*.conf;\n'), []);
  assert.deepEqual(infer('load_module modules/ngx_stream_module.so;\n'), []);
  assert.deepEqual(infer('worker_connections 768;\nmulti_accept on;\n'), ['events']);
  assert.deepEqual(infer('server { listen 80; }\nupstream app { server 127.0.0.1:8080; }\n'), ['http']);
  assert.deepEqual(infer('proxy_set_header Host $host;\nproxy_set_header X-Real-IP $remote_addr;\n'), ['http']);
  assert.deepEqual(infer('listen 443 ssl;\nserver_name example.com;\nlocation / { }\n'), ['http', 'server']);
  assert.deepEqual(infer('location ~ /\\.git { deny all; }\n'), ['http', 'server']);
  assert.deepEqual(infer('return 444;\n'), ['http', 'server']);
  assert.deepEqual(infer('proxy_pass http://backend;\n'), ['http', 'server', 'location']);
  assert.deepEqual(infer('alias /srv/static/;\n'), ['http', 'server', 'location']);
  // add_header is allowed in `if in location` but not in a server-level if: the nested check sees it
  assert.deepEqual(infer('if ($http_referer ~ spam) { add_header X-Spam 1; }\n'), ['http', 'server', 'location']);
  // `server` as a line (no block) only fits an upstream
  assert.deepEqual(infer('server 10.0.0.1:8080 weight=2;\nserver 10.0.0.2:8080;\n'), ['http', 'upstream']);
  // map / geo bodies
  assert.deepEqual(infer('"~*(?:\\b)360Spider(?:\\b)" 3;\n"~*(?:\\b)AhrefsBot(?:\\b)" 3;\n'), ['http', 'map']);
  assert.deepEqual(infer('default 0;\n~*badbot 1;\n'), ['http', 'map']);
  assert.deepEqual(infer('1.2.3.4 1;\n10.0.0.0/8 1;\n'), ['http', 'geo']);
  // stream-only
  assert.deepEqual(infer('server { listen 12345 udp; proxy_pass dns; }\n'), ['stream']);
});

test('no evidence or contradictory evidence: unknown, never a guess', () => {
  assert.equal(infer(''), undefined);
  assert.equal(infer('# only comments\n'), undefined);
  assert.equal(infer('more_set_headers "Server: x";\n'), undefined); // third-party, not in the reference
  assert.equal(infer('brotli_static on;\n'), undefined); // a directive-like name is not a map key
  assert.equal(infer('listen 80;\nproxy_pass http://x;\nworker_connections 10;\n'), undefined);
});

test('an includer found upward gives the exact contexts; it wins over content', () => {
  const fs = new MemoryFileSystem({
    '/etc/nginx/nginx.conf': 'events {}\nhttp {\n include /etc/nginx/conf.d/*.conf;\n server { include snippets/*.conf; }\n}\n',
    '/etc/nginx/conf.d/site.conf': 'server { listen 80; }\n',
    // content alone would say `http` (proxy_set_header fits there first); its includer puts it in server
    '/etc/nginx/snippets/proxy.conf': 'proxy_set_header Host $host;\n',
    '/etc/nginx/snippets/unused/x.conf': 'proxy_set_header Host $host;\n',
  });
  const f = (p: string) => parse((fs.readFile(p) as { text: string }).text, p);
  const snip = fragmentContext(f('/etc/nginx/snippets/proxy.conf'), fs);
  assert.equal(snip.source, 'includer');
  assert.deepEqual(snip.contexts, [['http', 'server']]);
  assert.equal(snip.includer?.mainFile, '/etc/nginx/nginx.conf');
  const site = fragmentContext(f('/etc/nginx/conf.d/site.conf'), fs);
  assert.deepEqual(site.contexts, [['http']]);
  const unused = fragmentContext(f('/etc/nginx/snippets/unused/x.conf'), fs);
  assert.equal(unused.source, 'content');
  assert.deepEqual(unused.contexts, [['http']]);
  const main = fragmentContext(f('/etc/nginx/nginx.conf'), fs);
  assert.equal(main.source, 'main');
  assert.deepEqual(candidateMains('/etc/nginx/snippets/unused/x.conf', fs), ['/etc/nginx/nginx.conf']);
  assert.deepEqual(candidateMains('/etc/nginx/snippets/unused/x.conf', fs, { stopAt: '/etc/nginx/snippets' }), []);
  assert.equal(guessConfPrefix('/etc/nginx/snippets/unused/x.conf', fs), '/etc/nginx/');
});

test('a workspace mirror of /etc/nginx: the includer is found through the path mapping', () => {
  const fs = new MemoryFileSystem({
    '/ws/etc/nginx/nginx.conf': 'events {}\nhttp { include /etc/nginx/sites-enabled/*; }\n',
    '/ws/etc/nginx/sites-enabled/shop': 'location / { return 444; }\n',
  });
  const r = checkFile('/ws/etc/nginx/sites-enabled/shop', fs);
  // nginx would read `location` at http level: a real error, found because the includer was found
  assert.equal(r.source, 'includer');
  assert.deepEqual(r.contexts, [['http']]);
  assert.ok(r.diagnostics.some((d) => d.code === 'not-allowed-here' && d.severity === 'error'));
});

test('a fragment of unknown context gets no context diagnostics at all', () => {
  const fs = new MemoryFileSystem({ '/w/odd.conf': 'listen 80;\nproxy_pass http://x;\nworker_connections 10;\n' });
  const r = checkFile('/w/odd.conf', fs);
  assert.equal(r.source, 'unknown');
  assert.equal(r.contexts, undefined);
  assert.deepEqual(r.diagnostics.filter((d) => d.code === 'not-allowed-here'), []);
});

test('an includer named nginx.conf that is itself a server-level snippet is read in its own context', () => {
  const fs = new MemoryFileSystem({
    '/app/nginx.conf': 'map $scheme $x { default 0; }\nserver {\n  listen 80;\n  include drop.conf;\n  location ~ \\.php$ { include fastcgi_params; }\n}\n',
    '/app/drop.conf': 'location = /robots.txt { access_log off; }\n',
    '/app/fastcgi_params': 'fastcgi_param QUERY_STRING $query_string;\n',
  });
  const r = checkFile('/app/drop.conf', fs);
  assert.equal(r.source, 'includer');
  assert.deepEqual(r.contexts, [['http', 'server']]);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  const p = checkFile('/app/fastcgi_params', fs);
  assert.deepEqual(p.contexts, [['http', 'server', 'location']]);
  assert.deepEqual(p.diagnostics.filter((d) => d.severity === 'error'), []);
});
