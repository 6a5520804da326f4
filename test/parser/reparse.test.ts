// Incremental re-parse (core/reparse.ts) against a full parse: after random small edits of corpus
// files, whenever the incremental path answers, its tree is deep-equal to parse() of the new text
// (values, ranges, comments, errors, line starts), and the old tree is left untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from '../../server/src/core/parser';
import { reparse } from '../../server/src/core/reparse';
import { ParseCache } from '../../server/src/core/configGraph';
import type { ParsedFile } from '../../server/src/core/syntax';
import { corpusFiles, fcParams, tokenRanges } from '../robustness/support';

const all = corpusFiles('configs');
const small = all.filter((f) => f.text.length < 60_000 && f.text.length > 0);

const CHARS = ['a', 'Z', '7', '.', '/', '-', ' ', '\t', ';', '{', '}', '"', "'", '#', '\\', '$', '\n', '\r', '\u0000', 'é', '\u{1F600}'];
type Edit = { token: number; at: number; del: number; ins: string[] };
const edit: fc.Arbitrary<Edit> = fc.record({
  token: fc.nat(),
  at: fc.nat(),
  // Mostly plain one-character edits (what typing does), sometimes structural ones.
  del: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 6 }) }),
  ins: fc.oneof(
    { weight: 4, arbitrary: fc.array(fc.constantFrom('a', 'Z', '7', '.', '/', '-'), { maxLength: 2 }) },
    { weight: 2, arbitrary: fc.array(fc.constantFrom(...CHARS), { maxLength: 3 }) },
  ),
});

function apply(file: ParsedFile, e: Edit): string {
  const toks = tokenRanges(file);
  const text = file.text;
  let at: number;
  if (toks.length) {
    const [a, b] = toks[e.token % toks.length];
    at = a + (e.at % (b - a + 1));
  } else at = text.length ? e.at % text.length : 0;
  return text.slice(0, at) + e.ins.join('') + text.slice(Math.min(text.length, at + e.del));
}

test('reparse after random edits equals a full parse, and leaves the old tree as it was', () => {
  let fast = 0;
  let total = 0;
  fc.assert(
    fc.property(fc.nat(), fc.array(edit, { minLength: 1, maxLength: 5 }), (which, edits) => {
      const src = small[which % small.length];
      let cur = parse(src.text, src.path);
      for (const e of edits) {
        const before = JSON.stringify(cur);
        const next = apply(cur, e);
        const inc = reparse(cur, next);
        const full = parse(next, src.path);
        total++;
        if (inc) {
          fast++;
          assert.deepStrictEqual(inc, full);
        }
        assert.equal(JSON.stringify(cur), before, 'the old tree was modified');
        // Chain through the incremental result, so trees built from shared nodes are re-edited.
        cur = inc ?? full;
      }
    }),
    fcParams(300),
  );
  // Most edits land inside a token with plain characters: the fast path must be taken often,
  // else this test would pass without checking anything.
  assert.ok(fast > total * 0.3, `incremental path taken ${fast} of ${total} times`);
});

test('reparse on CRLF files and files with syntax errors', () => {
  fc.assert(
    fc.property(fc.nat(), fc.nat(), edit, fc.boolean(), (which, cut, e, crlf) => {
      const src = small[which % small.length];
      let text = crlf ? src.text.replace(/\r?\n/g, '\r\n') : src.text;
      // A broken tail (unclosed block, dangling quote) keeps its errors after the edited statement.
      if (!crlf) text = text.slice(0, cut % (text.length + 1)) + '\nserver { listen "80';
      const cur = parse(text, src.path);
      const next = apply(cur, e);
      const inc = reparse(cur, next);
      if (inc) assert.deepStrictEqual(inc, parse(next, src.path));
    }),
    fcParams(200),
  );
});

test('a one-character edit in a large file: same tree, unchanged directives kept by identity', () => {
  // The bad-bot blocker's 530 KB blacklist: its geo/map entries are what the bench edits.
  const big = all.find((f) => f.path.endsWith('nginx-ultimate-bad-bot-blocker/conf.d/globalblacklist.conf'))!;
  assert.ok(big, 'corpus blacklist present');
  const old = parse(big.text, big.path);
  // An address of the 10k-entry geo block, and a character of a comment (what bench/config.mjs edits).
  for (const at of [big.text.indexOf('95.217.37.33') + 1, big.text.lastIndexOf('.1 ') - 1])
  for (const ch of ['7', '']) {
    const next = big.text.slice(0, at) + ch + big.text.slice(at + 1);
    const inc = reparse(old, next);
    assert.ok(inc, 'edit inside an argument takes the incremental path');
    assert.deepStrictEqual(inc, parse(next, big.path));
    // Top-level directives wholly before the edit are the old objects.
    const firstChanged = old.directives.findIndex((d) => d.range.end.offset >= at);
    assert.ok(firstChanged >= 0);
    for (let i = 0; i < firstChanged; i++) assert.equal(inc.directives[i], old.directives[i]);
    if (ch.length === 1) for (let i = firstChanged + 1; i < old.directives.length; i++) assert.equal(inc.directives[i], old.directives[i]);
  }
});

test('structural edits fall back to a full parse', () => {
  const text = 'http {\n  map $a $b {\n    default 0;\n    ~bot 1;\n  }\n  server { listen 80; }\n}\n';
  const old = parse(text, 'x.conf');
  // At the start of a token these end, open or close a statement, quote or comment ('}' and '\\'
  // inside an unquoted word are literal, as in nginx, and stay on the fast path).
  const at = text.indexOf('~bot');
  for (const ins of [';', '{', '}', '"', "'", '#', '\n', '\r']) {
    const next = text.slice(0, at) + ins + text.slice(at);
    assert.equal(reparse(old, next), undefined, JSON.stringify(ins));
  }
  const plain = text.slice(0, at) + 'x' + text.slice(at);
  assert.deepStrictEqual(reparse(old, plain), parse(plain, 'x.conf'));
  // Through the cache: the same tree as a fresh parse.
  const cache = new ParseCache();
  cache.get('x.conf', text);
  assert.deepStrictEqual(cache.get('x.conf', plain), parse(plain, 'x.conf'));
});

test('edits at the chunk boundaries of the head/tail comparison: same tree as a full parse', () => {
  // reparse finds the changed span 4096 characters at a time, then character by character.
  const lines: string[] = [];
  for (let i = 0; lines.join('').length < 5 * 4096; i++) lines.push(`set $v${i} value${i};\n`);
  const text = `http {\n${lines.join('')}}\n`;
  const old = parse(text, '/x/big.conf');
  let checked = 0;
  for (const k of [1, 2, 3, 4]) {
    for (const base of [k * 4096, text.length - k * 4096]) {
      for (let at = base - 2; at <= base + 2; at++) {
        const c = text[at];
        if (!/[0-9a-z]/.test(c)) continue;
        for (const ins of [c === '7' ? '8' : '7', '', '77']) {
          const next = text.slice(0, at) + ins + text.slice(at + 1);
          const inc = reparse(old, next);
          // Inside a word of a `set` statement: always the incremental path.
          assert.ok(inc, `at ${at} → ${JSON.stringify(ins)} re-reads one statement`);
          assert.deepStrictEqual(inc, parse(next, '/x/big.conf'), `at ${at} → ${JSON.stringify(ins)}`);
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 40, `${checked} incremental edits checked`);
});
