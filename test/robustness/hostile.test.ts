// Hostile inputs through the layers that earlier tests do not already cover. Covered elsewhere
// (kept there, not repeated): binary config, 10 MB line and 10,000-deep nesting in the parser
// (test/parser/parser.test.ts), the CLI (test/cli/check.test.ts) and the LSP
// (test/lsp/robustness.test.ts); include cycles, self-includes, a glob matching 10,000 files and
// unreadable files (test/includes/resolve.test.ts); dangling symlinks and invalid UTF-8 configs
// (test/includes/nodeFileSystem.test.ts); invalid UTF-8 and a 2 MB line in logs
// (test/logs/reader.test.ts); catastrophic patterns in the regex engine alone
// (test/regex/catastrophic.test.ts).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigGraph } from '../../server/src/core/configGraph';
import { checkConfig } from '../../server/src/core/check';
import { MemoryFileSystem } from '../../server/src/core/fileSystem';
import { NodeFileSystem } from '../../server/src/node/fileSystem';
import { buildModelFromGraph, type HttpModel } from '../../server/src/core/http/model';
import { Attributor } from '../../server/src/core/http/attribute';
import { factsFromLog } from '../../server/src/core/http/request';
import { traceLog, type TraceEntry } from '../../server/src/core/trace';
import { prng } from '../support/accessLog';

const dir = mkdtempSync(join(tmpdir(), 'nginx-lens-hostile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const FORMAT = `'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$host"'`;

function site(name: string, conf: string): { conf: string; model: HttpModel; log: string } {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  const log = join(d, 'access.log');
  writeFileSync(join(d, 'nginx.conf'), `events {}\nhttp {\n  log_format main ${FORMAT};\n  access_log ${log} main;\n${conf}\n}\n`);
  const graph = loadConfigGraph(join(d, 'nginx.conf'), new NodeFileSystem());
  return { conf: join(d, 'nginx.conf'), model: buildModelFromGraph(graph), log };
}

const DROP = site('drop', `  server { listen 80 default_server; server_name _; return 444; }\n  server { listen 80; server_name example.com; location / { return 200; } }`);

async function trace(model: HttpModel, file: string): Promise<{ entries: TraceEntry[]; lines: number; unparsed: number; ms: number }> {
  const entries: TraceEntry[] = [];
  const t = performance.now();
  const r = await traceLog(model, file, (e) => entries.length < 1000 && entries.push(e));
  return { entries, lines: r.lines, unparsed: r.unparsed, ms: performance.now() - t };
}

test('a binary file opened as a log: read to the end, nothing attributed, no throw', async () => {
  const rnd = prng(1);
  const bytes = Buffer.alloc(2 << 20);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rnd() * 256);
  // Sprinkle " 444 " so the status pre-filter lets binary lines through to the parser.
  for (let i = 0; i < bytes.length - 5; i += 997) bytes.write(' 444 ', i, 'latin1');
  const file = join(dir, 'binary.log');
  writeFileSync(file, bytes);
  const r = await trace(DROP.model, file);
  assert.ok(r.lines > 1000, `${r.lines} lines`);
  assert.equal(r.entries.length, 0);
  assert.ok(r.unparsed > 0, 'binary lines with 444 in them are counted as unparsed');
});

test('a 10 MB single line in a log: cut at the reader cap, the lines after it still traced', async () => {
  const file = join(dir, 'long.log');
  const good = `203.0.113.9 - - [01/Mar/2024:00:00:00 +0000] "GET / HTTP/1.1" 444 0 "-" "curl/8" "unknown.test"`;
  writeFileSync(file, `${good}\n${'x 444 '.repeat((10 << 20) / 6)}\n${good}\n`, 'latin1');
  const r = await trace(DROP.model, file);
  assert.equal(r.lines, 3);
  assert.deepEqual(r.entries.map((e) => [e.log.line, e.attribution.verdict]), [[1, 'exact'], [3, 'exact']]);
  assert.ok(r.ms < 20_000, `${r.ms} ms`);
});

test('10,000-deep nesting through the whole check, the HTTP model and the router', () => {
  const text = 'http {\nserver {\n' + 'location / {\n'.repeat(10_000) + 'return 444;\n' + '}\n'.repeat(10_002);
  const fs = new MemoryFileSystem({ '/w/nginx.conf': text });
  const t = performance.now();
  const graph = loadConfigGraph('/w/nginx.conf', fs);
  const diags = checkConfig(graph);
  assert.ok(diags.some((d) => /too deep|nest/i.test(d.message)), diags.map((d) => d.message).join('\n').slice(0, 500));
  assert.equal(diags.find((d) => d.code === 'analysis-failed'), undefined);
  const model = buildModelFromGraph(graph);
  const a = new Attributor(model).attribute(factsFromLog(['request', 'host'], { request: 'GET / HTTP/1.1', host: 'x' }), 444);
  assert.ok(['exact', 'ambiguous', 'unmatched'].includes(a.verdict));
  assert.ok(performance.now() - t < 20_000);
});

test('1,000,000 identical 444 lines: traced in bounded time and memory', { timeout: 300_000 }, async () => {
  const file = join(dir, 'million.log');
  const line = `198.51.100.7 - - [01/Mar/2024:00:00:00 +0000] "GET /wp-login.php HTTP/1.1" 444 0 "-" "zgrab/0.x" "unknown.test"\n`;
  const chunk = Buffer.from(line.repeat(10_000), 'latin1');
  const fd = openSync(file, 'w');
  for (let i = 0; i < 100; i++) writeSync(fd, chunk);
  closeSync(fd);
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  let n = 0;
  const verdicts = new Set<string>();
  const t = performance.now();
  const r = await traceLog(DROP.model, file, (e) => {
    n++;
    verdicts.add(e.attribution.verdict);
    if ((n & 0xffff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
  });
  const ms = performance.now() - t;
  assert.equal(r.lines, 1_000_000);
  assert.equal(n, 1_000_000);
  assert.deepEqual([...verdicts], ['exact']);
  // Streams and caches by request: memory does not grow with the file (~110 MB here).
  assert.ok(peak - rss0 < 150 * 2 ** 20, `RSS grew ${((peak - rss0) / 2 ** 20).toFixed(0)} MB`);
  assert.ok(ms < 120_000, `${ms.toFixed(0)} ms`);
  console.log(`# 1M identical 444 lines: ${(ms / 1000).toFixed(1)} s, RSS +${((peak - rss0) / 2 ** 20).toFixed(0)} MB`);
});

test('a catastrophic user regex against long log lines: bounded time, the verdict says it gave up', async () => {
  // The regex alone decides between two 444 rules: when it cannot be evaluated the answer must
  // name both, never pick one.
  const s = site(
    'redos',
    `  server { listen 80; server_name example.com;
    if ($http_user_agent ~ "^(a+)+$") { return 444; }
    location / { return 444; }
  }`,
  );
  const lines: string[] = [];
  for (let i = 0; i < 30; i++) {
    lines.push(`198.51.100.${i} - - [01/Mar/2024:00:00:00 +0000] "GET /p${i} HTTP/1.1" 444 0 "-" "${'a'.repeat(3000 + i)}!" "example.com"`);
  }
  writeFileSync(s.log, lines.join('\n') + '\n');
  const r = await trace(s.model, s.log);
  assert.equal(r.entries.length, 30);
  for (const e of r.entries) {
    const { verdict, rules, why, missing } = e.attribution;
    assert.equal(verdict, 'ambiguous', why);
    assert.equal(rules.length, 2);
    assert.match(`${why} ${missing.join(' ')}`, /gave up|too costly/i);
  }
  assert.ok(r.ms < 30_000, `${r.ms} ms for 30 lines`);
});

test('invalid UTF-8 in a log and in a config: traced, attributed to the rule', async () => {
  const d = join(dir, 'utf8');
  mkdirSync(d, { recursive: true });
  const log = join(d, 'access.log');
  writeFileSync(
    join(d, 'nginx.conf'),
    Buffer.from(`events {}\nhttp {\n  log_format main ${FORMAT};\n  access_log ${log} main;\n  # caf\xe9 \xff\xfe comment\n  server { listen 80 default_server; location /x { return 444; } location / { return 200; } }\n}\n`, 'latin1'),
  );
  const graph = loadConfigGraph(join(d, 'nginx.conf'), new NodeFileSystem());
  assert.equal(checkConfig(graph).find((x) => x.code === 'analysis-failed'), undefined);
  const model = buildModelFromGraph(graph);
  writeFileSync(log, Buffer.from(`198.51.100.1 - - [01/Mar/2024:00:00:00 +0000] "GET /x/\xc3\x28\xff HTTP/1.1" 444 0 "\x80" "\xff\xfe\x80" "h\xe9"\n`, 'latin1'));
  const r = await trace(model, log);
  assert.equal(r.entries.length, 1);
  assert.equal(r.entries[0].attribution.verdict, 'exact');
  assert.equal(r.entries[0].attribution.rules[0].range.start.line, 5);
});
