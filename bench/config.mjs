// Config bench: the big hosting config (bench/lib.mjs bigConfig: 300 vhosts + the ultimate bad-bot
// blocker). Cold `nginx-lens check` (the built CLI, a fresh process) against `nginx -t` on the same
// tree; warm full re-analysis after a one-character edit through the core API the language server
// uses (overlay file system + parse cache → include graph → check → HTTP model); peak RSS.
//
//   node --import tsx bench/config.mjs        (npm run bench runs it)
import { join } from 'node:path';
import { bigConfig, ensureDist, fmt, mark, ms, NGINX, percentile, record, root, timed, timedCli } from './lib.mjs';
import { createRequire } from 'node:module';

// The core is required, not imported: tsx gives an ES `import` of a .ts file its own module
// instance beside the one the core's own imports share, so the model memoised per graph (and
// every other module-level cache) would exist twice and the warm rows would build the model
// twice per edit. The language server is one esbuild bundle: one instance, as here.
const require = createRequire(import.meta.url);
const { loadConfigGraph, ParseCache } = require('../server/src/core/configGraph');
const { checkConfig } = require('../server/src/core/check');
const { OverlayFileSystem } = require('../server/src/core/fileSystem');
const { NodeFileSystem } = require('../server/src/node/fileSystem');
const { buildModelFromGraph } = require('../server/src/core/http/model');

const RUNS = 3;
const EDITS = 40;
// Edits made first and not timed: a language server is past JIT warm-up after its first few.
const WARMUP = 10;

ensureDist();
const cfg = bigConfig();
console.log(`config: ${cfg.files} files, ${cfg.lines} lines (${cfg.dir})`);

const cold = [];
let checkRss = 0;
let checkStatus;
for (let i = 0; i < RUNS; i++) {
  const r = timedCli(['check', '--json', cfg.conf]);
  cold.push(r);
  checkRss = Math.max(checkRss, r.rssMB);
  checkStatus = r.status;
}
const nginx = [];
for (let i = 0; i < RUNS; i++) {
  const r = timed(NGINX, ['-t', '-q', '-p', cfg.dir, '-c', cfg.conf]);
  if (r.status !== 0) console.log(`nginx -t failed:\n${r.stderr.slice(-2000)}`);
  nginx.push(r);
}
const best = (rs, k) => Math.min(...rs.map((r) => r[k]));

// Warm: one long-lived analysis state as in the language server, then ~20 single-character edits
// alternating between a vhost file and the 19k-line globalblacklist.conf.
const fs = new OverlayFileSystem(new NodeFileSystem({ revalidateAfterMs: 1000 }));
const cache = new ParseCache();
const analyse = () => {
  const graph = loadConfigGraph(cfg.conf, fs, { cache });
  const diags = checkConfig(graph);
  const model = buildModelFromGraph(graph);
  return { graph, diags, model };
};
const t0 = process.hrtime.bigint();
const first = analyse();
const firstMs = ms(process.hrtime.bigint() - t0);
analyse();
const { readFileSync } = await import('node:fs');
const targets = [
  { name: 'vhost', path: cfg.site(150), times: [] },
  { name: 'globalblacklist.conf', path: join(cfg.dir, 'conf.d/globalblacklist.conf'), times: [] },
];
// UTF-8, as the editor holds the file and the server reads it from disk: read as latin1, the
// blacklist's two non-ASCII bytes made the first edit's text differ from the parsed one far from
// the edit, and that edit re-parsed and re-built the whole 530 KB file.
for (const t of targets) t.text = readFileSync(t.path, 'utf8');
function lastGeoOctet(text) {
  let at = -1;
  for (const m of text.matchAll(/^[ \t]+[1-9]\d\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:\/\d+)?[ \t]+\d;/gm)) at = m.index + m[0].search(/\d/);
  if (at < 0) throw new Error('no geo entry to edit in the blacklist');
  return at;
}
let peakRss = process.memoryUsage().rss;
for (let i = 0; i < WARMUP + EDITS; i++) {
  const t = targets[i % 2];
  // A one-character edit of a directive: a digit of a root path, or of the first octet of the
  // last two-digit geo entry (an earlier version hit `HTTP/1.1` in a comment of the blacklist).
  const at = t.name === 'vhost' ? t.text.indexOf('/public') - 1 : lastGeoOctet(t.text);
  const ch = t.text[at] === '7' ? '8' : '7';
  t.text = t.text.slice(0, at) + ch + t.text.slice(at + 1);
  fs.set(t.path, t.text);
  const s = process.hrtime.bigint();
  const r = analyse();
  if (i >= WARMUP) t.times.push(ms(process.hrtime.bigint() - s));
  if (!r.graph.files.has(t.path)) throw new Error('edited file not in the graph');
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}

const all = targets.flatMap((t) => t.times);
const p50 = percentile(all, 50);
const p95 = percentile(all, 95);
const ratio = best(cold, 'wall') / best(nginx, 'wall');
const cpuRatio = best(cold, 'cpu') / best(nginx, 'cpu');
record(
  'config: 300-vhost hosting config with the ultimate bad-bot blocker',
  [
    ['tree', `${cfg.files} files, ${cfg.lines} lines; ${first.graph.files.size} files in the include graph, ${first.model.servers.length} servers, ${first.diags.length} diagnostics`],
    ['cold `nginx-lens check` wall / cpu (best of 3)', `${fmt(best(cold, 'wall'), 2)} s / ${fmt(best(cold, 'cpu'), 2)} s (exit ${checkStatus})`],
    ['cold `nginx -t` wall / cpu (best of 3)', `${fmt(best(nginx, 'wall'), 2)} s / ${fmt(best(nginx, 'cpu'), 2)} s`],
    ['ratio check / nginx -t (wall, cpu)', `${fmt(ratio, 2)}x, ${fmt(cpuRatio, 2)}x`],
    ['peak RSS `nginx-lens check` / `nginx -t`', `${fmt(checkRss, 0)} MB / ${fmt(Math.max(...nginx.map((r) => r.rssMB)), 0)} MB`],
    ['in-process first full analysis (graph + check + model)', `${fmt(firstMs, 0)} ms`],
    ...targets.map((t) => [`warm re-analysis after 1-char edit in ${t.name} p50 / p95 (${t.times.length} edits)`, `${fmt(percentile(t.times, 50))} / ${fmt(percentile(t.times, 95))} ms`]),
    [`warm re-analysis, all ${EDITS} edits p50 / p95 [≤ 30 ms]`, `${fmt(p50)} / ${fmt(p95)} ms — ${mark(p95 <= 30)}`],
    ['peak RSS of the warm analysis process', `${fmt(peakRss / 2 ** 20, 0)} MB`],
  ],
  [
    'warm = loadConfigGraph over an OverlayFileSystem with a ParseCache (as the language server), then checkConfig and buildModelFromGraph',
    'files on disk are re-checked (stat) at most once a second, as in the language server, which also re-reads a file at once when the editor\'s watcher reports it',
    `edits alternate between the two files; the first ${WARMUP} are not timed (JIT warm-up), then ${EDITS} are`,
  ],
);
