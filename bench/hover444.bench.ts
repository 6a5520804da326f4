// Benchmark (not a timed test): the hover on a 444 source (core/drops explain444), target p95 ≤ 5 ms.
// Warm = the per-graph model is cached (every hover after the first on an unchanged config);
// after-edit = a fresh graph object, so the first hover rebuilds the model (parse cache kept).
// On the big hosting config (bench/lib.mjs: 300 vhosts + the ultimate bad-bot blocker) and on the
// corpus' largest configs that hold 444 sources. Also times checkDrops on the big config.
//
//   npx tsx bench/hover444.bench.ts [--record]

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bigConfig, corpus, fmt, percentile, record, mark } from './lib.mjs';
import { loadConfigGraph, ParseCache, type ConfigGraph } from '../server/src/core/configGraph';
import { NAMED_CONTEXTS } from '../server/src/core/check';
import { NodeFileSystem } from '../server/src/node/fileSystem';
import { dropsIndex, resolveDirective } from '../server/src/core/drops/index';
import { explain444 } from '../server/src/core/drops/explain';
import { sources444 } from '../server/src/core/drops/sources';
import { checkDrops } from '../server/src/core/drops/checks';

const now = () => performance.now();

function warmHovers(graph: ConfigGraph, rounds = 3): number[] {
  const ix = dropsIndex(graph);
  const times: number[] = [];
  const srcs = sources444(ix);
  for (let r = 0; r < rounds; r++)
    for (const s of srcs) {
      const t0 = now();
      // what the LSP does per hover: find the graph's directive, then explain it
      const d = resolveDirective(ix, s.d)!;
      explain444(ix, d, { count: 3 });
      times.push(now() - t0);
    }
  return times;
}

const fs = new NodeFileSystem();
const cache = new ParseCache();
const rows: [string, string][] = [];

// --- big hosting config
const big = bigConfig();
let t0 = now();
let graph = loadConfigGraph(big.conf, fs, { cache });
const loadMs = now() - t0;
t0 = now();
const ix = dropsIndex(graph);
const first = sources444(ix)[0];
explain444(ix, first.d);
const coldMs = now() - t0;
const warm = warmHovers(graph);
const afterEdit: number[] = [];
for (let i = 0; i < 10; i++) {
  graph = loadConfigGraph(big.conf, fs, { cache });
  const t = now();
  const x = dropsIndex(graph);
  explain444(x, sources444(x)[i].d);
  afterEdit.push(now() - t);
}
t0 = now();
const diags = checkDrops(graph);
const checkMs = now() - t0;
rows.push(['big config', `${big.files} files, ${big.lines} lines, ${sources444(ix).length} 444 sources (graph load ${fmt(loadMs, 0)} ms)`]);
rows.push(['hover warm p50 / p95 [p95 ≤ 5 ms]', `${fmt(percentile(warm, 50), 3)} / ${fmt(percentile(warm, 95), 3)} ms (${warm.length} hovers) ${mark(percentile(warm, 95) <= 5)}`]);
rows.push(['first hover (model + index build)', `${fmt(coldMs, 1)} ms`]);
rows.push(['first hover after an edit p50 / p95 (new graph, model rebuilt)', `${fmt(percentile(afterEdit, 50), 1)} / ${fmt(percentile(afterEdit, 95), 1)} ms`]);
rows.push(['checkDrops on the big config (model cached)', `${fmt(checkMs, 1)} ms, ${diags.length} diagnostics`]);

// --- corpus: the largest configs with 444 sources
const lines = readFileSync(join(corpus, 'LABELS.tsv'), 'utf8').split('\n').filter(Boolean);
const head = lines[0].split('\t');
const candidates = lines
  .slice(1)
  .map((l) => l.split('\t'))
  .map((c) => ({ path: c[head.indexOf('path')], wrapping: c[head.indexOf('wrapping')] }))
  .filter((r) => ['none', 'main', 'http', 'server'].includes(r.wrapping))
  .map((r) => ({ ...r, bytes: statSync(join(corpus, r.path)).size }))
  .sort((a, b) => b.bytes - a.bytes);
const corpusTimes: number[] = [];
const used: string[] = [];
for (const r of candidates) {
  if (used.length >= 8) break;
  const ctx = r.wrapping === 'none' || r.wrapping === 'main' ? [] : NAMED_CONTEXTS[r.wrapping];
  const g = loadConfigGraph(join(corpus, r.path), fs, { cache, rootContext: ctx, pathMappings: [] });
  if (!sources444(dropsIndex(g)).length) continue;
  used.push(`${r.path.split('/').pop()} (${(r.bytes / 1024).toFixed(0)} KB, ${sources444(dropsIndex(g)).length} sources)`);
  corpusTimes.push(...warmHovers(g, 5));
}
rows.push(['corpus: largest configs with 444 sources', used.join(', ')]);
rows.push(['corpus hover warm p50 / p95 [p95 ≤ 5 ms]', `${fmt(percentile(corpusTimes, 50), 3)} / ${fmt(percentile(corpusTimes, 95), 3)} ms (${corpusTimes.length} hovers) ${mark(percentile(corpusTimes, 95) <= 5)}`]);

if (process.argv.includes('--record')) record('hover on a 444 source (core/drops)', rows);
else for (const [k, v] of rows) console.log(`${k.padEnd(62)} ${v}`);
