// Patterns that make a backtracking engine (PCRE2, irregexp) run for ages must
// come back quickly: with the right answer, or "timeout".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRegex, DEFAULT_STEP_BUDGET } from '../../server/src/core/regex/index';

const cases: { p: string; s: string; answer?: 'match' | 'nomatch' }[] = [
  { p: '(a+)+$', s: 'a'.repeat(5000) + '!' },
  { p: '(a+)+$', s: 'a'.repeat(64 * 1024), answer: 'match' },
  { p: '(x+x+)+y', s: 'x'.repeat(64 * 1024) },
  { p: '^(\\w+\\s?)*$', s: 'word '.repeat(13000) + '!' },
  { p: '(a|a)*b', s: 'a'.repeat(64 * 1024) },
  { p: '(a|aa)+$', s: 'a'.repeat(40) + 'b' },
  { p: '(.*a){12}', s: 'a'.repeat(64 * 1024) },
  { p: '\\w+\\d+\\w+\\d+x', s: '1'.repeat(64 * 1024) },
  { p: 'a*a*a*a*b', s: 'a'.repeat(64 * 1024) },
  { p: '(?:\\s*,\\s*)+$', s: ' ,'.repeat(32 * 1024) + 'x' },
  { p: '^(([a-z])+.)+[A-Z]([a-z])+$', s: 'aaaaaaaaaaaaaaaaaaaaaaaa!' },
  // Linear patterns answer exactly even on huge subjects.
  { p: '\\.php$', s: '/x'.repeat(32 * 1024), answer: 'nomatch' },
  { p: '.*\\.php$', s: 'x/'.repeat(32 * 1024) + '.php', answer: 'match' },
  { p: '(?:googlebot|bingbot|yandex)', s: 'Mozilla/5.0 '.repeat(5000), answer: 'nomatch' },
];

// A language server is long-running: let V8 optimise the matcher first (a cold
// first run executes it in the bytecode interpreter, several times slower).
test('warm-up', () => {
  const r = compileRegex('(a|aa)+$', { caseless: false });
  assert.equal(r.kind, 'regex');
  if (r.kind === 'regex') for (let k = 0; k < 5; k++) r.exec('a'.repeat(200) + 'b');
});

for (const c of cases) {
  test(`${c.p} on ${c.s.length} bytes returns within a bound`, () => {
    const r = compileRegex(c.p, { caseless: false });
    assert.equal(r.kind, 'regex');
    if (r.kind !== 'regex') return;
    const t0 = performance.now();
    const got = r.exec(c.s);
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
    if (c.answer) assert.equal(got.kind, c.answer);
    else assert.ok(got.kind === 'timeout' || got.kind === 'nomatch' || got.kind === 'match', got.kind);
  });
}

test('the default budget keeps a worst-case exec near 50 ms on 64 KB', () => {
  const r = compileRegex('(x+x+)+y', { caseless: false });
  assert.equal(r.kind, 'regex');
  if (r.kind !== 'regex') return;
  const s = 'x'.repeat(64 * 1024);
  // Once warmed up (the JIT has compiled the matcher), as in a long-running server.
  r.exec(s);
  r.exec(s);
  const t0 = performance.now();
  const got = r.exec(s);
  const ms = performance.now() - t0;
  assert.equal(got.kind, 'timeout');
  assert.ok(ms < 150, `${ms.toFixed(1)} ms for ${DEFAULT_STEP_BUDGET} steps`);
});

test('a smaller budget gives up sooner; a bigger one can finish', () => {
  const r = compileRegex('(a|aa)+$', { caseless: false });
  assert.equal(r.kind, 'regex');
  if (r.kind !== 'regex') return;
  const s = 'a'.repeat(22) + 'b';
  assert.equal(r.exec(s, { budget: 1000 }).kind, 'timeout');
  assert.equal(r.exec(s, { budget: 50_000_000 }).kind, 'nomatch');
});
