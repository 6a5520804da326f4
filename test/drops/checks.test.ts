// Every 444 diagnostic code: each positive fixture gets exactly the marked (`## hit`) lines, each
// `_fp` fixture gets nothing of its code (Gixy's convention). Plus the corpus counts per code.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDrops, DROPS_CODES } from '../../server/src/core/drops/checks';
import { checkConfig } from '../../server/src/core/check';
import { fixtures, graphOf, wrapFixture } from './support';

const all = fixtures();

test('every code has a positive and an _fp fixture', () => {
  for (const code of DROPS_CODES) {
    assert.ok(all.some((f) => f.code === code && f.positive), `${code}: no positive fixture`);
    assert.ok(all.some((f) => f.code === code && !f.positive), `${code}: no _fp fixture`);
  }
  for (const f of all) assert.ok((DROPS_CODES as readonly string[]).includes(f.code), `fixture dir ${f.code} is not a code`);
});

for (const f of all) {
  test(`${f.code}/${f.name}`, () => {
    const got = checkDrops(graphOf(wrapFixture(f))).filter((d) => d.code === f.code);
    const lines = [...new Set(got.map((d) => d.range.start.line + 1))].sort((a, b) => a - b);
    if (f.positive) {
      assert.ok(f.hits.length, 'a positive fixture marks its hits with ## hit');
      assert.deepEqual(lines, f.hits, got.map((d) => `${d.range.start.line + 1}: ${d.message}`).join('\n'));
    } else {
      assert.deepEqual(lines, [], got.map((d) => `${d.range.start.line + 1}: ${d.message}`).join('\n'));
    }
  });
}

test('the 444 diagnostics flow through the whole-config check (nginx-lens check)', () => {
  const f = all.find((x) => x.code === 'return-bypasses-access' && x.positive)!;
  const codes = checkConfig(graphOf(wrapFixture(f))).map((d) => d.code);
  assert.ok(codes.includes('return-bypasses-access'), codes.join(','));
});

test('quick fixes: ssl_reject_handshake, escaped dots, the drop moved behind the access phase', () => {
  const by = (code: string) => {
    const f = all.find((x) => x.code === code && x.positive)!;
    return checkDrops(graphOf(wrapFixture(f))).filter((d) => d.code === code);
  };
  const ssl = by('ssl-default-444-handshake')[0];
  assert.match(ssl.fixes![0].edits[0].newText, /^\n\s+ssl_reject_handshake on;$/);
  const dot = by('unescaped-dot').find((d) => d.range.start.line === 6)!;
  assert.equal(dot.fixes![0].edits[0].newText, '~^www\\.shop\\.test$');
  const bypass = by('return-bypasses-access').find((d) => d.range.start.line === 6)!;
  const texts = bypass.fixes![0].edits.map((e) => e.newText);
  assert.equal(texts[0], 'error_page 403 = @drop;');
  assert.match(texts[1], /location @drop \{\n\s+return 444;\n\s+\}/);
  const unreachable = by('unreachable-after-return');
  assert.ok(unreachable.every((d) => d.unnecessary));
});

test('the example config: the /admin/ trap is flagged, nothing else', async () => {
  const { NodeFileSystem } = await import('../../server/src/node/fileSystem');
  const { loadConfigGraph } = await import('../../server/src/core/configGraph');
  const path = await import('node:path');
  const g = loadConfigGraph(path.resolve(import.meta.dirname, '../../examples/nginx.conf'), new NodeFileSystem());
  const got = checkDrops(g).map((d) => `${path.basename(d.file)}:${d.range.start.line + 1}:${d.code}`);
  assert.deepEqual(got, ['shop.conf:36:return-bypasses-access']);
});

test('quick fixes: anchor a host pattern, match a host case-insensitively', () => {
  const of = (code: string) => {
    const f = all.find((x) => x.code === code && x.positive)!;
    return checkDrops(graphOf(wrapFixture(f))).filter((d) => d.code === code);
  };
  const anchors = of('unanchored-host-regex').map((d) => d.fixes?.[0]?.edits[0].newText);
  // the argument keeps the condition's closing parenthesis
  assert.deepEqual(anchors, ['^shop\\.test$)', '^admin\\.shop\\.test$)']);
  const cases = of('case-sensitive-host-regex').map((d) => d.fixes?.[0]?.edits[0].newText);
  assert.deepEqual(cases, ['~*', '~*']);
});
