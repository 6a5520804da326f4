// The 444 checks over ../shared/corpus: counts per code (printed), no crash, and no error from
// these checks on a config nginx accepted. Read the hits with `npx tsx test/drops/corpusDrops.ts [code]`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpus, countsByCode, runCorpusDrops } from './corpusDrops';

test('corpus: counts per code (printed), no crash', { timeout: 240_000 }, () => {
  assert.ok(existsSync(corpus), `corpus not found at ${corpus}`);
  const { hits, configs } = runCorpusDrops();
  const counts = countsByCode(hits);
  console.log(`444 checks over ${configs} corpus configs: ${JSON.stringify(counts)}`);
  assert.ok(configs > 1000);
  // Configs nginx accepted never get an error from these checks.
  const ok = new Set(
    readFileSync(join(corpus, 'LABELS.tsv'), 'utf8')
      .split('\n')
      .map((l) => l.split('\t'))
      .filter((c) => c[2] === 'ok')
      .map((c) => c[0]),
  );
  const errors = hits.filter((h) => h.d.severity === 'error' && ok.has(h.row));
  assert.deepEqual(errors.map((h) => `${h.row}: ${h.d.message}`), []);
});
