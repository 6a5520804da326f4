// Runs the 444 checks over ../shared/corpus: every config in the context LABELS.tsv names, includes
// followed as nginx -t did (whole configs with their include trees). Shared by the corpus test and
// `npx tsx test/drops/corpusDrops.ts [code]`, which prints the hits for reading.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { NodeFileSystem } from '../../server/src/node/fileSystem';
import { loadConfigGraph, ParseCache } from '../../server/src/core/configGraph';
import { NAMED_CONTEXTS } from '../../server/src/core/check';
import { checkDrops } from '../../server/src/core/drops/checks';
import type { Diagnostic } from '../../server/src/core/diagnostic';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const corpus = resolve(repoRoot, '../shared/corpus');

const CONTEXT_OF: Record<string, string[]> = { none: [], main: [], ...NAMED_CONTEXTS };

function wrapperDir(file: string): string {
  const source = file.split('/').slice(0, 2).join('/');
  let dir = dirname(file);
  for (;;) {
    if (existsSync(join(corpus, dir, 'nginx.conf'))) return join(corpus, dir);
    if (dir === source || dir === '.' || dir === '/') return join(corpus, dirname(file));
    dir = dirname(dir);
  }
}

export interface CorpusHit {
  row: string;
  d: Diagnostic;
}

/** Every 444 diagnostic over the corpus, each (file, position, code) once. */
export function runCorpusDrops(): { hits: CorpusHit[]; configs: number } {
  const lines = readFileSync(join(corpus, 'LABELS.tsv'), 'utf8').split('\n').filter(Boolean);
  const head = lines[0].split('\t');
  const fs = new NodeFileSystem();
  const cache = new ParseCache();
  const seen = new Set<string>();
  const hits: CorpusHit[] = [];
  let configs = 0;
  for (const l of lines.slice(1)) {
    const c = l.split('\t');
    const path = c[head.indexOf('path')];
    const wrapping = c[head.indexOf('wrapping')];
    const ctx = CONTEXT_OF[wrapping];
    if (!ctx) continue;
    const fragment = wrapping !== 'none' && wrapping !== 'main';
    const graph = loadConfigGraph(join(corpus, path), fs, { cache, rootContext: ctx, prefix: fragment ? wrapperDir(path) : undefined, pathMappings: [] });
    configs++;
    for (const d of checkDrops(graph)) {
      const k = `${d.file}:${d.range.start.offset}:${d.code}`;
      if (seen.has(k)) continue;
      seen.add(k);
      hits.push({ row: path, d });
    }
  }
  return { hits, configs };
}

export function countsByCode(hits: CorpusHit[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const h of hits) out[h.d.code] = (out[h.d.code] ?? 0) + 1;
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { hits, configs } = runCorpusDrops();
  const want = process.argv[2];
  for (const h of hits) {
    if (want && h.d.code !== want) continue;
    const f = readFileSync(h.d.file, 'latin1').split('\n')[h.d.range.start.line];
    console.log(`${h.d.file.replace(corpus + '/', '')}:${h.d.range.start.line + 1} [${h.d.code}] ${h.d.message}\n    ${f?.trim().slice(0, 160)}`);
  }
  console.log(configs, 'configs', JSON.stringify(countsByCode(hits)));
}
