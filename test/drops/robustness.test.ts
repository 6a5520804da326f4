// Hostile and huge input: the 444 engine answers quickly and never throws.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDrops } from '../../server/src/core/drops/checks';
import { dropsIndex } from '../../server/src/core/drops/index';
import { explain444 } from '../../server/src/core/drops/explain';
import { sources444 } from '../../server/src/core/drops/sources';
import { graphOf } from './support';

test('2,000 servers with nested locations and ifs: checks and hovers stay bounded', () => {
  const servers = Array.from({ length: 2000 }, (_, i) => `server { listen 80; server_name s${i}.test; if ($host ~ ^s${i}.test$) { return 444; } location /a/ { location /a/b/ { return 444; } } location ~ (a+)+$ { return 444; } }`).join('\n');
  const g = graphOf(`events {} http { ${servers} }`);
  const t0 = performance.now();
  const diags = checkDrops(g);
  const ix = dropsIndex(g);
  const srcs = sources444(ix);
  for (const s of srcs.slice(0, 200)) assert.ok(explain444(ix, s.d));
  const ms = performance.now() - t0;
  assert.equal(srcs.length, 6000);
  // every `if` has an unescaped dot: one diagnostic each, nothing else unexpected
  assert.equal(diags.filter((d) => d.code === 'unescaped-dot').length, 2000);
  assert.ok(ms < 20_000, `${ms} ms`);
});

test('broken and odd input: unclosed blocks, bad regexes, empty args, binary junk — no throw', () => {
  const texts = [
    'http { server { listen 80; location ~ ( { return 444; } if ($host ~ "[") { return 444 } ',
    'http { server { return; return 444 a b c; if () { } if ($x ~) { } location { } } }',
    'http { map $host $m { ~( 1; } server { server_name ~( ~^x. ""; listen; listen default_server; } }',
    'stream { server { return 444; } } http { server { listen 443 ssl default_server; return 444 "x"; } }',
    '\u0000\u0001\u0002 http { server {',
    'http {' + 'location / {'.repeat(300) + 'return 444;' + '}'.repeat(300) + '}',
  ];
  for (const t of texts) {
    const g = graphOf(t);
    assert.doesNotThrow(() => {
      checkDrops(g);
      const ix = dropsIndex(g);
      for (const s of sources444(ix)) explain444(ix, s.d);
    }, t.slice(0, 60));
  }
});
