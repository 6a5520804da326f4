import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRegex, isCompileError, textToBytes } from '../../server/src/core/regex/index';

const re = (p: string, caseless = false) => {
  const r = compileRegex(p, { caseless });
  if (isCompileError(r)) throw new Error(r.message);
  return r;
};

test('named groups become nginx variables: unset ones are empty', () => {
  const r = re('^/(?<section>blog|shop)(?:/(?<id>\\d+))?$');
  const m = r.exec('/blog');
  assert.equal(m.kind, 'match');
  if (m.kind !== 'match') return;
  assert.deepEqual(m.captures, ['/blog', 'blog', undefined]);
  assert.deepEqual(m.groups, { id: '', section: 'blog' });
  assert.deepEqual(r.names, [{ name: 'id', index: 2 }, { name: 'section', index: 1 }]);
});

test('duplicate names (?J): the highest-numbered group sets the variable, as nginx walks the name table', () => {
  const m = re('(?J)(?<x>a)|(?<x>b)').exec('a');
  assert.equal(m.kind, 'match');
  if (m.kind === 'match') assert.deepEqual(m.groups, { x: '' });
});

test('text subjects are matched as their UTF-8 bytes; captures come back as text', () => {
  const r = re('^/(.)(.)$');
  // "é" is two bytes, so two dots match it.
  const m = r.exec('/é');
  assert.equal(m.kind, 'match');
  if (m.kind === 'match') {
    assert.equal(m.captures[0], '/é');
    assert.equal(m.end, textToBytes('/é').length);
  }
  assert.equal(re('^/.$').exec('/é').kind, 'nomatch');
  assert.equal(re('é', true).exec('É').kind, 'nomatch');
});

test('caseless ~* folds ASCII only', () => {
  assert.equal(re('bot', true).exec('GoogleBOT').kind, 'match');
  assert.equal(re('bot', false).exec('GoogleBOT').kind, 'nomatch');
});

test('compiled regexes are cached by pattern and flags', () => {
  assert.equal(compileRegex('^/a', { caseless: false }), compileRegex('^/a', { caseless: false }));
  assert.notEqual(compileRegex('^/a', { caseless: false }), compileRegex('^/a', { caseless: true }));
});

test('valid PCRE2 we do not evaluate says so instead of guessing', () => {
  for (const p of ['(a|b(?1))', '(?R)?x', '\\p{L}+', '(*UTF)a', 'a(*COMMIT)b', '(?(R)a|b)x'.replace('(?(R)a|b)x', 'a(*SKIP)b')]) {
    const r = compileRegex(p, { caseless: false });
    assert.equal(r.kind, 'regex', p);
    if (r.kind !== 'regex') continue;
    assert.ok(r.unsupported.length > 0, p);
    assert.equal(r.exec('ab').kind, 'unsupported', p);
  }
});

test('safe patterns run as JS RegExp, risky ones in the budgeted matcher', () => {
  assert.equal(re('^/api/(\\w+)/(\\d+)$').engine, 'js');
  assert.equal(re('(?:Googlebot|bingbot|Baiduspider)', true).engine, 'js');
  assert.equal(re('(a+)+$').engine, 'vm');
  assert.equal(re('(\\w+\\.)+com$').engine, 'js');
  assert.equal(re('(a|a)*b').engine, 'vm');
  assert.equal(re('(a)\\1').engine, 'vm');
});
