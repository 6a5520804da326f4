// Truth against real nginx: every config in ../shared/corpus, validated in the context its
// LABELS.tsv row names (without include resolution: included files are rows of their own),
// compared with nginx 1.22's `nginx -t` verdict.
//
// - verdict ok  → no error-severity diagnostic at all (syntax or validation); for rejected
//   configs, none before the line where nginx stopped (nginx read those lines without complaint).
// - verdict error, kind syntax/context, error in this very file → a diagnostic on the line nginx
//   names, for at least 90% of them.
// - kinds directive/args → counted and printed (many are NGINX Plus, third-party or newer than 1.22).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '../../server/src/core/parser';
import { validateFile } from '../../server/src/core/validate';
import type { Diagnostic } from '../../server/src/core/diagnostic';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, '../shared/corpus');

interface Row {
  path: string;
  wrapping: string;
  verdict: string;
  firstError: string;
  kind: string;
  errFile: string;
  errLine: number;
}

function readLabels(): Row[] {
  const lines = readFileSync(path.join(corpus, 'LABELS.tsv'), 'utf8').split('\n');
  const head = lines[0].split('\t');
  const col = (name: string) => head.indexOf(name);
  return lines
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => {
      const c = l.split('\t');
      return {
        path: c[col('path')],
        wrapping: c[col('wrapping')],
        verdict: c[col('verdict')],
        firstError: c[col('first_error')],
        kind: c[col('kind')],
        errFile: c[col('err_file')],
        errLine: Number(c[col('err_line')]) || 0,
      };
    });
}

/** The context the labelling wrapper put the file in (see the corpus README). */
function contextOf(wrapping: string): string[] {
  switch (wrapping) {
    case 'none':
    case 'main':
      return [];
    case 'http':
      return ['http'];
    case 'server':
      return ['http', 'server'];
    case 'location':
      return ['http', 'server', 'location'];
    case 'map':
      return ['http', 'map'];
    case 'geo':
      return ['http', 'geo'];
    case 'stream':
      return ['stream'];
    default:
      throw new Error(`unknown wrapping ${wrapping}`);
  }
}

function check(row: Row): Diagnostic[] {
  const abs = path.join(corpus, row.path);
  const file = parse(readFileSync(abs, 'utf8'), abs);
  // Inside a map/geo wrapper the lines are entries, not directives: only syntax applies.
  // The labels come from open-source nginx 1.22.1 (Debian 12 nginx-full).
  return validateFile(file, contextOf(row.wrapping), { includeSyntaxErrors: true, nginxVersion: '1.22.1' });
}

/** On nginx's line: where the diagnostic starts or ends, or a related location it names. */
const onLine = (d: Diagnostic, line: number) =>
  [d.range, ...(d.related ?? []).map((r) => r.range)].some((r) => r.start.line === line - 1 || r.end.line === line - 1);

test('corpus: agrees with nginx -t on ../shared/corpus', () => {
  assert.ok(existsSync(path.join(corpus, 'LABELS.tsv')), `corpus not found at ${corpus} (clone the repo beside shared/)`);
  const rows = readLabels();
  assert.ok(rows.length > 1000, `expected the whole corpus, got ${rows.length} rows`);

  const falseErrors: string[] = [];
  let ok = 0;
  let warningsOnOk = 0;
  const byKind = new Map<string, { caught: number; total: number; missed: string[] }>();
  const started = Date.now();

  for (const row of rows) {
    const diags = check(row);
    if (row.verdict === 'ok') {
      ok++;
      for (const d of diags) {
        if (d.severity === 'error') falseErrors.push(`${row.path}:${d.range.start.line + 1}: [${d.code}] ${d.message}`);
        else if (d.severity === 'warning') warningsOnOk++;
      }
      continue;
    }
    // nginx read everything before the line it stopped at (all of it, when its error has no line):
    // an error of ours there is as false as one on an accepted config.
    const readUpTo = row.errFile === row.path && row.errLine ? row.errLine : !row.errFile ? Infinity : 0;
    for (const d of diags) {
      // Unclosed braces are an end-of-file error placed at the '{' for navigation; a related
      // range shows where nginx itself notices (the '}' that closes an empty upstream).
      if (d.code === 'syntax-unexpected-eof') continue;
      const lastLine = Math.max(d.range.end.line, ...(d.related ?? []).map((r) => r.range.end.line)) + 1;
      if (d.severity === 'error' && lastLine < readUpTo) {
        falseErrors.push(`${row.path}:${d.range.start.line + 1}: [${d.code}] ${d.message} (nginx got past it to: ${row.firstError.slice(0, 80)})`);
      }
    }
    if (row.errFile !== row.path || !row.errLine) continue;
    const k = byKind.get(row.kind) ?? { caught: 0, total: 0, missed: [] };
    byKind.set(row.kind, k);
    k.total++;
    if (diags.some((d) => onLine(d, row.errLine))) k.caught++;
    else k.missed.push(`${row.path}:${row.errLine}  ${row.firstError.replace(/ in \/\S+$|in <corpus>\S+$/, '')}`);
  }

  const ms = Date.now() - started;
  console.log(`\ncorpus check: ${rows.length} files in ${ms} ms`);
  console.log(`  ok rows: ${ok}; files with an error diagnostic where nginx had none: ${new Set(falseErrors.map((e) => e.split(':')[0])).size} (warnings on ok rows: ${warningsOnOk})`);
  for (const kind of ['syntax', 'context', 'directive', 'args', 'other', 'env']) {
    const k = byKind.get(kind);
    if (!k) continue;
    console.log(`  rejected, kind ${kind.padEnd(9)}: diagnostic on nginx's line for ${k.caught}/${k.total}`);
  }
  for (const kind of ['syntax', 'context', 'directive', 'args']) {
    for (const m of byKind.get(kind)?.missed ?? []) console.log(`    not caught (${kind}): ${m}`);
  }
  if (falseErrors.length) console.log('  false errors on ok rows:\n    ' + falseErrors.slice(0, 50).join('\n    '));

  assert.deepEqual(falseErrors, [], 'what nginx accepts must get no error-severity diagnostic');
  const sc = ['syntax', 'context'].map((k) => byKind.get(k) ?? { caught: 0, total: 0 });
  const caught = sc[0].caught + sc[1].caught;
  const total = sc[0].total + sc[1].total;
  console.log(`  syntax+context: ${caught}/${total} (${((100 * caught) / Math.max(1, total)).toFixed(1)}%, required 90%)`);
  assert.ok(total >= 20, `expected the corpus's syntax/context rows, got ${total}`);
  assert.ok(caught / total >= 0.9, `syntax+context caught ${caught}/${total} (< 90%)`);
});
