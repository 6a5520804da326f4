// Plain patterns (literal characters, `.`, `\b`, `(?:\b)`, `^`, `$`) are compiled without a
// parse (compile.ts PlainRegex): what they report and how they match must be what the full
// compilation gives. Checked on every regex of the corpus configs and on generated patterns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileRegex, isCompileError, type CompiledRegex } from '../../server/src/core/regex/index';
import { plainLiteral } from '../../server/src/core/regex/compile';
import { parsePattern } from '../../server/src/core/regex/parse';
import { requiredLiteral } from '../../server/src/core/regex/literal';
import { textToBytes } from '../../server/src/core/regex/bytes';

const repoRoot = resolve(import.meta.dirname, '../..');
const corpus = resolve(repoRoot, '../shared/corpus/configs');

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}

/** Rough: every argument after a `~` / `~*` operator or starting with one (map keys). */
function corpusPatterns(): { p: string; ci: boolean }[] {
  const out: { p: string; ci: boolean }[] = [];
  const re = /(?:^|\s)(~\*?)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s;{]+)|(?:^|\s)"(~\*?)((?:[^"\\]|\\.)*)"/gm;
  for (const f of files(corpus)) {
    const text = readFileSync(f, 'latin1');
    for (const m of text.matchAll(re)) {
      if (m[1]) {
        let p = m[2];
        if (p.startsWith('"') || p.startsWith("'")) p = p.slice(1, -1);
        out.push({ p, ci: m[1] === '~*' });
      } else out.push({ p: m[4], ci: m[3] === '~*' });
    }
  }
  return out;
}

/** The same pattern through the full compilation: a non-capturing group around it is not plain. */
function full(p: string, ci: boolean): CompiledRegex {
  const r = compileRegex(`(?:${p})`, { caseless: ci });
  assert.ok(!isCompileError(r), p);
  return r;
}

function subjectsFor(p: string): string[] {
  const bare = p.replace(/\(\?:\\b\)|\\b|^\^|\$$/g, '').replace(/\\(.)/g, '$1');
  return [
    '',
    bare,
    bare.toUpperCase(),
    bare.toLowerCase(),
    `Mozilla/5.0 (compatible; ${bare}/1.0)`,
    `x${bare}y`,
    `${bare.slice(0, -1)}`,
    bare.replace(/\./g, 'Z'),
    `line\n${bare}`,
    `${bare}\n`,
    `${bare}\r`,
    `${bare}\n\n`,
    // Latin-1 letters: not word characters and not case-folded by PCRE2 without UTF.
    `\xc9${bare}\xe9`,
    `\xc9${bare.toUpperCase()}_`,
    `_${bare}0`,
    `${bare}${bare}`,
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  ];
}

function checkSame(p: string, ci: boolean): boolean {
  const bytes = textToBytes(p);
  const lit = plainLiteral(bytes, ci);
  if (lit === undefined) return false;
  const parsed = parsePattern(bytes, ci);
  assert.deepEqual(lit, requiredLiteral(parsed.ast), `literal of ${p} (${ci ? '~*' : '~'})`);
  assert.equal(parsed.groupCount, 0, p);
  assert.deepEqual(parsed.names, [], p);
  assert.deepEqual(parsed.unsupported, [], p);
  const r = compileRegex(p, { caseless: ci });
  assert.ok(!isCompileError(r), p);
  const f = full(p, ci);
  assert.deepEqual([r.groupCount, r.names, r.unsupported, r.literal], [f.groupCount, f.names, f.unsupported, f.literal], p);
  for (const s of subjectsFor(p)) assert.deepEqual(r.execBytes(s), f.execBytes(s), `${p} on ${JSON.stringify(s)}`);
  return true;
}

test('plain corpus patterns: same literal, groups and matches as the full compilation', () => {
  let plain = 0;
  const all = corpusPatterns();
  for (const { p, ci } of all) if (checkSame(p, ci)) plain++;
  // The bad-bot blocker's map keys are nearly all plain; the others take the full path.
  assert.ok(plain > 5000, `only ${plain} of ${all.length} corpus patterns were plain`);
  assert.ok(plain < all.length);
});

test('generated plain patterns: same literal and matches as the full compilation', () => {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const atoms = ['a', 'B', 'z', 'Q', '0', '7', '-', '_', '/', ':', ' ', ',', '.', '\\.', '\\-', '\\ ', '\\/', '\\b', '(?:\\b)', '@', '!', '%'];
  let plain = 0;
  for (let k = 0; k < 2000; k++) {
    let p = rnd() < 0.2 ? '^' : '';
    const len = Math.floor(rnd() * 14);
    for (let i = 0; i < len; i++) p += atoms[Math.floor(rnd() * atoms.length)];
    if (rnd() < 0.2) p += '$';
    if (checkSame(p, rnd() < 0.6)) plain++;
  }
  assert.equal(plain, 2000);
});

test('not plain: metacharacters, classes, quantifiers, escapes of letters, non-ASCII', () => {
  for (const p of ['a*', 'a+b', 'a?', 'a{2}', '[ab]', 'a|b', '(a)', '(?i)a', '\\d', '\\w+', 'a\\', 'x#y', 'a}', 'a]', 'é', '\\x41', '\\Qa\\E', 'a^', '$a']) {
    assert.equal(plainLiteral(textToBytes(p), false), undefined, p);
  }
  assert.deepEqual(plainLiteral('(?:\\b)Ahrefs\\ Bot(?:\\b)', true), { text: 'ahrefs bot', folded: true });
  assert.deepEqual(plainLiteral('(?:\\b)01h4x.com(?:\\b)', true), { text: '01h4x', folded: true });
  assert.deepEqual(plainLiteral('404.php', false), { text: '404', folded: false });
  assert.equal(plainLiteral('ab.cd', false), null);
});
