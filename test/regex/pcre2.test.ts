// Our answers against real PCRE2 10.42 (the libpcre2-8 nginx links), recorded by
// test/regex/fixtures/generate.ts with pcre2test: compile errors (number and
// offset) and matches with every capture, for ~3000 patterns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareCase, type Case, type OracleResult } from './fixtures/compare';
import { FEATURES } from './fixtures/features';
import { compileRegex } from '../../server/src/core/regex/index';

const data = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'pcre2-results.json'), 'utf8')) as {
  cases: Case[];
  results: OracleResult[];
};

test('fixture covers errors, matches and non-matches', () => {
  const errors = data.results.filter((r) => r.err).length;
  const matches = data.results.flatMap((r) => r.r).filter((x) => Array.isArray(x)).length;
  const nomatch = data.results.flatMap((r) => r.r).filter((x) => x === null).length;
  assert.ok(data.cases.length > 2500 && errors > 300 && matches > 2000 && nomatch > 1000, `${errors} ${matches} ${nomatch}`);
});

test('every case agrees with PCRE2 (compile error number and offset, match and captures)', () => {
  const failures: string[] = [];
  data.cases.forEach((c, i) => {
    for (const d of compareCase(c, data.results[i])) failures.push(`${JSON.stringify(c.p)}${c.ci ? ' (caseless)' : ''}: ${d}`);
  });
  assert.deepEqual(failures.slice(0, 20), []);
});

test('feature cases: our captures are the documented PCRE2 answers', () => {
  for (const f of FEATURES) {
    const r = compileRegex(f.p, { caseless: !!f.ci, encoding: 'bytes' });
    assert.equal(r.kind, 'regex', f.what);
    if (r.kind !== 'regex') continue;
    f.s.forEach((s, i) => {
      const got = r.execBytes(s);
      const want = f.want[i];
      if (want === null) assert.equal(got.kind, 'nomatch', `${f.what}: ${JSON.stringify(s)}`);
      else {
        assert.equal(got.kind, 'match', `${f.what}: ${JSON.stringify(s)}`);
        if (got.kind !== 'match') return;
        const padded = [...want, ...new Array(r.groupCount + 1 - want.length).fill(undefined)];
        assert.deepEqual(got.captures, padded, `${f.what}: ${JSON.stringify(s)}`);
      }
    });
  }
});

test('feature cases are in the PCRE2 fixture with the same answers', () => {
  FEATURES.forEach((f, i) => {
    assert.equal(data.cases[i].p, f.p);
    const o = data.results[i];
    assert.equal(o.err, undefined, f.what);
    o.r.forEach((x, k) => assert.equal(x === null, f.want[k] === null, `${f.what} subject ${k}`));
  });
});
