// The regex engine skips a pattern when the subject lacks a literal every match must contain
// (core/regex/literal.ts). That shortcut must never change an answer: random patterns and
// subjects, each run with and without it, give the same result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileRegex, isCompileError, type CompiledRegex } from '../../server/src/core/regex';
import { compileNginxRegex, regexCandidates } from '../../server/src/core/http/regex';
import { fcParams, runs } from './support';

const piece = fc.constantFrom(
  'bot', 'Bot', 'BOT', 'crawl', 'spider', 'a', 'ab', 'x1', '\\.', '\\.com', '\\ ', '-', '/', '\\d', '\\d+', '\\w+', '.', '.*', '[Aa]', '[a-c]', '[^/]',
  '(?:\\b)', '\\b', '\\B', '^', '$', '(?i)', '(?-i)', 'a+', 'b*', 'c?', 'e{2}', '(bot|spider)', '(?:x|y)z', '(a)', '(?=ab)', '(?!zz)', '(?<=a)b', '\\Q.+\\E', '\u00e9', '\u00c9',
);
const pattern = fc.array(piece, { minLength: 1, maxLength: 6 }).map((a) => a.join(''));
const word = fc.constantFrom('bot', 'BoT', 'crawl', 'Spider', 'ab', 'aab', 'x1', '.com', ' ', '-', '/', '1', '\u00e9', '\u00c9', 'zz', 'ee', 'xyz', 'BOTS', 'abot');
const subject = fc.array(word, { maxLength: 8 }).map((a) => a.join(''));

/** The same pattern compiled apart (the budget is part of the cache key) with the shortcut off. */
function withoutShortcut(p: string, caseless: boolean): CompiledRegex | undefined {
  const r = compileRegex(p, { caseless, budget: 999_999 });
  if (isCompileError(r)) return undefined;
  (r as unknown as { literal: unknown }).literal = null;
  return r;
}

test(`required-literal shortcut never changes a regex answer (${runs(2000)} runs)`, () => {
  let matched = 0;
  fc.assert(
    fc.property(pattern, fc.boolean(), fc.array(subject, { minLength: 1, maxLength: 5 }), (p, caseless, subjects) => {
      const fast = compileRegex(p, { caseless });
      const slow = withoutShortcut(p, caseless);
      if (isCompileError(fast)) return assert.equal(slow, undefined);
      for (const s of subjects) {
        const a = fast.exec(s);
        const b = slow!.exec(s);
        if (a.kind === 'match') matched++;
        assert.deepEqual(a, b, `${p} (${caseless ? '~*' : '~'}) on ${JSON.stringify(s)}`);
      }
    }),
    fcParams(2000),
  );
  assert.ok(matched > 100, `only ${matched} matches: the generator should exercise matching subjects`);
});

test(`indexed lists of patterns pick the same first match as trying each in order (${runs(300)} runs)`, () => {
  let matched = 0;
  fc.assert(
    fc.property(fc.array(fc.tuple(pattern, fc.boolean()), { minLength: 32, maxLength: 80 }), fc.array(subject, { minLength: 1, maxLength: 5 }), (pats, subjects) => {
      const list = pats.map(([p, ci]) => ({ re: compileNginxRegex(p, ci) }));
      for (const s of subjects) {
        const first = (order: Iterable<number>) => {
          for (const i of order) if (list[i].re.exec(s).kind !== 'nomatch') return i;
          return -1;
        };
        const want = first(list.keys());
        if (want >= 0) matched++;
        assert.equal(first(regexCandidates(list, s)), want, `${JSON.stringify(s)} against ${JSON.stringify(pats)}`);
      }
    }),
    fcParams(300),
  );
  assert.ok(matched > 50, `only ${matched} matches`);
});

test('a long subject repeating a trigram many patterns start with: each candidate listed once, in order, quickly', () => {
  const list = Array.from({ length: 7000 }, (_, i) => ({ re: compileNginxRegex(`(?:\\b)com${i}x(?:\\b)`, true) }));
  const subject = 'com'.repeat(300_000);
  const t = performance.now();
  const got = [...regexCandidates(list, subject)];
  // Each of the 300,000 places where "com" occurs used to walk (and then sort) its 7,000 patterns.
  assert.ok(performance.now() - t < 5_000, `${performance.now() - t} ms`);
  assert.equal(got.length, 7000);
  assert.ok(got.every((v, i) => v === i));
  // The marks are cleared: the next subject sees only its own candidates.
  assert.deepEqual([...regexCandidates(list, 'Bot/1.0')], []);
});
