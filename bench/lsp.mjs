// Editor latency through the real language server (dist/server.js --stdio), driven by the tests'
// LSP client (test/lsp/client.ts) exactly as an editor would: hover p50/p95 on directives and on
// `return 444` in the corpus' largest files, diagnostics latency after an edit of the largest
// corpus file, code lenses for an open 100,000-line access log, and the server's memory after
// opening all of it. Times are client-side round trips (JSON-RPC over pipes included).
//
//   node --import tsx bench/lsp.mjs        (npm run bench runs it)
//
// (bench/editor.mjs is the packaging helper's real-VS-Code bench: .vsix size and activation as
// VS Code reports it; see also bench/package.mjs.)
import { closeSync, copyFileSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bigConfig, corpus, ensureDist, fmt, mark, percentile, record, work } from './lib.mjs';
import { createRequire } from 'node:module';
import { CodeLensRequest, CodeLensResolveRequest, DidChangeTextDocumentNotification, DidCloseTextDocumentNotification, HoverRequest } from 'vscode-languageserver-protocol/node';

// Through require: the helper is a CommonJS-style module that finds the repo from __dirname.
const { startClient, uriOf } = createRequire(import.meta.url)('../test/lsp/client.ts');
const { DiskLogNotification, DISK_LOG_MIN_CHARS } = createRequire(import.meta.url)('../server/src/lsp/protocol.ts');

ensureDist();
const cfg = bigConfig();

/** The largest config files of the corpus (by bytes), distinct contents. */
function largestCorpusFiles(n) {
  const all = [];
  (function walk(d) {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else all.push({ p, size: statSync(p).size });
    }
  })(join(corpus, 'configs'));
  all.sort((a, b) => b.size - a.size);
  const seen = new Set();
  const out = [];
  for (const f of all) {
    if (seen.has(f.size)) continue;
    seen.add(f.size);
    out.push(f.p);
    if (out.length === n) break;
  }
  return out;
}

/** Positions of directive names (first word of a statement line) and of every `444` after `return`. */
function positions(text, max) {
  const lines = text.split('\n');
  const dirs = [];
  const drops = [];
  lines.forEach((l, i) => {
    const m = /^(\s*)([A-Za-z_][\w]*)\b/.exec(l);
    if (m) dirs.push({ line: i, character: m[1].length + 1 });
    for (const r of l.matchAll(/\breturn\s+(444)\b/g)) drops.push({ line: i, character: r.index + r[0].length - 2 });
  });
  const step = Math.max(1, Math.floor(dirs.length / max));
  return { dirs: dirs.filter((_, i) => i % step === 0).slice(0, max), drops };
}

// The workspace: the bench hosting tree plus copies of the corpus' largest files (the hosting
// tree already holds the largest, globalblacklist.conf, included at http level).
const extra = join(work, 'corpus-largest');
mkdirSync(extra, { recursive: true });
const largest = largestCorpusFiles(3).map((p) => {
  const to = join(extra, relative(corpus, p).replaceAll('/', '__'));
  copyFileSync(p, to);
  return to;
});
const docs = [
  join(cfg.dir, 'conf.d/globalblacklist.conf'),
  ...largest.slice(1),
  join(cfg.dir, 'bots.d/blockbots.conf'),
  cfg.site(0),
  join(cfg.dir, 'sites-enabled/000-default.conf'),
];

const c = await startClient({ rootPath: cfg.dir });
const rt = async (f) => {
  const t = performance.now();
  const r = await f();
  return [r, performance.now() - t];
};
const texts = new Map();
const tOpen = performance.now();
for (const d of docs) {
  const text = readFileSync(d, 'latin1');
  texts.set(d, text);
  await c.open(d, text);
}
// First hover per document builds its analysis (include graph, model): reported apart.
const firstHover = [];
for (const d of docs) {
  const { dirs } = positions(texts.get(d), 1);
  const [, t] = await rt(() => c.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(d) }, position: dirs[0] ?? { line: 0, character: 0 } }));
  firstHover.push(t);
}
const openReady = performance.now() - tOpen;

const hoverDir = [];
const hover444 = [];
let with444 = 0;
for (let round = 0; round < 2; round++) {
  for (const d of docs) {
    const { dirs, drops } = positions(texts.get(d), 60);
    for (const p of dirs) hoverDir.push((await rt(() => c.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(d) }, position: p })))[1]);
    for (const p of drops) {
      const [h, t] = await rt(() => c.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(d) }, position: p }));
      hover444.push(t);
      if (round === 0 && h && /444/.test(JSON.stringify(h.contents))) with444++;
    }
  }
}

// Diagnostics after an edit of the largest corpus file (as opened in the hosting tree: it is
// part of the 300-vhost configuration, so the whole configuration is re-checked).
const big = docs[0];
const bigUri = uriOf(big);
let version = 1;
let text = texts.get(big);
const diagTimes = [];
await c.diagnostics(bigUri, 60_000).catch(() => undefined);
for (let i = 0; i < 8; i++) {
  const at = text.lastIndexOf('.1 ') - 1;
  text = text.slice(0, at) + (text[at] === '7' ? '8' : '7') + text.slice(at + 1);
  const pending = c.diagnostics(bigUri, 60_000);
  const t = performance.now();
  await c.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: bigUri, version: ++version }, contentChanges: [{ text }] });
  await pending;
  diagTimes.push(performance.now() - t);
}

// A 100,000-line access log opened in the editor, at the path the config's access_log names.
const logPath = join(cfg.dir, 'logs/access.log');
/** The log opened as the nginx-lens client opens a large one (read from disk by the server), its lens request at once: the lenses and the time. */
async function coldLens(client) {
  const t = performance.now();
  await client.connection.sendNotification(DiskLogNotification, { uri: uriOf(logPath), state: 'open' });
  const lenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uriOf(logPath) } });
  return [lenses, performance.now() - t];
}
const source = readdirSync(work).find((f) => /^access-\d+-v\d+\.log$/.test(f));
let lensCold;
let lensWarm;
let lensWithText;
let lensCount = 0;
let resolveTimes = [];
let logNote;
let logText;
let ingest;
if (source) {
  const lines = [];
  const all = readFileSync(join(work, source), 'latin1');
  let from = 0;
  for (let i = 0; i < 100_000; i++) {
    const nl = all.indexOf('\n', from);
    if (nl < 0) break;
    lines.push(all.slice(from, nl));
    from = nl + 1;
  }
  logText = lines.join('\n') + '\n';
  // As the nginx-lens client opens a log this large (client/src/diskLogs.ts): no text over
  // JSON-RPC, the server reads the file; the lens request follows at once.
  mkdirSync(join(cfg.dir, 'logs'), { recursive: true });
  writeFileSync(logPath, logText);
  // Flushed before the measurement: reading a file while the kernel still writes back what this
  // script wrote a moment ago cost the server 25 ms more than reading a log that sat on disk.
  const fd = openSync(logPath, 'r+');
  fsyncSync(fd);
  closeSync(fd);
  if (logText.length < DISK_LOG_MIN_CHARS) throw new Error('the bench log is too small to be read from disk');
  let got;
  [got, lensCold] = await coldLens(c);
  const [again, t2] = await rt(() => c.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uriOf(logPath) } }));
  lensWarm = t2;
  lensCount = (again ?? got ?? []).length;
  // What scrolling does: resolve the lenses of one screen (~40 lines) at a time.
  const visible = (again ?? []).slice(0, 200);
  for (const l of visible) resolveTimes.push((await rt(() => c.connection.sendRequest(CodeLensResolveRequest.type, l)))[1]);
  // The same log sent with its text in didOpen (another LSP client, or a log the user edited).
  const withText = join(cfg.dir, 'logs/access.log.2');
  await c.open(withText, logText, 'nginx-access-log');
  lensWithText = (await rt(() => c.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uriOf(withText) } })))[1];
  await c.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: uriOf(withText) } });
} else logNote = 'no generated access log in bench/work: run bench/trace.mjs first (npm run bench does)';

const status = readFileSync(`/proc/${c.child.pid}/status`, 'utf8');
const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN) / 1024;
const rss = kb('VmRSS');
const hwm = kb('VmHWM');
// What the first request waits for before any lens work: the server reading the didOpen
// (vscode-jsonrpc's stream reader), measured as the first row is (from the end of the client's
// write) on the same text at a path no configuration reads, whose lens request answers [] at once.
// Taken after the memory reading so that this second copy does not count there.
if (logText) {
  const orphan = join(work, 'no-config', 'access.log');
  await c.open(orphan, logText, 'nginx-access-log');
  const t = performance.now();
  const none = await c.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uriOf(orphan) } });
  ingest = none?.length ? undefined : performance.now() - t;
  await c.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: uriOf(orphan) } });
}
// What an editor user sees: VS Code asks for lenses after its debounce, not in the same
// millisecond as the open. The next 100,000 lines of the generated log (other requests, so the
// attribution cache is mostly cold) opened as the rotated access.log.1, the lens request sent
// 300 ms after the open notification was written.
let lensDebounced;
if (source) {
  const all = readFileSync(join(work, source), 'latin1');
  let from = 0;
  for (let i = 0; i < 100_000 && from >= 0; i++) from = all.indexOf('\n', from) + 1;
  let to = from;
  for (let i = 0; i < 100_000 && to > 0; i++) to = all.indexOf('\n', to) + 1;
  if (from > 0 && to > from) {
    const rotated = join(cfg.dir, 'logs/access.log.1');
    await c.open(rotated, all.slice(from, to), 'nginx-access-log');
    await new Promise((r) => setTimeout(r, 300));
    lensDebounced = (await rt(() => c.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uriOf(rotated) } })))[1];
  }
}
const stderr = c.stderr();
await c.close();

// The cold lens request again in fresh servers: one sample per server start (a second request in
// the same server finds its code warm), and this VM's speed wanders by 10-30% from one minute to
// the next. Each server first opens the site's config and answers a hover (its model built, as in
// the run above), then the disk log opens and its lens request follows at once.
const lensColdRuns = lensCold === undefined ? [] : [lensCold];
if (lensCold !== undefined) {
  const site = cfg.site(0);
  for (let i = 0; i < 4; i++) {
    const s = await startClient({ rootPath: cfg.dir });
    await s.open(site, readFileSync(site, 'latin1'));
    await s.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(site) }, position: { line: 0, character: 1 } });
    lensColdRuns.push((await coldLens(s))[1]);
    await s.close();
  }
}
const lensColdMedian = lensColdRuns.length ? percentile(lensColdRuns, 50) : undefined;

const p = (a, q) => fmt(percentile(a, q));
const hp95 = percentile([...hoverDir, ...hover444], 95);
record(
  'editor: the language server over stdio (hover, diagnostics, lenses, memory)',
  [
    ['documents open', `${docs.length} configs (${docs.map((d) => `${relative(cfg.dir, d)} ${(statSync(d).size / 1024).toFixed(0)} KB`).join(', ')})${source ? ' + a 100,000-line access log' : ''}`],
    ['open → first hover answered on every document', `${fmt(openReady, 0)} ms (first hover per document: ${firstHover.map((t) => fmt(t, 0)).join(', ')} ms)`],
    [`hover on directives p50 / p95 (${hoverDir.length})`, `${p(hoverDir, 50)} / ${p(hoverDir, 95)} ms`],
    [`hover on \`return 444\` p50 / p95 (${hover444.length}, ${with444} explain 444)`, `${p(hover444, 50)} / ${p(hover444, 95)} ms`],
    ['hover p95, all [≤ 5 ms]', `${fmt(hp95)} ms — ${mark(hp95 <= 5)}`],
    [`diagnostics after an edit of globalblacklist.conf p50 / p95 (${diagTimes.length})`, `${p(diagTimes, 50)} / ${p(diagTimes, 95)} ms (edit → publishDiagnostics, includes the server's debounce)`],
    [
      'code lenses, 100k-line log (18 MB), first request right after opening it as the nginx-lens client does (read from disk by the server), median of 5 server starts [≤ 150 ms]',
      lensColdMedian === undefined ? 'n/a' : `${fmt(lensColdMedian, 0)} ms (${lensColdRuns.map((t) => fmt(t, 0)).join(', ')}; the first after the whole session above), ${lensCount} lenses — ${mark(lensColdMedian <= 150)}`,
    ],
    ['… the same log sent with its text in didOpen (another LSP client, or an edited log), first request right after', lensWithText === undefined ? 'n/a' : `${fmt(lensWithText, 0)} ms`],
    ['code lenses, 100k-line log, again', lensWarm === undefined ? 'n/a' : `${fmt(lensWarm, 0)} ms`],
    ['code lenses, another 100k-line log, first request 300 ms after opening (as VS Code asks, after its debounce)', lensDebounced === undefined ? 'n/a' : `${fmt(lensDebounced, 0)} ms`],
    ['… of the first request: the server still reading the 18 MB didOpen (same text where no config applies: empty lens answer)', ingest === undefined ? 'n/a' : `${fmt(ingest, 0)} ms`],
    [`code lens resolve p50 / p95 (${resolveTimes.length}, one screen at a time)`, resolveTimes.length ? `${p(resolveTimes, 50)} / ${p(resolveTimes, 95)} ms` : 'n/a'],
    ['server RSS after opening all / peak', `${fmt(rss, 0)} MB / ${fmt(hwm, 0)} MB`],
    ['server stderr', stderr.trim() ? `${stderr.trim().split('\n').length} lines: ${stderr.trim().split('\n')[0].slice(0, 120)}` : 'empty'],
  ],
  logNote ? [logNote] : [],
);
