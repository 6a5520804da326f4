// Both grammars over the shared corpus of real configs and logs written by others.
//
// nginx: every config that nginx 1.22 accepted (LABELS.tsv verdict `ok`) must end with the
// grammar back at its root, i.e. no string, block or Lua body left open by a construct the
// grammar misread. In the other direction, every file nginx rejected with "unexpected end of
// file" must end open. The other rejected files that end open are unbalanced for nginx too, which
// just stops at an earlier error: `{{PORT}}` and consul-template `{{ }}` markup (a `{` where a
// token starts opens a block), a Lua `--` comment swallowing the block's `} }`, a last directive
// with no `;`, prose pasted into a config.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IGrammar } from 'vscode-textmate';
import { loadGrammar, ruleDepths, cpuMillis, repoRoot } from './tokenize';

const corpus = path.resolve(repoRoot, '../shared/corpus');

function readTsv(name: string): Record<string, string>[] {
  const [header, ...rows] = readFileSync(path.join(corpus, name), 'utf8').split('\n').filter(Boolean);
  const columns = header.split('\t');
  return rows.map((row) => Object.fromEntries(row.split('\t').map((v, i) => [columns[i], v])));
}

describe('grammars over the shared corpus', () => {
  let nginx: IGrammar;
  let log: IGrammar;
  before(async () => {
    nginx = await loadGrammar('source.nginx');
    log = await loadGrammar('text.log.nginx-access');
  });

  it('leaves nothing open at the end of any config nginx accepts', () => {
    const labels = readTsv('LABELS.tsv');
    assert.ok(labels.length > 1000, `LABELS.tsv has ${labels.length} rows`);
    const seen = new Map<string, number>(); // content hash -> final depth (the corpus has copies)
    const openOk: string[] = [];
    const closedEof: string[] = [];
    let openError = 0;
    let eofErrors = 0;
    const cpu = cpuMillis(() => {
      for (const row of labels) {
        const text = readFileSync(path.join(corpus, row.path), 'utf8');
        const hash = createHash('sha1').update(text).digest('hex');
        let depth = seen.get(hash);
        if (depth === undefined) {
          depth = ruleDepths(nginx, text).at(-1)!;
          seen.set(hash, depth);
        }
        if (row.verdict === 'ok') {
          if (depth !== 1) openOk.push(`${row.path} (depth ${depth})`);
        } else {
          if (depth !== 1) openError++;
          if (row.first_error.includes('unexpected end of file') && row.err_file === row.path) {
            eofErrors++;
            if (depth === 1) closedEof.push(row.path);
          }
        }
      }
    });
    const ok = labels.filter((l) => l.verdict === 'ok').length;
    console.log(
      `nginx grammar: ${labels.length} configs (${seen.size} distinct) in ${Math.round(cpu)} ms CPU; ` +
        `${ok - openOk.length}/${ok} accepted configs end at the root; ` +
        `${openError} of ${labels.length - ok} rejected ones end open, incl. ${eofErrors - closedEof.length}/${eofErrors} "unexpected end of file"`,
    );
    assert.deepEqual(openOk, [], 'configs nginx accepts that the grammar leaves open');
    assert.ok(eofErrors >= 5, `expected the corpus to hold "unexpected end of file" cases, found ${eofErrors}`);
    assert.deepEqual(closedEof, [], 'configs nginx finds unterminated that the grammar closes');
  });

  it('returns to the root after every line of every log', () => {
    const logs = readTsv('LOGS.tsv');
    assert.ok(logs.length > 50, `LOGS.tsv has ${logs.length} rows`);
    let lines = 0;
    const bad: string[] = [];
    const cpu = cpuMillis(() => {
      for (const row of logs) {
        const depths = ruleDepths(log, readFileSync(path.join(corpus, row.path), 'utf8'));
        lines += depths.length;
        const i = depths.findIndex((d) => d !== 1);
        if (i >= 0) bad.push(`${row.path}:${i + 1}`);
      }
    });
    console.log(`access-log grammar: ${logs.length} logs, ${lines} lines in ${Math.round(cpu)} ms CPU`);
    assert.deepEqual(bad, []);
  });
});
