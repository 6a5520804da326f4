// Every regex in the corpus configs that nginx -t accepted (LABELS.tsv verdict
// "ok") must compile here too. Extraction is rough (line-based) on purpose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileRegex } from '../../server/src/core/regex/index';

const repoRoot = resolve(import.meta.dirname, '../..');
const corpus = resolve(repoRoot, '../shared/corpus');

/** One nginx argument at the start of `s`: quoted or bare; returns its value. */
function readArg(s: string): string | null {
  s = s.trimStart();
  if (s[0] === '"' || s[0] === "'") {
    const q = s[0];
    let v = '';
    for (let i = 1; i < s.length; i++) {
      if (s[i] === '\\' && (s[i + 1] === q || s[i + 1] === '\\')) {
        v += s[i + 1] === q ? q : '\\\\';
        i++;
      } else if (s[i] === q) return v;
      else v += s[i];
    }
    return null;
  }
  const m = /^(?:\\.|[^\s;{])+/.exec(s);
  return m ? m[0] : null;
}

function extract(text: string): { p: string; ci: boolean; where: string }[] {
  const out: { p: string; ci: boolean; where: string }[] = [];
  let inMap = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/^\s+/, '');
    if (line.startsWith('#')) return;
    if (/^map\s/.test(line)) inMap = 1;
    const loc = /^location\s+(~\*?)\s+(.*)$/.exec(line);
    if (loc) {
      const p = readArg(loc[2]);
      if (p !== null) out.push({ p, ci: loc[1] === '~*', where: `${i + 1}` });
    } else if (inMap > 0) {
      const key = /^(~\*?)(.*)$/.exec(line);
      if (key) {
        const rest = key[2];
        const p = rest.startsWith('"') || rest.startsWith("'") ? readArg(rest) : (/^\S+/.exec(rest)?.[0] ?? null);
        if (p !== null) out.push({ p, ci: key[1] === '~*', where: `${i + 1}` });
      }
    }
    if (inMap > 0 && line.startsWith('}')) inMap = 0;
  });
  return out;
}

test('every location ~ / map ~ regex in nginx-accepted corpus configs compiles', () => {
  const labels = readFileSync(join(corpus, 'LABELS.tsv'), 'utf8').trim().split('\n').slice(1);
  const failures: string[] = [];
  let count = 0;
  for (const row of labels) {
    const [path, , verdict] = row.split('\t');
    if (verdict !== 'ok') continue;
    const text = readFileSync(join(corpus, path), 'utf8');
    for (const r of extract(text)) {
      // Patterns built from variables or with nginx escapes we do not model are out of scope.
      if (r.p.includes('$') && /\$[a-z_]/i.test(r.p.replace(/\$\)?$/, ''))) continue;
      count++;
      const c = compileRegex(r.p, { caseless: r.ci });
      if (c.kind === 'error') failures.push(`${path}:${r.where}: ${c.message}`);
    }
  }
  assert.ok(count > 500, `only ${count} regexes extracted`);
  assert.deepEqual(failures.slice(0, 20), []);
});
