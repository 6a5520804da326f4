// Where our regex answers must follow PCRE2 10.42 (the library Debian's nginx loads) rather than
// what a regex means in general: its caseless POSIX classes, branch-reset numbering, lookbehinds
// run left to right, and its match limit, which nginx turns into a 500 or a map default.
// Each case was checked against libpcre2-8 itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileNginxRegex } from '../../server/src/core/http/regex';

const run = (p: string, s: string, caseless = false) => {
  const r = compileNginxRegex(p, caseless).exec(s);
  return r.kind === 'match' ? ['match', ...r.groups.slice(1)] : [r.kind];
};

test('caseless, [:lower:] and [:upper:] are [:alpha:] (compile_branch), not folded back', () => {
  assert.deepEqual(run('^/[[:^lower:]]+$', '/A', true), ['nomatch']);
  assert.deepEqual(run('^/[[:^lower:]]+$', '/1', true), ['match']);
  assert.deepEqual(run('^/[^[:^upper:]]+$', '/a', true), ['match']);
  assert.deepEqual(run('^/[[:^lower:]]+$', '/A', false), ['match']);
});

test('a branch reset keeps the capture of whichever alternative matched', () => {
  assert.deepEqual(run('^/(?|a/(\\w+)|b/(\\w+))$', '/a/secret'), ['match', 'secret']);
  assert.deepEqual(run('^/(?|a/(\\w+)|b/(\\w+))$', '/b/other'), ['match', 'other']);
});

test('lookbehinds with atomic parts or repeated captures match as PCRE2 runs them', () => {
  assert.deepEqual(run('(?<=(?>adm))in$', '/admin'), ['match']);
  assert.deepEqual(run('(?<!(?>\\.ht))access$', '/.htaccess'), ['nomatch']);
  assert.deepEqual(run('(?<=/(\\w){3})\\.php$', '/abc.php'), ['match', 'c']);
});

test('past 5,000 bytes a missing required literal is no proof of a non-match: PCRE2 may hit its limit', () => {
  // PCRE2 tests the required code unit only below REQ_CU_MAX; beyond, a quadratic pattern on a
  // long subject runs into match_limit (an error nginx answers 500), which we cannot rule out.
  const long = '/a'.repeat(3500);
  assert.deepEqual(run('^/(.+)/(.+)\\.php$', long), ['unknown']);
  // Short, PCRE2 sees the missing "p" at once.
  assert.deepEqual(run('^/(.+)/(.+)\\.php$', '/a'.repeat(400)), ['nomatch']);
  // A linear pattern cannot reach the limit: its non-match stands.
  assert.deepEqual(run('^/a+\\.php$', long), ['nomatch']);
});

test('JS is trusted for a non-match only where PCRE2 cannot reach its match limit', () => {
  const s = `/${'a'.repeat(4000)}_.php`;
  assert.deepEqual(run('^/(?:[a-z]|-)*(?:[a-z]|-)*\\.php$', s), ['unknown']);
  assert.deepEqual(run('^/(?:[a-z]|-)*(?:[a-z]|-)*\\.php$', '/abc.php'), ['match']);
});
