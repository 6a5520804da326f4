// The hover on a 444 source, part by part, and the list of every 444 source.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { dropsIndex } from '../../server/src/core/drops/index';
import { explain444 } from '../../server/src/core/drops/explain';
import { conditionWords, sources444 } from '../../server/src/core/drops/sources';
import { loadConfigGraph } from '../../server/src/core/configGraph';
import { NodeFileSystem } from '../../server/src/node/fileSystem';
import type { Directive } from '../../server/src/core/syntax';
import { graphOf } from './support';

function at(text: string, line: number, extra: Record<string, string> = {}): { md: string | undefined; d: Directive } {
  const g = graphOf(text, '/etc/nginx/nginx.conf', extra);
  const ix = dropsIndex(g);
  const src = sources444(ix).find((s) => s.d.range.start.line + 1 === line);
  assert.ok(src, `no 444 source on line ${line}: ${sources444(ix).map((s) => s.d.range.start.line + 1)}`);
  return { md: explain444(ix, src.d), d: src.d };
}

const SHOP = `events {}
http {
    log_format vhost '$remote_addr "$request" $status "$host"';
    access_log /var/log/nginx/access.log vhost;
    map $http_user_agent $bad_bot {
        default 0;
        ~*sqlmap 1;
        ~*nikto 1;
    }
    server {
        listen 80 default_server;
        server_name _;
        return 444;
    }
    server {
        listen 80;
        server_name shop.test www.shop.test;
        if ($bad_bot) {
            return 444;
        }
        location = /wp-login.php {
            return 444;
        }
        location /admin/ {
            allow 192.0.2.0/24;
            deny all;
            return 444;
            rewrite ^ /never last;
        }
        location ~* \\.php$ {
            access_log off;
            return 444;
        }
        location ~ /\\. {
            return 444;
        }
        if ($host !~* ^(shop\\.test)$) {
            return 444;
        }
    }
}
`;

test('hover: what 444 does, in one line (HTTP/2 stream reset, reset_timedout_connection)', () => {
  const { md } = at(SHOP, 13);
  assert.match(md!, /^\*\*444\*\*: `return 444` closes the connection without sending a byte/);
  assert.match(md!, /HTTP\/2: resets only this stream/);
  assert.match(md!, /reset_timedout_connection on/);
});

test('hover: a default server is reached by hosts no other server on the port matches, with examples', () => {
  const { md } = at(SHOP, 13);
  assert.match(md!, /any Host not matched by another server on :80 \(default_server; the others serve e\.g\. `shop\.test`, `www\.shop\.test`\)/);
  assert.match(md!, /`server_name _` is an ordinary name/);
});

test('hover: the if condition in words, with the map that sets its variable summarized', () => {
  const { md } = at(SHOP, 19);
  assert.match(md!, /if `\$bad_bot` is neither empty nor "0"/);
  assert.match(md!, /`\$bad_bot` is set by `map \$http_user_agent` at nginx\.conf:5: 2 keys → `1` \(2 regex\), default `0`/);
  const neg = at(SHOP, 38).md!;
  assert.match(neg, /if `\$host` does not match `\^\(shop\\\.test\)\$` \(case-insensitive\)/);
});

test('hover: which URIs reach the location, and the locations that shadow it', () => {
  assert.match(at(SHOP, 22).md!, /location: URI exactly `\/wp-login\.php`/);
  const admin = at(SHOP, 27).md!;
  assert.match(admin, /URIs starting with `\/admin\/`; except where `~\* \\\.php\$` \(nginx\.conf:30\) wins when its regex matches/);
  const dot = at(SHOP, 35).md!;
  assert.match(dot, /URIs matching `\/\\\.` \(case-sensitive\); except where `~\* \\\.php\$` \(nginx\.conf:30\) is an earlier regex/);
});

test('hover: server-level rewrite directives that pre-empt a location-level drop', () => {
  const md = at(SHOP, 22).md!;
  assert.match(md, /\*\*Pre-empted\*\* .*`if \(\$bad_bot\)` \(nginx\.conf:18\)/);
  // the server-level if after the locations still runs first: server level runs before location level
  assert.match(md, /`if \(\$host !~\* \^\(shop\\\.test\)\$\)` \(nginx\.conf:37\)/);
});

test('hover: directives after the drop never run; the access phase it bypasses', () => {
  const md = at(SHOP, 27).md!;
  assert.match(md, /\*\*Never run\*\* after it in this block: `rewrite \^ \/never last` \(28\)/);
  assert.match(md, /\*\*Bypasses\*\* the access phase: `allow 192\.0\.2\.0\/24` \(nginx\.conf:25\), `deny all` \(nginx\.conf:26\)/);
  assert.doesNotMatch(at(SHOP, 22).md!, /Bypasses/);
});

test('hover: the access log and format that record the drops, or that they are never logged', () => {
  assert.match(at(SHOP, 13).md!, /\*\*Logged\*\* as 444 to `\/var\/log\/nginx\/access\.log` \(format `vhost`, nginx\.conf:4\)/);
  assert.match(at(SHOP, 32).md!, /\*\*Never logged\*\*: `access_log off` \(nginx\.conf:31\)/);
});

test('hover: drop counts and the latest drop when logs are loaded', () => {
  const g = graphOf(SHOP);
  const ix = dropsIndex(g);
  const d = sources444(ix)[0].d;
  const md = explain444(ix, d, { count: 37, latest: { file: 'access.log', line: 812, text: '203.0.113.9 "GET / HTTP/1.1" 444 "-"' } })!;
  assert.match(md, /\*\*37 drops\*\* in the loaded logs; latest access\.log:812: `203\.0\.113\.9 "GET \/ HTTP\/1\.1" 444 "-"`/);
  assert.doesNotMatch(explain444(ix, d)!, /drops\*\* in the loaded logs/);
});

test('hover: limit_req_status 444 names where the limit is in effect; error_page to a 444 named location', () => {
  const text = `events {}
http {
    limit_req_zone $binary_remote_addr zone=z:1m rate=1r/s;
    server {
        listen 80;
        limit_req_status 444;
        location /api/ { limit_req zone=z; }
        location /static/ { root /srv; }
        location /private/ { deny all; error_page 403 = @drop; }
        location @drop { return 444; }
    }
}
`;
  const lr = at(text, 6).md!;
  assert.match(lr, /requests rejected by `limit_req`/);
  assert.match(lr, /over the `limit_req` limit in `location \/api\/` \(nginx\.conf:7\)/);
  assert.doesNotMatch(lr, /static/);
  const ep = at(text, 9).md!;
  assert.match(ep, /responses 403 are sent to `@drop`, whose `return 444` \(nginx\.conf:10\)/);
});

test('hover: not a 444 source → undefined', () => {
  const g = graphOf('events {} http { server { listen 80; return 404; } }');
  const ix = dropsIndex(g);
  const d = [...ix.scopeOf.keys()].find((x) => x.name === 'return')!;
  assert.equal(explain444(ix, d), undefined);
});

test('list: every 444 source of the example across its include tree, with its condition in words', () => {
  const g = loadConfigGraph(path.resolve(import.meta.dirname, '../../examples/nginx.conf'), new NodeFileSystem());
  const ix = dropsIndex(g);
  const list = sources444(ix).map((s) => `${path.basename(s.d.file)}:${s.d.range.start.line + 1} ${s.d.name} — ${conditionWords(ix, s)}`);
  // grep -rn 'return 444\\|_status 444' examples/ finds the same 8 places
  assert.equal(list.length, 8, list.join('\n'));
  assert.ok(list.some((l) => /^block-bad-bots\.conf:3 return — Host `shop\.example\.com`, `www\.shop\.example\.com` on `80`; if `\$bad_bot` is neither empty nor "0"$/.test(l)), list.join('\n'));
  assert.ok(list.some((l) => l.startsWith('api.conf:') && /limit_req_status — .*requests over the limit_req limit in 3 contexts/.test(l)), list.join('\n'));
});

test('workspace symbols: every 444 source with its condition in words (error_page to a 444 named location included)', async () => {
  const { workspaceSymbols } = await import('../../server/src/service/workspaceSymbols');
  const g = graphOf(`events {}
http {
    map $http_user_agent $bad_bot { default 0; ~*sqlmap 1; }
    server {
        listen 80;
        server_name shop.test;
        if ($bad_bot) { return 444; }
        location = /wp-login.php { return 444; }
        location /private/ { deny all; error_page 403 = @drop; }
        location @drop { return 444; }
    }
}
`);
  const names = workspaceSymbols([g], '444').map((s) => s.name).concat(workspaceSymbols([g], 'error_page').map((s) => s.name));
  assert.ok(names.includes('return 444 — shop.test › if $bad_bot is neither empty nor "0"'), names.join('\n'));
  assert.ok(names.includes('return 444 — shop.test › = /wp-login.php'), names.join('\n'));
  assert.ok(names.includes('error_page 403 = @drop — shop.test › /private/ › error 403 → @drop'), names.join('\n'));
});

test('hover: a location with limit_except: its return runs only for the methods limit_except admits', () => {
  const md = at(`events {}
http {
    server {
        listen 80;
        location / {
            limit_except GET { deny all; }
            return 444;
        }
    }
}
`, 7).md!;
  assert.match(md, /methods GET, HEAD only: other methods run with the `limit_except` block's configuration \(nginx\.conf:6\)/);
});

test('hover: nested locations take their URIs away from the outer location', () => {
  const md = at(`events {}
http {
    server {
        listen 80;
        location /app/ {
            return 444;
            location /app/static/ { root /srv; }
        }
    }
}
`, 6).md!;
  assert.match(md, /except where `\/app\/static\/` \(nginx\.conf:7\) is nested in it and chosen instead/);
});

test('hover: ambiguous drops counted apart; latest without its text', () => {
  const g = graphOf(SHOP);
  const ix = dropsIndex(g);
  const md = explain444(ix, sources444(ix)[0].d, { count: 0, possible: 5, latest: { file: 'access.log', line: 3 } })!;
  assert.match(md, /\*\*0 drops\*\* \(\+5 where it is one of several candidates\) in the loaded logs; latest access\.log:3\.$/);
});

test('the index places every http-level directive in the http scope, server, map and geo blocks included', () => {
  const g = graphOf('events {} http { limit_req_status 444; map $uri $m { default 0; } geo $g { default 0; } server { listen 80; return 444; } }');
  const ix = dropsIndex(g);
  const http = ix.model.http!;
  const names = ix.model.httpItems.map((d) => d.name);
  assert.deepEqual(names, ['limit_req_status', 'map', 'geo', 'server']);
  for (const d of ix.model.httpItems) assert.equal(ix.scopeOf.get(d), http, d.name);
  // Nothing inherits from the blocks, so the settings scope servers point to leaves them out.
  assert.deepEqual(http.items.map((d) => d.name), ['limit_req_status']);
  assert.equal(ix.model.servers[0].scope.parent, http);
});

test('every 444 source the router knows has a hover: error_page =444, echo_status 444, a Lua handler that may close', () => {
  const text = `events {}
http {
    server {
        listen 80;
        location /e/ { error_page 404 =444 /gone.html; }
        location /echo { echo_status 444; echo "x"; }
        location /lua { content_by_lua_block { ngx.exit(444) } }
        location /ok { content_by_lua_block { ngx.say("hi") } }
    }
}
`;
  const g = graphOf(text, '/etc/nginx/nginx.conf');
  const kinds = sources444(dropsIndex(g)).map((s) => `${s.d.range.start.line + 1}:${s.kind}`);
  // The Lua block without an exit is not a source; the other three are, each with its own words.
  assert.deepEqual(kinds, ['5:error_page_status', '6:echo_status', '7:script']);
  assert.match(at(text, 5).md ?? '', /responses 404 are answered with `\/gone.html` and the status 444/);
  assert.match(at(text, 6).md ?? '', /echo module sends its response with the status 444/);
  assert.match(at(text, 7).md ?? '', /`content_by_lua_block` runs code that may close/);
});
