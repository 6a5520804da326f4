// ngx_http_browser_module as the router evaluates it (checked against real nginx in
// differential-modules2.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserClass, browserConf, isMsie, parseBrowserVersion } from '../../server/src/core/http/browser';
import { facts, http, lineOf, modelOf, one, outcomesOf } from './support';

const req = (path: string, ua: string | null | undefined) =>
  facts({ request: `GET ${path} HTTP/1.1`, host: 'localhost', serverPort: 80, remoteAddr: '192.0.2.1', vars: ua === undefined ? {} : { http_user_agent: ua } });

const FF3 = 'Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.9.0.5) Gecko/2008 Firefox/3.0.5';
const IE6 = 'Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)';
const OPERA = 'Opera/9.80 (X11; Linux x86_64; U; en) Presto/2.2.15 Version/10.00';

test('browser: versions are nginx sums (X*10^6 + Y*10^4 + ...), a fifth part scaled by 0', () => {
  assert.equal(parseBrowserVersion('5'), 5000000n);
  assert.equal(parseBrowserVersion('5.5'), 5050000n);
  assert.equal(parseBrowserVersion('1.9.0.5'), 1090005n);
  assert.equal(parseBrowserVersion('1.2.3.4.5'), 1020304n);
  assert.equal(parseBrowserVersion('1a'), undefined);
});

test('browser: modern list by slot, Opera added as unreachable, unlisted, netscape4, ancient strings', () => {
  const m = modelOf(http(`server { listen 80;
    location /a { modern_browser gecko 1.9; modern_browser msie 7.0; }
    location /u { modern_browser msie 7.0; modern_browser unlisted; ancient_browser Lynx netscape4; }
    location /only { modern_browser unlisted; }
  }`));
  const scopeOf = (p: string) => m.servers[0].locations.prefix.find((l) => l.name === p)!.scope;
  const a = browserConf(scopeOf('/a'));
  assert.deepEqual(a.modern!.map((b) => b.slot), [0, 1, 2]);
  assert.equal(browserClass(a, FF3), 'modern');
  assert.equal(browserClass(a, 'Mozilla/5.0 (X11; rv:1.8.1) Gecko/2007'), 'ancient');
  assert.equal(browserClass(a, IE6), 'ancient');
  assert.equal(browserClass(a, 'Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1)'), 'modern');
  // Opera is checked first, so an Opera that says MSIE 8.0 is still ancient.
  assert.equal(browserClass(a, 'Mozilla/4.0 (compatible; MSIE 8.0; Windows) Opera 9.0'), 'ancient');
  assert.equal(browserClass(a, OPERA), 'ancient');
  // Listed browsers only: anything else (or no User-Agent) is ancient.
  assert.equal(browserClass(a, 'curl/8.0'), 'ancient');
  assert.equal(browserClass(a, null), 'ancient');
  // The "rv:" search starts 13 bytes in; a version whose first part already exceeds wins at the dot.
  assert.equal(browserClass(a, 'rv:9.0'), 'ancient');
  assert.equal(browserClass(a, 'Mozilla/5.0 (rv:2.'), 'modern');
  const u = browserConf(scopeOf('/u'));
  assert.equal(browserClass(u, 'curl/8.0'), 'modern');
  assert.equal(browserClass(u, 'Lynx/2.8.9'), 'ancient');
  assert.equal(browserClass(u, 'Mozilla/4.72 [en] (X11)'), 'ancient');
  assert.equal(browserClass(u, 'Mozilla/4.7'), 'modern'); // 11 bytes: too short for netscape4
  assert.equal(browserClass(u, null), 'modern');
  // `modern_browser unlisted` alone at a level keeps no list (the merge takes neither from above).
  const only = browserConf(scopeOf('/only'));
  assert.equal(only.modern, undefined);
  assert.equal(browserClass(only, IE6), 'modern');
});

test('browser: $msie needs "MSIE " and three more bytes, and no "Opera" anywhere', () => {
  assert.equal(isMsie(IE6), true);
  assert.equal(isMsie('MSIE 6.'), false);
  assert.equal(isMsie('MSIE 6.0'), true);
  assert.equal(isMsie('Mozilla/4.0 (compatible; MSIE 6.0) Opera 8.0'), false);
  assert.equal(isMsie(null), false);
});

test('browser: if ($ancient_browser) routes from the logged User-Agent, ambiguous without it', () => {
  const conf = http(`server { listen 80;
    modern_browser gecko 1.9; modern_browser msie 7.0; ancient_browser_value old;
    location / { if ($ancient_browser = old) { return 444; } return 200; }
    location /m { if ($msie) { return 444; } if ($modern_browser) { return 403; } return 200; }
  }`);
  const m = modelOf(conf);
  const drop = lineOf(conf, 'return 444; } return 200; }');
  assert.equal(one(m, req('/', IE6)).rule!.range.start.line + 1, drop);
  assert.equal(one(m, req('/', FF3)).status, 200);
  // Logged as "-": absent or empty, both ancient here.
  assert.equal(one(m, req('/', null)).status, 444);
  // Not logged: either.
  assert.deepEqual(outcomesOf(m, req('/', undefined)).map((o) => o.split(':')[0]), ['200', '444']);
  assert.equal(one(m, req('/m', IE6)).status, 444);
  assert.equal(one(m, req('/m', FF3)).status, 403);
  assert.equal(one(m, req('/m', 'curl/8.0')).status, 200);
});

test('browser: a config that reads $ancient_browser/$modern_browser/$msie needs the logged User-Agent', () => {
  for (const v of ['ancient_browser', 'modern_browser', 'msie']) {
    const m = modelOf(http(`server { listen 80; if ($${v}) { return 444; } }`));
    assert.ok(m.referencedVars.has('http_user_agent'), v);
  }
  assert.ok(!modelOf(http(`server { listen 80; return 444; }`)).referencedVars.has('http_user_agent'));
});
